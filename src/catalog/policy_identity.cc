#include "catalog/policy_identity.h"

#include <optional>
#include <string>
#include <vector>

#include "catalog/sql_lexer.h"

namespace pareto::catalog {
namespace {

// The expression's tokens (sql_lexer.h); nullopt for anything the recogniser
// will not reason about: a dollar-quoted string or a backslash escape (which
// the lexer does not know and could hide an OR), or an unclosed quote.
std::optional<std::vector<Token>> Tokens(std::string_view e) {
  if (e.find_first_of("$\\") != std::string_view::npos) return std::nullopt;
  auto tokens = Lex(e);
  if (!tokens.has_value()) return std::nullopt;
  return std::move(*tokens);
}

using Span = std::pair<size_t, size_t>;  // [begin, end) into the tokens

// Whether the parentheses of [b, e) balance without ever closing more than opened.
bool Balanced(const std::vector<Token>& t, Span s) {
  int depth = 0;
  for (size_t i = s.first; i < s.second; ++i) {
    if (IsSymbol(t, i, '(')) ++depth;
    if (IsSymbol(t, i, ')') && --depth < 0) return false;
  }
  return depth == 0;
}

// Splits [b, e) at the depth-0 occurrences of `word`.
std::vector<Span> Split(const std::vector<Token>& t, Span s, std::string_view word) {
  std::vector<Span> parts;
  int depth = 0;
  size_t start = s.first;
  for (size_t i = s.first; i < s.second; ++i) {
    if (IsSymbol(t, i, '(')) ++depth;
    if (IsSymbol(t, i, ')')) --depth;
    if (depth == 0 && IsWord(t, i, word)) {
      parts.push_back({start, i});
      start = i + 1;
    }
  }
  parts.push_back({start, s.second});
  return parts;
}

bool ProvablyTrue(const std::vector<Token>& t, Span s) {
  if (s.first >= s.second || !Balanced(t, s)) return false;
  // A disjunction is true when one of its parts is; a conjunction when all are.
  if (auto ors = Split(t, s, "or"); ors.size() > 1) {
    for (Span part : ors) {
      if (ProvablyTrue(t, part)) return true;
    }
    return false;
  }
  if (auto ands = Split(t, s, "and"); ands.size() > 1) {
    for (Span part : ands) {
      if (!ProvablyTrue(t, part)) return false;
    }
    return true;
  }
  if (s.second - s.first == 1) return IsWord(t, s.first, "true");
  // (x): only when the outer parentheses enclose the whole span.
  if (IsSymbol(t, s.first, '(') && IsSymbol(t, s.second - 1, ')') && Balanced(t, {s.first + 1, s.second - 1})) {
    return ProvablyTrue(t, {s.first + 1, s.second - 1});
  }
  return false;
}

// Whether any token is a CASE keyword: an OR or AND inside a CASE at depth 0 is
// not a top-level disjunction, so such a condition is not reasoned about.
bool HasCase(const std::vector<Token>& t, Span s) {
  for (size_t i = s.first; i < s.second; ++i) {
    for (const char* k : {"case", "when", "then", "else", "end"}) {
      if (IsWord(t, i, k)) return true;
    }
  }
  return false;
}

// The column itself: an identifier, quoted or not, equal to it ignoring case
// (DuckDB's identifiers are case-insensitive, quoted ones too).
bool IsColumn(const Token& token, std::string_view column) {
  return token.kind == TokenKind::kIdent && EqualsIgnoreCase(token.text, column);
}

}  // namespace

bool IsIdentityFilter(std::string_view bound_expression) {
  auto t = Tokens(bound_expression);
  if (!t) return false;
  const Span all{0, t->size()};
  return !HasCase(*t, all) && ProvablyTrue(*t, all);
}

bool IsIdentityMask(std::string_view bound_expression, std::string_view column) {
  auto t = Tokens(bound_expression);
  if (!t) return false;
  std::vector<Token>& v = *t;
  // Outer parentheses around the whole mask.
  size_t b = 0, e = v.size();
  while (e - b >= 2 && IsSymbol(v, b, '(') && IsSymbol(v, e - 1, ')') && Balanced(v, {b + 1, e - 1})) {
    ++b;
    --e;
  }
  if (e - b == 1) return IsColumn(v[b], column);
  // CASE WHEN <true> THEN col [ELSE NULL] END
  if (e - b < 6 || !IsWord(v, b, "case") || !IsWord(v, b + 1, "when") || !IsWord(v, e - 1, "end")) return false;
  size_t then = b + 2;
  while (then < e && !IsWord(v, then, "then")) ++then;
  if (then + 2 >= e) return false;
  const Span condition{b + 2, then};
  if (HasCase(v, condition) || !ProvablyTrue(v, condition)) return false;
  if (!IsColumn(v[then + 1], column)) return false;
  const size_t rest = (e - 1) - (then + 2);  // tokens between the column and END
  // ELSE NULL, or ELSE 'a string': a string literal takes the column's type in
  // DuckDB (or fails to, for view and copy alike), so the CASE keeps the column's
  // type; a number might widen it (an INTEGER column with ELSE 0.5).
  const bool string_literal = rest == 2 && v[then + 3].kind == TokenKind::kString;
  return rest == 0 || (rest == 2 && IsWord(v, then + 2, "else") && (IsWord(v, then + 3, "null") || string_literal));
}

bool LeavesTableUnchanged(const BoundPolicies& policies, const std::string& table) {
  if (auto masks = policies.masks.find(table); masks != policies.masks.end()) {
    for (const auto& [column, expression] : masks->second) {
      if (!IsIdentityMask(expression, column)) return false;
    }
  }
  auto filter = policies.row_filters.find(table);
  return filter == policies.row_filters.end() || IsIdentityFilter(filter->second);
}

StatusOr<bool> PoliciesLeaveTableUnchanged(Metastore& ms, const Principal& principal, std::string_view table) {
  PARETO_ASSIGN_OR_RETURN(BoundPolicies bound, BindPolicies(ms, principal));
  return LeavesTableUnchanged(bound, std::string(table));
}

}  // namespace pareto::catalog
