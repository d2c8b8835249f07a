// Helpers shared by the delta tests: scratch folders and reading a table's rows.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "delta/table.h"
#include "duck/duck.h"

namespace pareto::delta::testing {

// A fresh directory under the system temp dir, removed by the destructor.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pareto-delta-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    if (made == nullptr) std::abort();
    path_ = made;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

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
