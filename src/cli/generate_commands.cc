// `pareto generate`: synthetic Olist-shaped data (src/generate/generator.h).
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/registrars.h"
#include "generate/generator.h"

namespace pareto::cli {

void RegisterGenerateCommands(CLI::App& app, CliContext& ctx) {
  struct Flags {
    double scale = 1.0;
    uint64_t seed = 7;
    std::string out = "olist-generated";
    double dirty = 0.0;
    std::string start;
    int months = 1;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "generate",
      "Write synthetic Olist-shaped CSV files: the nine files of the release, for about scale x 99,441 orders.\n"
      "Same seed and options give byte-identical files. See docs/generator.md for what is planted.");
  cmd->add_option("--scale", flags->scale, "Size relative to the real export (1 = 99,441 orders; 0.01 for a quick test)")
      ->default_val(1.0);
  cmd->add_option("--seed", flags->seed, "Seed of the pseudo-random numbers")->default_val(7);
  cmd->add_option("--out", flags->out, "Folder to write into (created if missing)")->default_val("olist-generated");
  cmd->add_option("--dirty", flags->dirty,
                  "Share of rows given a real export's faults (duplicates, bad types, missing fields, wrong column "
                  "counts, status updates, reviews of unknown orders), listed in dirty_manifest.jsonl")
      ->default_val(0.0);
  cmd->add_option("--start", flags->start,
                  "Write monthly drops from this month (YYYY-MM, 2018-09 or later) instead of the base files, "
                  "continuing the ids and persons of the base generation with this scale and seed");
  cmd->add_option("--months", flags->months, "Number of monthly drops (with --start)")->default_val(1);
  cmd->callback([&ctx, flags] {
    ctx.action = [&ctx, flags]() -> Status {
      generate::GenerateOptions opt;
      opt.scale = flags->scale;
      opt.seed = flags->seed;
      opt.out_dir = flags->out;
      opt.dirty_rate = flags->dirty;
      opt.months = flags->months;
      if (!flags->start.empty()) {
        PARETO_ASSIGN_OR_RETURN(generate::YearMonth ym, generate::ParseYearMonth(flags->start));
        opt.start = ym;
      }
      PARETO_ASSIGN_OR_RETURN(generate::GenerateReport report, generate::Generate(opt));
      uint64_t rows = 0;
      for (const auto& f : report.files) rows += f.rows;
      if (ctx.json) {
        nlohmann::json j = {{"out", opt.out_dir},     {"scale", opt.scale},       {"seed", opt.seed},
                            {"persons", report.persons}, {"orders", report.orders}, {"rows", rows},
                            {"faults", report.faults},   {"seconds", report.seconds}};
        if (!report.manifest.empty()) j["manifest"] = report.manifest;
        j["files"] = nlohmann::json::array();
        for (const auto& f : report.files) j["files"].push_back({{"path", f.path}, {"rows", f.rows}, {"bytes", f.bytes}});
        std::cout << j.dump() << "\n";
        return OkStatus();
      }
      for (const auto& f : report.files) std::cout << f.path << "  " << f.rows << " rows  " << f.bytes << " bytes\n";
      std::cout << "generated " << report.orders << " orders of " << report.persons << " persons, " << rows
                << " rows in " << report.seconds << " s";
      if (!report.manifest.empty()) std::cout << "; " << report.faults << " faults listed in " << report.manifest;
      std::cout << "\n";
      return OkStatus();
    };
  });
}

}  // namespace pareto::cli
