// dashboard.yaml: the pages and panels `pareto serve` shows. Each panel is a SQL
// query over the lakehouse and a Vega-Lite spec without data (the web app adds
// the rows), so a panel is added by editing YAML, not by compiling.
//
//   pages:
//     - id: overview
//       title: Overview
//       panels:
//         - id: revenue_by_month
//           title: Revenue by month (BRL)
//           description: monthly revenue from gold.gld_monthly_revenue
//           kind: chart            # chart | table | kpi
//           sql: SELECT month, revenue FROM gold.gld_monthly_revenue ORDER BY month
//           format: {revenue: brl}  # brl | percent | int | days | score
//           spec: {mark: line, encoding: {...}}
//
// A panel's SQL may name parameters as `:name` (letters, digits, '_'): the server
// substitutes a request's value as a quoted literal.
//
// Parsed by project_file.cc (the one YAML reader). Thread safety: plain values.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/env.h"
#include "common/status.h"

namespace pareto::pipeline {

struct DashboardPanel {
  std::string id;  // unique across the dashboard: [a-z0-9_]+
  std::string title;
  std::string description;
  std::string kind = "chart";  // chart | table | kpi
  std::string sql;
  std::map<std::string, std::string> format;  // column -> brl | percent | int | days | score
  nlohmann::json spec = nlohmann::json::object();  // the YAML `spec:` as JSON, as is
};

struct DashboardPage {
  std::string id;
  std::string title;
  std::vector<DashboardPanel> panels;
};

struct Dashboard {
  std::vector<DashboardPage> pages;
  // The panel `id`, or nullptr.
  const DashboardPanel* FindPanel(std::string_view id) const;
};

// Parses dashboard.yaml text; `file` labels messages ("FILE:LINE: what",
// kInvalidArgument).
StatusOr<Dashboard> ParseDashboard(std::string_view text, std::string_view file);
// Reads and parses <project_dir>/dashboard.yaml; kNotFound when it is absent.
StatusOr<Dashboard> LoadDashboard(const std::string& project_dir, Env* env = Env::Default());

}  // namespace pareto::pipeline
