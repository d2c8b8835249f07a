#include "server/server.h"

#include <httplib.h>

#include <fmt/format.h>

#include <sys/socket.h>

#include <algorithm>
#include <iostream>

#include "catalog/principals.h"
#include "catalog/tokens.h"
#include "catalog/writer_lock.h"
#include "ml/pipeline_tasks.h"
#include "pipeline/project.h"
#include "pipeline/runner.h"
#include "server/call.h"
#include "server/task_queue.h"
#include "server/web_assets.h"

namespace pareto::server {
namespace {

using Clock = std::chrono::steady_clock;

// Per request, on its worker thread: when routing began and the route's
// pattern, for the log line and the metrics written after the response.
thread_local Clock::time_point t_started;
thread_local std::string t_route;

// A worker thread's connections, made on its first request. The owner check
// keeps a thread from using another server's (tests run several in one process).
struct WorkerSlot {
  const Server* owner = nullptr;
  std::unique_ptr<Worker> worker;
};
thread_local WorkerSlot t_worker;

StatusOr<Worker*> ThisWorker(const Server& server) {
  if (t_worker.owner != &server || !t_worker.worker) {
    PARETO_ASSIGN_OR_RETURN(catalog::Lakehouse lakehouse,
                            catalog::Lakehouse::OpenExisting(server.options().lakehouse_root, server.options().env));
    t_worker.worker = std::make_unique<Worker>(Worker{.lakehouse = std::move(lakehouse)});
    t_worker.owner = &server;
  }
  return t_worker.worker.get();
}

std::string BearerToken(const httplib::Request& req) {
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() <= kPrefix.size() || !header.starts_with(kPrefix)) return "";
  return header.substr(kPrefix.size());
}

bool ServeStatic(const httplib::Request& req, httplib::Response& res) {
  if (req.method != "GET" && req.method != "HEAD") return false;
  std::string path;
  if (req.path == "/" || req.path == "/index.html") {
    path = "index.html";
  } else if (req.path.starts_with("/assets/")) {
    path = req.path.substr(1);
  } else {
    return false;
  }
  t_route = path == "index.html" ? "/" : "/assets/*";
  const WebAsset* asset = FindWebAsset(path);
  if (asset == nullptr) {
    SendError(res, 404, "not_found", "no file " + req.path + " in the web app");
    return true;
  }
  res.set_content(std::string(asset->bytes), std::string(asset->content_type));
  // Bundles are named by content hash; index.html must be fetched fresh to name the new ones.
  res.set_header("Cache-Control", path == "index.html" ? "no-cache" : "public, max-age=31536000, immutable");
  return true;
}

}  // namespace

StatusOr<catalog::SqlSession*> Call::Session() {
  PARETO_ASSIGN_OR_RETURN(std::vector<catalog::TableInfo> tables, worker.lakehouse.metastore().ListTables());
  PARETO_ASSIGN_OR_RETURN(int64_t epoch, catalog::GovernanceEpoch(worker.lakehouse.metastore()));
  std::string stamp = "#" + std::to_string(epoch) + ";";
  for (const catalog::TableInfo& t : tables) stamp += t.FullName() + "@" + std::to_string(t.updated_ms) + ";";
  ++worker.requests;
  auto it = worker.sessions.find(user);
  if (it == worker.sessions.end() || it->second.stamp != stamp) {
    if (it != worker.sessions.end()) worker.sessions.erase(it);
    while (worker.sessions.size() >= Worker::kMaxSessions) {
      worker.sessions.erase(std::min_element(worker.sessions.begin(), worker.sessions.end(), [](const auto& a, const auto& b) {
        return a.second.last_used < b.second.last_used;
      }));
    }
    const ServerOptions& o = server.options();
    // One DuckDB thread a worker: the pool, not each query, is what spreads over the cores.
    PARETO_ASSIGN_OR_RETURN(catalog::SqlSession session,
                            worker.lakehouse.OpenSession({.read_only = true,
                                                          .threads = 1,
                                                          .memory_limit = o.memory_limit,
                                                          .limits = {.timeout = o.query_timeout, .max_rows = o.max_rows},
                                                          .env = o.env,
                                                          .principal = catalog::SessionPrincipal{
                                                              .name = user, .source = "api"}}));
    server.metrics().SessionOpened();
    it = worker.sessions.emplace(user, Worker::UserSession{.session = std::move(session), .stamp = std::move(stamp)})
             .first;
  }
  it->second.last_used = worker.requests;
  it->second.session.set_address(req.remote_addr);  // the audit log's "from where", per request
  return &it->second.session;
}

std::string Call::Query(const std::string& name, const std::string& fallback) const {
  return req.has_param(name.c_str()) ? req.get_param_value(name.c_str()) : fallback;
}

void SendJsonText(httplib::Response& res, std::string body, int status) {
  res.status = status;
  res.set_content(std::move(body), "application/json");
}

void SendJson(httplib::Response& res, const nlohmann::json& body, int status) {
  SendJsonText(res, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), status);
}

void SendError(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  SendJson(res, {{"error", {{"code", code}, {"message", message}}}}, status);
}

void SendStatus(httplib::Response& res, const Status& status) {
  // DuckDB appends the statement and a caret under its message: keep the first line.
  const std::string message = status.message().substr(0, status.message().find('\n'));
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return SendError(res, 400, "bad_request", message);
    case StatusCode::kNotFound: return SendError(res, 404, "not_found", message);
    case StatusCode::kPermissionDenied: return SendError(res, 403, "permission_denied", message);
    case StatusCode::kConflict:
    case StatusCode::kAlreadyExists: return SendError(res, 409, "conflict", message);
    case StatusCode::kResourceExhausted:
      if (message.find("time limit") != std::string::npos) return SendError(res, 408, "query_timeout", message);
      return SendError(res, 413, "resource_exhausted", message);
    default: return SendError(res, 500, "internal", message);
  }
}

Server::Server(ServerOptions options) : options_(std::move(options)) {}

Server::~Server() {
  Stop();
  if (run_thread_.joinable()) run_thread_.join();
}

StatusOr<std::unique_ptr<Server>> Server::Create(ServerOptions options) {
  if (options.threads < 1) return std::unexpected(InvalidArgument("--threads must be 1 or more"));
  if (options.max_queued < 1) return std::unexpected(InvalidArgument("--max-queued must be 1 or more"));
  if (options.port < 0 || options.port > 65535) return std::unexpected(InvalidArgument("--port must be 0 to 65535"));
  // The lakehouse must exist: serving an empty folder made by a typo helps no one.
  PARETO_RETURN_IF_ERROR(StatusOf(catalog::Lakehouse::OpenExisting(options.lakehouse_root, options.env)));
  std::unique_ptr<Server> server(new Server(std::move(options)));  // private constructor: make_unique cannot reach it
  if (!server->options_.project_dir.empty()) {
    auto dashboard = pipeline::LoadDashboard(server->options_.project_dir, server->options_.env);
    if (dashboard.has_value()) {
      server->dashboard_ = std::move(*dashboard);
    } else if (dashboard.error().code() != StatusCode::kNotFound) {
      return std::unexpected(dashboard.error());
    }
  }
  server->AddRoutes();
  return server;
}

void Server::Log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::cerr << line << std::endl;
  }
}

void Server::Route(const std::string& method, const std::string& pattern, Handler handler, bool needs_token) {
  router_.Add({.method = method, .pattern = pattern, .needs_token = needs_token});
  handlers_.push_back(std::move(handler));
}

void Server::AddRoutes() {
  Route("GET", "/healthz", [](Call& c) { SendJson(c.res, {{"status", "ok"}}); }, /*needs_token=*/false);
  Route("GET", "/metrics", GetMetrics);
  Route("GET", "/api/v1/openapi.json", [](Call& c) { SendJsonText(c.res, std::string(OpenApiJson())); });
  Route("GET", "/api/v1/dashboard", GetDashboard);
  Route("GET", "/api/v1/dashboard/panels/{panel_id}", GetPanel);
  Route("POST", "/api/v1/sql", PostSql);
  Route("GET", "/api/v1/customers/{customer_unique_id}", GetCustomer);
  Route("GET", "/api/v1/tables", GetTables);
  Route("GET", "/api/v1/tables/{name}", GetTable);
  Route("GET", "/api/v1/tables/{name}/preview", GetTablePreview);
  Route("GET", "/api/v1/lineage", GetLineage);
  Route("GET", "/api/v1/runs", GetRuns);
  Route("POST", "/api/v1/runs", PostRun);
  Route("GET", "/api/v1/runs/{run_id}", GetRun);
  Route("GET", "/api/v1/expectations", GetExpectations);
  Route("GET", "/api/v1/pipeline/dag", GetDag);
  Route("GET", "/api/v1/models", GetModels);
  Route("GET", "/api/v1/models/{name}/versions/{version}", GetModelVersion);
  Route("GET", "/api/v1/audit", GetAudit);
}

void Server::Dispatch(const httplib::Request& req, httplib::Response& res) {
  t_route = "unmatched";
  if (ServeStatic(req, res)) return;
  std::vector<std::string> allowed;
  std::optional<RouteMatch> match = router_.Match(req.method, req.path, &allowed);
  if (!match) {
    if (allowed.empty()) return SendError(res, 404, "not_found", "no route " + req.path + " (see /api/v1/openapi.json)");
    std::string allow;
    for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    res.set_header("Allow", allow);
    return SendError(res, 405, "method_not_allowed", req.method + " is not allowed on " + req.path + " (allowed: " + allow + ")");
  }
  const ::pareto::server::Route& route = router_.routes()[match->index];
  t_route = route.pattern;
  auto worker = ThisWorker(*this);
  if (!worker.has_value()) return SendStatus(res, worker.error());
  if (route.needs_token) {
    const std::string token = BearerToken(req);
    if (token.empty()) {
      return SendError(res, 401, "unauthorized",
                       "send Authorization: Bearer <token> (pareto token create --name NAME makes one)");
    }
  }
  std::string user;
  if (route.needs_token) {
    auto who = catalog::CheckTokenHolder((*worker)->lakehouse.metastore(), BearerToken(req));
    if (!who.has_value()) return SendStatus(res, who.error());
    if (!who->has_value()) return SendError(res, 401, "unauthorized", "the token is unknown or revoked");
    user = (*who)->user;
  }
  Call call{.req = req, .res = res, .params = std::move(match->params), .worker = **worker, .server = *this,
            .user = std::move(user)};
  handlers_[match->index](call);
}

Status Server::Bind() {
  http_ = std::make_unique<httplib::Server>();
  const auto threads = static_cast<size_t>(options_.threads);
  const auto max_queued = static_cast<size_t>(options_.max_queued);
  // httplib owns the queue it is handed (its API takes a raw pointer).
  http_->new_task_queue = [threads, max_queued] { return new BoundedTaskQueue(threads, max_queued); };
  http_->set_payload_max_length(options_.max_body_bytes);
  http_->set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd_ = static_cast<int>(sock);  // the listening socket (called before its bind)
  });
  // An idle keep-alive connection holds a worker: let it go soon, and so let a
  // shutdown finish soon.
  http_->set_keep_alive_timeout(2);
  http_->set_read_timeout(10);
  http_->set_pre_routing_handler([](const httplib::Request&, httplib::Response& res) {
    t_started = Clock::now();
    t_route = "unmatched";
    if (BoundedTaskQueue::Overflowing()) {
      t_route = "overloaded";
      res.set_header("Retry-After", "1");
      res.set_header("Connection", "close");  // the client reconnects, and queues if there is room then
      SendError(res, 503, "overloaded", "every worker is busy and the queue is full; retry shortly");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  const auto dispatch = [this](const httplib::Request& req, httplib::Response& res) { Dispatch(req, res); };
  for (auto add : {&httplib::Server::Get, &httplib::Server::Post, &httplib::Server::Put, &httplib::Server::Patch,
                   &httplib::Server::Delete}) {
    (http_.get()->*add)(".*", dispatch);
  }
  http_->Options(".*", dispatch);
  // What httplib answers itself (an oversized body, a malformed request) gets the API's JSON error too.
  http_->set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 413) {
      SendError(res, 413, "payload_too_large", "the request body is over the 1 MiB limit");
    } else if (res.status == 404) {
      SendError(res, 404, "not_found", "no such route (see /api/v1/openapi.json)");
    } else {
      SendError(res, res.status, "bad_request", "the request could not be read");
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  http_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    const double seconds = std::chrono::duration<double>(Clock::now() - t_started).count();
    metrics_.Record(t_route, req.method, res.status, seconds);
    Log(fmt::format("{} {} {} {:.1f}ms", req.method, req.path, res.status, seconds * 1000.0));
  });
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.bind);
  } else {
    port_ = http_->bind_to_port(options_.bind, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    return IoError(fmt::format("cannot listen on {}:{} (in use? try --port)", options_.bind, options_.port));
  }
  // httplib 0.11 listens with a backlog of 5: with dozens of clients connecting at once the
  // kernel then drops handshakes, and a client that already sent its request sees the
  // connection closed unanswered. Listening again on the bound socket raises the backlog.
  http_->set_socket_options(httplib::default_socket_options);  // the capture above was for the bind only
  if (listen_fd_ >= 0 && ::listen(listen_fd_, SOMAXCONN) != 0) {
    return IoError(fmt::format("cannot raise the listen backlog on {}:{}", options_.bind, port_));
  }
  return OkStatus();
}

Status Server::Serve() {
  if (!http_) return Internal("Server::Serve before Bind");
  // Returns after Stop(), once the pool has finished the requests in flight.
  serving_.store(true);
  if (!stopping_.load()) http_->listen_after_bind();
  serving_.store(false);
  std::lock_guard lock(run_mu_);
  if (run_thread_.joinable()) run_thread_.join();  // a triggered run ends its commit first
  return OkStatus();
}

void Server::Stop() {
  stopping_.store(true);
  if (!http_) return;
  if (serving_.load()) {
    // Serve() is past its check of stopping_: its listen loop starts soon, if it has not.
    for (int i = 0; i < 5000 && !http_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  http_->stop();
}

Status Server::StartRun() {
  std::lock_guard lock(run_mu_);
  if (run_active_.load()) return Conflict("a pipeline run started from the API is still running");
  {
    // Refuse at once rather than queue: the caller is waiting on an HTTP reply.
    PARETO_ASSIGN_OR_RETURN(catalog::WriterLock probe,
                            catalog::WriterLock::Acquire(options_.lakehouse_root, options_.env->NowMicros() / 1000));
  }
  if (run_thread_.joinable()) run_thread_.join();
  PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(options_.project_dir, options_.env));
  pipeline::RunOptions run{.project_dir = project.dir, .lakehouse_root = options_.lakehouse_root};
  run.triggered_by = "api";
  run.task_timeout_ms = project.run.task_timeout_ms;
  if (project.HasSection("ml")) {
    PARETO_ASSIGN_OR_RETURN(run.post_tasks, ml::MlPostTasks(project));
  }
  run_active_.store(true);
  run_thread_ = std::thread([this, project = std::move(project), run = std::move(run)]() mutable {
    auto report = pipeline::RunPipeline(std::move(project), run, options_.env);
    if (!report.has_value()) {
      Log("pipeline run (api) could not run: " + report.error().message());
    } else {
      Log(fmt::format("pipeline run {} (api) {}", report->run_id, report->ok() ? "succeeded" : "failed: " + report->first_failure));
    }
    run_active_.store(false);
  });
  return OkStatus();
}

}  // namespace pareto::server
