// Move-only owners of DuckDB's C API handles, with failures as Status values.
//
// DuckDB does all scans, joins, CSV parsing and Parquet I/O. This
// header is the only place that sees duckdb.h's error conventions: every call
// that can fail returns Status/StatusOr carrying DuckDB's one-line message.
//
// Ownership: Database owns duckdb_database; Connection owns duckdb_connection
// and must not outlive its Database; Result owns a materialized duckdb_result.
// Thread safety: a Database may be shared by threads, each with its own
// Connection; a Connection and its Results belong to one thread at a time.
#pragma once

#include <duckdb.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace pareto::duck {

class Connection;

// A column's logical type as a value: its id, a decimal's width and scale, the
// children of nested types (a list's or an array's element "", a map's "key"
// and "value", a struct's fields by name), and an alias when the type has one.
struct TypeInfo {
  duckdb_type id = DUCKDB_TYPE_INVALID;
  uint8_t width = 0;
  uint8_t scale = 0;
  std::vector<std::pair<std::string, TypeInfo>> children;
  std::string alias;
};

// The kinds of statement a caller needs to tell apart (the read-only session
// lets only queries through).
enum class StatementKind { kSelect, kExplain, kOther };

struct DatabaseOptions {
  std::string path;          // empty: in memory
  int threads = 0;           // 0: DuckDB's default (all cores)
  std::string memory_limit;  // empty: DuckDB's default
  // Where the instance spills what does not fit in memory_limit. Empty, for an
  // in-memory database: a folder of its own under the system's temp folder.
  // Never give two instances the same folder: DuckDB 1.4 names its spill files
  // the same in every instance (duckdb/duckdb#15173), so two instances spilling
  // there at once overwrite each other's blocks (wrong rows, or a crash).
  std::string temp_directory;
};

// Limits on one query a person sends (the read-only session's): past `timeout`
// the query is interrupted (kResourceExhausted); at most `max_rows` rows come
// back, the rest is cut and TextResult::truncated says so. Zero: no limit.
struct QueryLimits {
  std::chrono::milliseconds timeout{0};
  uint64_t max_rows = 0;
};

// A query's result with every cell as DuckDB's own text (its CAST to VARCHAR:
// TIMESTAMPTZ with its offset, UUID, ENUM, INTERVAL, nested values, decimals with
// every digit), read through the data-chunk API so a NUL byte inside a value is
// kept. The columns keep their SQL types, for JSON typing and alignment.
struct TextColumn {
  std::string name;
  TypeInfo type;
};
struct TextResult {
  std::vector<TextColumn> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt: NULL
  bool truncated = false;  // more rows than QueryLimits::max_rows; those are cut
  // The cells of nested columns (LIST, ARRAY, MAP, STRUCT with named fields) as
  // exact JSON as well, by column index, one per row ("null" for NULL): arrays
  // and objects whose leaves follow CellJson's rule. Read them through
  // CellJson(result, row, column) (json_cell.h).
  std::map<size_t, std::vector<std::string>> nested_json;
};

class Database {
 public:
  static StatusOr<Database> Open(const DatabaseOptions& options = {});
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  duckdb_database get() const { return db_; }
  StatusOr<Connection> Connect() const;

 private:
  Database() = default;
  duckdb_database db_ = nullptr;
};

// A fully materialized query result.
class Result {
 public:
  Result(Result&& other) noexcept;
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result();

  uint64_t RowCount() const;
  uint64_t ColumnCount() const;
  std::string ColumnName(uint64_t col) const;
  duckdb_type ColumnType(uint64_t col) const;
  // DuckDB's SQL name of the column's logical type, e.g. "DECIMAL(10,2)" or "VARCHAR[]".
  std::string ColumnTypeName(uint64_t col) const;
  // The column's full logical type (nested children included).
  TypeInfo ColumnTypeInfo(uint64_t col) const;

  bool IsNull(uint64_t col, uint64_t row) const;
  // The value cast to text as DuckDB prints it; "" for NULL (check IsNull first).
  std::string GetString(uint64_t col, uint64_t row) const;
  int64_t GetInt64(uint64_t col, uint64_t row) const;
  double GetDouble(uint64_t col, uint64_t row) const;
  bool GetBool(uint64_t col, uint64_t row) const;
  std::optional<std::string> GetOptionalString(uint64_t col, uint64_t row) const;

 private:
  friend class Connection;
  friend class PreparedStatement;
  Result() = default;
  duckdb_result result_{};
  bool valid_ = false;
};

class PreparedStatement {
 public:
  PreparedStatement(PreparedStatement&& other) noexcept;
  PreparedStatement& operator=(PreparedStatement&& other) noexcept;
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;
  ~PreparedStatement();

  // Parameters are 1-based, as in DuckDB.
  Status BindString(uint64_t index, std::string_view value);
  Status BindInt64(uint64_t index, int64_t value);
  Status BindDouble(uint64_t index, double value);
  Status BindNull(uint64_t index);
  StatusOr<Result> Execute();

 private:
  friend class Connection;
  PreparedStatement() = default;
  duckdb_prepared_statement stmt_ = nullptr;
};

class Appender {
 public:
  Appender(Appender&& other) noexcept;
  Appender& operator=(Appender&& other) noexcept;
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;
  ~Appender();

  Status AppendString(std::string_view value);
  Status AppendInt64(int64_t value);
  Status AppendDouble(double value);
  Status AppendBool(bool value);
  Status AppendNull();
  Status EndRow();
  // Flushes the rows; the appender cannot be used afterwards.
  Status Close();

 private:
  friend class Connection;
  Appender() = default;
  Status Check(duckdb_state state, std::string_view what);
  duckdb_appender appender_ = nullptr;
};

class Connection {
 public:
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  duckdb_connection get() const { return conn_; }

  StatusOr<Result> Query(std::string_view sql);
  // `sql` (one statement) with every cell as text, within `limits`: a SELECT is
  // wrapped to cast its columns to VARCHAR (and cut at max_rows + 1 rows, so the
  // engine never builds more); other statements (EXPLAIN) run as they are.
  // Past the time limit the query is interrupted from a watchdog thread and the
  // call fails with kResourceExhausted; so does DuckDB's memory limit.
  StatusOr<TextResult> QueryText(std::string_view sql, const QueryLimits& limits = {});
  // Runs statements for their effect; the result is discarded.
  Status Execute(std::string_view sql);
  StatusOr<PreparedStatement> Prepare(std::string_view sql);
  StatusOr<Appender> CreateAppender(std::string_view schema, std::string_view table);

  // What `sql`, which must be exactly one statement, would do: known by preparing
  // it, so nothing runs. kInvalidArgument for no statement, several, or one that
  // does not prepare (with DuckDB's message).
  StatusOr<StatementKind> ClassifyOneStatement(std::string_view sql);

  // Convenience for one-value queries: the first column of the first row.
  StatusOr<std::optional<std::string>> QueryScalar(std::string_view sql);
  StatusOr<int64_t> QueryInt64(std::string_view sql);

  // Asks the query running on this connection to stop; it then fails with
  // DuckDB's "Interrupted" error. Safe from any thread (the per-task timeout's
  // watchdog calls it); does nothing when no query runs.
  void Interrupt();

 private:
  friend class Database;
  Connection() = default;
  duckdb_connection conn_ = nullptr;
};

// DuckDB's version, e.g. "v1.1.3".
std::string LibraryVersion();

// True for lists, structs, maps, arrays and unions: values the C API gives no text for.
bool IsNestedType(duckdb_type type);

// SQL text helpers: 'it''s' and "a ""name""".
std::string QuoteLiteral(std::string_view value);

// True for the integer, floating-point and decimal types: the ones a person reads
// as numbers (right-aligned) and the models take as numeric features.
bool IsNumericType(duckdb_type type);
std::string QuoteIdent(std::string_view name);

}  // namespace pareto::duck
