#include "ml/scoring/scoring.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "catalog/table_name.h"
#include "ml/models/model_io.h"
#include "ml/training/train_job.h"
#include "ml/training/trainer.h"

namespace pareto::ml {
namespace {

// A scratch table in the session's own (in-memory) database: DuckDB's appender
// reaches a schema-qualified table, and the Delta write selects from it.
constexpr const char* kScratchSchema = "pareto_ml_scratch";
constexpr const char* kTempTable = "pareto_ml_scratch.scores";

}  // namespace

StatusOr<std::vector<PersonScore>> ScoreRows(const Model& model, const Eigen::MatrixXd& x,
                                             const std::vector<std::string>& ids,
                                             const std::vector<std::string>& source_columns, double threshold) {
  if (static_cast<size_t>(x.rows()) != ids.size()) return std::unexpected(InvalidArgument("one id per row is needed"));
  PARETO_ASSIGN_OR_RETURN(Eigen::VectorXd p, model.PredictProba(x));
  // Per-person drivers: for tree models XGBoost's approximate (Saabas)
  // contributions, each split's change of the expected value along the row's
  // path. They sum to the margin like SHAP but cost one tree walk; exact TreeSHAP
  // costs trees x leaves x depth^2 a row, minutes for the Olist persons. Global
  // drivers (the trainer) use exact SHAP.
  PARETO_ASSIGN_OR_RETURN(Eigen::MatrixXd contrib, model.PersonContributions(x));
  std::vector<std::string> groups;
  const Eigen::MatrixXd grouped = GroupContributions(contrib.leftCols(contrib.cols() - 1), source_columns, groups);

  const size_t n = ids.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p(a) > p(b); });
  std::vector<PersonScore> scores(n);
  for (size_t rank = 0; rank < n; ++rank) scores[order[rank]].decile = static_cast<int>(rank * 10 / n) + 1;
  std::vector<Eigen::Index> cols(static_cast<size_t>(grouped.cols()));
  for (size_t i = 0; i < n; ++i) {
    PersonScore& s = scores[i];
    s.id = ids[i];
    s.probability = p(static_cast<Eigen::Index>(i));
    s.predicted = s.probability >= threshold;
    std::iota(cols.begin(), cols.end(), Eigen::Index{0});
    const auto row = grouped.row(static_cast<Eigen::Index>(i));
    const size_t top = std::min<size_t>(3, cols.size());
    std::partial_sort(cols.begin(), cols.begin() + static_cast<std::ptrdiff_t>(top), cols.end(),
                      [&](Eigen::Index a, Eigen::Index b) {
                        const double fa = std::abs(row(a)), fb = std::abs(row(b));
                        return fa != fb ? fa > fb : a < b;
                      });
    for (size_t k = 0; k < top; ++k) {
      s.driver[k] = groups[static_cast<size_t>(cols[k])];
      s.effect[k] = row(cols[k]);
    }
  }
  return scores;
}

StatusOr<ProductionInput> LoadProductionInput(catalog::Metastore& ms, duck::Connection& conn,
                                              const MlConfig& config, Env* env) {
  PARETO_ASSIGN_OR_RETURN(auto production, ProductionVersion(ms, config.model_name));
  if (!production) {
    return std::unexpected(NotFound("model " + config.model_name +
                                    " has no production version; promote one with `pareto models promote VERSION`"));
  }
  ProductionInput in;
  in.version = *production;
  const std::string dir = ms.lakehouse_root() + "/" + production->path;
  PARETO_ASSIGN_OR_RETURN(in.spec, ReadModelSpec(dir, env));
  PARETO_ASSIGN_OR_RETURN(in.model, LoadModel(dir, in.spec.kind, env));

  ProtocolSpec read;
  read.name = in.spec.protocol;
  read.table = in.spec.table;
  read.id_column = in.spec.id_column;
  read.features = in.spec.features;
  PARETO_ASSIGN_OR_RETURN(Frame frame, ReadProtocolFrame(conn, read));
  PARETO_RETURN_IF_ERROR(ApplyFill(frame, in.spec.fill));
  PARETO_ASSIGN_OR_RETURN(in.design, in.spec.encoder.Apply(frame, AllRows(frame.rows)));
  for (const auto& v : frame.Find(in.spec.id_column)->texts) in.ids.push_back(v.value_or(""));
  return in;
}

StatusOr<ScoreReport> ScorePersons(catalog::Lakehouse& lakehouse, duck::Connection& conn, const MlConfig& config,
                                   const std::string& catalog, Env* env) {
  const int64_t started = env->NowMicros();
  PARETO_ASSIGN_OR_RETURN(ProductionInput in, LoadProductionInput(lakehouse.metastore(), conn, config, env));
  const ModelSpec& spec = in.spec;
  ScoreReport report;
  report.version = in.version;
  PARETO_ASSIGN_OR_RETURN(std::vector<PersonScore> scores,
                          ScoreRows(*in.model, in.design.x, in.ids, spec.encoder.SourceColumns(), spec.threshold));

  PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format(
      "CREATE SCHEMA IF NOT EXISTS pareto_ml_scratch; CREATE OR REPLACE TABLE {} (customer_unique_id VARCHAR, probability DOUBLE, decile INTEGER, "
      "predicted_high_value BOOLEAN, threshold DOUBLE, driver_1 VARCHAR, driver_1_effect DOUBLE, driver_2 VARCHAR, "
      "driver_2_effect DOUBLE, driver_3 VARCHAR, driver_3_effect DOUBLE, model_name VARCHAR, model_version BIGINT, "
      "model_kind VARCHAR)", kTempTable)));
  {
    PARETO_ASSIGN_OR_RETURN(duck::Appender app, conn.CreateAppender(kScratchSchema, "scores"));
    for (const PersonScore& s : scores) {
      PARETO_RETURN_IF_ERROR(app.AppendString(s.id));
      PARETO_RETURN_IF_ERROR(app.AppendDouble(s.probability));
      PARETO_RETURN_IF_ERROR(app.AppendInt64(s.decile));
      PARETO_RETURN_IF_ERROR(app.AppendBool(s.predicted));
      PARETO_RETURN_IF_ERROR(app.AppendDouble(spec.threshold));
      for (int k = 0; k < 3; ++k) {
        PARETO_RETURN_IF_ERROR(s.driver[k].empty() ? app.AppendNull() : app.AppendString(s.driver[k]));
        PARETO_RETURN_IF_ERROR(s.driver[k].empty() ? app.AppendNull() : app.AppendDouble(s.effect[k]));
      }
      PARETO_RETURN_IF_ERROR(app.AppendString(spec.name));
      PARETO_RETURN_IF_ERROR(app.AppendInt64(spec.version));
      PARETO_RETURN_IF_ERROR(app.AppendString(spec.kind));
      PARETO_RETURN_IF_ERROR(app.EndRow());
    }
    PARETO_RETURN_IF_ERROR(app.Close());
  }

  PARETO_ASSIGN_OR_RETURN(catalog::TableName scores_table, catalog::TableName::InCatalog(config.scores_table, catalog));
  PARETO_ASSIGN_OR_RETURN(catalog::TableName features_table, catalog::TableName::InCatalog(spec.table, catalog));
  catalog::PublishRequest publish{
      .name = scores_table,
      .select_sql = fmt::format("SELECT * FROM {} ORDER BY decile, probability DESC, customer_unique_id", kTempTable),
      .comment = fmt::format("One row per person: probability of becoming high value (lifetime spend >= p75) from "
                             "{} v{} ({}), decile (1 = most likely), predicted class at probability >= {}, top three "
                             "drivers with signed log-odds effect",
                             spec.name, spec.version, spec.kind, spec.threshold),
      .upstream = std::vector<std::string>{features_table.ToString()},
      .operation = "CREATE OR REPLACE TABLE AS SELECT",
      .operation_parameters = {{"model", spec.name}, {"version", spec.version}}};
  PARETO_ASSIGN_OR_RETURN(delta::CommitResult commit, lakehouse.Publish(conn, publish));
  PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format("DROP SCHEMA {} CASCADE", kScratchSchema)));

  report.rows = static_cast<int64_t>(scores.size());
  for (const PersonScore& s : scores) report.predicted_positive += s.predicted ? 1 : 0;
  report.threshold = spec.threshold;
  report.delta_version = commit.version;
  report.table = scores_table.ToString();
  report.seconds = static_cast<double>(env->NowMicros() - started) / 1e6;
  return report;
}

StatusOr<int64_t> WriteAudience(duck::Connection& conn, const MlConfig& config, double fraction,
                                const std::string& out_path) {
  if (!(fraction > 0 && fraction <= 1)) return std::unexpected(InvalidArgument("--top must be in (0%, 100%]"));
  PARETO_ASSIGN_OR_RETURN(int64_t total, conn.QueryInt64("SELECT count(*) FROM " + config.scores_table));
  if (total == 0) return std::unexpected(NotFound(config.scores_table + " is empty; run `pareto score` first"));
  const auto n = static_cast<int64_t>(std::ceil(fraction * static_cast<double>(total) - 1e-9));
  PARETO_RETURN_IF_ERROR(conn.Execute(fmt::format(
      "COPY (SELECT customer_unique_id, probability, decile, driver_1, driver_1_effect, driver_2, driver_2_effect, "
      "driver_3, driver_3_effect, model_name, model_version FROM {} ORDER BY probability DESC, customer_unique_id "
      "LIMIT {}) TO {} (HEADER, DELIMITER ',')", config.scores_table, n, duck::QuoteLiteral(out_path))));
  return n;
}

std::string FormatScoreReport(const ScoreReport& r) {
  return fmt::format("scored {} persons with {} v{} ({}): {} predicted high value at probability >= {}; {} at "
                     "version {} ({:.2f} s)\n", r.rows, r.version.name, r.version.version, r.version.kind,
                     r.predicted_positive, r.threshold, r.table, r.delta_version, r.seconds);
}

}  // namespace pareto::ml
