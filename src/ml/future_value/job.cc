#include "ml/future_value/job.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "catalog/table_name.h"
#include "ml/future_value/model.h"
#include "ml/future_value/snapshots.h"

namespace pareto::ml::fv {
namespace {

// A scratch table in the session's own (in-memory) database: DuckDB's appender
// reaches a schema-qualified table, and the Delta write selects from it.
constexpr const char* kScratchSchema = "pareto_fv_scratch";
constexpr const char* kScratchTable = "pareto_fv_scratch.scores";

double Seconds(Env* env, int64_t started_us) { return static_cast<double>(env->NowMicros() - started_us) / 1e6; }

}  // namespace

std::string ProductionDir(const std::string& lakehouse_root) { return lakehouse_root + "/_models/future_value/current"; }

StatusOr<TrainReport> TrainProduction(const std::string& lakehouse_root, duck::Connection& conn, uint64_t seed,
                                      Env* env) {
  const int64_t started = env->NowMicros();
  PARETO_ASSIGN_OR_RETURN(Snapshots data, ReadSnapshots(conn, kSnapshotsTable, SnapshotRows::kLabeled));
  const double read_seconds = Seconds(env, started);
  const auto horizon = static_cast<int64_t>(data.horizon_days);
  std::vector<size_t> rows;
  for (size_t i = 0; i < data.day.size(); ++i) {
    if (data.labels_complete[i] && data.day[i] + horizon <= data.scoring_day) rows.push_back(i);
  }
  PARETO_ASSIGN_OR_RETURN(FvModel model, Fit(data, rows, data.scoring_day, ProductionOptions(seed)));
  const std::string dir = ProductionDir(lakehouse_root);
  PARETO_RETURN_IF_ERROR(env->CreateDirs(dir));
  PARETO_RETURN_IF_ERROR(Save(model, dir, env));
  TrainReport r;
  r.scoring_date = DayText(model.scoring_day);
  for (int64_t d : model.training_days) r.training_dates.push_back(DayText(d));
  r.last_window_end = DayText(model.training_days.back() + horizon);
  r.horizon_days = model.horizon_days;
  r.rows = model.training_rows;
  r.positives = model.training_positives;
  r.rounds = model.repeat->TrainingInfo().value("rounds", 0);
  r.seconds = Seconds(env, started);
  r.read_seconds = read_seconds;
  return r;
}

StatusOr<ScoreReport> ScoreProduction(catalog::Lakehouse& lakehouse, duck::Connection& conn,
                                      const std::string& scores_table, const std::string& catalog, Env* env) {
  const int64_t started = env->NowMicros();
  const std::string dir = ProductionDir(lakehouse.metastore().lakehouse_root());
  PARETO_ASSIGN_OR_RETURN(FvModel model, Load(dir, env));
  PARETO_ASSIGN_OR_RETURN(Snapshots data, ReadSnapshots(conn, kSnapshotsTable, SnapshotRows::kScoring));
  const double read_seconds = Seconds(env, started);
  if (data.scoring_day != model.scoring_day) {
    return std::unexpected(Conflict("the future-value model was trained for the snapshot " +
                                              DayText(model.scoring_day) + " but the newest data is at " +
                                              DayText(data.scoring_day) + ": train again (ml.train)"));
  }
  const std::vector<size_t> rows = data.RowsAt(data.scoring_day);
  PARETO_ASSIGN_OR_RETURN(FvScores s, Score(model, data, rows, /*drivers=*/true));
  const double score_seconds = Seconds(env, started) - read_seconds;

  PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format(
      "CREATE SCHEMA IF NOT EXISTS {}; CREATE OR REPLACE TABLE {} (customer_unique_id VARCHAR, snapshot_date VARCHAR, "
      "horizon_days INTEGER, repeat_probability DOUBLE, expected_spend DOUBLE, spend_if_returning DOUBLE, "
      "expected_purchases DOUBLE, p_alive DOUBLE, driver_1 VARCHAR, driver_1_effect DOUBLE, driver_2 VARCHAR, "
      "driver_2_effect DOUBLE, driver_3 VARCHAR, driver_3_effect DOUBLE, trained_through VARCHAR, model_name VARCHAR)",
      kScratchSchema, kScratchTable)));
  const std::string snapshot = DayText(data.scoring_day);
  const std::string trained_through = DayText(model.training_days.back() + static_cast<int64_t>(model.horizon_days));
  ScoreReport report;
  {
    PARETO_ASSIGN_OR_RETURN(duck::Appender app, conn.CreateAppender(kScratchSchema, "scores"));
    for (size_t k = 0; k < rows.size(); ++k) {
      const auto i = static_cast<Eigen::Index>(k);
      PARETO_RETURN_IF_ERROR(app.AppendString(data.ids[rows[k]]));
      PARETO_RETURN_IF_ERROR(app.AppendString(snapshot));
      PARETO_RETURN_IF_ERROR(app.AppendInt64(static_cast<int64_t>(model.horizon_days)));
      PARETO_RETURN_IF_ERROR(app.AppendDouble(s.repeat_probability(i)));
      PARETO_RETURN_IF_ERROR(app.AppendDouble(s.expected_spend(i)));
      PARETO_RETURN_IF_ERROR(app.AppendDouble(s.conditional_spend(i)));
      PARETO_RETURN_IF_ERROR(std::isnan(s.expected_purchases(i)) ? app.AppendNull()
                                                                : app.AppendDouble(s.expected_purchases(i)));
      PARETO_RETURN_IF_ERROR(std::isnan(s.p_alive(i)) ? app.AppendNull() : app.AppendDouble(s.p_alive(i)));
      for (int j = 0; j < 3; ++j) {
        const std::string& d = s.driver[k][static_cast<size_t>(j)];
        PARETO_RETURN_IF_ERROR(d.empty() ? app.AppendNull() : app.AppendString(d));
        PARETO_RETURN_IF_ERROR(d.empty() ? app.AppendNull() : app.AppendDouble(s.effect[k][static_cast<size_t>(j)]));
      }
      PARETO_RETURN_IF_ERROR(app.AppendString(trained_through));
      PARETO_RETURN_IF_ERROR(app.AppendString("future_value"));
      PARETO_RETURN_IF_ERROR(app.EndRow());
      report.expected_spend_total += s.expected_spend(i);
      report.expected_repeaters += s.repeat_probability(i);
    }
    PARETO_RETURN_IF_ERROR(app.Close());
  }
  PARETO_ASSIGN_OR_RETURN(catalog::TableName table, catalog::TableName::InCatalog(scores_table, catalog));
  PARETO_ASSIGN_OR_RETURN(catalog::TableName source, catalog::TableName::InCatalog(kSnapshotsTable, catalog));
  catalog::PublishRequest publish{
      .name = table,
      .select_sql = fmt::format("SELECT * REPLACE (snapshot_date::DATE AS snapshot_date, trained_through::DATE AS "
                                "trained_through) FROM {} ORDER BY expected_spend DESC, customer_unique_id",
                                kScratchTable),
      .comment = fmt::format(
          "One row per person at the snapshot {} (the newest data): probability of buying again within {} days, "
          "expected spend there (BRL; probability x spend if returning), BG/NBD expected purchases and P(alive), top "
          "three drivers of the repeat probability. The model was trained on snapshots whose label windows all end "
          "by {} (trained_through), so no score is in-sample.",
          snapshot, model.horizon_days, trained_through),
      .upstream = std::vector<std::string>{source.ToString()},
      .operation = "CREATE OR REPLACE TABLE AS SELECT",
      .operation_parameters = {{"model", "future_value"}, {"snapshot_date", snapshot}}};
  PARETO_ASSIGN_OR_RETURN(delta::CommitResult commit, lakehouse.Publish(conn, publish));
  PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format("DROP SCHEMA {} CASCADE", kScratchSchema)));
  report.table = table.ToString();
  report.bgnbd_error = s.bgnbd_error;
  report.scoring_date = snapshot;
  report.horizon_days = model.horizon_days;
  report.rows = static_cast<int64_t>(rows.size());
  report.delta_version = commit.version;
  report.seconds = Seconds(env, started);
  report.read_seconds = read_seconds;
  report.score_seconds = score_seconds;
  return report;
}

std::string AudienceReport::Header() const {
  std::string h = fmt::format(
      "audience: top {:.4g}% of {} scored persons by {} ({} selected, {} >= {:.4g})\n"
      "model: {}, snapshot {} (the newest data), horizon {:.0f} days, trained on label windows ending by {}\n",
      fraction * 100, scored, by, selected, by, min_selected, model, scoring_date, horizon_days, trained_through);
  if (persons >= 0) {
    h += fmt::format("excluded: {} persons with an order but no score (no purchase date), {} scored without a value of {}\n",
                     std::max<int64_t>(0, persons - scored), unranked, by);
  } else {
    h += fmt::format("excluded: {} scored without a value of {}; persons with an order not counted (silver.slv_order_fact absent, or not visible to the user)\n",
                     unranked, by);
  }
  return h;
}

StatusOr<AudienceReport> WriteAudience(duck::Connection& conn, const std::string& scores_table, double fraction,
                                       const std::string& by, const std::string& out_path, bool count_persons) {
  constexpr std::array<std::string_view, 4> kRankings = {"expected_spend", "repeat_probability", "expected_purchases",
                                                         "p_alive"};
  if (std::find(kRankings.begin(), kRankings.end(), by) == kRankings.end()) {
    return std::unexpected(InvalidArgument("--by " + by + ": expected expected_spend, repeat_probability, "
                                           "expected_purchases or p_alive"));
  }
  if (!(fraction > 0 && fraction <= 1)) return std::unexpected(InvalidArgument("--top must be in (0%, 100%]"));
  AudienceReport r;
  r.by = by;
  r.fraction = fraction;
  PARETO_ASSIGN_OR_RETURN(r.scored, conn.QueryInt64("SELECT count(*) FROM " + scores_table));
  if (r.scored == 0) return std::unexpected(NotFound(scores_table + " is empty; run `pareto run` or `pareto score`"));
  PARETO_ASSIGN_OR_RETURN(r.unranked, conn.QueryInt64("SELECT count(*) FROM " + scores_table + " WHERE " + by +
                                                      " IS NULL OR isnan(" + by + ")"));
  auto text = [&](const std::string& sql) -> StatusOr<std::string> {
    PARETO_ASSIGN_OR_RETURN(std::optional<std::string> v, conn.QueryScalar(sql));
    return v.value_or("");
  };
  PARETO_ASSIGN_OR_RETURN(r.scoring_date, text("SELECT max(snapshot_date)::VARCHAR FROM " + scores_table));
  PARETO_ASSIGN_OR_RETURN(r.trained_through, text("SELECT max(trained_through)::VARCHAR FROM " + scores_table));
  PARETO_ASSIGN_OR_RETURN(r.model, text("SELECT any_value(model_name) FROM " + scores_table));
  PARETO_ASSIGN_OR_RETURN(const std::string horizon, text("SELECT max(horizon_days)::VARCHAR FROM " + scores_table));
  r.horizon_days = std::strtod(horizon.c_str(), nullptr);
  r.persons = -1;
  if (count_persons) {
    auto persons = conn.QueryInt64("SELECT count(DISTINCT customer_unique_id) FROM silver.slv_order_fact");
    if (persons.has_value()) r.persons = *persons;
  }
  const int64_t ranked = r.scored - r.unranked;
  r.selected = std::min<int64_t>(ranked, static_cast<int64_t>(std::ceil(fraction * static_cast<double>(r.scored) - 1e-9)));
  const std::string select = fmt::format(
      "SELECT customer_unique_id, snapshot_date, horizon_days, expected_spend, repeat_probability, expected_purchases, "
      "p_alive, driver_1, driver_1_effect, driver_2, driver_2_effect, driver_3, driver_3_effect FROM {} WHERE {} IS "
      "NOT NULL AND NOT isnan({}) ORDER BY {} DESC, customer_unique_id LIMIT {}",
      scores_table, by, by, by, r.selected);
  PARETO_ASSIGN_OR_RETURN(const std::string last,
                          text("SELECT min(" + by + ")::VARCHAR FROM (" + select + ")"));
  r.min_selected = std::strtod(last.c_str(), nullptr);
  PARETO_RETURN_IF_ERROR(
      conn.Execute(fmt::format("COPY ({}) TO {} (HEADER, DELIMITER ',')", select, duck::QuoteLiteral(out_path))));
  return r;
}

}  // namespace pareto::ml::fv
