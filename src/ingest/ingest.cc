// Bronze ingestion: files -> one Delta commit each (+ quarantine). See ingest.h.
#include "ingest/ingest.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "delta/table.h"
#include "ingest/csv_file.h"
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

// Source files per source table, each name sorted, a file claimed by two sources refused.
StatusOr<std::map<std::string, std::vector<std::string>>> AssignFiles(const SourcesConfig& config,
                                                                      const std::string& source_dir, Env* env) {
  auto listed = env->ListDir(source_dir);
  if (!listed.has_value()) {
    return std::unexpected(NotFound(fmt::format("source folder {} cannot be read: {}", source_dir,
                                                listed.error().message())));
  }
  std::vector<std::string> names = *std::move(listed);
  std::ranges::sort(names);
  std::map<std::string, std::vector<std::string>> files;
  for (const std::string& name : names) {
    std::vector<std::string> owners;
    for (const SourceSpec& s : config.sources)
      if (s.Matches(name)) owners.push_back(s.table);
    if (owners.empty()) continue;
    if (owners.size() > 1) {
      return std::unexpected(InvalidArgument(fmt::format(
          "{} matches the patterns of several sources ({}); make the patterns in pipeline.yaml disjoint", name,
          fmt::join(owners, ", "))));
    }
    PARETO_ASSIGN_OR_RETURN(FileInfo info, env->Stat(Join(source_dir, name)));
    if (info.is_directory) continue;
    files[owners[0]].push_back(name);
  }
  return files;
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

  StatusOr<SourceReport> IngestSource(const SourceSpec& spec, const std::vector<std::string>& files) {
    SourceReport report;
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
    PARETO_ASSIGN_OR_RETURN(std::string bytes, env_->ReadFile(path));
    if (bytes.empty()) {
      // No header, no rows: nothing to check or land; an export job that wrote
      // nothing yet is not an error.
      fr.skipped = true;
      fr.note = "empty file (0 bytes)";
      return fr;
    }
    const std::string app_id = IngestAppId(spec.table, file, Sha256Hex(bytes));

    // Cheap early exit before parsing: the same bytes were committed already.
    if (table.Exists()) {
      PARETO_ASSIGN_OR_RETURN(std::optional<int64_t> done, table.TxnVersion(app_id));
      if (done.has_value()) {
        fr.skipped = true;
        fr.note = "already ingested";
        return fr;
      }
    }

    PARETO_ASSIGN_OR_RETURN(std::vector<std::string> header, ReadHeader(conn_, path, spec.columns.size()));
    PARETO_RETURN_IF_ERROR(CheckHeader(spec, header, path));
    PARETO_ASSIGN_OR_RETURN(LoadedFile loaded,
                            LoadCsv(conn_, path, bytes, spec, file, ingested_at_, kRowsTemp));

    catalog::PublishRequest write{.name = NameOf(spec.table),
                                  .select_sql = fmt::format("SELECT * FROM {}", duck::QuoteIdent(kRowsTemp)),
                                  .mode = catalog::WriteMode::kAppend,
                                  .owner = std::string(kOwner),
                                  .operation = "WRITE",
                                  .operation_parameters = {{"mode", "Append"}, {"sourceFile", file}},
                                  .txn = delta::Txn{.app_id = app_id, .version = 1}};

    // Quarantine first: if the process dies between the two commits, the rerun
    // finds the quarantine txn applied (skipped) and lands the rows.
    if (!loaded.rejects.empty()) {
      PARETO_RETURN_IF_ERROR(WriteQuarantine(spec, file, loaded.rejects, write));
    }

    write.comment = spec.comment;
    write.configuration = TableConfiguration(spec);
    PARETO_ASSIGN_OR_RETURN(delta::CommitResult commit, lakehouse_.Publish(conn_, write));
    PARETO_RETURN_IF_ERROR(conn_.Execute(fmt::format("DROP TABLE IF EXISTS {}", duck::QuoteIdent(kRowsTemp))));
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
    return fr;
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
  PARETO_ASSIGN_OR_RETURN(auto files, AssignFiles(config, options.source_dir, env));

  Ingester ingester(options, config, lakehouse, conn, env);
  IngestReport report;
  for (const SourceSpec& spec : config.sources) {
    if (!options.only_tables.empty() && std::ranges::find(options.only_tables, spec.table) == options.only_tables.end()) {
      continue;
    }
    auto source = ingester.IngestSource(spec, files[spec.table]);
    if (!source.has_value()) return std::unexpected(source.error().WithContext(spec.table));
    report.rows_landed += source->rows_landed;
    report.rows_quarantined += source->rows_quarantined;
    report.rows_skipped += source->rows_skipped;
    report.files_ingested += source->files_ingested;
    report.files_skipped += source->files_skipped;
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
