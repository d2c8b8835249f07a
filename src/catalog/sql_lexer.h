// A small SQL lexer: identifiers (quoted ones unescaped), string literals,
// numbers and single-character symbols, with whitespace and comments skipped.
// Enough to find table references outside literals and comments (SqlSession)
// and to recognise masks and filters that change nothing (policy_identity.h);
// not a parser.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace pareto::catalog {

enum class TokenKind { kIdent, kString, kNumber, kSymbol };

struct Token {
  TokenKind kind;
  size_t begin;
  size_t end;
  std::string text;  // identifiers unquoted; strings without quotes ('' unescaped)
  bool quoted = false;
};

// kInvalidArgument for an unclosed string literal, quoted identifier or /* comment.
StatusOr<std::vector<Token>> Lex(std::string_view sql);
// Whether token k is the unquoted word `word` (any case) / the symbol `symbol`.
bool IsWord(const std::vector<Token>& t, size_t k, std::string_view word);
bool IsSymbol(const std::vector<Token>& t, size_t k, char symbol);
// Whether a and b are equal ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace pareto::catalog
