// Every route the server serves is in openapi.json, and every path and method
// openapi.json describes is served.
#include "server/router.h"

#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/lakehouse.h"
#include "common/testing/temp_dir.h"
#include "server/server.h"
#include "server/web_assets.h"

namespace pareto::server {
namespace {

TEST(RouterTest, MatchesPatternsAndTellsUnknownFromWrongMethod) {
  Router r;
  r.Add({.method = "GET", .pattern = "/api/v1/tables/{name}"});
  r.Add({.method = "GET", .pattern = "/api/v1/tables/{name}/preview"});
  r.Add({.method = "POST", .pattern = "/api/v1/runs"});
  std::vector<std::string> allowed;
  auto m = r.Match("GET", "/api/v1/tables/olist.gold.x%20y", &allowed);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->index, 0u);
  EXPECT_EQ(m->params["name"], "olist.gold.x y");
  EXPECT_EQ(r.Match("HEAD", "/api/v1/tables/t/preview", &allowed)->index, 1u);
  EXPECT_FALSE(r.Match("GET", "/api/v1/runs", &allowed).has_value());
  EXPECT_EQ(allowed, std::vector<std::string>{"POST"});
  EXPECT_FALSE(r.Match("GET", "/api/v1/nope", &allowed).has_value());
  EXPECT_TRUE(allowed.empty());
  EXPECT_FALSE(r.Match("GET", "/api/v1/tables", &allowed).has_value());
}

TEST(RouterTest, OpenApiDescribesExactlyTheRoutesServed) {
  testing::TempDir dir;
  ASSERT_TRUE(catalog::Lakehouse::Open(dir.path()).has_value());
  auto server = Server::Create({.lakehouse_root = dir.path()});
  ASSERT_TRUE(server.has_value()) << server.error().message();
  std::set<std::pair<std::string, std::string>> served, described;
  for (const Route& route : (*server)->router().routes()) served.insert({route.method, route.pattern});
  const nlohmann::json doc = nlohmann::json::parse(OpenApiJson());
  ASSERT_EQ(doc.value("openapi", "").substr(0, 2), "3.");
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      described.insert({upper, path});
      // A route open without a token says so in the document.
      bool open = op.contains("security") && op["security"].empty();
      for (const Route& route : (*server)->router().routes()) {
        if (route.pattern == path && route.method == upper) {
          EXPECT_EQ(open, !route.needs_token) << path;
        }
      }
    }
  }
  EXPECT_EQ(served, described);
}

}  // namespace
}  // namespace pareto::server
