#include "delta/writer.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>
#include <utility>

#include "delta/actions.h"
#include "delta/types.h"

namespace pareto::delta {

using nlohmann::json;

namespace {

std::string Subquery(std::string_view select_sql) {
  // A trailing ';' would end the statement inside our parentheses.
  std::string sql(select_sql);
  while (!sql.empty() && (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back())))) sql.pop_back();
  return "(" + sql + "\n)";
}

// The projection that writes each column as its Delta type's DuckDB type, e.g. a
// naive TIMESTAMP cast to TIMESTAMPTZ (read as UTC: connections use TimeZone=UTC),
// so the Parquet column says isAdjustedToUTC=true.
StatusOr<std::string> WriteProjection(const json& schema) {
  std::string out;
  for (const auto& f : schema["fields"]) {
    PARETO_ASSIGN_OR_RETURN(std::string duck_type, DuckTypeOf(f["type"]));
    std::string name = duck::QuoteIdent(f["name"].get<std::string>());
    if (!out.empty()) out += ", ";
    out += "CAST(" + name + " AS " + duck_type + ") AS " + name;
  }
  return out;
}

bool IsStatsType(const json& t, bool* quoted) {
  if (!t.is_string()) return false;
  const std::string s = t.get<std::string>();
  *quoted = s == "string" || s == "date" || s == "timestamp";
  return s == "long" || s == "integer" || s == "short" || s == "byte" || s == "float" || s == "double" ||
         s == "string" || s == "date" || s == "timestamp" || s.starts_with("decimal");
}

}  // namespace

bool SameColumns(const json& a, const json& b) {
  if (!a.contains("fields") || !b.contains("fields") || a["fields"].size() != b["fields"].size()) return false;
  for (size_t i = 0; i < a["fields"].size(); ++i) {
    const json& fa = a["fields"][i];
    const json& fb = b["fields"][i];
    if (fa.value("name", "") != fb.value("name", "") || fa["type"] != fb["type"]) return false;
  }
  return true;
}

namespace {

int IntegerRank(const json& t) {
  if (!t.is_string()) return -1;
  const std::string s = t.get<std::string>();
  if (s == "byte") return 0;
  if (s == "short") return 1;
  if (s == "integer") return 2;
  if (s == "long") return 3;
  return -1;
}

// (precision, scale) of "decimal(p,s)", or nullopt.
std::optional<std::pair<int, int>> DecimalOf(const json& t) {
  int p = 0, s = 0;
  if (!t.is_string() || std::sscanf(t.get<std::string>().c_str(), "decimal(%d,%d)", &p, &s) != 2) return std::nullopt;
  return std::make_pair(p, s);
}

bool Widens(const json& from, const json& to) {
  if (from == to) return true;
  int rf = IntegerRank(from), rt = IntegerRank(to);
  if (rf >= 0 && rt >= 0) return rf <= rt;
  if (from == "float" && to == "double") return true;
  auto df = DecimalOf(from), dt = DecimalOf(to);
  if (rf >= 0 && dt) {
    static constexpr int kDigits[] = {3, 5, 10, 19};
    return dt->first - dt->second >= kDigits[rf];
  }
  if (df && dt) return dt->second >= df->second && dt->first - dt->second >= df->first - df->second;
  return false;
}

}  // namespace

Status CheckAppendable(const json& incoming, const json& table) {
  const json& in = incoming["fields"];
  const json& tb = table["fields"];
  auto names = [](const json& fields) {
    std::string out;
    for (const auto& f : fields) out += (out.empty() ? "" : ", ") + f.value("name", "?") + " " + f["type"].dump();
    return out;
  };
  bool ok = in.size() == tb.size();
  for (size_t i = 0; ok && i < in.size(); ++i) {
    ok = in[i].value("name", "") == tb[i].value("name", "") && Widens(in[i]["type"], tb[i]["type"]);
  }
  if (ok) return OkStatus();
  return DataError("append does not fit the table's schema: the query gives (" + names(in) + "), the table has (" +
                   names(tb) + "); use overwrite to change the schema");
}

Status CheckNotNull(const StagedFiles& staged, const json& schema) {
  for (const auto& f : schema["fields"]) {
    if (f.value("nullable", true)) continue;
    const std::string name = f.value("name", "");
    for (const auto& file : staged.files) {
      json stats = json::parse(file.stats, nullptr, false);
      if (stats.is_object() && stats["nullCount"].is_object() && stats["nullCount"].value(name, int64_t{0}) > 0) {
        return DataError("column " + name + " is declared NOT NULL but the new rows hold nulls");
      }
    }
  }
  return OkStatus();
}

StatusOr<json> QuerySchema(duck::Connection& conn, std::string_view select_sql) {
  PARETO_ASSIGN_OR_RETURN(duck::Result r, conn.Query("SELECT * FROM " + Subquery(select_sql) + " LIMIT 0"));
  return DeltaSchemaOfResult(r);
}

namespace {

// Delta stats of the rows of `relation` (a table function call or a parenthesized query).
StatusOr<std::string> StatsOf(duck::Connection& conn, const std::string& relation, const json& schema) {
  // One pass over the rows: count, and per column null count, min and max
  // (as text, typed back below; strings longer than 32 characters are left out so a
  // min/max is never a truncated, wrong bound).
  std::string sql = "SELECT count(*)";
  std::vector<std::pair<std::string, bool>> stat_cols;  // name, min/max collected
  std::vector<bool> quoted;
  for (const auto& f : schema["fields"]) {
    std::string name = f["name"].get<std::string>();
    std::string q = duck::QuoteIdent(name);
    bool is_quoted = false;
    bool minmax = IsStatsType(f["type"], &is_quoted);
    sql += ", count(*) - count(" + q + ")";
    if (minmax) {
      if (f["type"] == "timestamp") {
        sql += ", strftime(min(" + q + "), '%Y-%m-%dT%H:%M:%S.%fZ'), strftime(max(" + q + "), '%Y-%m-%dT%H:%M:%S.%fZ')";
      } else {
        sql += ", CAST(min(" + q + ") AS VARCHAR), CAST(max(" + q + ") AS VARCHAR)";
      }
    }
    stat_cols.emplace_back(name, minmax);
    quoted.push_back(is_quoted);
  }
  sql += " FROM " + relation;
  PARETO_ASSIGN_OR_RETURN(duck::Result r, conn.Query(sql));
  json stats = {{"numRecords", r.GetInt64(0, 0)},
                {"minValues", json::object()},
                {"maxValues", json::object()},
                {"nullCount", json::object()}};
  uint64_t col = 1;
  for (size_t i = 0; i < stat_cols.size(); ++i) {
    const auto& [name, minmax] = stat_cols[i];
    stats["nullCount"][name] = r.GetInt64(col++, 0);
    if (!minmax) continue;
    for (const char* which : {"minValues", "maxValues"}) {
      uint64_t c = col++;
      if (r.IsNull(c, 0)) continue;
      std::string text = r.GetString(c, 0);
      if (quoted[i]) {
        if (text.size() <= 32) stats[which][name] = text;
        continue;
      }
      json number = json::parse(text, nullptr, false);
      // NaN and infinities have no JSON form; such a column simply has no bound.
      if (number.is_number() && (!number.is_number_float() || std::isfinite(number.get<double>()))) {
        stats[which][name] = number;
      }
    }
  }
  return stats.dump();
}

}  // namespace

StatusOr<std::string> ComputeStats(duck::Connection& conn, const std::string& file_path, const json& schema) {
  return StatsOf(conn, "read_parquet(" + duck::QuoteLiteral(file_path) + ", hive_partitioning = false)", schema);
}

StatusOr<StagedFiles> WriteDataFiles(duck::Connection& conn, Env* env, const std::string& root,
                                     std::string_view select_sql, int64_t rows_per_file,
                                     const json* target_schema) {
  StagedFiles staged;
  PARETO_ASSIGN_OR_RETURN(staged.schema, QuerySchema(conn, select_sql));
  if (target_schema != nullptr) {
    PARETO_RETURN_IF_ERROR(CheckAppendable(staged.schema, *target_schema));
    staged.schema = *target_schema;
  }
  if (staged.schema["fields"].empty()) return std::unexpected(InvalidArgument("the query returns no columns"));
  PARETO_ASSIGN_OR_RETURN(std::string projection, WriteProjection(staged.schema));
  PARETO_RETURN_IF_ERROR(env->CreateDirs(root));

  // The rows are materialized once so that the schema, the row count and the split
  // into files all see the same data, even for a non-deterministic query.
  const std::string temp = "__pareto_delta_write_" + NewUuid().substr(0, 8);
  const std::string temp_q = duck::QuoteIdent(temp);
  int64_t mark = env->NowMicros();
  auto lap = [&]() {
    const int64_t now = env->NowMicros();
    return now - std::exchange(mark, now);
  };
  PARETO_RETURN_IF_ERROR(conn.Execute("CREATE TEMP TABLE " + temp_q + " AS SELECT " + projection + " FROM " +
                                      Subquery(select_sql)));
  auto result = [&]() -> StatusOr<StagedFiles> {
    PARETO_ASSIGN_OR_RETURN(int64_t rows, conn.QueryInt64("SELECT count(*) FROM " + temp_q));
    staged.rows = rows;
    staged.profile.materialize_us += lap();
    const int64_t per_file = rows_per_file > 0 ? rows_per_file : rows;
    int part = 0;
    for (int64_t start = 0; start < rows; start += per_file, ++part) {
      char prefix[32];
      std::snprintf(prefix, sizeof prefix, "part-%05d-", part);
      AddFile file;
      file.path = std::string(prefix) + NewUuid() + "-c000.snappy.parquet";
      const std::string full = root + "/" + file.path;
      // rowid of a fresh temporary table runs 0..n-1 in insertion order. One file
      // takes the table as it is: a scan keeps insertion order (DuckDB's
      // preserve_insertion_order, never turned off here) without sorting by rowid.
      const std::string slice =
          per_file >= rows ? "(SELECT * FROM " + temp_q + ")"
                           : "(SELECT * FROM " + temp_q + " WHERE rowid >= " + std::to_string(start) +
                                 " AND rowid < " + std::to_string(start + per_file) + " ORDER BY rowid)";
      PARETO_RETURN_IF_ERROR(conn.Execute("COPY " + slice + " TO " + duck::QuoteLiteral(full) +
                                          " (FORMAT parquet, COMPRESSION snappy)"));
      PARETO_ASSIGN_OR_RETURN(FileInfo info, env->Stat(full));
      file.size = info.size;
      file.modification_time = info.modified_ms;
      staged.profile.parquet_us += lap();
      // The stats come from the rows just written, still in memory, not from
      // reading the file back: the values are the same (Parquet keeps every type
      // pareto writes exactly) and one decompression pass is saved.
      PARETO_ASSIGN_OR_RETURN(file.stats, StatsOf(conn, slice, staged.schema));
      staged.profile.stats_us += lap();
      staged.bytes += file.size;
      staged.files.push_back(std::move(file));
    }
    return staged;
  }();
  conn.Execute("DROP TABLE IF EXISTS " + temp_q).IgnoreError();
  return result;
}

}  // namespace pareto::delta
