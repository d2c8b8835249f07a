#include "catalog/tokens.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>

#include "catalog/metastore_internal.h"
#include "catalog/principals.h"

namespace pareto::catalog {
namespace {

std::string Hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xF];
  }
  return out;
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != '@') return false;
  }
  return true;
}

}  // namespace

std::string TokenHash(std::string_view token) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  // EVP_Digest with SHA-256 cannot fail for in-memory input short of allocation failure.
  EVP_Digest(token.data(), token.size(), digest.data(), &len, EVP_sha256(), nullptr);
  return Hex(digest.data(), len);
}

StatusOr<std::string> CreateToken(Metastore& ms, std::string_view name, std::string_view user) {
  if (!ValidName(name)) {
    return std::unexpected(InvalidArgument("token name \"" + std::string(name) +
                                           "\" must be 1 to 64 letters, digits, '-', '_', '.' or '@'"));
  }
  PARETO_ASSIGN_OR_RETURN(Principal holder, LoadPrincipal(ms, user));
  if (holder.kind != PrincipalKind::kUser) {
    return std::unexpected(InvalidArgument("\"" + holder.name + "\" is a group; a token acts as a user"));
  }
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return std::unexpected(Internal("the system's random generator failed; no token made"));
  }
  std::string token = Hex(bytes.data(), bytes.size());
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt, MetastoreAccess::Db(ms).Prepare(
                                                      "INSERT INTO api_tokens(name, hash, created_ms, principal) VALUES (?, ?, ?, ?)"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, name));
  PARETO_RETURN_IF_ERROR(stmt.Bind(2, TokenHash(token)));
  PARETO_RETURN_IF_ERROR(stmt.Bind(3, ms.NowMs()));
  PARETO_RETURN_IF_ERROR(stmt.Bind(4, holder.name));
  Status inserted = stmt.Run();
  if (inserted.code() == StatusCode::kAlreadyExists) {
    return std::unexpected(AlreadyExists("a token named \"" + std::string(name) +
                                         "\" exists (pareto token list); choose another name"));
  }
  PARETO_RETURN_IF_ERROR(inserted);
  return token;
}

StatusOr<std::optional<std::string>> CheckToken(Metastore& ms, std::string_view token) {
  PARETO_ASSIGN_OR_RETURN(std::optional<TokenHolder> holder, CheckTokenHolder(ms, token));
  if (!holder.has_value()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(holder->name));
}

StatusOr<std::optional<TokenHolder>> CheckTokenHolder(Metastore& ms, std::string_view token) {
  if (token.empty()) return std::optional<TokenHolder>();
  const std::string hash = TokenHash(token);
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt, MetastoreAccess::Db(ms).Prepare(
                                                      "SELECT name, principal FROM api_tokens WHERE hash = ? AND revoked_ms IS NULL"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, hash));
  PARETO_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<TokenHolder>();
  TokenHolder holder{.name = stmt.ColumnText(0), .user = stmt.ColumnText(1)};
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement touch,
                          MetastoreAccess::Db(ms).Prepare("UPDATE api_tokens SET last_used_ms = ?1 WHERE hash = ?2 AND "
                                                          "(last_used_ms IS NULL OR last_used_ms < ?1 - 60000)"));
  PARETO_RETURN_IF_ERROR(touch.Bind(1, ms.NowMs()));
  PARETO_RETURN_IF_ERROR(touch.Bind(2, hash));
  // Recorded at most once a minute, so a busy server reads the metastore
  // instead of writing it on every request. A busy metastore (a pipeline run
  // writing) must not refuse a valid token: the last-used time is a courtesy.
  (void)touch.Run();
  return std::optional<TokenHolder>(std::move(holder));
}

Status RevokeToken(Metastore& ms, std::string_view name) {
  PARETO_ASSIGN_OR_RETURN(
      sqlite::Statement stmt,
      MetastoreAccess::Db(ms).Prepare("UPDATE api_tokens SET revoked_ms = coalesce(revoked_ms, ?) WHERE name = ?"));
  PARETO_RETURN_IF_ERROR(stmt.Bind(1, ms.NowMs()));
  PARETO_RETURN_IF_ERROR(stmt.Bind(2, name));
  PARETO_RETURN_IF_ERROR(stmt.Run());
  if (MetastoreAccess::Db(ms).Changes() == 0) {
    return NotFound("no token named \"" + std::string(name) + "\" (pareto token list)");
  }
  return OkStatus();
}

StatusOr<std::vector<ApiToken>> ListTokens(Metastore& ms) {
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt, MetastoreAccess::Db(ms).Prepare(
                                                      "SELECT name, created_ms, last_used_ms, revoked_ms, principal FROM api_tokens "
                                                      "ORDER BY name"));
  std::vector<ApiToken> out;
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back({.name = stmt.ColumnText(0),
                   .created_ms = stmt.ColumnInt64(1),
                   .last_used_ms = stmt.ColumnOptionalInt64(2),
                   .revoked_ms = stmt.ColumnOptionalInt64(3)});
    out.back().user = stmt.ColumnText(4);
  }
  return out;
}

}  // namespace pareto::catalog
