#include "catalog/metastore.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "catalog/metastore_internal.h"
#include "catalog/migrations.h"
#include "catalog/test_util.h"

namespace pareto::catalog {
namespace {

using ::pareto::catalog::testing::TempDir;

// The real file system with a clock the test sets.
class FakeClockEnv : public EnvWrapper {
 public:
  FakeClockEnv() : EnvWrapper(Env::Default()) {}
  int64_t NowMicros() override { return now_ms * 1000; }
  int64_t now_ms = 1'700'000'000'000;
};

StatusOr<int64_t> CountRows(sqlite::Db& db, std::string_view sql) {
  PARETO_ASSIGN_OR_RETURN(sqlite::Statement stmt, db.Prepare(sql));
  PARETO_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::unexpected(Internal("no row"));
  return stmt.ColumnInt64(0);
}

TableInfo Orders() {
  TableInfo t;
  t.catalog = "olist";
  t.schema = "bronze";
  t.name = "brz_orders";
  t.location = "olist/bronze/brz_orders";
  t.comment = "orders as delivered";
  t.owner = "data-eng";
  return t;
}

TEST(MetastoreTest, OpenCreatesTheFileAndAppliesEveryMigrationOnce) {
  TempDir dir;
  FakeClockEnv env;
  {
    auto ms = Metastore::Open(dir.path(), &env);
    ASSERT_TRUE(ms.has_value()) << ms.error().ToString();
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/_meta/metastore.db"));
    EXPECT_EQ(ms->SchemaVersion().value(), static_cast<int>(Migrations().size()));
    EXPECT_EQ(CountRows(MetastoreAccess::Db(*ms), "SELECT COUNT(*) FROM schema_migrations").value(),
              static_cast<int64_t>(Migrations().size()));
  }
  env.now_ms += 60'000;
  auto again = Metastore::Open(dir.path(), &env);
  ASSERT_TRUE(again.has_value());
  // Nothing re-applied: every migration keeps its first applied time.
  EXPECT_EQ(CountRows(MetastoreAccess::Db(*again), "SELECT COUNT(*) FROM schema_migrations WHERE applied_ms = 1700000000000").value(),
            static_cast<int64_t>(Migrations().size()));
}

TEST(MetastoreTest, OpeningAnOlderDatabaseAppliesTheMissingMigrations) {
  TempDir dir;
  ASSERT_TRUE(std::filesystem::create_directories(dir.path() + "/_meta"));
  {
    auto db = sqlite::Db::Open(dir.path() + "/_meta/metastore.db");
    ASSERT_TRUE(db.has_value());
    auto applied = ApplyMigrations(*db, Migrations().first(1), 1);
    ASSERT_TRUE(applied.has_value());
    EXPECT_EQ(*applied, 1);
    ASSERT_TRUE(db->Exec("INSERT INTO catalogs VALUES ('olist', '', 1);"
                         "INSERT INTO schemas VALUES ('olist', 'bronze', '', 1);"
                         "INSERT INTO tables VALUES ('olist', 'bronze', 'brz_orders', 'olist/bronze/brz_orders',"
                         " 'delta', '', '', 1, 1, 3)")
                    .ok());
    EXPECT_FALSE(db->Prepare("SELECT * FROM table_lineage").has_value());
  }
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value()) << ms.error().ToString();
  EXPECT_EQ(ms->SchemaVersion().value(), static_cast<int>(Migrations().size()));
  EXPECT_TRUE(MetastoreAccess::Db(*ms).Prepare("SELECT * FROM table_lineage").has_value());
  auto kept = ms->GetTable("olist.bronze.brz_orders");
  ASSERT_TRUE(kept.has_value() && kept->has_value());
  EXPECT_EQ((*kept)->location, "olist/bronze/brz_orders");  // the row survives dropping delta_version
}

TEST(MetastoreTest, RefusesADatabaseFromANewerPareto) {
  TempDir dir;
  {
    auto ms = Metastore::Open(dir.path());
    ASSERT_TRUE(ms.has_value());
    ASSERT_TRUE(MetastoreAccess::Db(*ms).Exec("INSERT INTO schema_migrations VALUES (999, 'from the future', 0)").ok());
  }
  auto ms = Metastore::Open(dir.path());
  ASSERT_FALSE(ms.has_value());
  EXPECT_EQ(ms.error().code(), StatusCode::kUnsupported);
  EXPECT_NE(ms.error().message().find("999"), std::string::npos);
}

TEST(MetastoreTest, AFailingMigrationLeavesNoTrace) {
  TempDir dir;
  auto db = sqlite::Db::Open(dir.path() + "/m.db");
  ASSERT_TRUE(db.has_value());
  const Migration list[] = {
      {1, "good", "CREATE TABLE a (x INTEGER);"},
      {2, "half good", "CREATE TABLE b (x INTEGER); CREATE TABLE a (x INTEGER);"},
  };
  auto applied = ApplyMigrations(*db, list, 5);
  ASSERT_FALSE(applied.has_value());
  EXPECT_NE(applied.error().message().find("migration 2 (half good)"), std::string::npos)
      << applied.error().message();
  EXPECT_EQ(AppliedSchemaVersion(*db).value(), 1);
  EXPECT_FALSE(db->Prepare("SELECT * FROM b").has_value());  // rolled back with the failure
}

TEST(MetastoreTest, MigrationsAreNumberedWithoutGaps) {
  int expected = 1;
  for (const Migration& m : Migrations()) {
    EXPECT_EQ(m.version, expected++);
    EXPECT_FALSE(m.description.empty());
  }
}

TEST(MetastoreTest, UpsertKeepsCreatedTimeAndUpdatesTheRest) {
  TempDir dir;
  FakeClockEnv env;
  auto ms = Metastore::Open(dir.path(), &env);
  ASSERT_TRUE(ms.has_value());
  ASSERT_TRUE(ms->UpsertTable(Orders()).ok());

  env.now_ms += 5'000;
  TableInfo changed = Orders();
  changed.comment = "orders, deduplicated";
  ASSERT_TRUE(ms->UpsertTable(changed).ok());

  auto got = ms->GetTable("olist.bronze.brz_orders");
  ASSERT_TRUE(got.has_value() && got->has_value());
  const TableInfo& t = **got;
  EXPECT_EQ(t.FullName(), "olist.bronze.brz_orders");
  EXPECT_EQ(t.location, "olist/bronze/brz_orders");
  EXPECT_EQ(t.format, "delta");
  EXPECT_EQ(t.comment, "orders, deduplicated");
  EXPECT_EQ(t.owner, "data-eng");
  EXPECT_EQ(t.created_ms, 1'700'000'000'000);
  EXPECT_EQ(t.updated_ms, 1'700'000'005'000);

  auto absent = ms->GetTable("olist.bronze.brz_nothing");
  ASSERT_TRUE(absent.has_value());
  EXPECT_FALSE(absent->has_value());
}

TEST(MetastoreTest, ListsFiltersAndOrdersByFullName) {
  TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  for (auto [schema, name] : {std::pair{"silver", "slv_b"}, {"bronze", "brz_z"}, {"bronze", "brz_a"}}) {
    TableInfo t = Orders();
    t.schema = schema;
    t.name = name;
    t.location = std::string("olist/") + schema + "/" + name;
    ASSERT_TRUE(ms->UpsertTable(t).ok());
  }
  auto all = ms->ListTables();
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].FullName(), "olist.bronze.brz_a");
  EXPECT_EQ((*all)[1].FullName(), "olist.bronze.brz_z");
  EXPECT_EQ((*all)[2].FullName(), "olist.silver.slv_b");
  auto bronze = ms->ListTables("", "bronze");
  ASSERT_TRUE(bronze.has_value());
  EXPECT_EQ(bronze->size(), 2u);
  auto other = ms->ListTables("other");
  ASSERT_TRUE(other.has_value());
  EXPECT_TRUE(other->empty());
  EXPECT_EQ(ms->ListCatalogs().value(), std::vector<std::string>{"olist"});
}

TEST(MetastoreTest, DropsOnlyRegisteredTables) {
  TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  ASSERT_TRUE(ms->UpsertTable(Orders()).ok());
  EXPECT_EQ(ms->DropTable("bronze.brz_orders").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(ms->DropTable("olist.bronze.brz_orders").ok());
  EXPECT_EQ(ms->DropTable("olist.bronze.brz_orders").code(), StatusCode::kNotFound);
  EXPECT_TRUE(ms->ListTables().value().empty());
}

TEST(MetastoreTest, RejectsMalformedNames) {
  TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  TableInfo bad = Orders();
  bad.name = "brz orders; DROP";
  EXPECT_EQ(ms->UpsertTable(bad).code(), StatusCode::kInvalidArgument);
  TableInfo no_location = Orders();
  no_location.location.clear();
  EXPECT_EQ(ms->UpsertTable(no_location).code(), StatusCode::kInvalidArgument);
}

TEST(MetastoreTest, StoresNamesLowerCase) {
  TempDir dir;
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  TableInfo mixed = Orders();
  mixed.schema = "Bronze";
  mixed.name = "BRZ_Orders";
  ASSERT_TRUE(ms->UpsertTable(mixed).ok());
  EXPECT_EQ(ms->ListTables().value().at(0).FullName(), "olist.bronze.brz_orders");
  EXPECT_TRUE(ms->GetTable("OLIST.bronze.Brz_Orders").value().has_value());
}

// Several processes open one fresh lakehouse at once (racing the migrations) and
// each registers its own tables and bumps a shared one; nothing is lost.
TEST(MetastoreTest, ConcurrentProcessesDoNotLoseWrites) {
  TempDir dir;
  constexpr int kProcesses = 4;
  constexpr int kTablesEach = 40;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int failures = 0;
      auto ms = Metastore::Open(dir.path());
      if (!ms.has_value()) _exit(10);
      for (int i = 0; i < kTablesEach; ++i) {
        TableInfo t = Orders();
        t.schema = "s" + std::to_string(p);
        t.name = "t" + std::to_string(i);
        t.location = "olist/" + t.schema + "/" + t.name;
        if (!ms->UpsertTable(t).ok()) ++failures;
        TableInfo shared = Orders();
        if (!ms->UpsertTable(shared).ok()) ++failures;
      }
      _exit(failures == 0 ? 0 : 11);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value());
  EXPECT_EQ(ms->ListTables().value().size(), static_cast<size_t>(kProcesses * kTablesEach + 1));
  EXPECT_EQ(CountRows(MetastoreAccess::Db(*ms), "SELECT COUNT(*) FROM schema_migrations").value(),
            static_cast<int64_t>(Migrations().size()));
  for (int p = 0; p < kProcesses; ++p) {
    auto t = ms->GetTable("olist.s" + std::to_string(p) + ".t" + std::to_string(kTablesEach - 1));
    ASSERT_TRUE(t.has_value() && t->has_value());
  }
}

}  // namespace
}  // namespace pareto::catalog
