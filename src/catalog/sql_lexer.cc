#include "catalog/sql_lexer.h"

#include <algorithm>
#include <cctype>

namespace pareto::catalog {
namespace {

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

StatusOr<std::vector<Token>> Lex(std::string_view sql) {
  std::vector<Token> tokens;
  size_t i = 0;
  const size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      size_t close = sql.find("*/", i + 2);
      if (close == std::string_view::npos) return std::unexpected(InvalidArgument("SQL has an unclosed /* comment"));
      i = close + 2;
    } else if (c == '\'' || c == '"') {
      // A literal or quoted identifier; a doubled quote is an escaped one.
      const size_t begin = i++;
      std::string text;
      while (true) {
        if (i >= n) {
          return std::unexpected(InvalidArgument(c == '\'' ? "SQL has an unclosed string literal"
                                                           : "SQL has an unclosed quoted identifier"));
        }
        if (sql[i] == c) {
          if (i + 1 < n && sql[i + 1] == c) {
            text += c;
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        text += sql[i++];
      }
      tokens.push_back({c == '\'' ? TokenKind::kString : TokenKind::kIdent, begin, i, std::move(text), c == '"'});
    } else if (IsIdentStart(c)) {
      const size_t begin = i;
      while (i < n && IsIdentChar(sql[i])) ++i;
      tokens.push_back({TokenKind::kIdent, begin, i, std::string(sql.substr(begin, i - begin))});
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      const size_t begin = i;
      while (i < n && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '.' || sql[i] == '_')) ++i;
      tokens.push_back({TokenKind::kNumber, begin, i, std::string(sql.substr(begin, i - begin))});
    } else {
      tokens.push_back({TokenKind::kSymbol, i, i + 1, std::string(1, c)});
      ++i;
    }
  }
  return tokens;
}

bool IsWord(const std::vector<Token>& t, size_t k, std::string_view word) {
  return k < t.size() && t[k].kind == TokenKind::kIdent && !t[k].quoted && EqualsIgnoreCase(t[k].text, word);
}

bool IsSymbol(const std::vector<Token>& t, size_t k, char symbol) {
  return k < t.size() && t[k].kind == TokenKind::kSymbol && t[k].text[0] == symbol;
}

}  // namespace pareto::catalog
