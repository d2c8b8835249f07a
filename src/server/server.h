// `pareto serve`: the REST API (/api/v1, described by openapi.json), /healthz,
// /metrics and the embedded web app, over one lakehouse.
//
//   ServerOptions o{.lakehouse_root = "lakehouse", .project_dir = "pipelines/olist", .port = 8080};
//   PARETO_ASSIGN_OR_RETURN(std::unique_ptr<Server> server, Server::Create(o));
//   PARETO_RETURN_IF_ERROR(server->Bind());   // port() is known from here
//   std::jthread t([&] { server->Serve(); });  // blocks until Stop()
//   ... server->Stop();                        // in-flight requests finish first
//
// Requests run on a fixed pool of `threads` workers with a bounded queue of
// `max_queued` connections (task_queue.h); past it the answer is 503.
// Each worker owns its Lakehouse (metastore connection) and its read-only
// catalog::SqlSession, opened through Lakehouse::OpenSession with the limits
// below and reopened when a table has been written since; every query the
// server runs passes SqlSession::Query/QueryText, the one seam for permissions
// and auditing. Every request but /healthz and the app's static files needs a
// live bearer token (catalog/tokens.h). One log line a request goes to `log`.
//
// Ownership: owns the HTTP server, its threads and the pipeline run it starts.
// Thread safety: Stop() from any thread (e.g. a signal-waiting one); the rest
// from the owner's.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/env.h"
#include "common/status.h"
#include "pipeline/dashboard.h"
#include "server/metrics.h"
#include "server/router.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace pareto::server {

struct ServerOptions {
  std::string lakehouse_root = "lakehouse";
  std::string project_dir;  // the pipeline project (dashboard.yaml, pipeline.yaml)
  std::string bind = "127.0.0.1";
  int port = 8080;  // 0: any free port (tests)
  int threads = 8;  // request workers
  // Connections waiting for a worker at most; more are answered 503
  // `overloaded` (server/task_queue.h). A connection, not a request: a
  // keep-alive client holds its worker for several requests.
  int max_queued = 256;
  // Per query (SQL endpoint, panels, previews): interrupted past the time, cut
  // past the rows; DuckDB's memory limit per worker session.
  std::chrono::milliseconds query_timeout{30'000};
  uint64_t max_rows = 10'000;
  std::string memory_limit = "1GB";
  size_t max_body_bytes = 1 << 20;
  // One line per request and the server's own notices; default: stderr.
  std::function<void(const std::string& line)> log;
  Env* env = Env::Default();
};

class Server;

// What a handler gets: the request, the response, the route's path parameters
// and the worker's lakehouse and session.
struct Call;
using Handler = std::function<void(Call&)>;

class Server {
 public:
  // Checks the lakehouse exists and reads the dashboard (absent: an empty one).
  static StatusOr<std::unique_ptr<Server>> Create(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket (kIoError when the address is taken).
  Status Bind();
  int port() const { return port_; }
  // Serves until Stop(); then waits for in-flight requests and a triggered run.
  Status Serve();
  void Stop();

  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  const pipeline::Dashboard& dashboard() const { return dashboard_; }
  Metrics& metrics() { return metrics_; }
  void Log(const std::string& line) const;

  // POST /api/v1/runs: starts one pipeline run (trigger "api") on a thread of
  // its own; kConflict when one is running or another writer holds the lock.
  Status StartRun();

 private:
  explicit Server(ServerOptions options);
  void AddRoutes();
  void Route(const std::string& method, const std::string& pattern, Handler handler, bool needs_token = true);
  void Dispatch(const httplib::Request& req, httplib::Response& res);

  ServerOptions options_;
  pipeline::Dashboard dashboard_;
  Router router_;
  std::vector<Handler> handlers_;  // by route index
  Metrics metrics_;
  std::unique_ptr<httplib::Server> http_;
  int listen_fd_ = -1;  // httplib's listening socket, to raise its backlog
  int port_ = 0;
  std::mutex run_mu_;
  std::thread run_thread_;
  std::atomic<bool> run_active_{false};
  // httplib's stop() does nothing before its listen loop has started: a Stop() that
  // comes first must keep Serve() from starting, or wait for the loop to stop it.
  std::atomic<bool> serving_{false};
  std::atomic<bool> stopping_{false};
};

}  // namespace pareto::server
