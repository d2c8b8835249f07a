#include "catalog/column_policies.h"

#include <cctype>
#include <set>

#include "catalog/metastore_internal.h"

namespace pareto::catalog {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsIdent(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string Literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

Status CheckTableName(std::string_view name) {
  size_t dots = 0;
  for (char c : name) dots += c == '.';
  if (dots != 2 || name.front() == '.' || name.back() == '.' || name.find("..") != std::string_view::npos) {
    return InvalidArgument("governance: \"" + std::string(name) + "\" must be a full table name catalog.schema.table");
  }
  return OkStatus();
}

// Skips whitespace from `i`.
size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

// A quoted run starting at `i` (s[i] is the quote): the index after it.
StatusOr<size_t> SkipQuoted(std::string_view s, size_t i, std::string* text) {
  const char q = s[i++];
  while (i < s.size()) {
    if (s[i] == q) {
      if (i + 1 < s.size() && s[i + 1] == q) {
        if (text) *text += q;
        i += 2;
        continue;
      }
      return i + 1;
    }
    if (text) *text += s[i];
    ++i;
  }
  return std::unexpected(InvalidArgument("governance expression has an unclosed quote"));
}

}  // namespace

StatusOr<std::string> BindPrincipal(std::string_view e, const Principal& principal) {
  std::string out;
  size_t i = 0;
  while (i < e.size()) {
    const char c = e[i];
    if (c == '\'' || c == '"') {
      PARETO_ASSIGN_OR_RETURN(size_t end, SkipQuoted(e, i, nullptr));
      out.append(e.substr(i, end - i));
      i = end;
    } else if (c == '-' && i + 1 < e.size() && e[i + 1] == '-') {
      while (i < e.size() && e[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < e.size() && e[i + 1] == '*') {
      const size_t close = e.find("*/", i + 2);
      if (close == std::string_view::npos) {
        return std::unexpected(InvalidArgument("governance expression has an unclosed /* comment"));
      }
      i = close + 2;
    } else if (IsIdent(c) && (i == 0 || !IsIdent(e[i - 1]))) {
      size_t end = i;
      while (end < e.size() && IsIdent(e[end])) ++end;
      const std::string word = Lower(e.substr(i, end - i));
      const size_t open = SkipSpace(e, end);
      const bool call = open < e.size() && e[open] == '(';
      if (word == "is_member" && call) {
        size_t k = SkipSpace(e, open + 1);
        std::string group;
        bool ok = k < e.size() && e[k] == '\'';
        if (ok) {
          PARETO_ASSIGN_OR_RETURN(k, SkipQuoted(e, k, &group));
          k = SkipSpace(e, k);
          ok = k < e.size() && e[k] == ')';
        }
        if (!ok) {
          return std::unexpected(InvalidArgument("governance: is_member takes one group name in quotes, e.g. "
                                                 "is_member('analysts')"));
        }
        out += principal.IsMember(Lower(group)) ? "TRUE" : "FALSE";
        i = k + 1;
      } else if (word == "current_user") {
        size_t k = end;
        if (call) {
          k = SkipSpace(e, open + 1);
          if (k >= e.size() || e[k] != ')') {
            return std::unexpected(InvalidArgument("governance: current_user() takes no arguments"));
          }
          ++k;
        }
        out += Literal(principal.name);
        i = k;
      } else {
        out.append(e.substr(i, end - i));
        i = end;
      }
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

Status ReplacePolicies(Metastore& ms, const ColumnPolicies& p) {
  std::set<std::pair<std::string, std::string>> masked;
  for (const ColumnMask& m : p.masks) {
    PARETO_RETURN_IF_ERROR(CheckTableName(m.table));
    if (m.column.empty() || m.expression.empty()) {
      return InvalidArgument("governance: the mask of " + m.table + " needs a column and an expression");
    }
    if (!masked.insert({Lower(m.table), Lower(m.column)}).second) {
      return InvalidArgument("governance: " + m.table + "." + m.column + " has two masks");
    }
  }
  std::set<std::string> filtered;
  for (const RowFilter& f : p.row_filters) {
    PARETO_RETURN_IF_ERROR(CheckTableName(f.table));
    if (f.expression.empty()) return InvalidArgument("governance: the row filter of " + f.table + " is empty");
    if (!filtered.insert(Lower(f.table)).second) {
      return InvalidArgument("governance: " + f.table + " has two row filters; join them with AND");
    }
  }
  sqlite::Db& db = MetastoreAccess::Db(ms);
  PARETO_ASSIGN_OR_RETURN(sqlite::Transaction txn, sqlite::Transaction::Begin(db));
  PARETO_RETURN_IF_ERROR(db.Exec("DELETE FROM column_masks; DELETE FROM row_filters;"));
  for (const ColumnMask& m : p.masks) {
    PARETO_ASSIGN_OR_RETURN(sqlite::Statement s,
                            db.Prepare("INSERT INTO column_masks(table_name, column_name, expression) VALUES (?, ?, ?)"));
    PARETO_RETURN_IF_ERROR(s.Bind(1, Lower(m.table)));
    PARETO_RETURN_IF_ERROR(s.Bind(2, Lower(m.column)));
    PARETO_RETURN_IF_ERROR(s.Bind(3, m.expression));
    PARETO_RETURN_IF_ERROR(s.Run());
  }
  for (const RowFilter& f : p.row_filters) {
    PARETO_ASSIGN_OR_RETURN(sqlite::Statement s,
                            db.Prepare("INSERT INTO row_filters(table_name, expression) VALUES (?, ?)"));
    PARETO_RETURN_IF_ERROR(s.Bind(1, Lower(f.table)));
    PARETO_RETURN_IF_ERROR(s.Bind(2, f.expression));
    PARETO_RETURN_IF_ERROR(s.Run());
  }
  PARETO_RETURN_IF_ERROR(BumpGovernanceEpoch(ms));
  return txn.Commit();
}

StatusOr<ColumnPolicies> LoadPolicies(Metastore& ms) {
  sqlite::Db& db = MetastoreAccess::Db(ms);
  ColumnPolicies out;
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement m, db.Prepare("SELECT table_name, column_name, expression FROM "
                                                          "column_masks ORDER BY table_name, column_name"));
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, m.Step());
    if (!row) break;
    out.masks.push_back({m.ColumnText(0), m.ColumnText(1), m.ColumnText(2)});
  }
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement f,
                          db.Prepare("SELECT table_name, expression FROM row_filters ORDER BY table_name"));
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, f.Step());
    if (!row) break;
    out.row_filters.push_back({f.ColumnText(0), f.ColumnText(1)});
  }
  return out;
}

StatusOr<BoundPolicies> BindPolicies(Metastore& ms, const Principal& principal) {
  PARETO_ASSIGN_OR_RETURN(ColumnPolicies policies, LoadPolicies(ms));
  BoundPolicies bound;
  for (const ColumnMask& m : policies.masks) {
    PARETO_ASSIGN_OR_RETURN(bound.masks[m.table][m.column], BindPrincipal(m.expression, principal));
  }
  for (const RowFilter& f : policies.row_filters) {
    PARETO_ASSIGN_OR_RETURN(bound.row_filters[f.table], BindPrincipal(f.expression, principal));
  }
  return bound;
}

}  // namespace pareto::catalog
