#include "catalog/sqlite.h"

#include <sqlite3.h>

#include <string>
#include <utility>

namespace pareto::catalog::sqlite {

namespace {

StatusCode CodeOf(int rc) {
  switch (rc & 0xff) {  // the primary code; extended codes carry detail only
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StatusCode::kConflict;
    case SQLITE_CONSTRAINT:
      return StatusCode::kAlreadyExists;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return StatusCode::kIoError;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return StatusCode::kDataError;
    default:
      return StatusCode::kInternal;
  }
}

Status MakeError(int rc, std::string_view what, std::string_view detail) {
  std::string message = "metastore: " + std::string(what) + ": " + std::string(detail);
  if (CodeOf(rc) == StatusCode::kConflict) message += " (another process holds the metastore; try again)";
  return Status(CodeOf(rc), std::move(message));
}

}  // namespace

Status ErrorStatus(sqlite3* db, int rc, std::string_view what) {
  return MakeError(rc, what, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

// ---- Db ----

StatusOr<Db> Db::Open(const std::string& path, const OpenOptions& options) {
  Db db;
  db.path_ = path;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db.db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = ErrorStatus(db.db_, rc, "cannot open " + path);
    if ((rc & 0xff) == SQLITE_CANTOPEN && !options.create) s = NotFound("metastore: no database at " + path);
    return std::unexpected(std::move(s));  // db's destructor closes the half-open handle
  }
  sqlite3_extended_result_codes(db.db_, 1);
  sqlite3_busy_timeout(db.db_, options.busy_timeout_ms);
  // WAL lets readers (`pareto sql`) run while a pipeline writes; NORMAL sync is
  // durable across process crashes in WAL mode, which is what a metastore needs.
  PARETO_ASSIGN_OR_RETURN(Statement wal, db.Prepare("PRAGMA journal_mode=WAL"));
  PARETO_ASSIGN_OR_RETURN(bool row, wal.Step());
  if (!row || wal.ColumnText(0) != "wal") {
    return std::unexpected(IoError("metastore: cannot switch " + path + " to WAL journal mode"));
  }
  PARETO_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  return db;
}

Db::Db(Db&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Db::~Db() {
  // close_v2 defers the close until every statement is finalized, so a
  // destruction order mistake cannot leak or crash.
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status Db::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string detail = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    return MakeError(rc, "exec", detail);
  }
  return OkStatus();
}

StatusOr<Statement> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return std::unexpected(ErrorStatus(db_, rc, "prepare"));
  }
  return Statement(stmt);
}

int64_t Db::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int64_t Db::Changes() const { return sqlite3_changes64(db_); }

// ---- Statement ----

Statement::Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Status Statement::BindResult(int rc, int index) {
  if (rc == SQLITE_OK) return OkStatus();
  return ErrorStatus(sqlite3_db_handle(stmt_), rc, "bind parameter " + std::to_string(index));
}

Status Statement::Bind(int index, int64_t value) {
  return BindResult(sqlite3_bind_int64(stmt_, index, value), index);
}

Status Statement::Bind(int index, double value) {
  return BindResult(sqlite3_bind_double(stmt_, index, value), index);
}

Status Statement::Bind(int index, std::string_view value) {
  return BindResult(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                        SQLITE_UTF8),
                    index);
}

Status Statement::BindNull(int index) { return BindResult(sqlite3_bind_null(stmt_, index), index); }

Status Statement::Bind(int index, const std::optional<int64_t>& value) {
  return value.has_value() ? Bind(index, *value) : BindNull(index);
}

Status Statement::Bind(int index, const std::optional<std::string>& value) {
  return value.has_value() ? Bind(index, std::string_view(*value)) : BindNull(index);
}

StatusOr<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(ErrorStatus(sqlite3_db_handle(stmt_), rc, "step"));
}

Status Statement::Run() {
  while (true) {
    PARETO_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return OkStatus();
  }
}

Status Statement::Reset() {
  // sqlite3_reset repeats the last step's error; that error was already reported.
  sqlite3_reset(stmt_);
  int rc = sqlite3_clear_bindings(stmt_);
  if (rc != SQLITE_OK) return ErrorStatus(sqlite3_db_handle(stmt_), rc, "reset");
  return OkStatus();
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }
bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t Statement::ColumnInt64(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::ColumnDouble(int col) const { return sqlite3_column_double(stmt_, col); }

std::string Statement::ColumnText(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<int64_t> Statement::ColumnOptionalInt64(int col) const {
  if (IsNull(col)) return std::nullopt;
  return ColumnInt64(col);
}

std::optional<std::string> Statement::ColumnOptionalText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return ColumnText(col);
}

// ---- Transaction ----

StatusOr<Transaction> Transaction::Begin(Db& db) {
  PARETO_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(db.get());
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) {
    // Best effort: if ROLLBACK fails SQLite has already rolled back (e.g. after an I/O error).
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Status Transaction::Commit() {
  if (db_ == nullptr) return Internal("metastore: commit of a finished transaction");
  int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return ErrorStatus(db_, rc, "commit");  // the destructor rolls back
  db_ = nullptr;
  return OkStatus();
}

}  // namespace pareto::catalog::sqlite
