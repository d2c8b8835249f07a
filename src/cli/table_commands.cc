// Table commands: list, describe, history, restore, vacuum, SQL, and reading any
// Delta folder. Names are resolved by catalog::Lakehouse (rules in
// catalog/table_name.h); versions come from the Delta log; `read` needs no
// metastore at all.
#include <cctype>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>

#include <fmt/format.h>

#include "catalog/lakehouse.h"
#include "catalog/principals.h"
#include "catalog/writer_lock.h"
#include "cli/output.h"
#include "cli/registrars.h"
#include "delta/table.h"
#include "duck/duck.h"

namespace pareto::cli {
namespace {

using catalog::Lakehouse;
using catalog::TableInfo;
using nlohmann::json;

// An existing lakehouse; a missing folder is the user's mistake, not something a
// read command should create.
StatusOr<Lakehouse> OpenLakehouse(const CliContext& ctx) { return Lakehouse::OpenExisting(ctx.lakehouse, ctx.env); }

json TableJson(const TableInfo& t, int64_t version) {
  return {{"name", t.FullName()},        {"catalog", t.catalog},    {"schema", t.schema},
          {"table", t.name},             {"location", t.location},  {"format", t.format},
          {"comment", t.comment},        {"owner", t.owner},        {"delta_version", version},
          {"created_ms", t.created_ms},  {"updated_ms", t.updated_ms}};
}

// A Delta schema type as text: primitives by name, nested types as compact JSON.
std::string TypeText(const json& type) { return type.is_string() ? type.get<std::string>() : type.dump(); }

// Rows of a snapshot, counted by DuckDB (Parquet footers only, so cheap).
StatusOr<int64_t> CountRows(const delta::Snapshot& snapshot) {
  PARETO_ASSIGN_OR_RETURN(std::string scan, delta::ScanSql(snapshot));
  PARETO_ASSIGN_OR_RETURN(duck::Database db, duck::Database::Open());
  PARETO_ASSIGN_OR_RETURN(duck::Connection conn, db.Connect());
  return conn.QueryInt64("SELECT count(*) FROM " + scan);
}

// The first line of a comment, cut at kWidth code points: listings stay one line a table
// (`pareto describe` shows the whole comment).
std::string Summary(const std::string& comment) {
  constexpr size_t kWidth = 72;
  std::string line = comment.substr(0, comment.find('\n'));
  size_t points = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    if (++points > kWidth) return line.substr(0, i) + "…";
  }
  return line != comment ? line + " …" : line;
}

Status ListTables(CliContext& ctx, const std::string& catalog_name, const std::string& schema) {
  PARETO_ASSIGN_OR_RETURN(Lakehouse lakehouse, OpenLakehouse(ctx));
  PARETO_ASSIGN_OR_RETURN(std::vector<TableInfo> tables, lakehouse.metastore().ListTables(catalog_name, schema));
  TextTable out{.columns = {"table", "format", "version", "updated", "comment"},
                .right_aligned = {false, false, true, false, false}};
  for (const TableInfo& t : tables) {
    PARETO_ASSIGN_OR_RETURN(int64_t version, lakehouse.Version(t));
    if (ctx.json) {
      PrintJsonLine(std::cout, TableJson(t, version));
      continue;
    }
    out.rows.push_back({t.FullName(), t.format, std::to_string(version), FormatTimeMs(t.updated_ms),
                        Summary(t.comment)});
  }
  if (ctx.json) return OkStatus();
  PrintTextTable(std::cout, out);
  return OkStatus();
}

Status Describe(CliContext& ctx, const std::string& name) {
  PARETO_ASSIGN_OR_RETURN(Lakehouse lakehouse, OpenLakehouse(ctx));
  PARETO_ASSIGN_OR_RETURN(TableInfo t, lakehouse.Resolve(name));
  const std::string path = lakehouse.TablePath(t);
  PARETO_ASSIGN_OR_RETURN(delta::Snapshot snap, delta::Table(path, ctx.env).Load());
  PARETO_ASSIGN_OR_RETURN(int64_t rows, CountRows(snap));
  int64_t bytes = 0;
  for (const delta::AddFile& f : snap.files) bytes += f.size;

  json columns = json::array();
  const json fields = snap.schema.value("fields", json::array());
  for (const json& f : fields) {
    columns.push_back({{"name", f.value("name", "")},
                       {"type", TypeText(f.value("type", json("unknown")))},
                       {"nullable", f.value("nullable", true)},
                       {"comment", f.contains("metadata") ? f["metadata"].value("comment", "") : ""}});
  }
  if (ctx.json) {
    json out = TableJson(t, snap.version);
    out["path"] = path;
    out["version"] = snap.version;
    out["rows"] = rows;
    out["files"] = snap.files.size();
    out["size_bytes"] = bytes;
    out["partition_columns"] = snap.partition_columns;
    out["columns"] = columns;
    PrintJsonLine(std::cout, out);
    return OkStatus();
  }
  std::string partitions;
  for (const std::string& p : snap.partition_columns) partitions += (partitions.empty() ? "" : ", ") + p;
  const std::string version = std::to_string(snap.version);
  TextTable props{.columns = {"property", "value"}};
  props.rows = {{"table", t.FullName()},
                {"location", path},
                {"format", t.format},
                {"comment", t.comment},
                {"owner", t.owner},
                {"version", version},
                {"rows", std::to_string(rows)},
                {"files", std::to_string(snap.files.size())},
                {"size", FormatBytes(bytes)},
                {"partitioned by", partitions.empty() ? "-" : partitions},
                {"created", FormatTimeMs(t.created_ms)},
                {"updated", FormatTimeMs(t.updated_ms)}};
  PrintTextTable(std::cout, props, /*footer=*/false);
  std::cout << "\n";
  TextTable cols{.columns = {"column", "type", "nullable", "comment"}};
  for (const json& c : columns) {
    cols.rows.push_back({c["name"].get<std::string>(), c["type"].get<std::string>(),
                         c["nullable"].get<bool>() ? "yes" : "no", c["comment"].get<std::string>()});
  }
  PrintTextTable(std::cout, cols, /*footer=*/false);
  return OkStatus();
}

Status History(CliContext& ctx, const std::string& name) {
  PARETO_ASSIGN_OR_RETURN(Lakehouse lakehouse, OpenLakehouse(ctx));
  PARETO_ASSIGN_OR_RETURN(TableInfo t, lakehouse.Resolve(name));
  PARETO_ASSIGN_OR_RETURN(std::vector<delta::HistoryEntry> history,
                          delta::Table(lakehouse.TablePath(t), ctx.env).History());
  if (ctx.json) {
    for (const delta::HistoryEntry& h : history) {
      PrintJsonLine(std::cout, {{"version", h.version},
                                {"timestamp_ms", h.timestamp_ms},
                                {"operation", h.operation},
                                {"operation_parameters", h.operation_parameters},
                                {"operation_metrics", h.operation_metrics},
                                {"engine_info", h.engine_info}});
    }
    return OkStatus();
  }
  TextTable out{.columns = {"version", "timestamp", "operation", "parameters", "metrics"},
                .right_aligned = {true, false, false, false, false}};
  for (const delta::HistoryEntry& h : history) {
    out.rows.push_back({std::to_string(h.version), FormatTimeMs(h.timestamp_ms), h.operation,
                        h.operation_parameters.dump(), h.operation_metrics.dump()});
  }
  PrintTextTable(std::cout, out);
  return OkStatus();
}

Status Restore(CliContext& ctx, const std::string& name, int64_t version) {
  if (version < 0) return InvalidArgument("--version must be 0 or more");
  PARETO_ASSIGN_OR_RETURN(Lakehouse lakehouse, OpenLakehouse(ctx));
  // A restore is a commit: one writer per lakehouse, like `pareto run`.
  PARETO_ASSIGN_OR_RETURN(auto lock, catalog::WriterLock::Acquire(ctx.lakehouse, ctx.env->NowMicros() / 1000));
  PARETO_ASSIGN_OR_RETURN(catalog::RestoreResult restored, lakehouse.Restore(name, version));
  const TableInfo& t = restored.table;
  const delta::CommitResult& commit = restored.commit;
  if (ctx.json) {
    PrintJsonLine(std::cout, {{"table", t.FullName()},
                              {"restored_version", version},
                              {"new_version", commit.version},
                              {"files_added", commit.files_added},
                              {"files_removed", commit.files_removed}});
  } else {
    std::cout << "restored " << t.FullName() << " to version " << version << " as version " << commit.version
              << " (" << commit.files_added << " files added, " << commit.files_removed << " removed)\n";
  }
  return OkStatus();
}

// delta::Table::Vacuum's guard, said here in terms of the flags.
constexpr double kMinRetainHours = std::chrono::duration<double, std::ratio<3600>>(delta::kMinVacuumRetention).count();

Status Vacuum(CliContext& ctx, const std::string& name, double retain_hours, bool dry_run, bool force) {
  if (!(retain_hours >= 0)) return InvalidArgument("--retain-hours must be 0 or more");
  if (retain_hours < kMinRetainHours && !force && !dry_run) {
    return InvalidArgument(
        fmt::format("--retain-hours {:g}", retain_hours) + " is below the minimum of 168 hours (7 days): "
        "a version within that period may still be read (time travel, a reader that started earlier) and "
        "would point at deleted files; pass --force if no one reads older versions");
  }
  PARETO_ASSIGN_OR_RETURN(Lakehouse lakehouse, OpenLakehouse(ctx));
  // Deleting files is a write: while `pareto run` or an ingest holds the lock, a
  // file it has written but not yet committed looks unreferenced. A dry run
  // deletes nothing and so takes no lock.
  std::optional<catalog::WriterLock> lock;
  if (!dry_run) {
    PARETO_ASSIGN_OR_RETURN(catalog::WriterLock held,
                            catalog::WriterLock::Acquire(ctx.lakehouse, ctx.env->NowMicros() / 1000));
    lock.emplace(std::move(held));
  }
  std::vector<TableInfo> tables;
  if (name.empty()) {
    PARETO_ASSIGN_OR_RETURN(tables, lakehouse.metastore().ListTables());
  } else {
    PARETO_ASSIGN_OR_RETURN(TableInfo t, lakehouse.Resolve(name));
    tables.push_back(std::move(t));
  }
  const auto retention = std::chrono::milliseconds(static_cast<int64_t>(retain_hours * 3'600'000.0));
  TextTable out{.columns = {"table", dry_run ? "files to delete" : "files deleted", dry_run ? "bytes" : "bytes freed"},
                .right_aligned = {false, true, true}};
  for (const TableInfo& t : tables) {
    auto result = delta::Table(lakehouse.TablePath(t), ctx.env).Vacuum(retention, dry_run, force);
    if (!result.has_value()) return result.error().WithContext(t.FullName());
    if (ctx.json) {
      PrintJsonLine(std::cout, {{"table", t.FullName()},
                                {"dry_run", dry_run},
                                {"files", result->files_deleted},
                                {"bytes", result->bytes_deleted},
                                {"paths", result->deleted}});
    } else {
      out.rows.push_back({t.FullName(), std::to_string(result->files_deleted), FormatBytes(result->bytes_deleted)});
    }
  }
  if (!ctx.json) PrintTextTable(std::cout, out);
  return OkStatus();
}

// What a person's query may take in `pareto sql` and `pareto read` (flags of the same names).
struct SqlLimits {
  double timeout_s = 60;
  uint64_t max_rows = 10000;
  std::string memory_limit = "2GB";
};

Status CheckLimits(const SqlLimits& limits) {
  if (!(limits.timeout_s > 0)) return InvalidArgument("--timeout must be more than 0 seconds");
  if (limits.max_rows == 0) return InvalidArgument("--max-rows must be 1 or more");
  return OkStatus();
}

duck::QueryLimits QueryLimitsOf(const SqlLimits& limits) {
  return {.timeout = std::chrono::milliseconds(static_cast<int64_t>(limits.timeout_s * 1000.0)),
          .max_rows = limits.max_rows};
}

// A failed query on one line; a limit names the flags that raise it.
Status QueryFailure(const Status& e) {
  // DuckDB appends the statement with a caret under the error: keep the message line.
  std::string message = e.message().substr(0, e.message().find('\n'));
  if (e.code() == StatusCode::kResourceExhausted) {
    // DuckDB's advice (SET memory_limit, threads) cannot apply in a locked session: name the flags instead.
    message = message.substr(0, message.find(" Possible solutions")) + " (see --timeout and --memory-limit)";
  }
  return Status(e.code(), std::move(message));
}

void AddLimitFlags(CLI::App* cmd, SqlLimits& limits) {
  cmd->add_option("--timeout", limits.timeout_s, "Stop the query after this many seconds")->default_val(60);
  cmd->add_option("--max-rows", limits.max_rows, "Print at most this many rows (a notice says when cut)")
      ->default_val(10000);
  cmd->add_option("--memory-limit", limits.memory_limit, "DuckDB's memory limit for the query, e.g. 2GB")
      ->default_val("2GB");
}

// The command line acts as the local user, the admin; `--as USER` shows what that user would see.
Status Sql(CliContext& ctx, const std::string& sql, const SqlLimits& limits, const std::string& as) {
  PARETO_RETURN_IF_ERROR(CheckLimits(limits));
  PARETO_ASSIGN_OR_RETURN(Lakehouse lakehouse, OpenLakehouse(ctx));
  PARETO_ASSIGN_OR_RETURN(catalog::SqlSession session,
                          lakehouse.OpenSession({.read_only = true,
                                                 .memory_limit = limits.memory_limit,
                                                 .limits = QueryLimitsOf(limits),
                                                 .principal = catalog::SessionPrincipal{
                                                     .name = as.empty() ? std::string(catalog::kAdminUser) : as}}));
  for (const std::string& w : session.warnings()) std::cerr << "pareto: warning: " << w << "\n";
  auto queried = session.QueryText(sql);
  if (!queried.has_value()) return QueryFailure(queried.error());
  PrintResult(std::cout, std::cerr, *queried, ctx.json);
  return OkStatus();
}

Status Read(CliContext& ctx, const std::string& path, std::optional<int64_t> version, std::optional<int64_t> limit,
            const SqlLimits& limits) {
  PARETO_RETURN_IF_ERROR(CheckLimits(limits));
  delta::Table table(path, ctx.env);
  if (!table.Exists()) {
    return NotFound(path + " is not a Delta table (no commits in " + path + "/_delta_log/)");
  }
  PARETO_ASSIGN_OR_RETURN(delta::Snapshot snap, table.Load({.version = version}));
  PARETO_ASSIGN_OR_RETURN(std::string scan, delta::ScanSql(snap));
  PARETO_ASSIGN_OR_RETURN(duck::Database db, duck::Database::Open({.memory_limit = limits.memory_limit}));
  PARETO_ASSIGN_OR_RETURN(duck::Connection conn, db.Connect());
  std::string sql = "SELECT * FROM " + scan;
  if (limit.has_value()) sql += " LIMIT " + std::to_string(*limit);
  auto result = conn.QueryText(sql, QueryLimitsOf(limits));
  if (!result.has_value()) return QueryFailure(result.error());
  PrintResult(std::cout, std::cerr, *result, ctx.json);
  return OkStatus();
}

}  // namespace

void RegisterTableCommands(CLI::App& app, CliContext& ctx) {
  {
    auto* cmd = app.add_subcommand("tables", "List the tables registered in the metastore");
    auto schema = std::make_shared<std::string>();
    auto catalog_name = std::make_shared<std::string>();
    cmd->add_option("--schema", *schema, "Only this schema (e.g. bronze)");
    cmd->add_option("--catalog", *catalog_name, "Only this catalog (e.g. olist)");
    cmd->callback([&ctx, schema, catalog_name] {
      ctx.action = [&ctx, schema, catalog_name] { return ListTables(ctx, *catalog_name, *schema); };
    });
  }
  {
    auto* cmd = app.add_subcommand("describe", "Show a table's columns, location, version, rows, files and size");
    auto name = std::make_shared<std::string>();
    cmd->add_option("table", *name, "Table name: olist.bronze.brz_orders, bronze.brz_orders or brz_orders")
        ->required();
    cmd->callback([&ctx, name] { ctx.action = [&ctx, name] { return Describe(ctx, *name); }; });
  }
  {
    auto* cmd = app.add_subcommand("history", "Show a table's Delta commits, newest first");
    auto name = std::make_shared<std::string>();
    cmd->add_option("table", *name, "Table name")->required();
    cmd->callback([&ctx, name] { ctx.action = [&ctx, name] { return History(ctx, *name); }; });
  }
  {
    auto* cmd = app.add_subcommand("restore", "Make an earlier version of a table the current one (a new commit)");
    auto name = std::make_shared<std::string>();
    auto version = std::make_shared<int64_t>(-1);
    cmd->add_option("table", *name, "Table name")->required();
    cmd->add_option("--version", *version, "The version to restore (see `pareto history TABLE`)")->required();
    cmd->callback([&ctx, name, version] {
      ctx.action = [&ctx, name, version] { return Restore(ctx, *name, *version); };
    });
  }
  {
    auto* cmd = app.add_subcommand("vacuum", "Delete data files no version within the retention period uses");
    auto name = std::make_shared<std::string>();
    auto hours = std::make_shared<double>(168);
    auto dry_run = std::make_shared<bool>(false);
    auto force = std::make_shared<bool>(false);
    cmd->add_option("table", *name, "Table name (default: every registered table)");
    cmd->add_option("--retain-hours", *hours, "Keep files a version of the last H hours uses (at least 168)")
        ->default_val(168);
    cmd->add_flag("--dry-run", *dry_run, "Only list what would be deleted");
    cmd->add_flag("--force", *force, "Allow --retain-hours below 168 (older versions become unreadable)");
    cmd->callback([&ctx, name, hours, dry_run, force] {
      ctx.action = [&ctx, name, hours, dry_run, force] { return Vacuum(ctx, *name, *hours, *dry_run, *force); };
    });
  }
  {
    auto* cmd = app.add_subcommand(
        "sql", "Run one read-only query over the lakehouse (time travel: t VERSION AS OF n, t@vN)");
    auto sql = std::make_shared<std::string>();
    auto limits = std::make_shared<SqlLimits>();
    cmd->add_option("query", *sql, "The query, e.g. \"SELECT count(*) FROM bronze.brz_orders\"")->required();
    AddLimitFlags(cmd, *limits);
    auto as = std::make_shared<std::string>();
    cmd->add_option("--as", *as, "Run as this user: see exactly what they would (their grants, masks, row filters)");
    cmd->callback([&ctx, sql, limits, as] {
      ctx.action = [&ctx, sql, limits, as] { return Sql(ctx, *sql, *limits, *as); };
    });
  }
  {
    auto* cmd = app.add_subcommand("read", "Print the rows of any Delta table folder (no metastore needed; not governed: it needs read access to the files)");
    auto path = std::make_shared<std::string>();
    auto version = std::make_shared<int64_t>(-1);
    auto limit = std::make_shared<int64_t>(-1);
    cmd->add_option("path", *path, "The table's folder (the one holding _delta_log/)")->required();
    auto* version_opt = cmd->add_option("--version", *version, "Read this version (default: the latest)");
    auto* limit_opt = cmd->add_option("--limit", *limit, "At most this many rows");
    auto limits = std::make_shared<SqlLimits>();
    AddLimitFlags(cmd, *limits);
    cmd->callback([&ctx, path, version, limit, version_opt, limit_opt, limits] {
      const std::optional<int64_t> v = version_opt->count() > 0 ? std::optional(*version) : std::nullopt;
      const std::optional<int64_t> l = limit_opt->count() > 0 ? std::optional(*limit) : std::nullopt;
      ctx.action = [&ctx, path, v, l, limits]() -> Status {
        if (v.has_value() && *v < 0) return InvalidArgument("--version must be 0 or more");
        if (l.has_value() && *l < 0) return InvalidArgument("--limit must be 0 or more");
        return Read(ctx, *path, v, l, *limits);
      };
    });
  }
}

}  // namespace pareto::cli
