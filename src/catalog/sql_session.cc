#include "catalog/sql_session.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "catalog/audit.h"
#include "catalog/column_policies.h"
#include "catalog/grants.h"
#include "catalog/policy_identity.h"
#include "catalog/sql_lexer.h"
#include "delta/table.h"

namespace pareto::catalog {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Words that may follow a table reference without being its alias.
bool IsClauseKeyword(std::string_view word) {
  static const std::set<std::string, std::less<>> kWords = {
      "where",  "join",      "inner",    "left",      "right",      "full",      "cross",  "natural",
      "on",     "using",     "group",    "order",     "limit",      "offset",    "union",  "except",
      "intersect", "having", "window",   "qualify",   "sample",     "tablesample", "positional", "asof",
      "anti",   "semi",      "lateral",  "returning", "fetch",      "pivot",     "unpivot", "outer",
      "select", "from",      "into",     "values",    "set"};
  return kWords.contains(Lower(word));
}

bool IsVersionSuffix(std::string_view word, int64_t* version) {
  if (word.size() < 2 || (word[0] != 'v' && word[0] != 'V')) return false;
  auto [ptr, ec] = std::from_chars(word.data() + 1, word.data() + word.size(), *version);
  return ec == std::errc() && ptr == word.data() + word.size();
}


// The first keyword of `sql` after whitespace and comments, and where the rest starts.
std::pair<std::string, size_t> FirstWord(std::string_view sql) {
  auto tokens = Lex(sql);
  if (!tokens.has_value() || tokens->empty()) return {"", sql.size()};
  const Token& first = tokens->front();
  if (first.kind == TokenKind::kSymbol) return {first.text, first.end};
  if (first.kind != TokenKind::kIdent || first.quoted) return {"", first.end};
  return {Lower(first.text), first.end};
}

}  // namespace

StatusOr<std::vector<TimeTravelRef>> FindTimeTravel(std::string_view sql) {
  PARETO_ASSIGN_OR_RETURN(std::vector<Token> t, Lex(sql));
  std::vector<TimeTravelRef> refs;
  size_t k = 0;
  while (k < t.size()) {
    if (t[k].kind != TokenKind::kIdent) {
      ++k;
      continue;
    }
    // A dotted name: ident ('.' ident)*.
    const size_t name_begin = k;
    std::string name = t[k].text;
    size_t j = k + 1;
    while (IsSymbol(t, j, '.') && j + 1 < t.size() && t[j + 1].kind == TokenKind::kIdent) {
      name += "." + t[j + 1].text;
      j += 2;
    }
    TimeTravelRef ref;
    ref.begin = t[name_begin].begin;
    ref.table = name;
    size_t after = 0;
    if ((IsWord(t, j, "version") || IsWord(t, j, "timestamp")) && IsWord(t, j + 1, "as") && IsWord(t, j + 2, "of")) {
      const bool by_version = IsWord(t, j, "version");
      const size_t v = j + 3;
      if (by_version) {
        int64_t version = 0;
        const bool ok = v < t.size() && t[v].kind == TokenKind::kNumber &&
                        std::from_chars(t[v].text.data(), t[v].text.data() + t[v].text.size(), version).ptr ==
                            t[v].text.data() + t[v].text.size();
        if (!ok) {
          return std::unexpected(
              InvalidArgument(name + " VERSION AS OF needs a version number, e.g. VERSION AS OF 3"));
        }
        ref.version = version;
      } else {
        if (v >= t.size() || t[v].kind != TokenKind::kString) {
          return std::unexpected(InvalidArgument(
              name + " TIMESTAMP AS OF needs a quoted timestamp, e.g. TIMESTAMP AS OF '2024-01-31 12:00:00'"));
        }
        ref.timestamp = t[v].text;
      }
      after = v + 1;
    } else if (IsSymbol(t, j, '@') && j + 1 < t.size() && t[j + 1].kind == TokenKind::kIdent &&
               t[j].end == t[j + 1].begin) {
      int64_t version = 0;
      if (!IsVersionSuffix(t[j + 1].text, &version)) {
        return std::unexpected(InvalidArgument(name + "@" + t[j + 1].text + " is not a version; write " + name +
                                               "@v<number>, e.g. " + name + "@v3"));
      }
      ref.version = version;
      after = j + 2;
    } else {
      k = j;
      continue;
    }
    ref.end = t[after - 1].end;
    ref.has_alias = IsWord(t, after, "as") ||
                    (after < t.size() && t[after].kind == TokenKind::kIdent &&
                     (t[after].quoted || !IsClauseKeyword(t[after].text)));
    refs.push_back(std::move(ref));
    k = after;
  }
  return refs;
}

// ---- SqlSession ----

StatusOr<SqlSession> SqlSession::Open(Metastore& ms, const SqlSessionOptions& options) {
  PARETO_ASSIGN_OR_RETURN(duck::Database db,
                          duck::Database::Open({.threads = options.threads, .memory_limit = options.memory_limit}));
  PARETO_ASSIGN_OR_RETURN(duck::Connection conn, db.Connect());
  SqlSession session(std::move(db), std::move(conn));
  session.read_only_ = options.read_only;
  session.limits_ = options.limits;
  std::error_code ec;
  std::filesystem::path root = std::filesystem::absolute(ms.lakehouse_root(), ec);
  if (ec) return std::unexpected(IoError("cannot resolve lakehouse path " + ms.lakehouse_root() + ": " + ec.message()));
  session.lakehouse_root_ = root.lexically_normal().string();
  while (session.lakehouse_root_.size() > 1 && session.lakehouse_root_.ends_with('/')) {
    session.lakehouse_root_.pop_back();
  }
  PARETO_ASSIGN_OR_RETURN(session.tables_, ms.ListTables());
  session.env_ = options.env;
  if (!options.default_catalog.empty()) {
    session.default_catalog_ = LowerIdentifier(options.default_catalog);
  } else {
    PARETO_ASSIGN_OR_RETURN(std::vector<std::string> catalogs, ms.ListCatalogs());
    if (!catalogs.empty()) session.default_catalog_ = catalogs.front();
  }
  if (options.principal.has_value()) {
    if (!options.read_only) return std::unexpected(InvalidArgument("a session acting for a principal is read-only"));
    PARETO_ASSIGN_OR_RETURN(Access access, Access::Load(ms, options.principal->name));
    if (access.principal().kind != PrincipalKind::kUser) {
      return std::unexpected(InvalidArgument("\"" + access.principal().name + "\" is a group; a session acts as a user"));
    }
    session.principal_ = options.principal;
    session.principal_->name = access.principal().name;
    // The principal's catalog holds only what they may SELECT: no view, no
    // schema and no readable folder of anything else.
    std::vector<TableInfo> visible;
    for (TableInfo& t : session.tables_) {
      Decision d = access.Decide(Privilege::kSelect, TableSecurable(t));
      if (d.allowed) {
        visible.push_back(std::move(t));
      } else {
        session.denials_[t.FullName()] = d.reason;
        session.hidden_.push_back(std::move(t));
      }
    }
    session.tables_ = std::move(visible);
    PARETO_ASSIGN_OR_RETURN(session.policies_, BindPolicies(ms, access.principal()));
    PARETO_ASSIGN_OR_RETURN(Metastore audit, Metastore::Open(ms.lakehouse_root(), options.env));
    session.audit_ = std::make_unique<Metastore>(std::move(audit));
  }
  PARETO_RETURN_IF_ERROR(session.CreateViews());
  if (session.read_only_) PARETO_RETURN_IF_ERROR(session.LockDown());
  return session;
}

std::string SqlSession::TableRoot(const TableInfo& info) const {
  if (!info.location.empty() && info.location.front() == '/') {
    return std::filesystem::path(info.location).lexically_normal().string();
  }
  return (std::filesystem::path(lakehouse_root_) / info.location).lexically_normal().string();
}

Status SqlSession::CreateViews() {
  std::set<std::string> catalogs;
  if (!default_catalog_.empty()) catalogs.insert(default_catalog_);
  for (const TableInfo& t : tables_) catalogs.insert(t.catalog);
  for (const std::string& catalog : catalogs) {
    // Each catalog is an empty in-memory database that only holds views.
    PARETO_RETURN_IF_ERROR(
        conn_.Execute("ATTACH ':memory:' AS " + duck::QuoteIdent(catalog)).WithContext("catalog " + catalog));
  }

  std::vector<TableInfo> with_view;
  std::set<std::string> schemas;
  for (const TableInfo& t : tables_) {
    const std::string qualified =
        duck::QuoteIdent(t.catalog) + "." + duck::QuoteIdent(t.schema) + "." + duck::QuoteIdent(t.name);
    const std::string schema = duck::QuoteIdent(t.catalog) + "." + duck::QuoteIdent(t.schema);
    if (schemas.insert(schema).second) {
      PARETO_RETURN_IF_ERROR(conn_.Execute("CREATE SCHEMA IF NOT EXISTS " + schema));
    }
    Status created = CreateView(t, /*replace=*/false);
    if (!created.ok()) {
      warnings_.push_back(t.FullName() + " is not queryable: " + created.message());
      continue;
    }
    with_view.push_back(t);
  }

  // Bare names: a view in the default catalog's main schema for each name exactly one table has.
  if (!default_catalog_.empty()) {
    std::map<std::string, std::vector<const TableInfo*>> by_name;
    for (const TableInfo& t : with_view) by_name[Lower(t.name)].push_back(&t);
    for (const auto& [name, tables] : by_name) {
      const TableInfo& t = *tables.front();
      if (tables.size() != 1 || (t.catalog == default_catalog_ && Lower(t.schema) == "main")) continue;
      PARETO_RETURN_IF_ERROR(conn_.Execute("CREATE VIEW " + duck::QuoteIdent(default_catalog_) + ".main." +
                                           duck::QuoteIdent(t.name) + " AS SELECT * FROM " +
                                           duck::QuoteIdent(t.catalog) + "." + duck::QuoteIdent(t.schema) + "." +
                                           duck::QuoteIdent(t.name)));
    }
    PARETO_RETURN_IF_ERROR(conn_.Execute("USE " + duck::QuoteIdent(default_catalog_)));
  }
  return OkStatus();
}

Status SqlSession::LockDown() {
  // Only the tables' own folders: not the lakehouse root, whose _meta/ holds the metastore.
  std::string dirs = "[";
  std::set<std::string> seen;
  for (const TableInfo& t : tables_) {
    // A masked or filtered table was copied in, masked, when the session opened:
    // its files stay out of reach, so no spelling of a file read gets past the mask.
    if (materialized_.contains(t.FullName())) continue;
    std::string dir = TableRoot(t);
    if (!dir.ends_with('/')) dir += '/';
    if (!seen.insert(dir).second) continue;
    if (dirs.size() > 1) dirs += ", ";
    dirs += duck::QuoteLiteral(dir);
  }
  dirs += "]";
  PARETO_RETURN_IF_ERROR(conn_.Execute("SET allowed_directories = " + dirs));
  PARETO_RETURN_IF_ERROR(conn_.Execute("SET enable_external_access = false"));
  PARETO_RETURN_IF_ERROR(conn_.Execute("SET lock_configuration = true"));
  return OkStatus();
}

Status SqlSession::CheckReadOnly(std::string_view sql) {
  static const std::set<std::string, std::less<>> kAllowedFirstWords = {
      "select", "with", "from", "values", "table", "explain", "describe", "show", "summarize", "("};
  PARETO_RETURN_IF_ERROR(StatusOf(Lex(sql)));  // an unclosed quote or comment, named as such
  auto [word, rest] = FirstWord(sql);
  if (word.empty()) return InvalidArgument("no SQL statement given");
  if (!kAllowedFirstWords.contains(word)) {
    return InvalidArgument("only queries may run here (SELECT, WITH, EXPLAIN, DESCRIBE, SHOW); got " +
                           std::string(word == "(" ? "(" : Lower(word)));
  }
  if (word == "explain") {
    // EXPLAIN ANALYZE runs its statement: the statement itself must be a query.
    std::string_view inner = sql.substr(rest);
    auto [next, next_rest] = FirstWord(inner);
    if (next == "analyze") inner = inner.substr(next_rest);
    return CheckReadOnly(inner);
  }

  auto classified = conn_.ClassifyOneStatement(sql);
  if (!classified.has_value()) {
    unprepared_ = true;
    return classified.error();
  }
  const duck::StatementKind kind = *classified;
  if (kind != duck::StatementKind::kSelect && kind != duck::StatementKind::kExplain) {
    return InvalidArgument("only queries may run here (SELECT, WITH, EXPLAIN, DESCRIBE, SHOW)");
  }
  return OkStatus();
}

StatusOr<TableInfo> SqlSession::Resolve(std::string_view name) const {
  return ResolveTableName(tables_, name, default_catalog_);
}

std::optional<int64_t> SqlSession::VersionOf(std::string_view name) const {
  auto t = Resolve(name);
  if (!t.has_value()) return std::nullopt;
  auto it = views_.find(t->Name());
  if (it == views_.end()) return std::nullopt;
  return it->second.version;
}

std::optional<std::vector<std::string>> SqlSession::ColumnsOf(std::string_view name) const {
  auto t = Resolve(name);
  if (!t.has_value()) return std::nullopt;
  auto it = views_.find(t->Name());
  if (it == views_.end()) return std::nullopt;
  return it->second.columns;
}

std::vector<TableName> SqlSession::Attached() const {
  std::vector<TableName> out;
  for (const auto& [name, view] : views_) out.push_back(name);
  return out;
}

Status SqlSession::CreateView(const TableInfo& t, bool replace) {
  const std::string qualified =
      duck::QuoteIdent(t.catalog) + "." + duck::QuoteIdent(t.schema) + "." + duck::QuoteIdent(t.name);
  PARETO_ASSIGN_OR_RETURN(delta::Snapshot snapshot, delta::Table(TableRoot(t), env_).Load());
  PARETO_ASSIGN_OR_RETURN(std::string scan, delta::ScanSql(snapshot));
  View view{.version = snapshot.version};
  for (const auto& field : snapshot.schema.value("fields", nlohmann::json::array())) {
    view.columns.push_back(field.value("name", ""));
  }
  PARETO_ASSIGN_OR_RETURN(std::string select, ViewSelect(t, scan, view.columns));
  const std::string full = t.FullName();
  if (principal_.has_value() && !LeavesTableUnchanged(policies_, full)) {
    // Masked or filtered: a copy of what the principal may see, taken now, and
    // no view over the files (LockDown leaves the folder out of reach).
    PARETO_RETURN_IF_ERROR(conn_.Execute("CREATE TABLE " + qualified + " AS " + select));
    materialized_.insert(full);
  } else {
    PARETO_RETURN_IF_ERROR(conn_.Execute(std::string(replace ? "CREATE OR REPLACE VIEW " : "CREATE VIEW ") +
                                         qualified + " AS " + select));
  }
  views_[t.Name()] = std::move(view);
  return OkStatus();
}

Status SqlSession::Attach(const TableInfo& table) {
  if (!delta::Table(TableRoot(table), env_).Exists()) return OkStatus();  // registered, never written
  const std::string catalog = duck::QuoteIdent(table.catalog);
  if (std::none_of(tables_.begin(), tables_.end(), [&](const TableInfo& t) { return t.catalog == table.catalog; }) &&
      table.catalog != default_catalog_) {
    PARETO_RETURN_IF_ERROR(conn_.Execute("ATTACH ':memory:' AS " + catalog));
  }
  PARETO_RETURN_IF_ERROR(conn_.Execute("CREATE SCHEMA IF NOT EXISTS " + catalog + "." + duck::QuoteIdent(table.schema)));
  Status created = CreateView(table, /*replace=*/true);
  if (!created.ok()) return created.WithContext(table.FullName());
  auto known = std::find_if(tables_.begin(), tables_.end(), [&](const TableInfo& t) { return t.Name() == table.Name(); });
  if (known == tables_.end()) {
    tables_.push_back(table);
  } else {
    *known = table;
  }
  return OkStatus();
}

StatusOr<std::string> SqlSession::Rewrite(std::string_view sql) {
  PARETO_ASSIGN_OR_RETURN(std::vector<TimeTravelRef> refs, FindTimeTravel(sql));
  std::string out;
  size_t pos = 0;
  for (const TimeTravelRef& ref : refs) {
    PARETO_ASSIGN_OR_RETURN(TableInfo info, Resolve(ref.table));
    if (materialized_.contains(info.FullName())) {
      return std::unexpected(PermissionDenied(info.FullName() + " has column masks or a row filter for " +
                                              principal_->name + ": only its current version can be read"));
    }
    delta::VersionSpec at;
    std::string what;
    if (ref.version.has_value()) {
      at.version = *ref.version;
      what = info.FullName() + " version " + std::to_string(*ref.version);
    } else {
      PARETO_ASSIGN_OR_RETURN(duck::PreparedStatement stmt,
                              conn_.Prepare("SELECT epoch_ms(CAST(? AS TIMESTAMPTZ))"));
      PARETO_RETURN_IF_ERROR(stmt.BindString(1, *ref.timestamp));
      auto result = stmt.Execute();
      if (!result.has_value() || result->RowCount() != 1 || result->IsNull(0, 0)) {
        return std::unexpected(InvalidArgument("TIMESTAMP AS OF '" + *ref.timestamp +
                                               "' is not a timestamp; write e.g. '2024-01-31 12:00:00' (UTC)"));
      }
      at.timestamp_ms = result->GetInt64(0, 0);
      what = info.FullName() + " as of " + *ref.timestamp;
    }
    auto snapshot = delta::Table(TableRoot(info), env_).Load(at);
    if (!snapshot.has_value()) return std::unexpected(snapshot.error().WithContext(what));
    auto scan = delta::ScanSql(*snapshot);
    if (!scan.has_value()) return std::unexpected(scan.error().WithContext(what));
    out.append(sql.substr(pos, ref.begin - pos));
    if (principal_.has_value()) {
      // An older version is read through the same masks and filter as the view.
      std::vector<std::string> columns;
      for (const auto& field : snapshot->schema.value("fields", nlohmann::json::array())) {
        columns.push_back(field.value("name", ""));
      }
      PARETO_ASSIGN_OR_RETURN(std::string select, ViewSelect(info, *scan, columns));
      out += "(" + select + ")";
    } else {
      out += *scan;
    }
    if (!ref.has_alias) out += " AS " + duck::QuoteIdent(info.name);
    pos = ref.end;
  }
  out.append(sql.substr(pos));
  return out;
}

static bool LooksLikeAFile(std::string_view name) {
  if (name.find('/') != std::string_view::npos || name.find('\\') != std::string_view::npos ||
      name.find('*') != std::string_view::npos) {
    return true;
  }
  const std::string lower = Lower(name);
  for (const char* ext : {".parquet", ".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".gz", ".zst", ".txt", ".db",
                          ".duckdb", ".sqlite", ".xlsx", ".arrow", ".avro", ".tbl"}) {
    if (lower.find(ext) != std::string::npos) return true;
  }
  return false;
}

static Status CheckReachesNoFiles(std::string_view sql) {
  // Table functions that read files, list them, or tell the process's settings,
  // secrets or environment. The lockdown (enable_external_access = false) already
  // stops most of these when they run; refusing them by name first means a
  // person's statement never starts, and says why in words.
  static const std::set<std::string, std::less<>> kRefused = {
      "glob",           "parquet_scan",     "parquet_metadata", "parquet_schema",   "parquet_file_metadata",
      "parquet_kv_metadata", "sniff_csv",   "delta_scan",       "iceberg_scan",     "iceberg_metadata",
      "sqlite_scan",    "sqlite_attach",    "postgres_scan",    "mysql_scan",       "st_read",
      "current_setting", "getenv",          "duckdb_settings",  "duckdb_secrets",   "which_secret",
      "duckdb_extensions", "duckdb_databases", "duckdb_temporary_files", "duckdb_memory", "checkpoint",
      "force_checkpoint", "load_extension", "install_extension", "query", "query_table", "csv_scan",
      "json_scan",      "json_execute_serialized_sql", "shell", "system"};
  PARETO_ASSIGN_OR_RETURN(std::vector<Token> t, Lex(sql));
  bool in_from = false;
  for (size_t k = 0; k < t.size(); ++k) {
    // Quoted too: "read_parquet"(…) calls the same function.
    if (t[k].kind == TokenKind::kIdent && IsSymbol(t, k + 1, '(')) {
      const std::string name = Lower(t[k].text);
      // Whole families by prefix: parquet_bloom_probe(file, column, value) alone
      // would tell values of a masked column from its table's own files.
      const bool family = std::ranges::any_of(
          std::initializer_list<std::string_view>{"read_", "pragma_", "parquet_", "iceberg_", "delta_", "sqlite_",
                                                  "postgres_", "mysql_", "json_execute"},
          [&](std::string_view prefix) { return name.starts_with(prefix); });
      if (kRefused.contains(name) || family) {
        return InvalidArgument(name + "() reads files, settings or the environment: only the lakehouse's "
                               "tables may be queried here");
      }
    }
    // DuckDB reads a quoted identifier that looks like a file as that file
    // (`FROM "olist/silver/t/part-0.parquet"`), past any view's masks.
    if (t[k].kind == TokenKind::kIdent && t[k].quoted && LooksLikeAFile(t[k].text)) {
      return InvalidArgument("\"" + t[k].text + "\" names a file: only the lakehouse's tables may be queried here");
    }
    // A FROM clause runs from FROM to the next clause word.
    if (IsWord(t, k, "from")) in_from = true;
    for (const char* end : {"where", "group", "order", "limit", "having", "qualify", "window", "union", "select", "on",
                            "using", "except", "intersect"}) {
      if (IsWord(t, k, end)) in_from = false;
    }
    // A replacement scan: `FROM '/etc/passwd'` (or `FROM t, '/etc/passwd'`) reads the file the string names;
    // so do `TABLE 'x'`, `DESCRIBE 'x'`, `SUMMARIZE 'x'` and (UN)PIVOT 'x'.
    const bool table_word = IsWord(t, k - 1, "from") || IsWord(t, k - 1, "join") || IsWord(t, k - 1, "table") ||
                            IsWord(t, k - 1, "describe") || IsWord(t, k - 1, "desc") ||
                            IsWord(t, k - 1, "summarize") || IsWord(t, k - 1, "show") || IsWord(t, k - 1, "pivot") ||
                            IsWord(t, k - 1, "unpivot");
    if (t[k].kind == TokenKind::kString && k > 0 && (table_word || (in_from && IsSymbol(t, k - 1, ',')))) {
      return InvalidArgument("'" + t[k].text + "' as a table reads a file: only the lakehouse's tables may be "
                             "queried here");
    }
  }
  return OkStatus();
}

StatusOr<std::string> SqlSession::Admit(std::string_view sql) {
  // On the text as written: the time-travel rewrite itself brings in file scans.
  if (read_only_) PARETO_RETURN_IF_ERROR(CheckReachesNoFiles(sql));
  PARETO_ASSIGN_OR_RETURN(std::string rewritten, Rewrite(sql));
  if (read_only_) PARETO_RETURN_IF_ERROR(CheckReadOnly(rewritten));
  return rewritten;
}

// Whether text that DuckDB could not prepare was meant to do more than query:
// a second statement, or a word that starts a write or a setting.
static bool NamesMoreThanAQuery(std::string_view sql) {
  static const std::set<std::string, std::less<>> kWords = {
      "insert", "update", "delete", "create", "drop",   "alter",  "copy",     "attach",   "detach",
      "install", "load",  "set",    "reset",  "pragma", "call",   "export",   "import",   "checkpoint",
      "vacuum", "use",    "truncate", "merge", "grant", "revoke", "begin",    "commit",   "rollback"};
  auto tokens = Lex(sql);
  if (!tokens.has_value()) return false;
  for (size_t k = 0; k < tokens->size(); ++k) {
    const Token& t = (*tokens)[k];
    if (t.kind == TokenKind::kSymbol && t.text == ";" && k + 1 < tokens->size()) return true;
    if (t.kind == TokenKind::kIdent && !t.quoted && kWords.contains(Lower(t.text))) return true;
  }
  return false;
}

Status SqlSession::CheckAdmissible(std::string_view sql) {
  unprepared_ = false;
  if (principal_.has_value()) PARETO_RETURN_IF_ERROR(StatusOf(CheckNamesOnlyVisibleTables(sql)));
  Status admitted = StatusOf(Admit(sql));
  // A query DuckDB cannot prepare (an unknown table, a typo) is not refused:
  // running it reports its own error, and nothing runs either way.
  if (!admitted.ok() && unprepared_ && !NamesMoreThanAQuery(sql)) return OkStatus();
  return admitted;
}

StatusOr<duck::Result> SqlSession::Query(std::string_view sql) {
  std::vector<std::string> objects;
  PARETO_ASSIGN_OR_RETURN(std::string admitted, AdmitAndAudit(sql, &objects));
  auto result = conn_.Query(admitted);
  if (principal_.has_value()) PARETO_RETURN_IF_ERROR(Audit(sql, objects, true, StatusOf(result)));
  return result;
}

StatusOr<duck::TextResult> SqlSession::QueryText(std::string_view sql) { return QueryText(sql, limits_); }

StatusOr<duck::TextResult> SqlSession::QueryText(std::string_view sql, const duck::QueryLimits& limits) {
  std::vector<std::string> objects;
  PARETO_ASSIGN_OR_RETURN(std::string admitted, AdmitAndAudit(sql, &objects));
  auto result = conn_.QueryText(admitted, limits);
  if (principal_.has_value()) PARETO_RETURN_IF_ERROR(Audit(sql, objects, true, StatusOf(result)));
  return result;
}

std::vector<std::string> SqlSession::Hidden() const {
  std::vector<std::string> out;
  for (const TableInfo& t : hidden_) out.push_back(t.FullName());
  return out;
}

StatusOr<std::vector<std::string>> SqlSession::CheckNamesOnlyVisibleTables(std::string_view sql) const {
  PARETO_ASSIGN_OR_RETURN(std::vector<Token> t, Lex(sql));
  std::vector<TableInfo> all = tables_;
  all.insert(all.end(), hidden_.begin(), hidden_.end());
  std::set<std::string> named;
  for (size_t k = 0; k < t.size();) {
    if (t[k].kind != TokenKind::kIdent) {
      ++k;
      continue;
    }
    // Every prefix of a dotted name (a.b.c.col names table a.b.c).
    std::string name = t[k].text;
    size_t j = k + 1;
    auto check = [&](const std::string& n) -> Status {
      auto resolved = ResolveTableName(all, n, default_catalog_);
      if (!resolved.has_value()) return OkStatus();
      const std::string full = resolved->FullName();
      if (auto denied = denials_.find(full); denied != denials_.end()) {
        return PermissionDenied(full + " is not visible to " + principal_->name + ": " + denied->second);
      }
      named.insert(full);
      return OkStatus();
    };
    PARETO_RETURN_IF_ERROR(check(name));
    while (IsSymbol(t, j, '.') && j + 1 < t.size() && t[j + 1].kind == TokenKind::kIdent) {
      name += "." + t[j + 1].text;
      PARETO_RETURN_IF_ERROR(check(name));
      j += 2;
    }
    k = j;
  }
  return std::vector<std::string>(named.begin(), named.end());
}

Status SqlSession::Audit(std::string_view sql, const std::vector<std::string>& objects, bool allowed,
                         const Status& outcome) {
  if (!principal_.has_value() || !audit_) return OkStatus();
  std::string reason = outcome.ok() ? "" : outcome.message().substr(0, outcome.message().find('\n'));
  if (allowed && !outcome.ok()) reason = "failed: " + reason;
  return RecordAudit(*audit_, {.principal = principal_->name,
                               .source = principal_->source,
                               .address = principal_->address,
                               .action = "sql",
                               .text = std::string(sql),
                               .objects = objects,
                               .allowed = allowed,
                               .reason = std::move(reason)})
      .WithContext("the audit log");
}

StatusOr<std::string> SqlSession::AdmitAndAudit(std::string_view sql, std::vector<std::string>* objects) {
  if (!principal_.has_value()) return Admit(sql);
  auto named = CheckNamesOnlyVisibleTables(sql);
  StatusOr<std::string> admitted = named.has_value() ? Admit(sql) : std::unexpected(named.error());
  if (named.has_value()) *objects = std::move(*named);
  if (!admitted.has_value()) PARETO_RETURN_IF_ERROR(Audit(sql, *objects, false, admitted.error()));
  return admitted;
}

StatusOr<std::string> SqlSession::ViewSelect(const TableInfo& t, const std::string& scan,
                                             const std::vector<std::string>& columns) const {
  const std::string full = t.FullName();
  auto masks = policies_.masks.find(full);
  auto filter = policies_.row_filters.find(full);
  if (masks == policies_.masks.end() && filter == policies_.row_filters.end()) return "SELECT * FROM " + scan;
  std::string list;
  std::set<std::string> used;
  for (const std::string& column : columns) {
    if (!list.empty()) list += ", ";
    const std::string lower = Lower(column);
    if (masks != policies_.masks.end() && masks->second.contains(lower)) {
      list += "(" + masks->second.at(lower) + ") AS " + duck::QuoteIdent(column);
      used.insert(lower);
    } else {
      list += duck::QuoteIdent(column);
    }
  }
  // A mask of a column the table lacks is a mistake in the rules: hide the table rather than guess.
  if (masks != policies_.masks.end()) {
    for (const auto& [column, expression] : masks->second) {
      if (!used.contains(column)) {
        return std::unexpected(InvalidArgument("the column mask of " + full + "." + column + " names no column"));
      }
    }
  }
  std::string select = "SELECT " + list + " FROM " + scan;
  if (filter != policies_.row_filters.end()) select += " WHERE (" + filter->second + ")";
  return select;
}

}  // namespace pareto::catalog
