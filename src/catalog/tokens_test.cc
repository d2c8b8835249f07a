#include "catalog/tokens.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "catalog/test_util.h"

namespace pareto::catalog {
namespace {

using ::pareto::catalog::testing::TempDir;

TEST(TokensTest, ATokenWorksUntilRevokedAndOnlyItsHashIsStored) {
  TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  auto token = CreateToken(*ms, "alice");
  ASSERT_TRUE(token.has_value()) << token.error().message();
  EXPECT_EQ(token->size(), 64u);
  auto again = CreateToken(*ms, "bob");
  ASSERT_TRUE(again.has_value());
  EXPECT_NE(*token, *again);

  auto who = CheckToken(*ms, *token);
  ASSERT_TRUE(who.has_value());
  ASSERT_TRUE(who->has_value());
  EXPECT_EQ(**who, "alice");
  EXPECT_FALSE(CheckToken(*ms, "not-a-token")->has_value());
  EXPECT_FALSE(CheckToken(*ms, "")->has_value());

  // The metastore file holds the hash, never the token.
  std::ifstream file(dir.path() + "/_meta/metastore.db", std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  EXPECT_EQ(bytes.str().find(*token), std::string::npos);

  auto listed = ListTokens(*ms);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "alice");
  EXPECT_TRUE((*listed)[0].last_used_ms.has_value());
  EXPECT_FALSE((*listed)[1].last_used_ms.has_value());

  ASSERT_TRUE(RevokeToken(*ms, "alice").ok());
  EXPECT_FALSE(CheckToken(*ms, *token)->has_value());
  EXPECT_TRUE(CheckToken(*ms, *again)->has_value());
  EXPECT_TRUE((*ListTokens(*ms))[0].revoked_ms.has_value());
  EXPECT_EQ(RevokeToken(*ms, "carol").code(), StatusCode::kNotFound);
  EXPECT_EQ(CreateToken(*ms, "alice").error().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(CreateToken(*ms, "bad name").error().code(), StatusCode::kInvalidArgument);
}

TEST(TokensTest, HashIsSha256Hex) {
  EXPECT_EQ(TokenHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace pareto::catalog
