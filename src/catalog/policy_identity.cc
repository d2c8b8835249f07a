#include "catalog/policy_identity.h"

#include <cctype>
#include <optional>
#include <string>
#include <vector>

namespace pareto::catalog {
namespace {

struct Token {
  std::string text;  // lower case for words; a quoted identifier keeps its quotes and case
  bool word = false;
};

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Words, quoted runs and single characters; nullopt for anything the
// recogniser will not reason about (dollar quotes, backslash escapes, an
// unclosed quote).
std::optional<std::vector<Token>> Tokens(std::string_view e) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < e.size()) {
    const char c = e[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '$' || c == '\\') {
      return std::nullopt;
    } else if (c == '\'' || c == '"') {
      size_t j = i + 1;
      while (true) {
        if (j >= e.size()) return std::nullopt;
        if (e[j] == c) {
          if (j + 1 < e.size() && e[j + 1] == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      out.push_back({std::string(e.substr(i, j + 1 - i)), false});
      i = j + 1;
    } else if (IsIdentChar(c)) {
      size_t j = i;
      while (j < e.size() && IsIdentChar(e[j])) ++j;
      std::string w(e.substr(i, j - i));
      for (char& ch : w) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.push_back({std::move(w), true});
      i = j;
    } else {
      out.push_back({std::string(1, c), false});
      ++i;
    }
  }
  return out;
}

using Span = std::pair<size_t, size_t>;  // [begin, end) into the tokens

bool Is(const std::vector<Token>& t, size_t i, std::string_view word) { return t[i].word && t[i].text == word; }

// Whether the parentheses of [b, e) balance without ever closing more than opened.
bool Balanced(const std::vector<Token>& t, Span s) {
  int depth = 0;
  for (size_t i = s.first; i < s.second; ++i) {
    if (t[i].text == "(") ++depth;
    if (t[i].text == ")" && --depth < 0) return false;
  }
  return depth == 0;
}

// Splits [b, e) at the depth-0 occurrences of `word`.
std::vector<Span> Split(const std::vector<Token>& t, Span s, std::string_view word) {
  std::vector<Span> parts;
  int depth = 0;
  size_t start = s.first;
  for (size_t i = s.first; i < s.second; ++i) {
    if (t[i].text == "(") ++depth;
    if (t[i].text == ")") --depth;
    if (depth == 0 && Is(t, i, word)) {
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
  if (s.second - s.first == 1) return Is(t, s.first, "true");
  // (x): only when the outer parentheses enclose the whole span.
  if (t[s.first].text == "(" && t[s.second - 1].text == ")" && Balanced(t, {s.first + 1, s.second - 1})) {
    return ProvablyTrue(t, {s.first + 1, s.second - 1});
  }
  return false;
}

// Whether any token is a CASE keyword: an OR or AND inside a CASE at depth 0 is
// not a top-level disjunction, so such a condition is not reasoned about.
bool HasCase(const std::vector<Token>& t, Span s) {
  for (size_t i = s.first; i < s.second; ++i) {
    for (const char* k : {"case", "when", "then", "else", "end"}) {
      if (Is(t, i, k)) return true;
    }
  }
  return false;
}

bool IsColumn(const Token& token, std::string_view column) {
  std::string lower(column);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (token.word) return token.text == lower;
  // "Col": a quoted identifier is case-insensitive in DuckDB too; an inner "" is a quote.
  if (token.text.size() < 2 || token.text.front() != '"') return false;
  std::string inner;
  for (size_t i = 1; i + 1 < token.text.size(); ++i) {
    inner += static_cast<char>(std::tolower(static_cast<unsigned char>(token.text[i])));
    if (token.text[i] == '"') ++i;
  }
  return inner == lower;
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
  while (e - b >= 2 && v[b].text == "(" && v[e - 1].text == ")" && Balanced(v, {b + 1, e - 1})) {
    ++b;
    --e;
  }
  if (e - b == 1) return IsColumn(v[b], column);
  // CASE WHEN <true> THEN col [ELSE NULL] END
  if (e - b < 6 || !Is(v, b, "case") || !Is(v, b + 1, "when") || !Is(v, e - 1, "end")) return false;
  size_t then = b + 2;
  while (then < e && !Is(v, then, "then")) ++then;
  if (then + 2 >= e) return false;
  const Span condition{b + 2, then};
  if (HasCase(v, condition) || !ProvablyTrue(v, condition)) return false;
  if (!IsColumn(v[then + 1], column)) return false;
  const size_t rest = (e - 1) - (then + 2);  // tokens between the column and END
  // ELSE NULL, or ELSE 'a string': a string literal takes the column's type in
  // DuckDB (or fails to, for view and copy alike), so the CASE keeps the column's
  // type; a number might widen it (an INTEGER column with ELSE 0.5).
  const bool string_literal = rest == 2 && v[then + 3].text.front() == '\'';
  return rest == 0 || (rest == 2 && Is(v, then + 2, "else") && (Is(v, then + 3, "null") || string_literal));
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
