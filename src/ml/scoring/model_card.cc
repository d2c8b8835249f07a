#include "ml/scoring/model_card.h"

#include <fmt/format.h>

namespace pareto::ml {
namespace {

std::string Date(int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

}  // namespace

std::string ModelCard(const ModelVersion& v, const ProtocolResult& r, const RunRecord& run) {
  const ModelResult& best = r.models[r.best];
  std::string card = fmt::format("# Model card: {} v{}\n\n", v.name, v.version);
  card += fmt::format("- Model: {} ({}), registered {} from training run {}\n", best.kind,
                      best.kind == "lr" ? "L2 logistic regression on standardized features"
                      : best.kind == "rf" ? "XGBoost random-forest mode"
                                          : "XGBoost gradient boosting (hist)",
                      Date(v.created_ms), v.run_id);
  card += fmt::format("- Code: {}; seed {}\n\n", run.code_version, run.seed);

  card += "## Intended use\n\n";
  card += "Ranks persons (customer_unique_id) by the probability that their lifetime spend ends at or above the "
          "75th percentile, for marketing audiences (e.g. `pareto audience --top 10%`). It is a ranking aid for "
          "campaigns, not a decision about any individual's credit, price or service.\n\n";

  card += "## Data\n\n";
  card += fmt::format("- Table: {} (inputs and Delta versions: {})\n", r.spec.table, run.inputs.dump());
  card += fmt::format("- Persons: {} train ({} high value), {} test ({} high value)\n", r.train_rows,
                      r.train_positives, r.test_rows, r.test_positives);
  card += "- Features:";
  for (const std::string& f : r.spec.features) card += " " + f;
  card += "\n";
  if (!r.spec.fill.empty()) {
    card += "- Missing values filled:";
    for (const auto& [k, val] : r.spec.fill) card += fmt::format(" {}={}", k, val);
    card += "\n";
  }
  card += "\n## Protocol\n\n";
  card += fmt::format("`{}`: {}\n\n", r.spec.name, r.spec.description);
  if (r.spec.split == SplitKind::kTime) {
    card += fmt::format("Out-of-time split: persons whose first purchase is before {} train, the later ones test. ",
                        r.cutoff_us ? Date(*r.cutoff_us / 1000) : std::string("the cutoff"));
  } else {
    card += fmt::format("Stratified random split, {:.0f}% test, fixed seed. ", r.spec.test_fraction * 100);
  }
  if (r.spend_threshold) {
    card += fmt::format("Label: {} >= {:.2f}, the 75th percentile of the training persons only.\n\n",
                        r.spec.spend_column, *r.spend_threshold);
  } else {
    card += fmt::format("Label: the table's `{}` column.\n\n", r.spec.label_column);
  }
  card += "The model registered is the one with the best 5-fold cross-validated ROC-AUC on the training persons; "
          "the test set never chose anything.\n\n";

  card += "## Metrics (test set)\n\n";
  card += "| model | ROC-AUC [95% bootstrap] | PR-AUC (AP) | log loss | Brier | lift@10% | capture@10% | lift@20% | CV ROC-AUC |\n";
  card += "|---|---|---|---|---|---|---|---|---|\n";
  for (const ModelResult& m : r.models) {
    card += fmt::format("| {}{} | {:.3f} [{:.3f}, {:.3f}] | {:.3f} | {:.3f} | {:.3f} | {:.2f} | {:.1f}% | {:.2f} | {:.3f} ± {:.3f} |\n",
                        m.kind, &m == &best ? " (registered)" : "", m.test.roc_auc, m.test.roc_auc_ci.low,
                        m.test.roc_auc_ci.high, m.test.pr_auc, m.test.log_loss, m.test.brier, m.test.top10.lift,
                        100 * m.test.top10.capture, m.test.top20.lift, m.cv_mean, m.cv_sd);
  }
  if (r.baseline) {
    const Evaluation& b = *r.baseline;
    card += fmt::format("| baseline: `{}` as the score | {:.3f} [{:.3f}, {:.3f}] | {:.3f} | - | - | {:.2f} | {:.1f}% | {:.2f} | - |\n",
                        r.spec.baseline_column, b.roc_auc, b.roc_auc_ci.low, b.roc_auc_ci.high, b.pr_auc,
                        b.top10.lift, 100 * b.top10.capture, b.top20.lift);
    card += best.test.roc_auc > b.roc_auc
                ? fmt::format("\nThe registered model beats its trivial baseline ({}) on ROC-AUC.\n", r.spec.baseline_column)
                : fmt::format("\n**The registered model does not beat its trivial baseline** ({}, ROC-AUC {:.3f}): "
                              "ranking persons by that one column does at least as well.\n",
                              r.spec.baseline_column, b.roc_auc);
  }
  card += "\nCalibration in ten equal-count bins (registered model):\n\n| bin (by ascending prediction) | persons | mean predicted | observed |\n|---|---|---|---|\n";
  for (const CalibrationBin& b : best.test.calibration) {
    card += fmt::format("| {} | {} | {:.3f} | {:.3f} |\n", b.bin, b.count, b.mean_predicted, b.observed_rate);
  }
  card += "\nGlobal drivers (mean |contribution| to the log-odds):\n\n";
  for (size_t i = 0; i < best.drivers.size() && i < 10; ++i) {
    card += fmt::format("{}. {} ({:.3f})\n", i + 1, best.drivers[i].feature, best.drivers[i].mean_abs);
  }

  card += "\n## Leakage statement\n\n";
  if (run.leakage_override.empty()) {
    card += "Every feature's column lineage was followed through the metastore to its sources; none reaches a "
            "monetary column (price, freight_value, payment_value or a column tagged `monetary` in "
            "pipeline.yaml). Money makes the label only.\n";
  } else {
    card += "OVERRIDDEN: the leakage guard was told to let through features derived from money: " +
            run.leakage_override + ". Metrics of this model overstate what is known without money.\n";
  }

  card += "\n## Known limits\n\n";
  card += "- Most persons buy once, so lifetime spend is mostly the first order's value: the model largely "
          "predicts how much the first order costs from what was bought (category, weight, size, installments, "
          "distance), not future loyalty.\n";
  card += "- Persons who first bought late in the data had less time to buy again; the out-of-time test set "
          "therefore has slightly less repeat spend than the training set.\n";
  card += "- Probabilities of the random forest are not calibrated (see the calibration table); use ranks or "
          "deciles for audiences.\n";
  card += "- Trained on one shop's history; a change of assortment or pricing shifts the relation between "
          "product attributes and spend.\n";
  return card;
}

}  // namespace pareto::ml
