// Move-only owners of SQLite's C handles, with failures as Status values.
//
// The metastore is the only user of SQLite; this header is the one
// place that sees sqlite3.h's result codes. A busy database (another process
// holds the write lock past the busy timeout) maps to kConflict, a constraint
// violation to kAlreadyExists, everything else to kInternal/kIoError.
//
// Ownership: Db owns a sqlite3*; Statement owns a sqlite3_stmt* and must not
// outlive its Db; Transaction borrows a Db and must not outlive it.
// Thread safety: a Db and its Statements belong to one thread at a time
// (several processes and threads may each open their own Db on one file).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pareto::catalog::sqlite {

class Statement;

// The Status for SQLite result code `rc` on `db`, naming `what` ("insert table").
Status ErrorStatus(sqlite3* db, int rc, std::string_view what);

struct OpenOptions {
  // How long a writer waits for another connection's lock before failing.
  int busy_timeout_ms = 10'000;
  // Create the file when absent (false: kNotFound).
  bool create = true;
};

class Db {
 public:
  // Opens `path` in WAL journal mode with foreign keys enforced.
  static StatusOr<Db> Open(const std::string& path, const OpenOptions& options = {});

  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }

  // Runs one or more statements for their effect (no parameters, rows discarded).
  Status Exec(std::string_view sql);
  StatusOr<Statement> Prepare(std::string_view sql);

  // The rowid of the last successful INSERT on this connection.
  int64_t LastInsertRowId() const;
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const;


 private:
  Db() = default;
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A prepared statement. Parameters and columns are as in SQLite: parameters are
// 1-based, columns 0-based.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Status Bind(int index, int64_t value);
  Status Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Status Bind(int index, double value);
  Status Bind(int index, std::string_view value);  // copied by SQLite
  Status Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Status Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
  Status BindNull(int index);
  // NULL when `value` is empty.
  Status Bind(int index, const std::optional<int64_t>& value);
  Status Bind(int index, const std::optional<std::string>& value);

  // Advances: true when a row is available, false when the statement is done.
  StatusOr<bool> Step();
  // Steps until done (for statements that return no rows).
  Status Run();
  // Makes the statement runnable again; bindings are cleared too.
  Status Reset();

  int ColumnCount() const;
  bool IsNull(int col) const;
  int64_t ColumnInt64(int col) const;
  double ColumnDouble(int col) const;
  std::string ColumnText(int col) const;  // "" for NULL
  std::optional<int64_t> ColumnOptionalInt64(int col) const;
  std::optional<std::string> ColumnOptionalText(int col) const;

 private:
  friend class Db;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Status BindResult(int rc, int index);
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE on construction (Begin), ROLLBACK on destruction unless Commit()
// succeeded. IMMEDIATE takes the write lock up front, so two writers queue on the
// busy timeout instead of deadlocking on a read-to-write upgrade.
class Transaction {
 public:
  static StatusOr<Transaction> Begin(Db& db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status Commit();

 private:
  explicit Transaction(sqlite3* db) : db_(db) {}
  // The raw handle, which (unlike a Db object) stays put when its owner moves.
  sqlite3* db_ = nullptr;  // null once committed, rolled back or moved from
};

}  // namespace pareto::catalog::sqlite
