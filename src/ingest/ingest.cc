// Bronze ingestion: files -> one Delta commit each (+ quarantine). See ingest.h.
#include "ingest/ingest.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "delta/table.h"
#include "ingest/csv_file.h"
#include "ingest/file_bytes.h"
#include "ingest/file_hash.h"
#include "ingest/source_spec.h"

namespace pareto::ingest {
namespace {

constexpr std::string_view kBronzeSchema = "bronze";
constexpr std::string_view kQuarantineTable = "_quarantine";
constexpr std::string_view kOwner = "ingest";
constexpr std::string_view kRowsTemp = "__pareto_ingest_rows";
constexpr std::string_view kQuarantineTemp = "__pareto_ingest_quarantine";
constexpr std::string_view kQuarantineComment =
    "Rows of source files that did not fit their declared schema (wrong type, wrong column count, "
    "unterminated quote): source table, file, line, raw text and reason.";

std::string Join(std::string_view a, std::string_view b) {
  std::string out(a);
  if (!out.empty() && out.back() != '/') out += '/';
  out += b;
  return out;
}

// An unknown zone would otherwise fail deep inside the first file's read.
Status CheckTimezones(const SourcesConfig& config, duck::Connection& conn) {
  std::set<std::string> zones;
  for (const SourceSpec& s : config.sources)
    if (s.HasTimestamps()) zones.insert(s.timezone);
  for (const std::string& zone : zones) {
    auto r = conn.Query(fmt::format("SELECT timezone({}, TIMESTAMP '2000-01-01')", duck::QuoteLiteral(zone)));
    if (!r.has_value()) {
      return InvalidArgument(fmt::format("pipeline.yaml: unknown time zone `{}` (use an IANA name such as "
                                         "America/Sao_Paulo)",
                                         zone));
    }
  }
  return OkStatus();
}

// A layout DuckDB's strptime cannot use would otherwise quarantine every row.
Status CheckFormats(const SourcesConfig& config, duck::Connection& conn) {
  for (const SourceSpec& s : config.sources) {
    for (const ColumnSpec& c : s.columns) {
      if (c.format.empty()) continue;
      auto r = conn.Query(fmt::format("SELECT try_strptime('', {})", duck::QuoteLiteral(c.format)));
      if (!r.has_value()) {
        return InvalidArgument(fmt::format("pipeline.yaml:{}: source `{}`, column `{}`: format `{}` is not a strptime "
                                           "layout DuckDB reads: {}",
                                           c.line, s.table, c.name, c.format, r.error().message().substr(0, 200)));
      }
    }
  }
  return OkStatus();
}

// Edit distance (insert, delete, replace: 1 each), to name the file a user most
// likely meant when a pattern matched nothing (a renamed export).
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

enum class EntryKind { kRegular, kDirectory };

// Only regular files inside the source folder are read. A FIFO would block the
// read forever, a device (/dev/zero) never ends, and a symlink leading out of
// the folder would let a source name read any file the process may read; each
// is refused before a byte of it is read, and the message never quotes it.
StatusOr<EntryKind> ClassifyEntry(const std::string& source_dir, const std::string& name, Env* env) {
  namespace fs = std::filesystem;
  const fs::path path = fs::path(source_dir) / name;
  std::error_code ec;
  const fs::file_status own = fs::symlink_status(path, ec);
  if (ec || own.type() == fs::file_type::not_found) {
    // Not on the real file system (a test Env): its Stat is all there is.
    PARETO_ASSIGN_OR_RETURN(FileInfo info, env->Stat(path.string()));
    return info.is_directory ? EntryKind::kDirectory : EntryKind::kRegular;
  }
  if (own.type() == fs::file_type::symlink) {
    const fs::path target = fs::weakly_canonical(path, ec);
    const fs::path folder = fs::weakly_canonical(fs::path(source_dir), ec);
    const auto [folder_end, target_it] = std::mismatch(folder.begin(), folder.end(), target.begin(), target.end());
    if (ec || folder_end != folder.end()) {
      return std::unexpected(DataError(fmt::format(
          "{}: a symlink leading outside the source folder {}; refused (copy the file into the folder)",
          path.string(), source_dir)));
    }
    (void)target_it;
  }
  const fs::file_status st = fs::status(path, ec);
  if (ec) {
    return std::unexpected(DataError(fmt::format("{}: cannot be read ({}); refused", path.string(), ec.message())));
  }
  switch (st.type()) {
    case fs::file_type::regular:
      return EntryKind::kRegular;
    case fs::file_type::directory:
      return EntryKind::kDirectory;
    case fs::file_type::fifo:
      return std::unexpected(DataError(fmt::format("{}: a FIFO (named pipe), not a regular file; refused", path.string())));
    case fs::file_type::block:
    case fs::file_type::character:
      return std::unexpected(DataError(fmt::format("{}: a device, not a regular file; refused", path.string())));
    default:
      return std::unexpected(DataError(fmt::format("{}: not a regular file; refused", path.string())));
  }
}

struct Assignment {
  std::map<std::string, std::vector<std::string>> files;     // per source table, names sorted
  std::map<std::string, std::vector<std::string>> warnings;  // per source table
};

// Source files per source table, each name sorted, a file claimed by two sources
// refused; a source that found no file is warned about, naming its pattern and
// the unclaimed name closest to it.
StatusOr<Assignment> AssignFiles(const SourcesConfig& config, const std::string& source_dir, Env* env) {
  auto listed = env->ListDir(source_dir);
  if (!listed.has_value()) {
    return std::unexpected(NotFound(fmt::format("source folder {} cannot be read: {}", source_dir,
                                                listed.error().message())));
  }
  std::vector<std::string> names = *std::move(listed);
  std::ranges::sort(names);
  Assignment out;
  std::vector<std::string> unclaimed;
  for (const std::string& name : names) {
    std::vector<std::string> owners;
    for (const SourceSpec& s : config.sources)
      if (s.Matches(name)) owners.push_back(s.table);
    if (owners.empty()) {
      unclaimed.push_back(name);
      continue;
    }
    if (owners.size() > 1) {
      return std::unexpected(InvalidArgument(fmt::format(
          "{} matches the patterns of several sources ({}); make the patterns in pipeline.yaml disjoint", name,
          fmt::join(owners, ", "))));
    }
    PARETO_ASSIGN_OR_RETURN(EntryKind kind, ClassifyEntry(source_dir, name, env));
    if (kind == EntryKind::kDirectory) {
      out.warnings[owners[0]].push_back(
          fmt::format("{} is a folder, not a file; skipped (sources are files directly in {})", name, source_dir));
      continue;
    }
    out.files[owners[0]].push_back(name);
  }
  for (const SourceSpec& s : config.sources) {
    if (out.files.contains(s.table)) continue;
    std::string wanted = s.pattern;
    std::erase_if(wanted, [](char c) { return c == '*' || c == '?'; });
    const std::string* closest = nullptr;
    size_t best = 0;
    for (const std::string& name : unclaimed) {
      const size_t d = EditDistance(wanted, name);
      if (closest == nullptr || d < best) {
        closest = &name;
        best = d;
      }
    }
    out.warnings[s.table].push_back(fmt::format(
        "no file in {} matches `{}`{}", source_dir, s.pattern,
        closest == nullptr ? std::string(" (and no other file is there)")
                           : fmt::format(" (closest file seen: {})", *closest)));
  }
  return out;
}

// How much of what follows the header OnlyNulsAfterHeader looks at: a 2 GB file of
// NULs is told from data by its first MiB, not read whole.
constexpr size_t kNulProbeBytes = size_t{1} << 20;

// True when what follows the first line is NUL bytes or line ends, over its first
// MiB: what a crashed export or a preallocated file leaves behind. Such a file has
// no rows (and no CSV record starts with a NUL byte).
bool OnlyNulsAfterHeader(std::string_view bytes) {
  const size_t eol = bytes.find('\n');
  if (eol == std::string_view::npos) return false;
  const std::string_view rest = bytes.substr(eol + 1, kNulProbeBytes);
  if (rest.find('\0') == std::string_view::npos) return false;
  return std::ranges::all_of(rest, [](char c) { return c == '\0' || c == '\r' || c == '\n'; });
}

nlohmann::json TableConfiguration(const SourceSpec& spec) {
  return nlohmann::json{{"pareto.source.pattern", spec.pattern},
                        {"pareto.source.businessKey", fmt::format("{}", fmt::join(spec.business_key, ","))},
                        {"pareto.source.timezone", spec.timezone}};
}

class Ingester {
 public:
  Ingester(const IngestOptions& options, const SourcesConfig& config, catalog::Lakehouse& lakehouse,
           duck::Connection& conn, Env* env)
      : options_(options), config_(config), lakehouse_(lakehouse), conn_(conn), env_(env),
        ingested_at_(env->NowMicros()) {}

  StatusOr<SourceReport> IngestSource(const SourceSpec& spec, const std::vector<std::string>& files,
                                      std::vector<std::string> warnings) {
    SourceReport report;
    report.warnings = std::move(warnings);
    report.table = spec.table;
    report.full_name = NameOf(spec.table).ToString();
    const delta::Table table(lakehouse_.TablePath(NameOf(spec.table)), env_);
    for (const std::string& file : files) {
      PARETO_ASSIGN_OR_RETURN(FileReport fr, IngestFile(spec, table, file));
      ++report.files_seen;
      if (fr.skipped) {
        ++report.files_skipped;
      } else {
        ++report.files_ingested;
      }
      report.rows_landed += fr.rows_landed;
      report.rows_quarantined += fr.rows_quarantined;
      report.rows_skipped += fr.rows_skipped_blank + fr.rows_skipped_header;
      if (!fr.warning.empty()) report.warnings.push_back(fmt::format("{}: {}", file, fr.warning));
      report.files.push_back(std::move(fr));
    }
    if (table.Exists()) {
      PARETO_ASSIGN_OR_RETURN(report.delta_version, table.LatestVersion());
      // Also records a table whose last commit lost its record (a process that
      // died in between), and a comment changed in pipeline.yaml.
      PARETO_RETURN_IF_ERROR(lakehouse_.Register(NameOf(spec.table), spec.comment, std::string(kOwner)));
    }
    return report;
  }

 private:
  catalog::TableName NameOf(std::string_view table) const {
    return catalog::TableName{catalog::LowerIdentifier(config_.catalog), std::string(kBronzeSchema),
                              catalog::LowerIdentifier(table)};
  }

  StatusOr<FileReport> IngestFile(const SourceSpec& spec, const delta::Table& table, const std::string& file) {
    FileReport fr;
    fr.file = file;
    const std::string path = Join(options_.source_dir, file);
    PARETO_ASSIGN_OR_RETURN(const FileBytes content, FileBytes::Open(path, env_));
    const std::string_view bytes = content.view();
    if (bytes.empty()) {
      // No header, no rows: nothing to check or land; an export job that wrote
      // nothing yet is not an error.
      fr.skipped = true;
      fr.note = "empty file (0 bytes)";
      fr.warning = "empty file (0 bytes): nothing landed";
      return fr;
    }
    if (OnlyNulsAfterHeader(bytes)) {
      fr.skipped = true;
      fr.note = "header followed by NUL bytes only";
      fr.warning = fmt::format("a header followed only by NUL bytes ({} checked; an export that did not finish?): "
                               "nothing landed",
                               bytes.size() - bytes.find('\n') - 1 > kNulProbeBytes ? "the first MiB" : "all of them");
      return fr;
    }
    content.ReleasePages();  // a header line without an end was scanned whole
    int64_t mark = env_->NowMicros();
    auto spend = [&](std::string_view step, int64_t us) {
      auto it = std::find_if(fr.profile_ms.begin(), fr.profile_ms.end(), [&](const auto& p) { return p.first == step; });
      if (it == fr.profile_ms.end()) it = fr.profile_ms.insert(fr.profile_ms.end(), {std::string(step), 0});
      it->second += us / 1000;
    };
    auto lap = [&](std::string_view step) {
      const int64_t now = env_->NowMicros();
      spend(step, now - std::exchange(mark, now));
    };
    auto commit_profile = [&](const delta::CommitResult& c) {
      const int64_t total = env_->NowMicros() - std::exchange(mark, env_->NowMicros());
      const delta::WriteProfile& p = c.profile;
      spend("materialize", p.materialize_us);
      spend("parquet", p.parquet_us);
      spend("stats", p.stats_us);
      spend("log", p.log_us);
      spend("metastore", std::max<int64_t>(0, total - p.materialize_us - p.parquet_us - p.stats_us - p.log_us));
    };
    const std::string first_id = IngestAppId(spec.table, file, Sha256Hex(content));
    lap("hash");
    std::string app_id = first_id;
    bool quarantined_before = false;

    // Cheap early exit before parsing: the same bytes were committed already.
    if (table.Exists()) {
      PARETO_ASSIGN_OR_RETURN(const std::optional<int64_t> restore, LatestRestore(spec.table, table));
      // A RESTORE may have taken a file's rows out again: the file's txn stays in
      // the log, so after a restore a file is landed under an id naming the restore,
      // unless its rows are still in the table (landed before the restored version).
      if (restore.has_value()) app_id = fmt::format("{}:after-restore={}", first_id, *restore);
      PARETO_ASSIGN_OR_RETURN(std::optional<int64_t> done, table.TxnVersion(app_id));
      if (done.has_value()) {
        fr.skipped = true;
        fr.note = "already ingested";
        return fr;
      }
      if (restore.has_value()) {
        PARETO_ASSIGN_OR_RETURN(const std::set<std::string>* present, FilesInTable(spec.table, table));
        if (present->contains(file)) {
          fr.skipped = true;
          fr.note = "already ingested";
          return fr;
        }
        // The quarantine is not restored with the table: its rows of this file stay.
        PARETO_ASSIGN_OR_RETURN(quarantined_before, QuarantineHolds(first_id));
      }
    }

    PARETO_ASSIGN_OR_RETURN(std::vector<std::string> header, ReadHeader(conn_, path, spec.columns.size()));
    PARETO_RETURN_IF_ERROR(CheckHeader(spec, header, path));
    PARETO_ASSIGN_OR_RETURN(LoadedFile loaded,
                            LoadCsv(conn_, path, content, spec, file, ingested_at_, kRowsTemp));
    lap("parse");

    catalog::PublishRequest write{.name = NameOf(spec.table),
                                  .select_sql = fmt::format("SELECT * FROM {}", duck::QuoteIdent(kRowsTemp)),
                                  .mode = catalog::WriteMode::kAppend,
                                  .owner = std::string(kOwner),
                                  .operation = "WRITE",
                                  .operation_parameters = {{"mode", "Append"}, {"sourceFile", file}},
                                  .txn = delta::Txn{.app_id = app_id, .version = 1}};

    // Quarantine first: if the process dies between the two commits, the rerun
    // finds the quarantine txn applied (skipped) and lands the rows.
    if (!loaded.rejects.empty() && !quarantined_before) {
      PARETO_RETURN_IF_ERROR(WriteQuarantine(spec, file, loaded.rejects, write));
    }

    write.comment = spec.comment;
    write.configuration = TableConfiguration(spec);
    lap("quarantine");
    PARETO_ASSIGN_OR_RETURN(delta::CommitResult commit, lakehouse_.Publish(conn_, write));
    commit_profile(commit);
    PARETO_RETURN_IF_ERROR(DropLoaded(conn_, kRowsTemp));
    fr.delta_version = commit.version;
    if (commit.skipped) {
      // A concurrent ingest committed the same file between our check and our commit.
      fr.skipped = true;
      fr.note = "already ingested";
      return fr;
    }
    fr.rows_landed = commit.rows_written;
    fr.rows_quarantined = static_cast<int64_t>(loaded.rejects.size());
    fr.rows_skipped_blank = loaded.skipped_blank;
    fr.rows_skipped_header = loaded.skipped_header;
    fr.rows_read = fr.rows_landed + fr.rows_quarantined + fr.rows_skipped_blank + fr.rows_skipped_header;
    if (fr.rows_landed == 0 && fr.rows_quarantined == 0) fr.warning = "no data rows (a header only): nothing landed";
    return fr;
  }

  // The version of the table's latest RESTORE commit, if any (read once per run).
  StatusOr<std::optional<int64_t>> LatestRestore(const std::string& source_table, const delta::Table& table) {
    if (auto it = restores_.find(source_table); it != restores_.end()) return it->second;
    PARETO_ASSIGN_OR_RETURN(std::vector<delta::HistoryEntry> history, table.History());
    std::optional<int64_t> found;
    for (const delta::HistoryEntry& h : history) {
      if (h.operation == "RESTORE") {
        found = h.version;
        break;  // newest first
      }
    }
    restores_[source_table] = found;
    return found;
  }

  // The `_source_file` values in the table's latest version (read once per run).
  StatusOr<const std::set<std::string>*> FilesInTable(const std::string& source_table, const delta::Table& table) {
    if (auto it = present_.find(source_table); it != present_.end()) return &it->second;
    PARETO_ASSIGN_OR_RETURN(delta::Snapshot snapshot, table.Load());
    PARETO_ASSIGN_OR_RETURN(std::string scan, delta::ScanSql(snapshot));
    PARETO_ASSIGN_OR_RETURN(duck::Result r, conn_.Query(fmt::format("SELECT DISTINCT {} FROM {}",
                                                                     duck::QuoteIdent(kSourceFileColumn), scan)));
    std::set<std::string>& files = present_[source_table];
    for (uint64_t i = 0; i < r.RowCount(); ++i)
      if (!r.IsNull(0, i)) files.insert(r.GetString(0, i));
    return &files;
  }

  // True when the quarantine holds a commit of this file's content (any landing).
  StatusOr<bool> QuarantineHolds(const std::string& first_id) {
    const delta::Table quarantine(lakehouse_.TablePath(NameOf(kQuarantineTable)), env_);
    if (!quarantine.Exists()) return false;
    PARETO_ASSIGN_OR_RETURN(delta::Snapshot snapshot, quarantine.Load());
    return std::ranges::any_of(snapshot.txns, [&](const auto& txn) { return txn.first.starts_with(first_id); });
  }

  Status WriteQuarantine(const SourceSpec& spec, const std::string& file, const std::vector<RejectedRow>& rejects,
                         catalog::PublishRequest write) {
    PARETO_RETURN_IF_ERROR(conn_.Execute(fmt::format(
        "CREATE OR REPLACE TEMP TABLE {} (source_table VARCHAR, source_file VARCHAR, line BIGINT, "
        "record BIGINT, raw_line VARCHAR, reason VARCHAR)",
        duck::QuoteIdent(kQuarantineTemp))));
    PARETO_ASSIGN_OR_RETURN(duck::PreparedStatement insert,
                            conn_.Prepare(fmt::format("INSERT INTO {} VALUES (?, ?, ?, ?, ?, ?)",
                                                      duck::QuoteIdent(kQuarantineTemp))));
    for (const RejectedRow& r : rejects) {
      PARETO_RETURN_IF_ERROR(insert.BindString(1, spec.table));
      PARETO_RETURN_IF_ERROR(insert.BindString(2, file));
      PARETO_RETURN_IF_ERROR(insert.BindInt64(3, r.line));
      PARETO_RETURN_IF_ERROR(insert.BindInt64(4, r.record));
      PARETO_RETURN_IF_ERROR(insert.BindString(5, r.raw_line));
      PARETO_RETURN_IF_ERROR(insert.BindString(6, r.reason));
      if (auto done = insert.Execute(); !done.has_value()) return done.error();
    }
    write.name = NameOf(kQuarantineTable);
    write.comment = std::string(kQuarantineComment);
    write.select_sql = fmt::format("SELECT *, make_timestamp({}::BIGINT)::TIMESTAMPTZ AS {} FROM {}", ingested_at_,
                                   duck::QuoteIdent(kIngestedAtColumn), duck::QuoteIdent(kQuarantineTemp));
    PARETO_ASSIGN_OR_RETURN(delta::CommitResult commit, lakehouse_.Publish(conn_, write));
    (void)commit;  // skipped when a rerun finds this file's quarantine committed already
    return conn_.Execute(fmt::format("DROP TABLE IF EXISTS {}", duck::QuoteIdent(kQuarantineTemp)));
  }

  const IngestOptions& options_;
  const SourcesConfig& config_;
  catalog::Lakehouse& lakehouse_;
  duck::Connection& conn_;
  Env* env_;
  int64_t ingested_at_;  // one instant for the whole run: the rows of one run share it
  std::map<std::string, std::optional<int64_t>> restores_;  // per source table
  std::map<std::string, std::set<std::string>> present_;    // per source table
};

}  // namespace

StatusOr<IngestReport> Ingest(const IngestOptions& options, catalog::Lakehouse& lakehouse, duck::Connection& conn,
                              Env* env) {
  const SourcesConfig& config = options.sources;
  if (config.sources.empty()) {
    return std::unexpected(InvalidArgument("pipeline.yaml declares no `sources`: nothing to ingest"));
  }
  for (const std::string& t : options.only_tables) {
    if (std::ranges::none_of(config.sources, [&](const SourceSpec& s) { return s.table == t; })) {
      return std::unexpected(InvalidArgument(fmt::format("no source `{}` in pipeline.yaml", t)));
    }
  }
  PARETO_RETURN_IF_ERROR(CheckTimezones(config, conn));
  PARETO_RETURN_IF_ERROR(CheckFormats(config, conn));
  PARETO_ASSIGN_OR_RETURN(Assignment assigned, AssignFiles(config, options.source_dir, env));

  Ingester ingester(options, config, lakehouse, conn, env);
  IngestReport report;
  for (const SourceSpec& spec : config.sources) {
    if (!options.only_tables.empty() && std::ranges::find(options.only_tables, spec.table) == options.only_tables.end()) {
      continue;
    }
    auto source = ingester.IngestSource(spec, assigned.files[spec.table], assigned.warnings[spec.table]);
    if (!source.has_value()) return std::unexpected(source.error().WithContext(spec.table));
    report.rows_landed += source->rows_landed;
    report.rows_quarantined += source->rows_quarantined;
    report.rows_skipped += source->rows_skipped;
    report.files_ingested += source->files_ingested;
    report.files_skipped += source->files_skipped;
    if (options.strict && !source->warnings.empty()) {
      return std::unexpected(DataError(fmt::format("{} (--strict: a warning is an error): {}", spec.table,
                                                   fmt::join(source->warnings, "; "))));
    }
    report.sources.push_back(*std::move(source));
  }
  return report;
}

std::string FormatReport(const IngestReport& report) {
  size_t width = std::string_view("source table").size();
  for (const SourceReport& s : report.sources) width = std::max(width, s.full_name.size());
  std::string out = fmt::format("{:<{}}  {:>9}  {:>12}  {:>11}  {:>7}  {:>7}\n", "source table", width, "files new",
                                "rows landed", "quarantined", "skipped", "version");
  for (const SourceReport& s : report.sources) {
    out += fmt::format("{:<{}}  {:>9}  {:>12}  {:>11}  {:>7}  {:>7}\n", s.full_name, width,
                       fmt::format("{}/{}", s.files_ingested, s.files_seen), s.rows_landed, s.rows_quarantined,
                       s.rows_skipped, s.delta_version < 0 ? std::string("-") : std::to_string(s.delta_version));
  }
  out += fmt::format("{:<{}}  {:>9}  {:>12}  {:>11}  {:>7}\n", "total", width,
                     fmt::format("{}/{}", report.files_ingested, report.files_ingested + report.files_skipped),
                     report.rows_landed, report.rows_quarantined, report.rows_skipped);
  // Per file: every record read is landed, quarantined or skipped, and says which.
  for (const SourceReport& s : report.sources) {
    for (const FileReport& f : s.files) {
      if (f.skipped) continue;
      out += fmt::format("  {}: {} rows read = {} landed + {} quarantined + {} blank + {} repeated header\n", f.file,
                         f.rows_read, f.rows_landed, f.rows_quarantined, f.rows_skipped_blank, f.rows_skipped_header);
    }
  }
  for (const SourceReport& s : report.sources)
    for (const std::string& w : s.warnings) out += fmt::format("warning: {}: {}\n", s.full_name, w);
  if (report.rows_quarantined > 0) {
    out += "quarantined rows: SELECT * FROM bronze._quarantine (line, raw_line, reason)\n";
  }
  return out;
}

nlohmann::json ReportToJson(const IngestReport& report) {
  nlohmann::json sources = nlohmann::json::array();
  for (const SourceReport& s : report.sources) {
    nlohmann::json files = nlohmann::json::array();
    for (const FileReport& f : s.files) {
      files.push_back({{"file", f.file},
                       {"skipped", f.skipped},
                       {"note", f.note},
                       {"rows_landed", f.rows_landed},
                       {"rows_quarantined", f.rows_quarantined},
                       {"rows_read", f.rows_read},
                       {"rows_skipped_blank", f.rows_skipped_blank},
                       {"rows_skipped_header", f.rows_skipped_header},
                       {"delta_version", f.delta_version}});
    }
    sources.push_back({{"table", s.full_name},
                       {"files_seen", s.files_seen},
                       {"files_ingested", s.files_ingested},
                       {"files_skipped", s.files_skipped},
                       {"rows_landed", s.rows_landed},
                       {"rows_quarantined", s.rows_quarantined},
                       {"rows_skipped", s.rows_skipped},
                       {"delta_version", s.delta_version},
                       {"warnings", s.warnings},
                       {"files", std::move(files)}});
  }
  return {{"sources", std::move(sources)},
          {"rows_landed", report.rows_landed},
          {"rows_quarantined", report.rows_quarantined},
          {"rows_skipped", report.rows_skipped},
          {"files_ingested", report.files_ingested},
          {"files_skipped", report.files_skipped}};
}

}  // namespace pareto::ingest
