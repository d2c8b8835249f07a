// Inside the server only: what a handler works with, and the JSON replies.
// Handlers live in api_data.cc (dashboard, panels, SQL, customers) and
// api_catalog.cc (tables, runs, the DAG, models); server.cc routes to them.
#pragma once

#include <httplib.h>

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog/lakehouse.h"
#include "catalog/sql_session.h"
#include "server/server.h"

namespace pareto::server {

// A request worker's own connections: its metastore and a read-only session
// per user it served lately. Opening a session costs (a view per table, a copy
// of each table masked or filtered for the user): users who take turns on a
// worker keep theirs rather than rebuild on every request.
struct Worker {
  static constexpr size_t kMaxSessions = 4;  // per worker; the least recently used goes first
  struct UserSession {
    catalog::SqlSession session;
    std::string stamp;  // the tables and the governance epoch when it opened
    uint64_t last_used = 0;
  };
  catalog::Lakehouse lakehouse;
  std::map<std::string, UserSession> sessions;  // by user
  uint64_t requests = 0;                        // the clock of last_used
};

struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  std::map<std::string, std::string> params;  // the route's {x}
  Worker& worker;
  Server& server;
  std::string user;  // the user the bearer token acts as (catalog/tokens.h)

  // The worker's session for `user` (catalog::SqlSessionOptions::principal):
  // kept across requests, reopened when a table was written or a grant, member,
  // mask or filter changed since it opened (the governance epoch), so a grant
  // or revoke holds on the next request.
  StatusOr<catalog::SqlSession*> Session();
  // A query parameter, or `fallback`.
  std::string Query(const std::string& name, const std::string& fallback = "") const;
};

void SendJson(httplib::Response& res, const nlohmann::json& body, int status = 200);
void SendJsonText(httplib::Response& res, std::string body, int status = 200);
// {"error":{"code":…,"message":…}}
void SendError(httplib::Response& res, int status, std::string_view code, std::string_view message);
// A Status as its HTTP error: kInvalidArgument 400 bad_request, kNotFound 404
// not_found, kConflict 409 conflict, kResourceExhausted 408 query_timeout (time)
// or 413 resource_exhausted, anything else 500 internal.
void SendStatus(httplib::Response& res, const Status& status);

// Runs `sql` through the session's QueryText within the server's limits (at most
// `max_rows`) and replies with the rows JSON plus `extra` members (e.g. "id").
// A refused statement is 400 sql_refused; one over a table the user may not see
// 403 with "not_permitted", its message `denied_message` when given (a panel's
// SQL is the server's: its refusal must not name the tables it reads).
void ReplyQuery(Call& call, const std::string& sql, uint64_t max_rows, const std::string& extra_members,
                const std::string& denied_message = "");

// api_data.cc
void GetDashboard(Call& call);
void GetPanel(Call& call);
void PostSql(Call& call);
void GetCustomer(Call& call);
// api_catalog.cc
void GetTables(Call& call);
void GetTable(Call& call);
void GetTablePreview(Call& call);
void GetLineage(Call& call);
void GetRuns(Call& call);
void GetRun(Call& call);
void PostRun(Call& call);
void GetDag(Call& call);
void GetModels(Call& call);
void GetModelVersion(Call& call);
void GetExpectations(Call& call);
void GetMetrics(Call& call);
// api_audit.cc
void GetAudit(Call& call);

// Replaces each `:name` outside quotes in `sql` by the quoted literal of
// params[name]; kInvalidArgument naming a parameter that has no value.
StatusOr<std::string> BindParams(std::string_view sql, const std::map<std::string, std::string>& params);

}  // namespace pareto::server
