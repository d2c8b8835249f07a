#include "catalog/sqlite.h"

#include <gtest/gtest.h>

#include "catalog/test_util.h"

namespace pareto::catalog::sqlite {
namespace {

using ::pareto::catalog::testing::TempDir;

StatusOr<std::string> ScalarText(Db& db, std::string_view sql) {
  PARETO_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  PARETO_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::unexpected(NotFound("no row"));
  return stmt.ColumnText(0);
}

TEST(SqliteTest, OpensInWalModeWithForeignKeys) {
  TempDir dir;
  auto db = Db::Open(dir.path() + "/m.db");
  ASSERT_TRUE(db.has_value()) << db.error().ToString();
  EXPECT_EQ(ScalarText(*db, "PRAGMA journal_mode").value(), "wal");
  EXPECT_EQ(ScalarText(*db, "PRAGMA foreign_keys").value(), "1");
}

TEST(SqliteTest, OpenWithoutCreateReportsNotFound) {
  TempDir dir;
  auto db = Db::Open(dir.path() + "/absent.db", {.create = false});
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code(), StatusCode::kNotFound);
}

TEST(SqliteTest, BindsAndReadsEveryType) {
  TempDir dir;
  auto db = Db::Open(dir.path() + "/m.db");
  ASSERT_TRUE(db.has_value());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, n TEXT)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES (?, ?, ?, ?)");
  ASSERT_TRUE(insert.has_value());
  ASSERT_TRUE(insert->Bind(1, int64_t{1} << 40).ok());
  ASSERT_TRUE(insert->Bind(2, 2.5).ok());
  ASSERT_TRUE(insert->Bind(3, std::string_view("it's")).ok());
  ASSERT_TRUE(insert->BindNull(4).ok());
  ASSERT_TRUE(insert->Run().ok());
  EXPECT_EQ(db->Changes(), 1);
  // A reset statement runs again with new bindings.
  ASSERT_TRUE(insert->Reset().ok());
  ASSERT_TRUE(insert->Bind(1, 7).ok());
  ASSERT_TRUE(insert->Run().ok());

  auto select = db->Prepare("SELECT i, d, s, n FROM t ORDER BY i DESC");
  ASSERT_TRUE(select.has_value());
  auto row = select->Step();
  ASSERT_TRUE(row.has_value() && *row);
  EXPECT_EQ(select->ColumnInt64(0), int64_t{1} << 40);
  EXPECT_DOUBLE_EQ(select->ColumnDouble(1), 2.5);
  EXPECT_EQ(select->ColumnText(2), "it's");
  EXPECT_TRUE(select->IsNull(3));
  EXPECT_EQ(select->ColumnOptionalText(3), std::nullopt);
  row = select->Step();
  ASSERT_TRUE(row.has_value() && *row);
  EXPECT_EQ(select->ColumnOptionalInt64(0), 7);
  EXPECT_TRUE(select->IsNull(1));  // Reset cleared the earlier bindings
  row = select->Step();
  ASSERT_TRUE(row.has_value());
  EXPECT_FALSE(*row);
}

TEST(SqliteTest, TransactionRollsBackUnlessCommitted) {
  TempDir dir;
  auto db = Db::Open(dir.path() + "/m.db");
  ASSERT_TRUE(db.has_value());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (i INTEGER)").ok());
  {
    auto txn = Transaction::Begin(*db);
    ASSERT_TRUE(txn.has_value());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
  }
  EXPECT_EQ(ScalarText(*db, "SELECT COUNT(*) FROM t").value(), "0");
  {
    auto txn = Transaction::Begin(*db);
    ASSERT_TRUE(txn.has_value());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  EXPECT_EQ(ScalarText(*db, "SELECT COUNT(*) FROM t").value(), "1");
}

TEST(SqliteTest, ErrorsCarryCodeAndMessage) {
  TempDir dir;
  auto db = Db::Open(dir.path() + "/m.db");
  ASSERT_TRUE(db.has_value());
  auto bad = db->Prepare("SELEC 1");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("syntax error"), std::string::npos) << bad.error().message();

  ASSERT_TRUE(db->Exec("CREATE TABLE t (i INTEGER PRIMARY KEY)").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
  Status dup = db->Exec("INSERT INTO t VALUES (1)");
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists) << dup.ToString();
}

TEST(SqliteTest, SecondWriterIsConflictWhenLockIsHeld) {
  TempDir dir;
  auto first = Db::Open(dir.path() + "/m.db");
  auto second = Db::Open(dir.path() + "/m.db", {.busy_timeout_ms = 0});
  ASSERT_TRUE(first.has_value() && second.has_value());
  auto txn = Transaction::Begin(*first);
  ASSERT_TRUE(txn.has_value());
  auto blocked = Transaction::Begin(*second);
  ASSERT_FALSE(blocked.has_value());
  EXPECT_EQ(blocked.error().code(), StatusCode::kConflict) << blocked.error().ToString();
  ASSERT_TRUE(txn->Commit().ok());
  auto now_free = Transaction::Begin(*second);
  EXPECT_TRUE(now_free.has_value());
}

}  // namespace
}  // namespace pareto::catalog::sqlite
