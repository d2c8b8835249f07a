#include "pipeline/sql_parse.h"

#include <algorithm>
#include <set>

namespace pareto::pipeline {
namespace {

using nlohmann::json;

// Table functions that generate rows rather than read files or run dynamic SQL.
constexpr std::string_view kAllowedTableFunctions[] = {"range", "generate_series", "unnest",
                                                      "json_each", "json_tree"};

int64_t LocationOf(const json& node) {
  auto it = node.find("query_location");
  if (it == node.end() || !it->is_number_integer()) return -1;
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return -1;
  return it->get<int64_t>();
}

std::string StringField(const json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
}

class RefCollector {
 public:
  RefCollector(std::string_view sql, std::string_view catalog) : sql_(sql), catalog_(catalog) {}

  Status Walk(const json& node) {
    if (node.is_array()) {
      for (const json& child : node) PARETO_RETURN_IF_ERROR(Walk(child));
      return OkStatus();
    }
    if (!node.is_object()) return OkStatus();

    // A node with a cte_map brings its CTE names into scope for its whole subtree
    // (the CTE bodies included: later CTEs and recursive ones may name them).
    size_t pushed = 0;
    if (auto cte = node.find("cte_map"); cte != node.end() && cte->is_object()) {
      if (auto map = cte->find("map"); map != cte->end() && map->is_array()) {
        for (const json& entry : *map) {
          if (entry.contains("key") && entry["key"].is_string()) {
            ctes_.push_back(entry["key"].get<std::string>());
            ++pushed;
          }
        }
      }
    }
    Status status = Visit(node);
    ctes_.resize(ctes_.size() - pushed);
    return status;
  }

  std::vector<TableRef> refs;

 private:
  Status Visit(const json& node) {
    const std::string type = StringField(node, "type");
    if (type == "BASE_TABLE" && node.contains("table_name")) return AddBaseTable(node);
    if (type == "TABLE_FUNCTION") {
      const json& fn = node.value("function", json::object());
      const std::string name = StringField(fn, "function_name");
      if (std::find(std::begin(kAllowedTableFunctions), std::end(kAllowedTableFunctions), name) ==
          std::end(kAllowedTableFunctions)) {
        return InvalidArgument(At(LocationOf(node)) + ": table function '" + name +
                               "' is not allowed in a model (read inputs as layer.table)");
      }
    }
    for (const auto& [key, child] : node.items()) {
      if (key == "cte_map" || child.is_structured()) PARETO_RETURN_IF_ERROR(Walk(child));
    }
    return OkStatus();
  }

  Status AddBaseTable(const json& node) {
    TableRef ref;
    ref.catalog = StringField(node, "catalog_name");
    ref.schema = StringField(node, "schema_name");
    ref.table = StringField(node, "table_name");
    ref.location = LocationOf(node);
    if (ref.schema.empty() && ref.catalog.empty()) {
      if (std::find(ctes_.begin(), ctes_.end(), ref.table) != ctes_.end()) return OkStatus();
      return InvalidArgument(At(ref.location) + ": table '" + ref.table +
                             "' is neither a CTE nor qualified by its layer (write e.g. bronze." +
                             ref.table + ")");
    }
    if (!ref.catalog.empty() && ref.catalog != catalog_) {
      return InvalidArgument(At(ref.location) + ": table '" + ref.catalog + "." +
                             ref.schema + "." + ref.table + "' is outside catalog '" +
                             std::string(catalog_) + "'");
    }
    refs.push_back(std::move(ref));
    return OkStatus();
  }

  std::string At(int64_t offset) const { return "line " + std::to_string(LineOf(sql_, offset)); }

  std::string_view sql_;
  std::string_view catalog_;
  std::vector<std::string> ctes_;
};

}  // namespace

int LineOf(std::string_view text, int64_t offset) {
  if (offset < 0) return 1;
  const size_t end = std::min(static_cast<size_t>(offset), text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
}

StatusOr<nlohmann::json> ParseQuery(duck::Connection& conn, std::string_view sql) {
  PARETO_ASSIGN_OR_RETURN(auto text, conn.QueryScalar("SELECT json_serialize_sql(" + duck::QuoteLiteral(sql) + ")"));
  if (!text) return std::unexpected(Internal("json_serialize_sql returned NULL"));
  json tree = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (tree.is_discarded()) return std::unexpected(Internal("json_serialize_sql returned invalid JSON"));
  if (tree.value("error", false)) {
    std::string message = tree.value("error_message", std::string("cannot parse"));
    if (message.find("Only SELECT") != std::string::npos) {
      return std::unexpected(InvalidArgument("a model must be one query (SELECT/WITH/VALUES), not DDL or DML"));
    }
    int64_t position = -1;
    if (tree.contains("position") && tree["position"].is_string()) {
      position = std::strtoll(tree["position"].get<std::string>().c_str(), nullptr, 10);
    }
    if (position >= 0) message = "line " + std::to_string(LineOf(sql, position)) + ": " + message;
    return std::unexpected(InvalidArgument(message));
  }
  const json& statements = tree.value("statements", json::array());
  if (statements.size() != 1) {
    return std::unexpected(InvalidArgument("a model must hold exactly one statement, found " +
                                           std::to_string(statements.size())));
  }
  if (!statements[0].contains("node")) return std::unexpected(Internal("parse tree without a node"));
  return statements[0]["node"];
}

StatusOr<std::vector<TableRef>> ReferencedTables(const nlohmann::json& node, std::string_view sql,
                                                std::string_view catalog) {
  RefCollector collector(sql, catalog);
  PARETO_RETURN_IF_ERROR(collector.Walk(node));
  // The JSON's keys come back sorted, not in SQL order: order by position in the text.
  std::vector<TableRef> refs = std::move(collector.refs);
  std::stable_sort(refs.begin(), refs.end(),
                   [](const TableRef& a, const TableRef& b) { return a.location < b.location; });
  std::vector<TableRef> unique;
  std::set<std::string> seen;
  for (TableRef& ref : refs) {
    if (seen.insert(ref.QualifiedName()).second) unique.push_back(std::move(ref));
  }
  return unique;
}

}  // namespace pareto::pipeline
