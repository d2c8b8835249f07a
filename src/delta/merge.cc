// Table::Merge (an upsert by key, copy-on-write) and Table::AppendedSince (what
// the commits after a version added, when they only appended): what an
// incremental model needs from the table format.
//
// Merge in steps, all on the caller's connection:
//   1. the source rows go to a temporary table (so they are read once) and must
//      fit the table's schema and hold each key at most once;
//   2. the keys to replace are the source's plus `delete_keys_sql`'s;
//   3. the live files holding one of those keys are found by a semi-join over
//      the key columns only (Parquet reads no other column);
//   4. the rows of those files without such a key, and the source rows, are
//      written as new files; one commit removes the old files and adds the new.
// A file without a matched key is never read in full nor rewritten.
#include <set>
#include <utility>

#include "delta/actions.h"
#include "delta/checkpoint.h"
#include "delta/commit.h"
#include "delta/log_replay.h"
#include "delta/table.h"
#include "delta/writer.h"

namespace pareto::delta {

using nlohmann::json;

namespace {

std::string Trimmed(std::string_view sql) {
  std::string s(sql);
  while (!s.empty() && (s.back() == ';' || std::isspace(static_cast<unsigned char>(s.back())))) s.pop_back();
  return s;
}

// "t.a IS NOT DISTINCT FROM k.a AND …": NULL keys match, as rows of one GROUP BY group.
std::string KeyMatch(const std::vector<std::string>& keys, std::string_view left, std::string_view right) {
  std::string out;
  for (const std::string& k : keys) {
    if (!out.empty()) out += " AND ";
    const std::string q = duck::QuoteIdent(k);
    out += std::string(left) + "." + q + " IS NOT DISTINCT FROM " + std::string(right) + "." + q;
  }
  return out;
}

std::string KeyList(const std::vector<std::string>& keys) {
  std::string out;
  for (const std::string& k : keys) out += (out.empty() ? "" : ", ") + duck::QuoteIdent(k);
  return out;
}

std::string PathList(const std::vector<std::string>& paths) {
  std::string list = "[";
  for (size_t i = 0; i < paths.size(); ++i) list += (i ? ", " : "") + duck::QuoteLiteral(paths[i]);
  return list + "]";
}

// Temporary tables of one merge, dropped whatever happens.
class TempTables {
 public:
  explicit TempTables(duck::Connection& conn) : conn_(conn) {}
  TempTables(const TempTables&) = delete;
  TempTables& operator=(const TempTables&) = delete;
  ~TempTables() {
    for (const std::string& t : names_) conn_.Execute("DROP TABLE IF EXISTS " + t).IgnoreError();
  }
  std::string New(std::string_view stem) {
    names_.push_back(duck::QuoteIdent("__pareto_merge_" + std::string(stem) + "_" + NewUuid().substr(0, 8)));
    return names_.back();
  }

 private:
  duck::Connection& conn_;
  std::vector<std::string> names_;
};

}  // namespace

StatusOr<CommitResult> Table::Merge(duck::Connection& conn, const MergeSpec& spec, const WriteOptions& options) const {
  try {
    if (spec.keys.empty()) return std::unexpected(InvalidArgument("a merge needs at least one key column"));
    PARETO_ASSIGN_OR_RETURN(LogListing listing, ListLog(env_, root_));
    PARETO_ASSIGN_OR_RETURN(TableState current, Replay(env_, root_, listing, listing.LatestVersion()));
    PARETO_RETURN_IF_ERROR(CheckReadable(current).WithContext("table " + root_));
    PARETO_RETURN_IF_ERROR(CheckWritable(current, /*removes_files=*/true).WithContext("table " + root_));
    PARETO_ASSIGN_OR_RETURN(Snapshot snapshot, ToSnapshot(root_, current));
    if (!snapshot.partition_columns.empty()) {
      return std::unexpected(Unsupported("table " + root_ + ": merge into a partitioned table"));
    }
    std::set<std::string> columns;
    std::string select;  // the table's columns, in its order
    for (const auto& f : snapshot.schema["fields"]) {
      columns.insert(f["name"].get<std::string>());
      select += (select.empty() ? "" : ", ") + duck::QuoteIdent(f["name"].get<std::string>());
    }
    for (const std::string& k : spec.keys) {
      if (!columns.contains(k)) return std::unexpected(InvalidArgument("table " + root_ + " has no key column " + k));
    }

    TempTables temps(conn);
    const std::string source = temps.New("source");
    PARETO_RETURN_IF_ERROR(conn.Execute("CREATE TEMP TABLE " + source + " AS SELECT * FROM (" +
                                        Trimmed(spec.source_sql) + "\n)"));
    PARETO_ASSIGN_OR_RETURN(json source_schema, QuerySchema(conn, "SELECT * FROM " + source));
    PARETO_RETURN_IF_ERROR(CheckAppendable(source_schema, snapshot.schema).WithContext("table " + root_));
    const std::string keys = KeyList(spec.keys);
    PARETO_ASSIGN_OR_RETURN(int64_t repeated,
                            conn.QueryInt64("SELECT count(*) FROM (SELECT " + keys + " FROM " + source + " GROUP BY " +
                                            keys + " HAVING count(*) > 1)"));
    if (repeated > 0) {
      return std::unexpected(DataError("table " + root_ + ": the merge source holds " + std::to_string(repeated) +
                                       " keys (" + keys + ") more than once; a key must name one row"));
    }
    const std::string matched_keys = temps.New("keys");
    std::string key_sql = "SELECT " + keys + " FROM " + source;
    if (!spec.delete_keys_sql.empty()) {
      key_sql += " UNION SELECT " + keys + " FROM (" + Trimmed(spec.delete_keys_sql) + "\n)";
    }
    PARETO_RETURN_IF_ERROR(conn.Execute("CREATE TEMP TABLE " + matched_keys + " AS SELECT DISTINCT * FROM (" +
                                        key_sql + ")"));

    // Which live files hold a key to replace: the key columns of every file, once.
    std::map<std::string, const AddFile*> by_path;  // absolute path -> live file
    std::vector<std::string> live;
    for (const AddFile& f : snapshot.files) {
      live.push_back(ResolveDataPath(root_, f.path));
      by_path[live.back()] = &f;
    }
    std::vector<const AddFile*> touched;
    std::vector<std::string> touched_paths;
    if (!live.empty()) {
      PARETO_ASSIGN_OR_RETURN(
          duck::Result hit,
          conn.Query("SELECT DISTINCT t.filename FROM (SELECT " + keys + ", filename FROM read_parquet(" +
                     PathList(live) + ", filename = true, union_by_name = true, hive_partitioning = false)) AS t " +
                     "SEMI JOIN " + matched_keys + " AS k ON " + KeyMatch(spec.keys, "t", "k") + " ORDER BY 1"));
      for (uint64_t r = 0; r < hit.RowCount(); ++r) {
        auto it = by_path.find(hit.GetString(0, r));
        if (it == by_path.end()) return std::unexpected(Internal("merge matched an unknown file " + hit.GetString(0, r)));
        touched.push_back(it->second);
        touched_paths.push_back(it->first);
      }
    }

    CommitResult result;
    PARETO_ASSIGN_OR_RETURN(int64_t source_rows, conn.QueryInt64("SELECT count(*) FROM " + source));
    std::string rewrite = "SELECT " + select + " FROM " + source;
    if (!touched.empty()) {
      Snapshot old = snapshot;
      old.files.clear();
      for (const AddFile* f : touched) old.files.push_back(*f);
      PARETO_ASSIGN_OR_RETURN(std::string old_rows, ScanSql(old));
      const std::string kept = temps.New("kept");
      PARETO_RETURN_IF_ERROR(conn.Execute("CREATE TEMP TABLE " + kept + " AS SELECT " + select + " FROM " + old_rows +
                                          " AS t ANTI JOIN " + matched_keys + " AS k ON " +
                                          KeyMatch(spec.keys, "t", "k")));
      PARETO_ASSIGN_OR_RETURN(result.rows_copied, conn.QueryInt64("SELECT count(*) FROM " + kept));
      // Matched target rows: those whose key the source holds were updated, the others deleted.
      PARETO_ASSIGN_OR_RETURN(result.rows_updated,
                              conn.QueryInt64("SELECT count(*) FROM " + old_rows + " AS t SEMI JOIN " + source +
                                              " AS s ON " + KeyMatch(spec.keys, "t", "s")));
      PARETO_ASSIGN_OR_RETURN(int64_t matched, conn.QueryInt64("SELECT count(*) FROM " + old_rows + " AS t SEMI JOIN " +
                                                               matched_keys + " AS k ON " +
                                                               KeyMatch(spec.keys, "t", "k")));
      result.rows_deleted = matched - result.rows_updated;
      rewrite = "SELECT " + select + " FROM " + kept + " UNION ALL " + rewrite;
    }
    result.rows_inserted = source_rows - result.rows_updated;

    PARETO_ASSIGN_OR_RETURN(StagedFiles staged, WriteDataFiles(conn, env_, root_, rewrite, options.rows_per_file,
                                                               &snapshot.schema));
    PARETO_RETURN_IF_ERROR(CheckNotNull(staged, snapshot.schema).WithContext("table " + root_));

    const int64_t now_ms = env_->NowMicros() / 1000;
    CommitRequest req;
    req.operation = options.operation == "WRITE" ? "MERGE" : options.operation;
    req.operation_parameters = options.operation_parameters;
    std::string predicate;
    for (const std::string& k : spec.keys) {
      predicate += (predicate.empty() ? "" : " AND ") + ("target." + k + " <=> source." + k);
    }
    req.operation_parameters["predicate"] = predicate;
    req.operation_parameters["matchedPredicates"] = R"([{"actionType":"update"}])";
    req.operation_parameters["notMatchedPredicates"] = R"([{"actionType":"insert"}])";
    req.operation_metrics = {{"numSourceRows", std::to_string(source_rows)},
                             {"numTargetRowsInserted", std::to_string(result.rows_inserted)},
                             {"numTargetRowsUpdated", std::to_string(result.rows_updated)},
                             {"numTargetRowsDeleted", std::to_string(result.rows_deleted)},
                             {"numTargetRowsCopied", std::to_string(result.rows_copied)},
                             {"numOutputRows", std::to_string(staged.rows)},
                             {"numTargetFilesAdded", std::to_string(staged.files.size())},
                             {"numTargetFilesRemoved", std::to_string(touched.size())},
                             {"numTargetBytesAdded", std::to_string(staged.bytes)}};
    req.txn = options.txn;
    // The merge read the live files it removes: losing the race is a conflict.
    req.read_version = current.version;
    req.blind_append = false;
    req.max_attempts = options.max_attempts;
    for (const AddFile* f : touched) req.actions.push_back(RemoveFileJson(*f, now_ms, true));
    for (const AddFile& f : staged.files) req.actions.push_back(AddFileToJson(f, true));
    PARETO_ASSIGN_OR_RETURN(CommitOutcome outcome, CommitActions(env_, root_, std::move(req)));
    if (!outcome.skipped) MaybeCheckpoint(env_, root_, outcome.version);
    result.version = outcome.version;
    result.skipped = outcome.skipped;
    result.rows_written = outcome.skipped ? 0 : staged.rows;
    result.files_added = outcome.skipped ? 0 : static_cast<int64_t>(staged.files.size());
    result.files_removed = outcome.skipped ? 0 : static_cast<int64_t>(touched.size());
    return result;
  } catch (const json::exception& e) {
    return std::unexpected(DataError("table " + root_ + ": malformed Delta log: " + e.what()));
  }
}

StatusOr<AppendedFiles> Table::AppendedSince(int64_t from, int64_t to) const {
  try {
    PARETO_ASSIGN_OR_RETURN(LogListing listing, ListLog(env_, root_));
    AppendedFiles out{.append_only = true};
    for (int64_t v = from + 1; v <= to; ++v) {
      auto name = listing.commits.find(v);
      if (name == listing.commits.end()) {
        return AppendedFiles{.reason = "commit " + std::to_string(v) + " is no longer in the log"};
      }
      PARETO_ASSIGN_OR_RETURN(std::string content, env_->ReadFile(LogDir(root_) + "/" + name->second));
      PARETO_ASSIGN_OR_RETURN(auto actions, ParseCommit(content, name->second));
      std::string operation = "?";
      for (const json& a : actions) {
        if (a.contains("commitInfo")) operation = a["commitInfo"].value("operation", "?");
      }
      for (const json& a : actions) {
        const bool other = a.contains("remove") || a.contains("metaData") || a.contains("protocol");
        if (other) {
          return AppendedFiles{.reason = "version " + std::to_string(v) + " (" + operation + ") " +
                                         (a.contains("remove") ? "removes files" : "changes the table's schema")};
        }
        if (!a.contains("add")) continue;
        PARETO_ASSIGN_OR_RETURN(AddFile f, AddFileFromJson(a["add"]));
        json stats = json::parse(f.stats, nullptr, false);
        if (out.rows >= 0 && stats.is_object() && stats.contains("numRecords") && stats["numRecords"].is_number()) {
          out.rows += stats["numRecords"].get<int64_t>();
        } else {
          out.rows = -1;
        }
        out.files.push_back(std::move(f));
      }
    }
    return out;
  } catch (const json::exception& e) {
    return std::unexpected(DataError("table " + root_ + ": malformed Delta log: " + e.what()));
  }
}

}  // namespace pareto::delta
