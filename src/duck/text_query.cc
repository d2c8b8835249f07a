// Connection::QueryText: a query's cells as DuckDB's own text, within limits.
//
// Why a wrapper query instead of the C API's value getters: duckdb_value_varchar
// (deprecated) has no text for TIMESTAMPTZ, UUID, ENUM, BIT and more, and crashes
// on some; and a C string cuts a value at its first NUL byte. DuckDB's CAST to
// VARCHAR knows every type, and its strings come with their length in a chunk.
// Nested columns come a second time with VARCHAR leaves, for their JSON
// (nested_json.cc).
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "duck/duck.h"
#include "duck/internal.h"

namespace pareto::duck {
namespace {

// Interrupts the connection's running query once `timeout` has passed, unless
// stopped first. One a query; Stop() joins the thread.
class Watchdog {
 public:
  Watchdog(duckdb_connection conn, std::chrono::milliseconds timeout) {
    if (timeout.count() <= 0) return;
    thread_ = std::thread([this, conn, timeout] {
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, timeout, [this] { return done_; })) {
        fired_ = true;
        duckdb_interrupt(conn);
      }
    });
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() { Stop(); }

  // True when the watchdog interrupted the query.
  bool Stop() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mu_);
    return fired_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

// Owner of a duckdb_result filled by duckdb_query.
struct OwnedResult {
  duckdb_result r{};
  ~OwnedResult() { duckdb_destroy_result(&r); }
};

struct OwnedChunk {
  duckdb_data_chunk c = nullptr;
  ~OwnedChunk() {
    if (c != nullptr) duckdb_destroy_data_chunk(&c);
  }
};

struct OwnedPrepared {
  duckdb_prepared_statement p = nullptr;
  ~OwnedPrepared() { duckdb_destroy_prepare(&p); }
};

// Appends the rows of `result` to `out`: its first out.columns.size() columns
// are the cells' text (VARCHAR); one more column follows for each of `nested`
// (column indices in order), cast to its VarcharShape, whose cells go to
// out.nested_json as JSON.
Status ReadTextRows(duckdb_result& result, const std::vector<size_t>& nested, TextResult& out) {
  const idx_t ntext = out.columns.size();
  if (duckdb_column_count(&result) != ntext + nested.size()) {
    return Internal("duckdb: a text result has " + std::to_string(duckdb_column_count(&result)) +
                    " columns, not " + std::to_string(ntext + nested.size()));
  }
  for (idx_t c = 0; c < ntext; ++c) {
    if (duckdb_column_type(&result, c) != DUCKDB_TYPE_VARCHAR) {
      return Internal("duckdb: column " + std::to_string(c) + " of a text result is not VARCHAR");
    }
  }
  while (true) {
    OwnedChunk chunk{duckdb_fetch_chunk(result)};
    if (chunk.c == nullptr) break;
    const idx_t n = duckdb_data_chunk_get_size(chunk.c);
    if (n == 0) break;
    const size_t first = out.rows.size();
    out.rows.resize(first + n, std::vector<std::optional<std::string>>(ntext));
    for (idx_t c = 0; c < ntext; ++c) {
      duckdb_vector vec = duckdb_data_chunk_get_vector(chunk.c, c);
      auto* data = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vec));
      uint64_t* validity = duckdb_vector_get_validity(vec);
      for (idx_t row = 0; row < n; ++row) {
        if (validity != nullptr && !duckdb_validity_row_is_valid(validity, row)) continue;
        out.rows[first + row][c] =
            std::string(duckdb_string_t_data(&data[row]), duckdb_string_t_length(data[row]));
      }
    }
    for (size_t k = 0; k < nested.size(); ++k) {
      duckdb_vector vec = duckdb_data_chunk_get_vector(chunk.c, ntext + k);
      std::vector<std::string>& cells = out.nested_json[nested[k]];
      for (idx_t row = 0; row < n; ++row) {
        std::string json;
        AppendJson(vec, row, out.columns[nested[k]].type, json);
        cells.push_back(std::move(json));
      }
    }
  }
  return OkStatus();
}

// The query giving `statement`'s cells as text: every column cast to VARCHAR,
// then each nested one (`nested`) again cast to its VarcharShape. The columns
// are renamed by position so that duplicate or odd names cannot be ambiguous.
std::string TextSql(const std::string& statement, const std::vector<TextColumn>& columns,
                    const std::vector<size_t>& nested) {
  // The line breaks keep a trailing `-- comment` from swallowing the parenthesis.
  if (nested.empty()) return "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (\n" + statement + "\n)";
  std::string names;
  for (size_t c = 0; c < columns.size(); ++c) names += (c == 0 ? "c" : ", c") + std::to_string(c);
  std::string select = "CAST(COLUMNS(*) AS VARCHAR)";
  for (size_t c : nested) {
    select += ", CAST(c" + std::to_string(c) + " AS " + VarcharShape(columns[c].type) + ")";
  }
  return "SELECT " + select + " FROM (\n" + statement + "\n) AS pareto_text(" + names + ")";
}

std::string TrimStatement(std::string_view sql) {
  while (!sql.empty() && (sql.back() == ';' || sql.back() == ' ' || sql.back() == '\n' || sql.back() == '\t' ||
                          sql.back() == '\r')) {
    sql.remove_suffix(1);
  }
  return std::string(sql);
}

}  // namespace

StatusOr<TextResult> Connection::QueryText(std::string_view sql, const QueryLimits& limits) {
  const std::string statement = TrimStatement(sql);
  TextResult out;
  OwnedPrepared prepared;
  if (duckdb_prepare(conn_, statement.c_str(), &prepared.p) != DuckDBSuccess) {
    return std::unexpected(InvalidArgument(OneLine(duckdb_prepare_error(prepared.p))));
  }
  const idx_t ncols = duckdb_prepared_statement_column_count(prepared.p);
  for (idx_t c = 0; c < ncols; ++c) {
    LogicalType type(duckdb_prepared_statement_column_logical_type(prepared.p, c));
    // DuckDB hands the name over: it is ours to free.
    const char* name = duckdb_prepared_statement_column_name(prepared.p, c);
    out.columns.push_back({name != nullptr ? name : "", InfoOf(type.get())});
    if (name != nullptr) duckdb_free(const_cast<char*>(name));
  }
  const bool select = duckdb_prepared_statement_type(prepared.p) == DUCKDB_STATEMENT_TYPE_SELECT;
  std::string text_sql = statement;
  std::vector<size_t> nested;
  if (select && ncols > 0) {
    for (size_t c = 0; c < out.columns.size(); ++c) {
      if (HasJsonShape(out.columns[c].type)) nested.push_back(c);
    }
    text_sql = TextSql(statement, out.columns, nested);
    if (limits.max_rows > 0) text_sql += " LIMIT " + std::to_string(limits.max_rows + 1);
  }
  OwnedResult result;
  Watchdog watchdog(conn_, limits.timeout);
  const duckdb_state state = duckdb_query(conn_, text_sql.c_str(), &result.r);
  const bool timed_out = watchdog.Stop();
  if (state != DuckDBSuccess) {
    const duckdb_error_type type = duckdb_result_error_type(&result.r);
    if (timed_out && type == DUCKDB_ERROR_INTERRUPT) {
      char seconds[32];
      std::snprintf(seconds, sizeof(seconds), "%g", static_cast<double>(limits.timeout.count()) / 1000.0);
      return std::unexpected(ResourceExhausted(std::string("the query ran past its time limit of ") + seconds +
                                               " s and was stopped"));
    }
    return std::unexpected(Status(CodeOf(type), OneLine(duckdb_result_error(&result.r))));
  }
  if (!select) {
    // EXPLAIN and the like: text columns already; anything else is reported, not guessed.
    out.columns.clear();
    for (idx_t c = 0; c < duckdb_column_count(&result.r); ++c) {
      LogicalType type(duckdb_column_logical_type(&result.r, c));
      const char* name = duckdb_column_name(&result.r, c);
      out.columns.push_back({name != nullptr ? name : "", InfoOf(type.get())});
    }
  }
  PARETO_RETURN_IF_ERROR(ReadTextRows(result.r, nested, out));
  if (limits.max_rows > 0 && out.rows.size() > limits.max_rows) {
    out.rows.resize(limits.max_rows);
    for (auto& [column, cells] : out.nested_json) cells.resize(limits.max_rows);
    out.truncated = true;
  }
  return out;
}

}  // namespace pareto::duck
