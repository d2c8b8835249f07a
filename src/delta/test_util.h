// Helpers shared by the delta tests: scratch folders and reading a table's rows.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "common/testing/temp_dir.h"
#include "delta/table.h"
#include "duck/duck.h"

namespace pareto::delta::testing {

using ScratchDir = ::pareto::testing::TempDir;

// An in-memory DuckDB with one connection (TimeZone=UTC, as all pareto connections).
struct Duck {
  duck::Database db;
  duck::Connection conn;
  static Duck Open() {
    auto db = duck::Database::Open({.threads = 2});
    EXPECT_TRUE(db.has_value());
    auto conn = db->Connect();
    EXPECT_TRUE(conn.has_value());
    return Duck{std::move(*db), std::move(*conn)};
  }
};

// Rows of the table at `at`, counted by running ScanSql through DuckDB with every column read.
inline StatusOr<int64_t> ReadRowCount(duck::Connection& conn, const Table& table, const VersionSpec& at = {}) {
  PARETO_ASSIGN_OR_RETURN(Snapshot snap, table.Load(at));
  PARETO_ASSIGN_OR_RETURN(std::string scan, ScanSql(snap));
  PARETO_ASSIGN_OR_RETURN(duck::Result r, conn.Query("SELECT * FROM " + scan + " AS t"));
  return static_cast<int64_t>(r.RowCount());
}

}  // namespace pareto::delta::testing
