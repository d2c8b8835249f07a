// API tokens for `pareto serve`: a bearer token a person or program presents on
// every request. A token is 32 random bytes shown once, as 64 hex digits; the
// metastore keeps only its SHA-256 hash (hex), so reading the metastore reveals
// no usable token.
//
//   PARETO_ASSIGN_OR_RETURN(std::string token, CreateToken(ms, "alice"));  // print once
//   PARETO_ASSIGN_OR_RETURN(std::optional<std::string> who, CheckToken(ms, token));
//   RevokeToken(ms, "alice");  // CheckToken now says nullopt
//
// Ownership: free functions over a borrowed Metastore. Thread safety: as the
// Metastore (one per thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/metastore.h"
#include "common/status.h"

namespace pareto::catalog {

struct ApiToken {
  std::string name;
  std::string user;  // the principal the token acts as (principals.h)
  int64_t created_ms = 0;
  std::optional<int64_t> last_used_ms;
  std::optional<int64_t> revoked_ms;
};

// SHA-256 of `token` as 64 lower-case hex digits.
std::string TokenHash(std::string_view token);

// A new token named `name`, acting as `user` (a user of principals.h; kNotFound
// for an unknown one, kInvalidArgument for a group) (letters, digits, '-', '_', '.', '@'; at most 64):
// returns the token itself, which is stored nowhere. kAlreadyExists when a
// token of that name exists (revoked ones too: names stay unique in the record).
StatusOr<std::string> CreateToken(Metastore& ms, std::string_view name, std::string_view user = "admin");
// The name of the live token `token` is, recording its use (to the minute);
// nullopt when it is unknown or revoked.
StatusOr<std::optional<std::string>> CheckToken(Metastore& ms, std::string_view token);
// The live token `token` is: its name and the user it acts as (use recorded as
// CheckToken does); nullopt when unknown or revoked.
struct TokenHolder {
  std::string name;
  std::string user;
};
StatusOr<std::optional<TokenHolder>> CheckTokenHolder(Metastore& ms, std::string_view token);
// kNotFound when no token has that name; revoking twice is fine.
Status RevokeToken(Metastore& ms, std::string_view name);
// Every token by name (never the token or its hash).
StatusOr<std::vector<ApiToken>> ListTokens(Metastore& ms);

}  // namespace pareto::catalog
