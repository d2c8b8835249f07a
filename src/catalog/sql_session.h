// The one SQL session over the lakehouse's registered tables: `pareto sql`,
// `pareto run` (the runner's models and ML tasks), `pareto train` and `score` all
// use it; open it through Lakehouse::OpenSession.
//
// Every table of the metastore becomes a view that reads its latest Delta
// snapshot, named as in the reference platform: `olist.bronze.brz_orders`, or
// `bronze.brz_orders` in the default catalog (the first by name), or the bare
// `brz_orders` when no other table has that name. Before running, Delta/Spark
// time travel is rewritten into a scan of the requested version:
//
//   SELECT … FROM olist.bronze.brz_orders VERSION AS OF 3
//   SELECT … FROM bronze.brz_orders TIMESTAMP AS OF '2024-01-01 00:00:00'
//   SELECT … FROM brz_orders@v3
//
// Two modes:
//  - read-only (people's SQL: `pareto sql`): only
//    SELECT / WITH / FROM / VALUES / TABLE / EXPLAIN / DESCRIBE / SHOW / SUMMARIZE
//    statements, one at a time, naming no function that reads files, settings
//    or the environment (read_*, glob, getenv, current_setting, …) and no file
//    as a table (`FROM 'x.csv'`); DuckDB can then reach only the registered tables'
//    folders (`allowed_directories`; not `_meta/`, which holds the metastore), with
//    `enable_external_access = false` and `lock_configuration = true`, so neither
//    `read_csv('/etc/passwd')` nor re-enabling a setting works.
//  - writable (the pipeline runner, training, scoring): no lockdown and any
//    statement; connection() runs model SQL, whose `bronze.brz_orders`-style names
//    resolve in the default catalog, and is what Lakehouse::Publish writes from.
//
// The views are fixed when the session opens: a table committed to afterwards is
// seen at its new version only after Attach (the runner re-attaches each table it
// publishes) or by a new session.
//
// Every statement a person sends (`pareto sql` today, any later front end too)
// passes Admit() (time travel rewritten, the read-only check) on its way through
// Query() or QueryText(): a permission check or an audit line belongs there, and
// nowhere else. QueryText() is the one for people: it applies the session's
// limits (a time limit that interrupts the query, a row cap) and gives every
// cell as DuckDB's text; the memory limit is the database's (`memory_limit`).
//
// Governance: a session opened for a principal (SqlSessionOptions::principal)
// is that principal's catalog: it contains nothing they may not see, already
// masked and filtered, so information_schema and duckdb_tables() show only
// that; Query refuses a statement naming another registered table with
// kPermissionDenied, and records every statement in the audit log. A table
// with a column mask or row filter for the principal is copied into the
// session, masked and filtered, when it opens, and its folder is left out of
// the readable ones: no way of naming its files reaches the unmasked data
// (its time travel is refused for the same reason).
//
// Every DuckDB call goes through duck/ (duck.h): no C API call here.
//
// Ownership: SqlSession owns its DuckDB database and connection (move-only) and
// borrows nothing after Open. Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/column_policies.h"
#include "catalog/metastore.h"
#include "common/env.h"
#include "common/status.h"
#include "duck/duck.h"

namespace pareto::catalog {

// Who a governed session acts for, and where the request came from (the audit log's "from where").
struct SessionPrincipal {
  std::string name;     // a user of principals.h
  std::string source = "cli";  // "cli" or "api"
  std::string address;  // the client's address for the API
};

struct SqlSessionOptions {
  bool read_only = true;
  int threads = 0;           // 0: DuckDB's default
  std::string memory_limit;  // empty: DuckDB's default
  // Applied by QueryText (zero: none).
  duck::QueryLimits limits;
  // The catalog two-part names mean (and the session USEs); empty: the first
  // registered catalog by name. The runner passes its project's catalog.
  std::string default_catalog;
  Env* env = Env::Default();  // reads the Delta logs
  // Governed (read-only only): the session holds a view only of each table the
  // principal may SELECT (grants.h), with its column masks and row filter
  // (column_policies.h) written into the view, is_member() already a constant;
  // naming any other registered table is refused (kPermissionDenied), and every
  // statement, run or refused, goes to the audit log (audit.h). Unset: every
  // table, unmasked (the pipeline's own sessions).
  std::optional<SessionPrincipal> principal;
};

// A time-travel reference found in SQL text, e.g. `bronze.brz_orders VERSION AS OF 3`.
struct TimeTravelRef {
  size_t begin = 0;  // byte range of the whole reference in the original SQL
  size_t end = 0;
  std::string table;  // the name as written, unquoted: "bronze.brz_orders"
  std::optional<int64_t> version;
  std::optional<std::string> timestamp;  // the literal's text, unquoted
  bool has_alias = false;                // an alias follows (`… AS OF 3 o` / `… AS o`)
};

// Finds time-travel references outside string literals, quoted identifiers and
// comments. kInvalidArgument for a malformed one (`VERSION AS OF x`).
StatusOr<std::vector<TimeTravelRef>> FindTimeTravel(std::string_view sql);

class SqlSession {
 public:
  // Builds the session from every table registered in `ms`. A table whose Delta
  // log cannot be read gets no view; its error is kept in warnings().
  static StatusOr<SqlSession> Open(Metastore& ms, const SqlSessionOptions& options = {});

  SqlSession(SqlSession&&) noexcept = default;
  // No move assignment: it would replace the database while the old connection is open.
  SqlSession& operator=(SqlSession&&) = delete;
  SqlSession(const SqlSession&) = delete;
  SqlSession& operator=(const SqlSession&) = delete;
  ~SqlSession() = default;

  // THE entry point for SQL a person sends: runs one statement after rewriting
  // its time travel. In read-only mode a statement of another kind fails with
  // kInvalidArgument before it runs. Permission checks and auditing belong here.
  StatusOr<duck::Result> Query(std::string_view sql);
  // The same statement with every cell as text, within the session's limits
  // (kResourceExhausted past the time or memory limit; rows past the cap are
  // cut and the result says truncated).
  StatusOr<duck::TextResult> QueryText(std::string_view sql);
  // The same within `limits` instead of the session's (a server's per-request row cap).
  StatusOr<duck::TextResult> QueryText(std::string_view sql, const duck::QueryLimits& limits);
  // Whether Query would refuse `sql` by its kind, without running it: the
  // refusal (kInvalidArgument: not a query, several statements, a file,
  // setting or environment function, `FROM 'path'`), else OK — also for a
  // query that merely fails (an unknown table), which Query then reports. A
  // front end tells a refusal from a failing query with it.
  Status CheckAdmissible(std::string_view sql);
  // The SQL that Query would run (time travel replaced by scans).
  StatusOr<std::string> Rewrite(std::string_view sql);

  // The DuckDB connection with the views (writable mode: free to use for anything).
  duck::Connection& connection() { return conn_; }
  const std::vector<TableInfo>& tables() const { return tables_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::string& default_catalog() const { return default_catalog_; }
  bool read_only() const { return read_only_; }
  // The principal a governed session acts for; nullopt when ungoverned.
  const std::optional<SessionPrincipal>& principal() const { return principal_; }
  // Where the next statements come from (a server reuses a principal's session
  // across requests): the audit log's address. Ignored when ungoverned.
  void set_address(std::string address) {
    if (principal_.has_value()) principal_->address = std::move(address);
  }
  // The registered tables a governed session hides from its principal, by full name.
  std::vector<std::string> Hidden() const;

  // The registered table a name written in SQL refers to (rules in table_name.h).
  StatusOr<TableInfo> Resolve(std::string_view name) const;

  // (Re)creates the view of one table over its latest Delta snapshot, e.g. after
  // publishing it; a table not yet committed to is left without a view. For
  // writable sessions: a read-only session's lockdown is fixed when it opens.
  Status Attach(const TableInfo& table);
  // The Delta version / column names the view of `name` reads; nullopt when the
  // name resolves to no table with a view.
  std::optional<int64_t> VersionOf(std::string_view name) const;
  std::optional<std::vector<std::string>> ColumnsOf(std::string_view name) const;
  // The tables that have a view, by full name.
  std::vector<TableName> Attached() const;

 private:
  SqlSession(duck::Database db, duck::Connection conn) : db_(std::move(db)), conn_(std::move(conn)) {}
  Status CreateViews();
  // The view of `t` over `snapshot`, recording its version and columns.
  Status CreateView(const TableInfo& t, bool replace);
  Status LockDown();
  Status CheckReadOnly(std::string_view sql);
  // What every statement a person sends passes: the rewrite, then (read-only) the check.
  StatusOr<std::string> Admit(std::string_view sql);
  // Governed: kPermissionDenied when `sql` names a registered table the principal
  // may not see; else the visible tables it names (for the audit log).
  StatusOr<std::vector<std::string>> CheckNamesOnlyVisibleTables(std::string_view sql) const;
  // Governed: one audit row for a statement (a failure to record fails the statement).
  Status Audit(std::string_view sql, const std::vector<std::string>& objects, bool allowed, const Status& outcome);
  // Admit plus, when governed, the visibility check and the audit row of a refusal.
  StatusOr<std::string> AdmitAndAudit(std::string_view sql, std::vector<std::string>* objects);
  // The SELECT a view (or a time-travel scan) of `t` reads `scan` through: the
  // principal's column masks and row filter applied; `SELECT * FROM scan` when ungoverned.
  StatusOr<std::string> ViewSelect(const TableInfo& t, const std::string& scan,
                                   const std::vector<std::string>& columns) const;
  // Absolute path of a table's Delta folder.
  std::string TableRoot(const TableInfo& info) const;

  // Declared before conn_: the connection must close first.
  duck::Database db_;
  duck::Connection conn_;
  std::string lakehouse_root_;  // absolute
  std::vector<TableInfo> tables_;
  std::vector<std::string> warnings_;
  struct View {
    int64_t version = -1;
    std::vector<std::string> columns;
  };
  std::map<TableName, View> views_;  // by full name, lower-case
  std::string default_catalog_;
  Env* env_ = Env::Default();
  bool read_only_ = true;
  bool unprepared_ = false;  // the last CheckReadOnly failed because DuckDB could not prepare the text
  duck::QueryLimits limits_;
  // Governance (empty when ungoverned).
  std::optional<SessionPrincipal> principal_;
  std::vector<TableInfo> hidden_;  // registered but not visible to the principal
  std::map<std::string, std::string> denials_;  // hidden table -> why (Decision::reason)
  BoundPolicies policies_;  // the principal's masks and row filters
  std::set<std::string> materialized_;  // masked or filtered tables, copied in masked when the session opened
  std::unique_ptr<Metastore> audit_;                                // the audit log's connection
};

}  // namespace pareto::catalog
