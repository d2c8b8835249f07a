// ScanSql: a snapshot as one DuckDB table expression.
//
// Shape (files grouped by their partition values, so partition columns become
// typed constants and never come from directory names):
//   (SELECT CAST("a" AS T) AS "a", ... FROM (
//       (SELECT NULL::T AS "a", ... WHERE false)            -- fixes names, types, and
//       UNION ALL BY NAME                                     -- NULL for columns a file lacks
//       (SELECT *, <partition constants> FROM read_parquet([files], union_by_name, no hive))
//       UNION ALL BY NAME ...))
#include <filesystem>
#include <map>
#include <vector>

#include "delta/actions.h"
#include "delta/table.h"
#include "duck/duck.h"

namespace pareto::delta {

using nlohmann::json;

namespace {

// A partition value (Delta's string form) as a typed SQL expression.
StatusOr<std::string> PartitionLiteral(const std::optional<std::string>& value, const json& delta_type) {
  PARETO_ASSIGN_OR_RETURN(std::string duck_type, DuckTypeOf(delta_type));
  if (!value || value->empty()) return "CAST(NULL AS " + duck_type + ")";
  std::string v = *value;
  if (delta_type.is_string() && delta_type.get<std::string>() == "timestamp") {
    // "yyyy-MM-dd HH:mm:ss[.ffffff]" carries no zone and means UTC; ISO-8601 values end in Z.
    bool has_zone = v.ends_with("Z") || v.ends_with("z") || v.find('+', 10) != std::string::npos;
    if (!has_zone) v += "+00";
  }
  return "CAST(" + duck::QuoteLiteral(v) + " AS " + duck_type + ")";
}

}  // namespace

StatusOr<std::string> ScanSql(const Snapshot& snapshot) {
  try {
    if (!snapshot.schema.is_object() || !snapshot.schema.contains("fields")) {
      return std::unexpected(DataError("snapshot has no schema"));
    }
    std::map<std::string, json> types;  // column -> Delta type
    std::string empty_row = "SELECT ";
    std::string projection;
    bool first = true;
    for (const auto& f : snapshot.schema["fields"]) {
      std::string name = f.at("name").get<std::string>();
      PARETO_ASSIGN_OR_RETURN(std::string duck_type, DuckTypeOf(f.at("type")));
      types[name] = f.at("type");
      if (!first) {
        empty_row += ", ";
        projection += ", ";
      }
      first = false;
      empty_row += "CAST(NULL AS " + duck_type + ") AS " + duck::QuoteIdent(name);
      projection += "CAST(" + duck::QuoteIdent(name) + " AS " + duck_type + ") AS " + duck::QuoteIdent(name);
    }
    if (first) return std::unexpected(DataError("table schema has no columns"));
    empty_row += " WHERE false";

    // Files grouped by their partition values (all of them in one group when unpartitioned).
    std::map<std::vector<std::optional<std::string>>, std::vector<std::string>> groups;
    for (const auto& file : snapshot.files) {
      std::string path = ResolveDataPath(snapshot.root, file.path);
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) {
        return std::unexpected(DataError("data file " + file.path + " of version " + std::to_string(snapshot.version) +
                                         " is missing (vacuumed or never written); this version cannot be read"));
      }
      std::vector<std::optional<std::string>> key;
      for (const auto& col : snapshot.partition_columns) {
        auto it = file.partition_values.find(col);
        key.push_back(it == file.partition_values.end() ? std::nullopt : it->second);
      }
      groups[key].push_back(std::move(path));
    }

    std::string body = "(" + empty_row + ")";
    for (const auto& [values, paths] : groups) {
      std::string list = "[";
      for (size_t i = 0; i < paths.size(); ++i) {
        if (i) list += ", ";
        list += duck::QuoteLiteral(paths[i]);
      }
      list += "]";
      std::string select = "SELECT *";
      for (size_t i = 0; i < snapshot.partition_columns.size(); ++i) {
        const std::string& col = snapshot.partition_columns[i];
        auto t = types.find(col);
        if (t == types.end()) return std::unexpected(DataError("partition column " + col + " is not in the schema"));
        PARETO_ASSIGN_OR_RETURN(std::string literal, PartitionLiteral(values[i], t->second));
        select += ", " + literal + " AS " + duck::QuoteIdent(col);
      }
      body += " UNION ALL BY NAME (" + select + " FROM read_parquet(" + list +
              ", union_by_name = true, hive_partitioning = false))";
    }
    return "(SELECT " + projection + " FROM (" + body + "))";
  } catch (const json::exception& e) {
    return std::unexpected(DataError(std::string("malformed table schema: ") + e.what()));
  }
}

}  // namespace pareto::delta
