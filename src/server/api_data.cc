// The data endpoints: the dashboard's definition and each panel's rows, the SQL
// endpoint, and a customer's scores and drivers. Every query goes through the
// worker's read-only SqlSession (QueryText): the same door and the same refusal
// rules as `pareto sql`.
#include <chrono>

#include <fmt/format.h>

#include "duck/duck.h"
#include "ml/future_value/snapshots.h"
#include "ml/ml_config.h"
#include "ml/scoring/registry.h"
#include "server/call.h"
#include "server/rows_json.h"

namespace pareto::server {
namespace {

using nlohmann::json;

std::string Quoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

bool IsParamChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Each driver's value for the person: for the future-value model, the person's
// row of gld_fv_snapshots at the scores' snapshot; for a registered version,
// the feature table of the protocol it was trained with. Left null when that
// cannot be read (a model since deleted, a renamed column): the scores still
// answer.
void FillDriverValues(Call& call, catalog::SqlSession& session, const std::string& id, const json& scores,
                      json& drivers) {
  if (drivers.empty()) return;
  auto fill = [&](const std::string& sql) {
    auto row = session.QueryText(sql);
    if (!row.has_value() || row->rows.empty()) return;
    for (size_t i = 0; i < drivers.size() && i < row->columns.size(); ++i) {
      drivers[i]["value"] = json::parse(CellJson(*row, 0, i));
    }
  };
  std::string columns;
  for (const json& d : drivers) columns += (columns.empty() ? "" : ", ") + duck::QuoteIdent(d["feature"].get<std::string>());
  // The future-value model scores the person's row of the scoring snapshot.
  if (!scores.contains("model_version") && scores.contains("snapshot_date") && scores["snapshot_date"].is_string()) {
    fill("SELECT " + columns + " FROM " + ml::fv::kSnapshotsTable + " WHERE customer_unique_id = " +
         Quoted(id) + " AND snapshot_date = " + Quoted(scores["snapshot_date"].get<std::string>()) +
         "::DATE LIMIT 1");
    return;
  }
  if (!scores.contains("model_name") || !scores.contains("model_version")) return;
  if (!scores["model_name"].is_string() || !scores["model_version"].is_number_integer()) return;
  auto version = ml::GetVersion(call.worker.lakehouse.metastore(), scores["model_name"].get<std::string>(),
                                scores["model_version"].get<int64_t>());
  if (!version.has_value() || !*version) return;
  const ServerOptions& o = call.server.options();
  auto config = ml::LoadMlConfig(o.project_dir, o.env);
  if (!config.has_value()) return;
  const ml::ProtocolSpec* protocol = config->FindProtocol((*version)->protocol);
  if (protocol == nullptr) return;
  fill("SELECT " + columns + " FROM " + protocol->table + " WHERE " + duck::QuoteIdent(protocol->id_column) + " = " +
       Quoted(id) + " LIMIT 1");
}

}  // namespace

StatusOr<std::string> BindParams(std::string_view sql, const std::map<std::string, std::string>& params) {
  std::string out;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // copy a literal or quoted identifier whole
      const size_t close = sql.find(c, i + 1);
      const size_t end = close == std::string_view::npos ? sql.size() : close + 1;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t nl = sql.find('\n', i);
      const size_t end = nl == std::string_view::npos ? sql.size() : nl;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == ':' && i + 1 < sql.size() && sql[i + 1] == ':') {  // a cast, x::DATE
      out += "::";
      i += 2;
    } else if (c == ':' && i + 1 < sql.size() && (std::isalpha(static_cast<unsigned char>(sql[i + 1])) || sql[i + 1] == '_')) {
      size_t end = i + 1;
      while (end < sql.size() && IsParamChar(sql[end])) ++end;
      const std::string name(sql.substr(i + 1, end - i - 1));
      auto it = params.find(name);
      if (it == params.end()) {
        return std::unexpected(InvalidArgument("the panel needs the query parameter `" + name + "` (?" + name + "=…)"));
      }
      out += Quoted(it->second);
      i = end;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

void ReplyQuery(Call& call, const std::string& sql, uint64_t max_rows, const std::string& extra_members,
                const std::string& denied_message) {
  const auto started = std::chrono::steady_clock::now();
  auto session = call.Session();
  if (!session.has_value()) return SendStatus(call.res, session.error());
  if (Status admissible = (*session)->CheckAdmissible(sql); !admissible.ok()) {
    // QueryText refuses it the same way before running anything, and records the refusal in the audit log.
    (void)(*session)->QueryText(sql);
    const std::string message = admissible.message().substr(0, admissible.message().find('\n'));
    // A table the user may not see: the dashboard shows "not permitted" in the panel's place.
    if (admissible.code() == StatusCode::kPermissionDenied) {
      return SendJsonText(call.res, "{" + extra_members + "\"not_permitted\":true,\"error\":" +
                                        json({{"code", "permission_denied"},
                                              {"message", denied_message.empty() ? message : denied_message}})
                                            .dump() +
                                        "}",
                          403);
    }
    return SendError(call.res, 400, "sql_refused", message);
  }
  const ServerOptions& o = call.server.options();
  auto result = (*session)->QueryText(sql, {.timeout = o.query_timeout, .max_rows = std::min(max_rows, o.max_rows)});
  if (!result.has_value()) {
    const Status& e = result.error();
    if (e.code() == StatusCode::kInvalidArgument || e.code() == StatusCode::kNotFound) {
      return SendError(call.res, 400, "sql_error", e.message().substr(0, e.message().find('\n')));
    }
    return SendStatus(call.res, e);
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  SendJsonText(call.res, "{" + extra_members + ResultMembersJson(*result) +
                             fmt::format(",\"elapsed_ms\":{}}}", ms.count()));
}

void GetDashboard(Call& call) {
  json pages = json::array();
  for (const pipeline::DashboardPage& page : call.server.dashboard().pages) {
    json panels = json::array();
    for (const pipeline::DashboardPanel& p : page.panels) {
      json panel = {{"id", p.id}, {"title", p.title}, {"description", p.description}, {"kind", p.kind}, {"spec", p.spec}};
      if (!p.format.empty()) panel["format"] = p.format;
      panels.push_back(std::move(panel));  // the SQL stays on the server
    }
    pages.push_back({{"id", page.id}, {"title", page.title}, {"panels", std::move(panels)}});
  }
  SendJson(call.res, {{"pages", std::move(pages)}});
}

void GetPanel(Call& call) {
  const std::string& id = call.params["panel_id"];
  const pipeline::DashboardPanel* panel = call.server.dashboard().FindPanel(id);
  if (panel == nullptr) return SendError(call.res, 404, "not_found", "no panel `" + id + "` in dashboard.yaml");
  std::map<std::string, std::string> params;
  for (const auto& [name, value] : call.req.params) params[name] = value;
  auto sql = BindParams(panel->sql, params);
  if (!sql.has_value()) return SendError(call.res, 400, "missing_parameter", sql.error().message());
  // The audit log keeps the reason; the user learns only that the panel is not theirs.
  ReplyQuery(call, *sql, call.server.options().max_rows, "\"id\":" + json(id).dump() + ",",
             call.user + " may not see a table this panel reads");
}

void PostSql(Call& call) {
  const json body = json::parse(call.req.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("sql") || !body["sql"].is_string()) {
    return SendError(call.res, 400, "bad_request", "send a JSON body {\"sql\": \"SELECT …\", \"max_rows\": 1000}");
  }
  uint64_t max_rows = 1000;
  if (body.contains("max_rows")) {
    if (!body["max_rows"].is_number_integer() || body["max_rows"].get<int64_t>() < 1) {
      return SendError(call.res, 400, "bad_request", "max_rows must be a whole number of 1 or more");
    }
    max_rows = body["max_rows"].get<uint64_t>();
  }
  ReplyQuery(call, body["sql"].get<std::string>(), max_rows, "");
}

void GetCustomer(Call& call) {
  const std::string& id = call.params["customer_unique_id"];
  auto session = call.Session();
  if (!session.has_value()) return SendStatus(call.res, session.error());
  auto result = (*session)->QueryText("SELECT * FROM gold.gld_customer_scores WHERE customer_unique_id = " + Quoted(id));
  if (!result.has_value()) return SendStatus(call.res, result.error());
  if (result->rows.empty()) {
    return SendError(call.res, 404, "not_found", "no customer " + id + " in gold.gld_customer_scores");
  }
  json scores = json::object();
  for (size_t c = 0; c < result->columns.size(); ++c) {
    scores[result->columns[c].name] = json::parse(CellJson(*result, 0, c));
  }
  // The scoring task stores each person's top drivers as driver_N and
  // driver_N_effect (the feature, a column of the model's feature table, and its
  // signed contribution to the log-odds); the person's value of each is read
  // from that table.
  json drivers = json::array();
  for (int n = 1; n <= 10; ++n) {
    const std::string feature = fmt::format("driver_{}", n);
    if (!scores.contains(feature)) break;
    if (!scores[feature].is_string() || scores[feature] == "") continue;
    const std::string effect = fmt::format("driver_{}_effect", n);
    drivers.push_back({{"feature", scores[feature]},
                       {"value", nullptr},
                       {"contribution", scores.contains(effect) ? scores[effect] : json(nullptr)}});
  }
  FillDriverValues(call, **session, id, scores, drivers);
  SendJson(call.res, {{"customer_unique_id", id}, {"scores", std::move(scores)}, {"drivers", std::move(drivers)}});
}

}  // namespace pareto::server
