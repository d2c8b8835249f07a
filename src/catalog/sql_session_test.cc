#include "catalog/sql_session.h"

#include <gtest/gtest.h>

#include "catalog/test_util.h"
#include "delta/table.h"

namespace pareto::catalog {
namespace {

using ::pareto::catalog::testing::TempDir;

constexpr int64_t kV0Ms = 1'700'000'000'000;  // 2023-11-14 22:13:20 UTC
constexpr int64_t kHourMs = 3'600'000;

class FakeClockEnv : public EnvWrapper {
 public:
  FakeClockEnv() : EnvWrapper(Env::Default()) {}
  int64_t NowMicros() override { return now_ms * 1000; }
  int64_t now_ms = kV0Ms;
};

// A lakehouse with olist.bronze.brz_orders: version 0 holds ids 1-2, version 1
// (an hour later) appends id 3.
class SqlSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ms = Metastore::Open(dir_.path());
    ASSERT_TRUE(ms.has_value()) << ms.error().ToString();
    ms_.emplace(std::move(*ms));
    ASSERT_NO_FATAL_FAILURE(AddTable("bronze", "brz_orders", {"SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(id, name)",
                                                               "SELECT 3 AS id, 'c' AS name"}));
  }

  // Writes one Delta version per query (an hour apart) and registers the table.
  void AddTable(const std::string& schema, const std::string& name, const std::vector<std::string>& versions) {
    auto db = duck::Database::Open();
    ASSERT_TRUE(db.has_value());
    auto conn = db->Connect();
    ASSERT_TRUE(conn.has_value());
    const std::string location = TableName{"olist", schema, name}.Location();
    FakeClockEnv env;
    delta::Table table(dir_.path() + "/" + location, &env);
    for (const std::string& select : versions) {
      auto commit = table.Append(*conn, select);
      ASSERT_TRUE(commit.has_value()) << commit.error().ToString();
      env.now_ms += kHourMs;
    }
    TableInfo info{.catalog = "olist", .schema = schema, .name = name, .location = location};
    ASSERT_TRUE(ms_->UpsertTable(info).ok());
  }

  StatusOr<SqlSession> Session(bool read_only = true) { return SqlSession::Open(*ms_, {.read_only = read_only}); }

  // The single value of a one-row, one-column query.
  static std::string Scalar(SqlSession& s, std::string_view sql) {
    auto r = s.Query(sql);
    if (!r.has_value()) return "error: " + r.error().message();
    if (r->RowCount() != 1) return "rows: " + std::to_string(r->RowCount());
    return r->GetString(0, 0);
  }

  TempDir dir_;
  std::optional<Metastore> ms_;
};

TEST_F(SqlSessionTest, NamesTablesByThreeTwoAndOneParts) {
  auto s = Session();
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_TRUE(s->warnings().empty());
  EXPECT_EQ(s->default_catalog(), "olist");
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM olist.bronze.brz_orders"), "3");
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM bronze.brz_orders"), "3");
  EXPECT_EQ(Scalar(*s, "SELECT string_agg(name, ',' ORDER BY id) FROM brz_orders"), "a,b,c");
}

TEST_F(SqlSessionTest, BareNameSharedByTwoSchemasIsNotGuessed) {
  ASSERT_NO_FATAL_FAILURE(AddTable("silver", "brz_orders", {"SELECT 9 AS id"}));
  auto s = Session();
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM silver.brz_orders"), "1");
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM bronze.brz_orders"), "3");
  auto bare = s->Query("SELECT count(*) FROM brz_orders");
  EXPECT_FALSE(bare.has_value());
  auto travel = s->Rewrite("SELECT * FROM brz_orders@v0");
  ASSERT_FALSE(travel.has_value());
  EXPECT_NE(travel.error().message().find("ambiguous"), std::string::npos);
}

TEST_F(SqlSessionTest, TimeTravelsByVersionAndTimestamp) {
  auto s = Session();
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM olist.bronze.brz_orders VERSION AS OF 0"), "2");
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM bronze.brz_orders version as of 1"), "3");
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM brz_orders@v0"), "2");
  // Between the two commits: version 0; after the second: version 1.
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM brz_orders TIMESTAMP AS OF '2023-11-14 22:30:00'"), "2");
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM brz_orders TIMESTAMP AS OF '2023-11-14 23:30:00+00'"), "3");
  // A table's own name qualifies its columns; an alias replaces it.
  EXPECT_EQ(Scalar(*s, "SELECT max(brz_orders.id) FROM brz_orders@v0"), "2");
  EXPECT_EQ(Scalar(*s, "SELECT max(o.id) FROM brz_orders VERSION AS OF 0 o WHERE o.id > 0"), "2");
  EXPECT_EQ(Scalar(*s, "SELECT max(o.id) FROM brz_orders@v0 AS o"), "2");
  // Both versions in one query.
  EXPECT_EQ(Scalar(*s, "SELECT (SELECT count(*) FROM brz_orders@v1) - (SELECT count(*) FROM brz_orders@v0)"), "1");
}

TEST_F(SqlSessionTest, TimeTravelErrorsNameTheProblem) {
  auto s = Session();
  ASSERT_TRUE(s.has_value());
  auto missing = s->Query("SELECT * FROM brz_orders VERSION AS OF 7");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message().find("olist.bronze.brz_orders version 7"), std::string::npos)
      << missing.error().message();
  auto before = s->Query("SELECT * FROM brz_orders TIMESTAMP AS OF '2001-01-01'");
  EXPECT_FALSE(before.has_value());
  auto garbage = s->Query("SELECT * FROM brz_orders TIMESTAMP AS OF 'yesterday-ish'");
  ASSERT_FALSE(garbage.has_value());
  EXPECT_EQ(garbage.error().code(), StatusCode::kInvalidArgument);
  auto unknown = s->Query("SELECT * FROM brz_nothing@v1");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code(), StatusCode::kNotFound);
}

TEST(FindTimeTravelTest, IgnoresLiteralsCommentsAndOrdinaryNames) {
  auto refs = FindTimeTravel(
      "SELECT 'brz_orders@v9', \"brz_orders VERSION AS OF 3\" -- brz_orders@v8\n"
      "FROM /* t VERSION AS OF 1 */ t JOIN \"odd name\".x@v2 ON true");
  ASSERT_TRUE(refs.has_value()) << refs.error().ToString();
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ((*refs)[0].table, "odd name.x");
  EXPECT_EQ((*refs)[0].version, 2);
  EXPECT_FALSE((*refs)[0].has_alias);

  auto ts = FindTimeTravel("FROM a.b.c TIMESTAMP AS OF '2024-01-01' AS z");
  ASSERT_TRUE(ts.has_value());
  ASSERT_EQ(ts->size(), 1u);
  EXPECT_EQ((*ts)[0].table, "a.b.c");
  EXPECT_EQ((*ts)[0].timestamp, "2024-01-01");
  EXPECT_TRUE((*ts)[0].has_alias);

  EXPECT_EQ(FindTimeTravel("FROM t VERSION AS OF x").error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FindTimeTravel("FROM t@latest").error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FindTimeTravel("SELECT 'open").error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(FindTimeTravel("SELECT version AS of_x FROM t").value().empty());
}

TEST_F(SqlSessionTest, ReadOnlySessionIsLockedDown) {
  auto s = Session();
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  auto passwd = s->Query("SELECT * FROM read_csv('/etc/passwd')");
  ASSERT_FALSE(passwd.has_value());
  EXPECT_EQ(passwd.error().code(), StatusCode::kInvalidArgument);
  // Not even inside the lakehouse: the metastore is off limits.
  EXPECT_FALSE(s->Query("SELECT * FROM read_text('" + dir_.path() + "/_meta/metastore.db')").has_value());
  EXPECT_FALSE(s->Query("SET enable_external_access = true").has_value());
  EXPECT_FALSE(s->connection().Execute("SET enable_external_access = true").ok());
  EXPECT_FALSE(s->connection().Execute("RESET lock_configuration").ok());
  EXPECT_FALSE(s->connection().Execute("SET allowed_directories = ['/']").ok());
  // Writes of any kind are refused before they run, even into a table's own folder.
  const std::string into = dir_.path() + "/olist/bronze/brz_orders/x.csv";
  EXPECT_FALSE(s->Query("COPY (SELECT 1) TO '" + into + "'").has_value());
  EXPECT_FALSE(s->Query("EXPLAIN ANALYZE COPY (SELECT 1) TO '" + into + "'").has_value());
  EXPECT_FALSE(std::filesystem::exists(into));
  EXPECT_FALSE(s->Query("CREATE TABLE t AS SELECT 1").has_value());
  EXPECT_FALSE(s->Query("SELECT 1; SELECT 2").has_value());
  EXPECT_FALSE(s->Query("ATTACH '" + dir_.path() + "/x.db' AS x").has_value());
  // Queries of every allowed kind still read the views.
  EXPECT_EQ(Scalar(*s, "WITH o AS (SELECT * FROM brz_orders) SELECT count(*) FROM o"), "3");
  EXPECT_EQ(Scalar(*s, "FROM brz_orders SELECT count(*)"), "3");
  auto describe = s->Query("DESCRIBE olist.bronze.brz_orders");
  ASSERT_TRUE(describe.has_value()) << describe.error().ToString();
  EXPECT_EQ(describe->RowCount(), 2u);
  EXPECT_TRUE(s->Query("SHOW TABLES").has_value());
  EXPECT_TRUE(s->Query("EXPLAIN SELECT * FROM brz_orders").has_value());
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM brz_orders@v0"), "2");
}

TEST_F(SqlSessionTest, ReadOnlySessionRefusesFileSettingAndEnvironmentFunctionsByName) {
  auto s = Session();
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  for (const std::string sql : {"SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM '/etc/passwd'",
                                "SELECT * FROM read_text('x')", "SELECT * FROM glob('/*')",
                                "SELECT getenv('HOME')", "SELECT current_setting('threads')",
                                "SELECT * FROM duckdb_settings()", "SELECT * FROM brz_orders, '/etc/passwd'",
                                "SELECT 1; SELECT 2", "WITH x AS (SELECT 1) DELETE FROM brz_orders"}) {
    const Status refused = s->CheckAdmissible(sql);
    EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument) << sql;
    EXPECT_FALSE(s->Query(sql).has_value()) << sql;
  }
  EXPECT_NE(s->CheckAdmissible("SELECT * FROM read_csv('/etc/passwd')").message().find("read_csv() reads files"),
            std::string::npos);
  // Names inside strings and time travel (which the rewrite turns into a file scan) are fine.
  EXPECT_TRUE(s->CheckAdmissible("SELECT 'read_csv(x)' AS t").ok());
  EXPECT_TRUE(s->CheckAdmissible("SELECT count(*) FROM brz_orders@v0").ok());
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM brz_orders@v0"), "2");
  // A query that merely fails is not a refusal: running it says why.
  EXPECT_TRUE(s->CheckAdmissible("SELECT * FROM brz_missing").ok());
  EXPECT_FALSE(s->Query("SELECT * FROM brz_missing").has_value());
}

TEST_F(SqlSessionTest, WritableSessionResolvesNamesWithoutLockdown) {
  auto s = Session(/*read_only=*/false);
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  ASSERT_TRUE(s->connection().Execute("CREATE TEMP TABLE t AS SELECT id FROM bronze.brz_orders WHERE id > 1").ok());
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM t"), "2");
  EXPECT_TRUE(s->Query("SELECT count(*) FROM read_csv('" + std::string(PARETO_SOURCE_DIR) +
                       "/CMakeLists.txt', header = false, sep = '\\x01')")
                  .has_value());
}

TEST_F(SqlSessionTest, UnreadableTableIsSkippedWithAWarning) {
  TableInfo ghost{.catalog = "olist", .schema = "bronze", .name = "brz_ghost", .location = "olist/bronze/brz_ghost"};
  ASSERT_TRUE(ms_->UpsertTable(ghost).ok());
  auto s = Session();
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  ASSERT_EQ(s->warnings().size(), 1u);
  EXPECT_NE(s->warnings()[0].find("olist.bronze.brz_ghost"), std::string::npos);
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM brz_orders"), "3");
}

}  // namespace
}  // namespace pareto::catalog
