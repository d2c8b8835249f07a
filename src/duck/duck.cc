#include "duck/duck.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "duck/internal.h"

namespace pareto::duck {

// DuckDB messages span lines: the error, hints ("Did you mean ..."), then the SQL
// with a caret under it ("LINE 1: ..."). A person needs the error and its hints on
// one line; the echoed SQL is theirs already.
std::string OneLine(const char* message) {
  std::string_view m = message ? message : "unknown DuckDB error";
  std::string out;
  size_t start = 0;
  while (start <= m.size()) {
    size_t end = m.find('\n', start);
    if (end == std::string_view::npos) end = m.size();
    std::string_view line = m.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.starts_with("LINE ")) break;
    if (!line.empty()) {
      if (!out.empty()) out += ' ';
      out += line;
    }
    start = end + 1;
  }
  return out.empty() ? std::string(m) : out;
}

StatusCode CodeOf(duckdb_error_type type) {
  switch (type) {
    case DUCKDB_ERROR_CONVERSION:
    case DUCKDB_ERROR_INVALID_INPUT:
    case DUCKDB_ERROR_CONSTRAINT:
    case DUCKDB_ERROR_OUT_OF_RANGE:
      return StatusCode::kDataError;
    case DUCKDB_ERROR_PARSER:
    case DUCKDB_ERROR_BINDER:
    case DUCKDB_ERROR_CATALOG:
    case DUCKDB_ERROR_SYNTAX:
    case DUCKDB_ERROR_INVALID_TYPE:
    case DUCKDB_ERROR_PERMISSION:
      return StatusCode::kInvalidArgument;
    case DUCKDB_ERROR_IO:
      return StatusCode::kIoError;
    case DUCKDB_ERROR_NOT_IMPLEMENTED:
      return StatusCode::kUnsupported;
    case DUCKDB_ERROR_INTERRUPT:
    case DUCKDB_ERROR_OUT_OF_MEMORY:
      return StatusCode::kResourceExhausted;
    default:
      return StatusCode::kInternal;
  }
}

// ---- Database ----

namespace {

// A spill folder no other instance uses (see DatabaseOptions::temp_directory):
// the process id and a count of the instances this process opened. DuckDB
// creates it at the first spill and removes it when the instance closes.
std::string OwnTempDirectory() {
  static std::atomic<uint64_t> opened{0};
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  return (base / fmt::format("pareto-duckdb-{}-{}", ::getpid(), opened.fetch_add(1))).string();
}

}  // namespace

StatusOr<Database> Database::Open(const DatabaseOptions& options) {
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) != DuckDBSuccess) return std::unexpected(Internal("duckdb: cannot create config"));
  auto set = [&](const char* name, const std::string& value) {
    return duckdb_set_config(config, name, value.c_str()) == DuckDBSuccess;
  };
  bool ok = true;
  if (options.threads > 0) ok = ok && set("threads", std::to_string(options.threads));
  if (!options.memory_limit.empty()) ok = ok && set("memory_limit", options.memory_limit);
  if (!options.temp_directory.empty()) {
    ok = ok && set("temp_directory", options.temp_directory);
  } else if (options.path.empty()) {
    ok = ok && set("temp_directory", OwnTempDirectory());
  }
  // No extension may be fetched at run time: only what is built in.
  ok = ok && set("autoinstall_known_extensions", "false");
  ok = ok && set("autoload_known_extensions", "false");
  if (!ok) {
    duckdb_destroy_config(&config);
    return std::unexpected(InvalidArgument("duckdb: invalid database option"));
  }
  Database db;
  char* error = nullptr;
  const char* path = options.path.empty() ? nullptr : options.path.c_str();
  duckdb_state state = duckdb_open_ext(path, &db.db_, config, &error);
  duckdb_destroy_config(&config);
  if (state != DuckDBSuccess) {
    std::string msg = "duckdb: cannot open database: " + OneLine(error);
    if (error) duckdb_free(error);
    return std::unexpected(IoError(std::move(msg)));
  }
  return db;
}

Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_) duckdb_close(&db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}
Database::~Database() {
  if (db_) duckdb_close(&db_);
}

StatusOr<Connection> Database::Connect() const {
  Connection conn;
  if (duckdb_connect(db_, &conn.conn_) != DuckDBSuccess) {
    return std::unexpected(Internal("duckdb: cannot connect"));
  }
  // Every instant is handled in UTC inside pareto; local dates are explicit conversions.
  PARETO_RETURN_IF_ERROR(conn.Execute("SET TimeZone = 'UTC'"));
  return conn;
}

// ---- Result ----

Result::Result(Result&& other) noexcept
    : result_(std::exchange(other.result_, duckdb_result{})), valid_(std::exchange(other.valid_, false)) {}
Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    if (valid_) duckdb_destroy_result(&result_);
    result_ = std::exchange(other.result_, duckdb_result{});
    valid_ = std::exchange(other.valid_, false);
  }
  return *this;
}
Result::~Result() {
  if (valid_) duckdb_destroy_result(&result_);
}

uint64_t Result::RowCount() const { return duckdb_row_count(const_cast<duckdb_result*>(&result_)); }
uint64_t Result::ColumnCount() const {
  return duckdb_column_count(const_cast<duckdb_result*>(&result_));
}
std::string Result::ColumnName(uint64_t col) const {
  const char* n = duckdb_column_name(const_cast<duckdb_result*>(&result_), col);
  return n ? n : "";
}
duckdb_type Result::ColumnType(uint64_t col) const {
  return duckdb_column_type(const_cast<duckdb_result*>(&result_), col);
}
std::string Result::ColumnTypeName(uint64_t col) const {
  duckdb_logical_type t = duckdb_column_logical_type(const_cast<duckdb_result*>(&result_), col);
  if (t == nullptr) return "";
  // duckdb_logical_type_get_alias is empty for built-ins; render the common ones ourselves.
  std::string name;
  switch (duckdb_get_type_id(t)) {
    case DUCKDB_TYPE_DECIMAL:
      name = "DECIMAL(" + std::to_string(duckdb_decimal_width(t)) + "," +
             std::to_string(duckdb_decimal_scale(t)) + ")";
      break;
    default: {
      static const std::pair<duckdb_type, const char*> kNames[] = {
          {DUCKDB_TYPE_BOOLEAN, "BOOLEAN"},     {DUCKDB_TYPE_TINYINT, "TINYINT"},
          {DUCKDB_TYPE_SMALLINT, "SMALLINT"},   {DUCKDB_TYPE_INTEGER, "INTEGER"},
          {DUCKDB_TYPE_BIGINT, "BIGINT"},       {DUCKDB_TYPE_HUGEINT, "HUGEINT"},
          {DUCKDB_TYPE_FLOAT, "FLOAT"},         {DUCKDB_TYPE_DOUBLE, "DOUBLE"},
          {DUCKDB_TYPE_VARCHAR, "VARCHAR"},     {DUCKDB_TYPE_BLOB, "BLOB"},
          {DUCKDB_TYPE_DATE, "DATE"},           {DUCKDB_TYPE_TIMESTAMP, "TIMESTAMP"},
          {DUCKDB_TYPE_TIMESTAMP_TZ, "TIMESTAMP WITH TIME ZONE"},
          {DUCKDB_TYPE_LIST, "LIST"},           {DUCKDB_TYPE_STRUCT, "STRUCT"},
          {DUCKDB_TYPE_MAP, "MAP"},             {DUCKDB_TYPE_UBIGINT, "UBIGINT"},
          {DUCKDB_TYPE_UINTEGER, "UINTEGER"},   {DUCKDB_TYPE_TIME, "TIME"},
          {DUCKDB_TYPE_TIMESTAMP_MS, "TIMESTAMP_MS"}, {DUCKDB_TYPE_TIMESTAMP_S, "TIMESTAMP_S"},
          {DUCKDB_TYPE_TIMESTAMP_NS, "TIMESTAMP_NS"}, {DUCKDB_TYPE_INTERVAL, "INTERVAL"},
      };
      duckdb_type id = duckdb_get_type_id(t);
      name = "OTHER";
      for (const auto& [type, text] : kNames)
        if (type == id) name = text;
    }
  }
  duckdb_destroy_logical_type(&t);
  return name;
}

std::string TakeString(char* text) {
  std::string out = text != nullptr ? text : "";
  duckdb_free(text);
  return out;
}

TypeInfo InfoOf(duckdb_logical_type type) {
  TypeInfo info;
  info.id = duckdb_get_type_id(type);
  info.alias = TakeString(duckdb_logical_type_get_alias(type));
  switch (info.id) {
    case DUCKDB_TYPE_DECIMAL:
      info.width = duckdb_decimal_width(type);
      info.scale = duckdb_decimal_scale(type);
      break;
    case DUCKDB_TYPE_LIST: {
      LogicalType child(duckdb_list_type_child_type(type));
      info.children.emplace_back("", InfoOf(child.get()));
      break;
    }
    case DUCKDB_TYPE_ARRAY: {
      LogicalType child(duckdb_array_type_child_type(type));
      info.children.emplace_back("", InfoOf(child.get()));
      break;
    }
    case DUCKDB_TYPE_MAP: {
      LogicalType key(duckdb_map_type_key_type(type));
      LogicalType value(duckdb_map_type_value_type(type));
      info.children.emplace_back("key", InfoOf(key.get()));
      info.children.emplace_back("value", InfoOf(value.get()));
      break;
    }
    case DUCKDB_TYPE_STRUCT: {
      const idx_t n = duckdb_struct_type_child_count(type);
      for (idx_t i = 0; i < n; ++i) {
        LogicalType child(duckdb_struct_type_child_type(type, i));
        info.children.emplace_back(TakeString(duckdb_struct_type_child_name(type, i)), InfoOf(child.get()));
      }
      break;
    }
    default:
      break;
  }
  return info;
}


TypeInfo Result::ColumnTypeInfo(uint64_t col) const {
  LogicalType type(duckdb_column_logical_type(const_cast<duckdb_result*>(&result_), col));
  return InfoOf(type.get());
}

bool Result::IsNull(uint64_t col, uint64_t row) const {
  return duckdb_value_is_null(const_cast<duckdb_result*>(&result_), col, row);
}
std::string Result::GetString(uint64_t col, uint64_t row) const {
  char* v = duckdb_value_varchar(const_cast<duckdb_result*>(&result_), col, row);
  if (v == nullptr) return "";
  std::string out(v);
  duckdb_free(v);
  return out;
}
int64_t Result::GetInt64(uint64_t col, uint64_t row) const {
  return duckdb_value_int64(const_cast<duckdb_result*>(&result_), col, row);
}
double Result::GetDouble(uint64_t col, uint64_t row) const {
  return duckdb_value_double(const_cast<duckdb_result*>(&result_), col, row);
}
bool Result::GetBool(uint64_t col, uint64_t row) const {
  return duckdb_value_boolean(const_cast<duckdb_result*>(&result_), col, row);
}
std::optional<std::string> Result::GetOptionalString(uint64_t col, uint64_t row) const {
  if (IsNull(col, row)) return std::nullopt;
  return GetString(col, row);
}

// ---- PreparedStatement ----

PreparedStatement::PreparedStatement(PreparedStatement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)) {}
PreparedStatement& PreparedStatement::operator=(PreparedStatement&& other) noexcept {
  if (this != &other) {
    if (stmt_) duckdb_destroy_prepare(&stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}
PreparedStatement::~PreparedStatement() {
  if (stmt_) duckdb_destroy_prepare(&stmt_);
}

static Status BindStatus(duckdb_state s, uint64_t index) {
  if (s == DuckDBSuccess) return OkStatus();
  return InvalidArgument("duckdb: cannot bind parameter " + std::to_string(index));
}
Status PreparedStatement::BindString(uint64_t i, std::string_view v) {
  return BindStatus(duckdb_bind_varchar_length(stmt_, i, v.data(), v.size()), i);
}
Status PreparedStatement::BindInt64(uint64_t i, int64_t v) {
  return BindStatus(duckdb_bind_int64(stmt_, i, v), i);
}
Status PreparedStatement::BindDouble(uint64_t i, double v) {
  return BindStatus(duckdb_bind_double(stmt_, i, v), i);
}
Status PreparedStatement::BindNull(uint64_t i) { return BindStatus(duckdb_bind_null(stmt_, i), i); }

StatusOr<Result> PreparedStatement::Execute() {
  Result r;
  duckdb_state s = duckdb_execute_prepared(stmt_, &r.result_);
  r.valid_ = true;
  if (s != DuckDBSuccess) {
    return std::unexpected(Status(CodeOf(duckdb_result_error_type(&r.result_)),
                                  OneLine(duckdb_result_error(&r.result_))));
  }
  return r;
}

// ---- Appender ----

Appender::Appender(Appender&& other) noexcept : appender_(std::exchange(other.appender_, nullptr)) {}
Appender& Appender::operator=(Appender&& other) noexcept {
  if (this != &other) {
    if (appender_) duckdb_appender_destroy(&appender_);
    appender_ = std::exchange(other.appender_, nullptr);
  }
  return *this;
}
Appender::~Appender() {
  if (appender_) duckdb_appender_destroy(&appender_);
}
Status Appender::Check(duckdb_state state, std::string_view what) {
  if (state == DuckDBSuccess) return OkStatus();
  duckdb_error_data err = duckdb_appender_error_data(appender_);
  std::string msg = "duckdb appender: " + std::string(what) + ": " +
                    OneLine(err ? duckdb_error_data_message(err) : nullptr);
  if (err) duckdb_destroy_error_data(&err);
  return DataError(std::move(msg));
}
Status Appender::AppendString(std::string_view v) {
  return Check(duckdb_append_varchar_length(appender_, v.data(), v.size()), "append");
}
Status Appender::AppendInt64(int64_t v) { return Check(duckdb_append_int64(appender_, v), "append"); }
Status Appender::AppendDouble(double v) { return Check(duckdb_append_double(appender_, v), "append"); }
Status Appender::AppendBool(bool v) { return Check(duckdb_append_bool(appender_, v), "append"); }
Status Appender::AppendNull() { return Check(duckdb_append_null(appender_), "append"); }
Status Appender::EndRow() { return Check(duckdb_appender_end_row(appender_), "end row"); }
Status Appender::Close() { return Check(duckdb_appender_close(appender_), "close"); }

// ---- Connection ----

Connection::Connection(Connection&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}
Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (conn_) duckdb_disconnect(&conn_);
    conn_ = std::exchange(other.conn_, nullptr);
  }
  return *this;
}
Connection::~Connection() {
  if (conn_) duckdb_disconnect(&conn_);
}

StatusOr<Result> Connection::Query(std::string_view sql) {
  Result r;
  std::string text(sql);
  duckdb_state s = duckdb_query(conn_, text.c_str(), &r.result_);
  r.valid_ = true;
  if (s != DuckDBSuccess) {
    return std::unexpected(Status(CodeOf(duckdb_result_error_type(&r.result_)),
                                  OneLine(duckdb_result_error(&r.result_))));
  }
  return r;
}

Status Connection::Execute(std::string_view sql) { return StatusOf(Query(sql)); }

StatusOr<PreparedStatement> Connection::Prepare(std::string_view sql) {
  PreparedStatement p;
  std::string text(sql);
  if (duckdb_prepare(conn_, text.c_str(), &p.stmt_) != DuckDBSuccess) {
    return std::unexpected(InvalidArgument(OneLine(duckdb_prepare_error(p.stmt_))));
  }
  return p;
}

StatusOr<StatementKind> Connection::ClassifyOneStatement(std::string_view sql) {
  struct ExtractedDeleter {
    void operator()(_duckdb_extracted_statements* p) const {
      if (p != nullptr) duckdb_destroy_extracted(&p);
    }
  };
  struct PreparedDeleter {
    void operator()(_duckdb_prepared_statement* p) const {
      if (p != nullptr) duckdb_destroy_prepare(&p);
    }
  };
  const std::string text(sql);
  duckdb_extracted_statements raw_extracted = nullptr;
  const idx_t count = duckdb_extract_statements(conn_, text.c_str(), &raw_extracted);
  std::unique_ptr<_duckdb_extracted_statements, ExtractedDeleter> extracted(raw_extracted);
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(raw_extracted);
    return std::unexpected(InvalidArgument(error != nullptr ? OneLine(error) : "cannot parse the SQL statement"));
  }
  if (count > 1) return std::unexpected(InvalidArgument("run one SQL statement at a time"));
  duckdb_prepared_statement raw_prepared = nullptr;
  const duckdb_state state = duckdb_prepare_extracted_statement(conn_, raw_extracted, 0, &raw_prepared);
  std::unique_ptr<_duckdb_prepared_statement, PreparedDeleter> prepared(raw_prepared);
  if (state != DuckDBSuccess) {
    const char* error = duckdb_prepare_error(raw_prepared);
    return std::unexpected(InvalidArgument(error != nullptr ? OneLine(error) : "cannot prepare the SQL statement"));
  }
  switch (duckdb_prepared_statement_type(raw_prepared)) {
    case DUCKDB_STATEMENT_TYPE_SELECT: return StatementKind::kSelect;
    case DUCKDB_STATEMENT_TYPE_EXPLAIN: return StatementKind::kExplain;
    default: return StatementKind::kOther;
  }
}

StatusOr<Appender> Connection::CreateAppender(std::string_view schema, std::string_view table) {
  Appender a;
  std::string s(schema), t(table);
  if (duckdb_appender_create(conn_, s.empty() ? nullptr : s.c_str(), t.c_str(), &a.appender_) !=
      DuckDBSuccess) {
    duckdb_error_data err = duckdb_appender_error_data(a.appender_);
    std::string msg = "duckdb: cannot append to " + t + ": " +
                      OneLine(err ? duckdb_error_data_message(err) : nullptr);
    if (err) duckdb_destroy_error_data(&err);
    return std::unexpected(InvalidArgument(std::move(msg)));
  }
  return a;
}

StatusOr<std::optional<std::string>> Connection::QueryScalar(std::string_view sql) {
  PARETO_ASSIGN_OR_RETURN(Result r, Query(sql));
  if (r.RowCount() == 0 || r.ColumnCount() == 0) return std::optional<std::string>();
  return r.GetOptionalString(0, 0);
}

void Connection::Interrupt() {
  if (conn_ != nullptr) duckdb_interrupt(conn_);
}

StatusOr<int64_t> Connection::QueryInt64(std::string_view sql) {
  PARETO_ASSIGN_OR_RETURN(Result r, Query(sql));
  if (r.RowCount() == 0 || r.ColumnCount() == 0 || r.IsNull(0, 0)) {
    return std::unexpected(Internal("expected one non-null value from: " + std::string(sql)));
  }
  return r.GetInt64(0, 0);
}

bool IsNumericType(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
      return true;
    default:
      return false;
  }
}

std::string LibraryVersion() { return duckdb_library_version(); }

bool IsNestedType(duckdb_type type) {
  return type == DUCKDB_TYPE_LIST || type == DUCKDB_TYPE_STRUCT || type == DUCKDB_TYPE_MAP ||
         type == DUCKDB_TYPE_ARRAY || type == DUCKDB_TYPE_UNION;
}

std::string QuoteLiteral(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace pareto::duck
