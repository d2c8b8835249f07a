#include "pipeline/column_lineage.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace pareto::pipeline {
namespace {

using nlohmann::json;
using Sources = std::set<ColumnName>;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// DuckDB identifiers are case-insensitive.
bool SameName(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

std::string Str(const json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& Child(const json& node, const char* key) {
  static const json kNull;
  auto it = node.find(key);
  return it == node.end() ? kNull : *it;
}

struct Col {
  std::string name;
  Sources sources;
};
using Cols = std::vector<Col>;

// One FROM item visible in a scope.
struct Relation {
  std::string alias;       // how the query names it (alias, else table name)
  std::string base_table;  // "bronze.brz_orders" for a base table, else empty
  Cols cols;
  // Schema unknown: any column name resolves to (base_table, name), plus open_sources.
  bool open = false;
  Sources open_sources;  // for open table functions: the sources of their arguments
};

// CTEs in scope, innermost last.
using CteEnv = std::vector<std::pair<std::string, Cols>>;

struct Scope {
  std::vector<Relation> relations;
  std::set<std::string> merged;  // lower-case USING / NATURAL join columns, listed once by `*`
  const Scope* outer = nullptr;  // for correlated subqueries
};

void Union(Sources& into, const Sources& from) { into.insert(from.begin(), from.end()); }

void Rename(Cols& cols, const json& aliases) {
  if (!aliases.is_array()) return;
  for (size_t i = 0; i < aliases.size() && i < cols.size(); ++i) {
    if (aliases[i].is_string()) cols[i].name = aliases[i].get<std::string>();
  }
}

class Analyzer {
 public:
  explicit Analyzer(const SchemaLookup& schema) : schema_(schema) {}

  StatusOr<Cols> Node(const json& node, CteEnv env, const Scope* outer) {
    if (!node.is_object()) return Cols{};
    if (const json& map = Child(Child(node, "cte_map"), "map"); map.is_array()) {
      for (const json& entry : map) {
        const json& value = Child(entry, "value");
        PARETO_ASSIGN_OR_RETURN(Cols cols, Node(Child(Child(value, "query"), "node"), env, outer));
        Rename(cols, Child(value, "aliases"));
        env.emplace_back(Str(entry, "key"), std::move(cols));
      }
    }
    const std::string type = Str(node, "type");
    if (type == "SELECT_NODE") return Select(node, env, outer);
    if (type == "SET_OPERATION_NODE" || type == "RECURSIVE_CTE_NODE") {
      PARETO_ASSIGN_OR_RETURN(Cols left, Node(Child(node, "left"), env, outer));
      PARETO_ASSIGN_OR_RETURN(Cols right, Node(Child(node, "right"), env, outer));
      if (Str(node, "setop_type") == "UNION_BY_NAME") {
        for (Col& r : right) {
          auto it = std::find_if(left.begin(), left.end(), [&](const Col& l) { return SameName(l.name, r.name); });
          if (it == left.end()) {
            left.push_back(std::move(r));
          } else {
            Union(it->sources, r.sources);
          }
        }
        return left;
      }
      for (size_t i = 0; i < left.size() && i < right.size(); ++i) Union(left[i].sources, right[i].sources);
      return left;
    }
    return std::unexpected(Unsupported("query node '" + type + "'"));
  }

 private:
  StatusOr<Cols> Select(const json& node, const CteEnv& env, const Scope* outer) {
    Scope scope;
    scope.outer = outer;
    PARETO_RETURN_IF_ERROR(From(Child(node, "from_table"), env, scope));
    Cols out;
    for (const json& item : Child(node, "select_list")) {
      if (Str(item, "class") == "STAR") {
        PARETO_RETURN_IF_ERROR(ExpandStar(item, env, scope, out));
        continue;
      }
      Col col;
      col.name = Str(item, "alias");
      if (col.name.empty() && Str(item, "class") == "COLUMN_REF") {
        const json& names = Child(item, "column_names");
        if (names.is_array() && !names.empty()) col.name = names.back().get<std::string>();
      }
      PARETO_RETURN_IF_ERROR(Expr(item, env, scope, &out, col.sources));
      out.push_back(std::move(col));
    }
    return out;
  }

  Status From(const json& ref, const CteEnv& env, Scope& scope) {
    if (!ref.is_object()) return OkStatus();
    const std::string type = Str(ref, "type");
    const std::string alias = Str(ref, "alias");
    if (type == "EMPTY") return OkStatus();
    if (type == "JOIN") {
      const size_t before = scope.relations.size();
      PARETO_RETURN_IF_ERROR(From(Child(ref, "left"), env, scope));
      const size_t middle = scope.relations.size();
      PARETO_RETURN_IF_ERROR(From(Child(ref, "right"), env, scope));
      for (const json& name : Child(ref, "using_columns")) scope.merged.insert(Lower(name.get<std::string>()));
      if (Str(ref, "ref_type") == "NATURAL") {
        for (size_t l = before; l < middle; ++l) {
          for (const Col& lc : scope.relations[l].cols) {
            for (size_t r = middle; r < scope.relations.size(); ++r) {
              for (const Col& rc : scope.relations[r].cols) {
                if (SameName(lc.name, rc.name)) scope.merged.insert(Lower(lc.name));
              }
            }
          }
        }
      }
      return OkStatus();
    }
    Relation rel;
    if (type == "BASE_TABLE") {
      const std::string schema = Str(ref, "schema_name"), table = Str(ref, "table_name");
      rel.alias = alias.empty() ? table : alias;
      auto cte = std::find_if(env.rbegin(), env.rend(), [&](const auto& e) { return SameName(e.first, table); });
      if (schema.empty() && Str(ref, "catalog_name").empty() && cte != env.rend()) {
        rel.cols = cte->second;
      } else {
        rel.base_table = schema + "." + table;
        if (auto columns = schema_(rel.base_table)) {
          for (const std::string& c : *columns) rel.cols.push_back({c, {{rel.base_table, c}}});
        } else {
          rel.open = true;
        }
      }
    } else if (type == "SUBQUERY") {
      rel.alias = alias;
      PARETO_ASSIGN_OR_RETURN(rel.cols, Node(Child(Child(ref, "subquery"), "node"), env, scope.outer));
    } else if (type == "TABLE_FUNCTION") {
      const json& fn = Child(ref, "function");
      rel.alias = alias.empty() ? Str(fn, "function_name") : alias;
      Scope empty;
      empty.outer = scope.outer;
      PARETO_RETURN_IF_ERROR(Expr(fn, env, empty, nullptr, rel.open_sources));
      if (Child(ref, "column_name_alias").empty()) {
        rel.open = true;
      } else {
        for (const json& name : Child(ref, "column_name_alias")) {
          rel.cols.push_back({name.get<std::string>(), rel.open_sources});
        }
      }
    } else if (type == "EXPRESSION_LIST") {
      rel.alias = alias;
      Scope empty;
      empty.outer = scope.outer;
      for (const json& row : Child(ref, "values")) {
        for (size_t i = 0; i < row.size(); ++i) {
          if (rel.cols.size() <= i) rel.cols.push_back({"col" + std::to_string(i), {}});
          PARETO_RETURN_IF_ERROR(Expr(row[i], env, empty, nullptr, rel.cols[i].sources));
        }
      }
    } else {
      return Unsupported("FROM item '" + type + "'");
    }
    Rename(rel.cols, Child(ref, "column_name_alias"));
    scope.relations.push_back(std::move(rel));
    return OkStatus();
  }

  Status ExpandStar(const json& star, const CteEnv& env, const Scope& scope, Cols& out) {
    const std::string only = Str(star, "relation_name");
    std::set<std::string> excluded;
    for (const json& e : Child(star, "exclude_list")) excluded.insert(Lower(e.get<std::string>()));
    for (const json& e : Child(star, "qualified_exclude_list")) excluded.insert(Lower(Str(e, "column")));
    std::map<std::string, const json*> replace;
    for (const json& r : Child(star, "replace_list")) replace[Lower(Str(r, "key"))] = &Child(r, "value");
    std::map<std::string, std::string> rename;
    for (const json& r : Child(star, "rename_list")) rename[Lower(Str(Child(r, "key"), "column"))] = Str(r, "value");

    std::map<std::string, size_t> merged_at;  // USING columns: listed once, sources of every side
    for (const Relation& rel : scope.relations) {
      if (!only.empty() && !SameName(rel.alias, only)) continue;
      if (rel.open) {
        // Unknown schema: one placeholder carrying the table; AlignToOutput widens it.
        out.push_back({"*", rel.open_sources});
        if (!rel.base_table.empty()) out.back().sources.insert({rel.base_table, "*"});
        continue;
      }
      for (const Col& c : rel.cols) {
        const std::string key = Lower(c.name);
        if (excluded.contains(key)) continue;
        if (only.empty() && scope.merged.contains(key)) {
          if (auto it = merged_at.find(key); it != merged_at.end()) {
            Union(out[it->second].sources, c.sources);
            continue;
          }
          merged_at[key] = out.size();
        }
        Col col = c;
        if (auto it = replace.find(key); it != replace.end()) {
          col.sources.clear();
          PARETO_RETURN_IF_ERROR(Expr(*it->second, env, scope, nullptr, col.sources));
        }
        if (auto it = rename.find(key); it != rename.end()) col.name = it->second;
        out.push_back(std::move(col));
      }
    }
    return OkStatus();
  }

  // Adds to `into` every upstream column the expression reads.
  Status Expr(const json& e, const CteEnv& env, const Scope& scope, const Cols* select_so_far, Sources& into) {
    if (e.is_array()) {
      for (const json& child : e) PARETO_RETURN_IF_ERROR(Expr(child, env, scope, select_so_far, into));
      return OkStatus();
    }
    if (!e.is_object()) return OkStatus();
    const std::string cls = Str(e, "class");
    if (cls == "COLUMN_REF") {
      std::vector<std::string> names;
      for (const json& n : Child(e, "column_names")) names.push_back(n.get<std::string>());
      Resolve(names, scope, select_so_far, into);
      return OkStatus();
    }
    if (cls == "SUBQUERY") {
      PARETO_ASSIGN_OR_RETURN(Cols cols, Node(Child(Child(e, "subquery"), "node"), env, &scope));
      for (const Col& c : cols) Union(into, c.sources);
      return Expr(Child(e, "child"), env, scope, select_so_far, into);
    }
    if (cls == "STAR") {  // COLUMNS(*), struct_pack(*), …: every visible column
      Cols all;
      PARETO_RETURN_IF_ERROR(ExpandStar(e, env, scope, all));
      for (const Col& c : all) Union(into, c.sources);
    }
    for (const auto& [key, child] : e.items()) {
      if (child.is_structured()) PARETO_RETURN_IF_ERROR(Expr(child, env, scope, select_so_far, into));
    }
    return OkStatus();
  }

  // Finds the column a reference names, searching FROM relations, then earlier select
  // aliases, then enclosing queries. Several matches: all of them (conservative).
  void Resolve(const std::vector<std::string>& names, const Scope& scope, const Cols* select_so_far,
               Sources& into) {
    if (names.empty()) return;
    for (const Scope* s = &scope; s != nullptr; s = s->outer) {
      bool found = false;
      auto take = [&](const Relation& rel, const std::string& column) {
        for (const Col& c : rel.cols) {
          if (SameName(c.name, column)) {
            Union(into, c.sources);
            found = true;
          }
        }
        if (rel.open) {
          if (!rel.base_table.empty()) into.insert({rel.base_table, column});
          Union(into, rel.open_sources);
          found = true;
        }
      };
      // Qualified: relation alias (alias.col, alias.col.field) or schema.table.col.
      if (names.size() >= 2) {
        for (const Relation& rel : s->relations) {
          if (SameName(rel.alias, names[0])) take(rel, names[1]);
        }
        if (names.size() >= 3) {
          for (const Relation& rel : s->relations) {
            const size_t n = names.size();
            if (!rel.base_table.empty() && SameName(rel.base_table, names[n - 3] + "." + names[n - 2])) {
              take(rel, names[n - 1]);
            }
          }
        }
        if (found) return;
      }
      // Unqualified, or col.field of a struct column.
      bool any_closed = false;
      for (const Relation& rel : s->relations) {
        for (const Col& c : rel.cols) {
          if (SameName(c.name, names[0])) {
            Union(into, c.sources);
            any_closed = found = true;
          }
        }
      }
      if (!any_closed) {
        for (const Relation& rel : s->relations) {
          if (rel.open) take(rel, names[0]);
        }
      }
      if (found) return;
      if (s == &scope && select_so_far != nullptr) {  // lateral alias: SELECT a + 1 AS b, b * 2
        for (const Col& c : *select_so_far) {
          if (SameName(c.name, names[0])) {
            Union(into, c.sources);
            found = true;
          }
        }
        if (found) return;
      }
    }
    // Unresolved (a lambda parameter, a struct key): no table column.
  }

  const SchemaLookup& schema_;
};

}  // namespace

StatusOr<std::vector<OutputColumn>> ComputeColumnLineage(const nlohmann::json& node, const SchemaLookup& schema) {
  Analyzer analyzer(schema);
  PARETO_ASSIGN_OR_RETURN(Cols cols, analyzer.Node(node, {}, nullptr));
  std::vector<OutputColumn> out;
  for (Col& c : cols) out.push_back({std::move(c.name), std::move(c.sources)});
  return out;
}

std::vector<OutputColumn> AlignToOutput(std::vector<OutputColumn> computed, const std::vector<std::string>& actual) {
  std::vector<OutputColumn> out;
  if (computed.size() == actual.size()) {
    for (size_t i = 0; i < actual.size(); ++i) out.push_back({actual[i], std::move(computed[i].sources)});
    return out;
  }
  std::set<ColumnName> all;
  for (const OutputColumn& c : computed) all.insert(c.sources.begin(), c.sources.end());
  for (const std::string& name : actual) out.push_back({name, all});
  return out;
}

}  // namespace pareto::pipeline
