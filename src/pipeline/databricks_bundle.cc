#include "pipeline/databricks_bundle.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "ingest/source_spec.h"
#include "pipeline/model_build.h"

namespace pareto::pipeline {
namespace {

// The root of the Unity Catalog volume the source files are put in.
std::string VolumeRoot(const Project& project) { return "/Volumes/" + project.catalog + "/bronze/raw"; }

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// Each line of `text` as a `--` comment line.
std::string SqlComment(std::string_view text) {
  std::string out;
  for (const std::string& line : Split(Trim(text), '\n')) out += line.empty() ? "--\n" : "-- " + line + "\n";
  return out;
}

// A YAML double-quoted scalar (JSON's escaping is valid YAML).
std::string YamlString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// Delta type of a declared column -> Spark SQL type.
std::string SparkType(std::string_view type) {
  if (type == "string") return "STRING";
  if (type == "integer") return "INT";
  if (type == "long") return "BIGINT";
  if (type == "double") return "DOUBLE";
  if (type == "boolean") return "BOOLEAN";
  if (type == "date") return "DATE";
  if (type == "timestamp") return "TIMESTAMP";
  std::string upper(type);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  return upper;  // DECIMAL(12,2)
}

// strptime codes -> a Spark datetime pattern (the codes pareto's sources use).
std::string SparkDatetimePattern(std::string_view strptime) {
  std::string out;
  for (size_t i = 0; i < strptime.size(); ++i) {
    if (strptime[i] != '%' || i + 1 == strptime.size()) {
      if (std::isalpha(static_cast<unsigned char>(strptime[i]))) {
        out += "'" + std::string(1, strptime[i]) + "'";
      } else {
        out += strptime[i];
      }
      continue;
    }
    switch (strptime[++i]) {
      case 'Y': out += "yyyy"; break;
      case 'y': out += "yy"; break;
      case 'm': out += "MM"; break;
      case 'd': out += "dd"; break;
      case 'H': out += "HH"; break;
      case 'I': out += "hh"; break;
      case 'M': out += "mm"; break;
      case 'S': out += "ss"; break;
      case 'f': out += "SSSSSS"; break;
      case 'p': out += "a"; break;
      case 'b': out += "MMM"; break;
      case 'z': out += "XX"; break;
      default: out += strptime[i];
    }
  }
  return out;
}

// The SELECT list expression that types one CSV column (read as text) as declared.
std::string TypedColumn(const ingest::ColumnSpec& c, const ingest::SourceSpec& source) {
  const std::string col = "`" + c.name + "`";
  if (c.type == "string") return col + " AS `" + c.name + "`";
  if (c.type == "date") {
    const std::string format = !c.format.empty() ? c.format : source.date_format;
    return (format.empty() ? "to_date(" + col + ")"
                           : "to_date(" + col + ", " + SparkStringLiteral(SparkDatetimePattern(format)) + ")") +
           " AS `" + c.name + "`";
  }
  if (c.type == "timestamp") {
    // Wall times in the source's zone -> UTC instants, as pareto's ingest stores them.
    const std::string format = !c.format.empty() ? c.format : source.timestamp_format;
    const std::string parsed =
        format.empty() ? "to_timestamp(" + col + ")"
                       : "to_timestamp(" + col + ", " + SparkStringLiteral(SparkDatetimePattern(format)) + ")";
    return "to_utc_timestamp(" + parsed + ", " + SparkStringLiteral(source.timezone) + ") AS `" + c.name + "`";
  }
  return "try_cast(" + col + " AS " + SparkType(c.type) + ") AS `" + c.name + "`";
}

std::string IngestSql(const Project& project, const ingest::SourceSpec& source) {
  const std::string table = "bronze." + source.table;
  std::string sql = fmt::format(
      "-- {}.{}: ingest, exported by `pareto export databricks` from pipeline.yaml.\n"
      "-- Files matching {} in the volume {} are loaded once each (COPY INTO\n"
      "-- skips files it has loaded, as pareto's ingest skips a file it has appended), typed\n"
      "-- as declared; timestamps are wall times in {}, stored as UTC instants.\n"
      "-- A value that does not fit its type is NULL here (pareto quarantines the row).\n",
      project.catalog, table, source.pattern, VolumeRoot(project), source.timezone);
  if (!source.comment.empty()) sql += SqlComment(source.comment);
  sql += "SET TIME ZONE 'UTC';\n";
  sql += "USE " + project.catalog + ".bronze;\n\n";
  sql += "CREATE TABLE IF NOT EXISTS " + table + " (\n";
  for (const ingest::ColumnSpec& c : source.columns) {
    sql += "  `" + c.name + "` " + SparkType(c.type) + ",\n";
  }
  sql += "  `" + std::string(ingest::kIngestedAtColumn) + "` TIMESTAMP,\n";
  sql += "  `" + std::string(ingest::kSourceFileColumn) + "` STRING\n)\nUSING DELTA";
  if (!source.comment.empty()) sql += "\nCOMMENT " + SparkStringLiteral(source.comment);
  sql += ";\n\nCOPY INTO " + table + "\nFROM (\n  SELECT\n";
  for (const ingest::ColumnSpec& c : source.columns) sql += "    " + TypedColumn(c, source) + ",\n";
  sql += "    current_timestamp() AS `" + std::string(ingest::kIngestedAtColumn) + "`,\n";
  sql += "    _metadata.file_name AS `" + std::string(ingest::kSourceFileColumn) + "`\n";
  sql += "  FROM " + SparkStringLiteral(VolumeRoot(project)) + "\n)\n";
  sql += "FILEFORMAT = CSV\nPATTERN = " + SparkStringLiteral(source.pattern) + "\n";
  sql += "FORMAT_OPTIONS ('header' = 'true', 'inferSchema' = 'false', 'multiLine' = 'true', 'escape' = '\"')\n";
  sql += "COPY_OPTIONS ('mergeSchema' = 'false');\n";
  return sql;
}

// `text` with every call `name()` replaced by `value`.
std::string ReplaceCall(std::string text, std::string_view name, std::string_view value) {
  const std::string call = std::string(name) + "()";
  for (size_t at = text.find(call); at != std::string::npos; at = text.find(call, at + value.size())) {
    const bool word_start = at == 0 || !(std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_');
    if (!word_start) {
      at += 1;
      continue;
    }
    text.replace(at, call.size(), value);
  }
  return text;
}

std::string ModelSql(const Project& project, const Model& model) {
  const std::string table = model.QualifiedName();
  std::string body = ReplaceCall(model.sql, "business_time_zone", SparkStringLiteral(project.timezone));
  body = ReplaceCall(body, "ml_horizon_days", std::to_string(HorizonDays(project)));
  std::string sql = fmt::format(
      "-- {}.{}: exported by `pareto export databricks` from {}/{}.sql.\n"
      "-- The model runs as a temporary view; each `fail` expectation fails the task before\n"
      "-- anything is written, each `warn` is counted, and the table keeps the rows that pass\n"
      "-- every `drop` (the semantics of pareto run and of Delta Live Tables expectations).\n",
      project.catalog, table, model.layer, model.name);
  sql += "SET TIME ZONE 'UTC';\n";
  sql += "USE " + project.catalog + "." + model.layer + ";\n\n";
  sql += "CREATE OR REPLACE TEMPORARY VIEW pareto_model AS\n" + Trim(body) + "\n;\n";
  std::string keep;
  for (const Expectation& e : project.ExpectationsOf(table)) {
    const std::string passes = "((" + e.condition + ") IS TRUE)";
    sql += "\n-- expectation " + e.name + " (" + std::string(ActionName(e.action)) + "): " + e.condition + "\n";
    switch (e.action) {
      case ExpectationAction::kFail:
        sql += "SELECT raise_error(" +
               SparkStringLiteral(table + ": expectation '" + e.name + "' failed for ") +
               " || count(*) || ' rows; nothing written')\nFROM pareto_model\nWHERE NOT " + passes +
               "\nHAVING count(*) > 0;\n";
        break;
      case ExpectationAction::kWarn:
      case ExpectationAction::kDrop:
        sql += "SELECT " + SparkStringLiteral(e.name) + " AS expectation, " +
               SparkStringLiteral(std::string(ActionName(e.action))) +
               " AS action, count(*) AS failing_rows\nFROM pareto_model\nWHERE NOT " + passes + ";\n";
        if (e.action == ExpectationAction::kDrop) keep += (keep.empty() ? "" : "\n  AND ") + passes;
        break;
    }
  }
  sql += "\nCREATE OR REPLACE TABLE " + table + "\n";
  if (!model.comment.empty()) sql += "COMMENT " + SparkStringLiteral(model.comment) + "\n";
  sql += "AS SELECT * FROM pareto_model" + (keep.empty() ? std::string() : "\nWHERE " + keep) + ";\n";
  return sql;
}

std::string BundleYaml(const Project& project, const TaskGraph& tasks, const std::string& quartz) {
  const std::string job = "pareto_" + project.catalog;
  std::string y = fmt::format(
      "# Databricks Asset Bundle of the pareto project \"{0}\", written by\n"
      "# `pareto export databricks`: one job whose tasks and dependencies are those of\n"
      "# `pareto dag --no-ml` (README.md says how to deploy and what comes next).\n"
      "bundle:\n  name: {1}\n\n"
      "variables:\n  warehouse_id:\n    description: The Databricks SQL warehouse (serverless or pro) that runs the SQL tasks.\n\n"
      "resources:\n  jobs:\n    {1}:\n      name: {2}\n      max_concurrent_runs: 1\n",
      project.catalog, job, YamlString("pareto " + project.catalog + " pipeline"));
  if (!quartz.empty()) {
    y += "      schedule:\n        quartz_cron_expression: " + YamlString(quartz) +
         "\n        timezone_id: " + YamlString(project.timezone.empty() ? "UTC" : project.timezone) +
         "\n        pause_status: UNPAUSED\n";
  }
  y += "      tasks:\n";
  for (const TaskNode& t : tasks.tasks()) {
    const std::string path = t.kind == TaskKind::kIngest ? "sql/bronze/" + t.name.substr(t.name.find('.') + 1) + ".sql"
                                                         : "sql/" + t.layer + "/" + t.name.substr(t.name.find('.') + 1) + ".sql";
    y += "        - task_key: " + YamlString(DatabricksTaskKey(t.name)) + "\n";
    y += "          description: " + YamlString(project.catalog + "." + t.name + " (" + std::string(TaskKindName(t.kind)) + ")") + "\n";
    if (!t.deps.empty()) {
      y += "          depends_on:\n";
      for (const std::string& d : t.deps) y += "            - task_key: " + YamlString(DatabricksTaskKey(d)) + "\n";
    }
    y += "          sql_task:\n            warehouse_id: ${var.warehouse_id}\n            file:\n              path: ./" + path + "\n";
  }
  y += "\ntargets:\n  dev:\n    mode: development\n    default: true\n  prod:\n    mode: production\n";
  return y;
}

std::string BundleReadme(const Project& project, const std::vector<std::string>& ml_tasks,
                         const std::string& quartz) {
  std::string r = fmt::format(
      "# pareto project \"{0}\" on Databricks\n\n"
      "Written by `pareto export databricks`; re-export after changing the project.\n"
      "docs/scale-out.md in pareto explains the move and what was verified.\n\n"
      "## Deploy\n\n"
      "1. Create the schemas and the volume once (a SQL editor or `databricks` CLI):\n"
      "   `CREATE CATALOG IF NOT EXISTS {0}; CREATE SCHEMA IF NOT EXISTS {0}.bronze;`\n"
      "   `CREATE SCHEMA IF NOT EXISTS {0}.silver; CREATE SCHEMA IF NOT EXISTS {0}.gold;`\n"
      "   `CREATE VOLUME IF NOT EXISTS {0}.bronze.raw;`\n"
      "2. Put the source CSV files in `{1}/` (`databricks fs cp FILE dbfs:{1}/`).\n"
      "3. `databricks bundle deploy --var warehouse_id=<id>` then `databricks bundle run pareto_{0}`.\n\n"
      "## The job\n\n"
      "One SQL task per task of `pareto dag --no-ml`, with the same dependencies: ingest\n"
      "(`sql/bronze/`: COPY INTO from the volume with the declared schemas), then each silver\n"
      "and gold model (`sql/silver/`, `sql/gold/`). Schedule: {2}.\n\n"
      "Expectations run inside each model's task, as in `pareto run`: `fail` raises an error\n"
      "before the table is written, `drop` leaves the failing rows out (and its count is a\n"
      "result row of the task), `warn` keeps them and its count is a result row. In a Delta\n"
      "Live Tables pipeline the same three are `EXPECT (cond)`, `EXPECT (cond) ON VIOLATION\n"
      "DROP ROW` and `EXPECT (cond) ON VIOLATION FAIL UPDATE` on each table, with the counts in\n"
      "the pipeline's event log; this bundle uses plain SQL tasks so the graph stays the one\n"
      "`pareto dag` prints.\n\n"
      "## Next step: the ML tasks\n\n",
      project.catalog, VolumeRoot(project),
      quartz.empty() ? std::string("none (pipeline.yaml has no `schedule:`)")
                     : "`" + quartz + "` in " + project.timezone + " (pipeline.yaml `schedule:`)");
  if (ml_tasks.empty()) {
    r += "The project has no ML tasks.\n";
  } else {
    r += "Not in this job: ";
    for (size_t i = 0; i < ml_tasks.size(); ++i) r += (i ? ", " : "") + std::string("`") + ml_tasks[i] + "`";
    r += ". In pareto they train and score the customer model (XGBoost, logistic regression)\n"
         "in C++ on the gold feature tables (`gold.gld_ml_features`, `gold.gld_early_features`,\n"
         "`gold.gld_fv_snapshots`), which this job builds. On Databricks they become a notebook or\n"
         "Python wheel task reading those tables (xgboost on a ML runtime cluster) that depends on\n"
         "the gold tasks; it is not written here, and nothing in this bundle pretends to train.\n";
  }
  return r;
}

}  // namespace

std::string SparkStringLiteral(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string DatabricksTaskKey(std::string_view task) {
  std::string key(task);
  std::replace(key.begin(), key.end(), '.', '-');
  return key;
}

StatusOr<std::string> QuartzCron(std::string_view cron) {
  std::vector<std::string> f;
  for (const std::string& part : Split(Trim(cron), ' ')) {
    if (!part.empty()) f.push_back(part);
  }
  if (f.size() != 5) return std::unexpected(InvalidArgument("schedule cron '" + std::string(cron) + "' is not five fields"));
  std::string& dom = f[2];
  std::string& dow = f[4];
  // Day of week: cron 0-7 (0 and 7 Sunday) -> Quartz 1-7 (1 Sunday); names stay.
  auto map_day = [](const std::string& d) -> std::string {
    if (d.empty() || !std::all_of(d.begin(), d.end(), [](unsigned char c) { return std::isdigit(c); })) return d;
    return std::to_string(std::stoi(d) % 7 + 1);
  };
  std::string mapped;
  for (const std::string& item : Split(dow, ',')) {
    const size_t slash = item.find('/');
    const std::string base = item.substr(0, slash);
    const std::string step = slash == std::string::npos ? "" : item.substr(slash);
    const size_t dash = base.find('-');
    const std::string range =
        dash == std::string::npos ? map_day(base) : map_day(base.substr(0, dash)) + "-" + map_day(base.substr(dash + 1));
    mapped += (mapped.empty() ? "" : ",") + range + step;
  }
  dow = mapped;
  const bool dom_any = dom == "*" || dom == "?";
  const bool dow_any = dow == "*" || dow == "?";
  if (!dom_any && !dow_any) {
    return std::unexpected(InvalidArgument("schedule cron '" + std::string(cron) +
                           "' restricts both day of month and day of week; Quartz cron cannot say that"));
  }
  if (dow_any) {
    dow = "?";
  } else {
    dom = "?";
  }
  return "0 " + f[0] + " " + f[1] + " " + dom + " " + f[3] + " " + dow;
}

StatusOr<std::vector<BundleFile>> DatabricksBundle(const Project& project, const TaskGraph& tasks) {
  std::string quartz;
  if (project.schedule && !project.schedule->cron.empty()) {
    PARETO_ASSIGN_OR_RETURN(quartz, QuartzCron(project.schedule->cron));
  }
  std::vector<BundleFile> files;
  std::vector<TaskNode> job;
  std::vector<std::string> ml_tasks;
  for (const TaskNode& t : tasks.tasks()) {
    if (t.kind == TaskKind::kPost) {
      ml_tasks.push_back(t.name);
      continue;
    }
    TaskNode kept = t;
    // A post task is never a dependency of an ingest or a model task.
    job.push_back(std::move(kept));
  }
  PARETO_ASSIGN_OR_RETURN(TaskGraph job_graph, TaskGraph::FromTasks(job));
  files.push_back({"databricks.yml", BundleYaml(project, job_graph, quartz)});
  for (const TaskNode& t : job_graph.tasks()) {
    const std::string table = t.name.substr(t.name.find('.') + 1);
    if (t.kind == TaskKind::kIngest) {
      const auto source = std::find_if(project.sources.begin(), project.sources.end(),
                                       [&](const ingest::SourceSpec& s) { return s.table == table; });
      if (source == project.sources.end()) return std::unexpected(Internal("no source declares " + t.name));
      files.push_back({"sql/bronze/" + table + ".sql", IngestSql(project, *source)});
    } else {
      const Model* model = project.FindModel(t.name);
      if (model == nullptr) return std::unexpected(Internal("no model builds " + t.name));
      files.push_back({"sql/" + model->layer + "/" + model->name + ".sql", ModelSql(project, *model)});
    }
  }
  files.push_back({"README.md", BundleReadme(project, ml_tasks, quartz)});
  return files;
}

}  // namespace pareto::pipeline
