// The load test of `pareto serve` (scripts/bench.sh starts the server and runs
// this): N concurrent clients on loopback for D seconds, each looping over the
// dashboard's panel endpoints and the SQL endpoint. Twice: alone, then with one
// more client sending a query that runs until the server's time limit, to show
// a slow query does not stall the others. Prints requests/s, p50, p99 and
// errors (any answer but 200, or none) for each run; exits 1 when there was any.
//
//   PARETO_BENCH_URL="http://127.0.0.1:PORT/#token=T" bench_server
//   (PARETO_BENCH_CLIENTS, default 50; PARETO_BENCH_SECONDS, default 20)
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace {

using Clock = std::chrono::steady_clock;

struct Target {
  std::string host;
  int port = 0;
  std::string token;
};

bool ParseUrl(const std::string& url, Target& t) {
  // http://HOST:PORT/#token=TOKEN, as `pareto serve` prints it.
  const size_t scheme = url.find("://");
  const size_t colon = url.find(':', scheme + 3);
  const size_t slash = url.find('/', colon);
  const size_t token = url.find("token=");
  if (scheme == std::string::npos || colon == std::string::npos || slash == std::string::npos ||
      token == std::string::npos) {
    return false;
  }
  t.host = url.substr(scheme + 3, colon - scheme - 3);
  t.port = std::atoi(url.substr(colon + 1, slash - colon - 1).c_str());
  t.token = url.substr(token + 6);
  return t.port > 0 && !t.token.empty();
}

struct Request {
  std::string path;  // GET when body is empty
  std::string body;  // POST /api/v1/sql
};

struct Outcome {
  std::vector<double> ms;
  int64_t errors = 0;
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

bool Send(httplib::Client& c, const Target& t, const Request& r, int* status, std::string* why = nullptr) {
  const httplib::Headers auth = {{"Authorization", "Bearer " + t.token}};
  auto res = r.body.empty() ? c.Get(r.path, auth) : c.Post(r.path, auth, r.body, "application/json");
  *status = res ? res->status : 0;
  if (why != nullptr) *why = res ? res->body.substr(0, 200) : httplib::to_string(res.error());
  return res && res->status == 200;
}

// Returns the errors of the run.
int64_t Run(const Target& t, const std::vector<Request>& mix, int clients, int seconds, bool with_slow) {
  std::atomic<bool> stop{false};
  std::vector<Outcome> outcomes(static_cast<size_t>(clients));
  std::vector<std::thread> threads;
  std::vector<double> slow_ms;  // written by the slow client only, read after it joined
  std::atomic<int> slow_status{0};
  std::thread slow;
  if (with_slow) {
    slow = std::thread([&] {
      httplib::Client c(t.host, t.port);
      c.set_read_timeout(600);
      // Runs until the server's time limit interrupts it (408), then again.
      const Request r{"/api/v1/sql", R"({"sql":"SELECT count(*) FROM range(1000000000000) a"})"};
      while (!stop.load()) {
        int status = 0;
        const auto t0 = Clock::now();
        Send(c, t, r, &status);
        slow_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        slow_status.store(status);
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the slow query is running first
  }
  const auto started = Clock::now();
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      httplib::Client c(t.host, t.port);
      c.set_read_timeout(120);
      Outcome& out = outcomes[static_cast<size_t>(i)];
      for (size_t k = static_cast<size_t>(i); !stop.load(); ++k) {
        const Request& r = mix[k % mix.size()];
        const auto t0 = Clock::now();
        int status = 0;
        std::string why;
        if (!Send(c, t, r, &status, &why)) {
          ++out.errors;
          if (out.errors <= 3) std::fprintf(stderr, "error: %s -> %d %s\n", r.path.c_str(), status, why.c_str());
        }
        out.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop.store(true);
  for (std::thread& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  if (slow.joinable()) slow.join();
  std::vector<double> all;
  int64_t errors = 0;
  for (Outcome& o : outcomes) {
    all.insert(all.end(), o.ms.begin(), o.ms.end());
    errors += o.errors;
  }
  const size_t n = all.size();
  const double p50 = Percentile(all, 0.50);
  const double p99 = Percentile(all, 0.99);
  std::printf("%-28s clients %d  %5.1f s  requests %7zu  %8.1f req/s  p50 %7.1f ms  p99 %7.1f ms  errors %lld\n",
              with_slow ? "others during a slow query:" : "panels + sql:", clients, elapsed, n,
              static_cast<double>(n) / elapsed, p50, p99, static_cast<long long>(errors));
  if (with_slow) {
    double total = 0;
    for (double ms : slow_ms) total += ms;
    std::printf("%-28s %zu slow queries, each %.0f ms on average (last status %d: 408 is the time limit stopping it)\n",
                "", slow_ms.size(), slow_ms.empty() ? 0.0 : total / static_cast<double>(slow_ms.size()),
                slow_status.load());
  }
  return errors;
}

}  // namespace

int main() {
  const char* url = std::getenv("PARETO_BENCH_URL");
  if (url == nullptr) {
    std::printf("(skipped: scripts/bench.sh runs this against `pareto serve` on a built lakehouse)\n");
    return 0;
  }
  Target t;
  if (!ParseUrl(url, t)) {
    std::fprintf(stderr, "bench_server: PARETO_BENCH_URL must be http://HOST:PORT/#token=TOKEN\n");
    return 64;
  }
  const int clients = std::getenv("PARETO_BENCH_CLIENTS") ? std::atoi(std::getenv("PARETO_BENCH_CLIENTS")) : 50;
  const int seconds = std::getenv("PARETO_BENCH_SECONDS") ? std::atoi(std::getenv("PARETO_BENCH_SECONDS")) : 20;

  // The mix: every panel that answers without parameters, and one SQL query.
  httplib::Client c(t.host, t.port);
  auto dash = c.Get("/api/v1/dashboard", {{"Authorization", "Bearer " + t.token}});
  if (!dash || dash->status != 200) {
    std::fprintf(stderr, "bench_server: GET /api/v1/dashboard failed (%d)\n", dash ? dash->status : 0);
    return 69;
  }
  std::vector<Request> mix;
  const nlohmann::json d = nlohmann::json::parse(dash->body, nullptr, false);
  for (const auto& page : d.value("pages", nlohmann::json::array())) {
    for (const auto& panel : page.value("panels", nlohmann::json::array())) {
      Request r{"/api/v1/dashboard/panels/" + panel.value("id", "")};
      int status = 0;
      if (Send(c, t, r, &status)) mix.push_back(r);
    }
  }
  const size_t panels = mix.size();
  mix.push_back({"/api/v1/sql", R"({"sql":"SELECT count(*) AS n FROM gold.gld_monthly_revenue","max_rows":100})"});
  int status = 0;
  if (!Send(c, t, mix.back(), &status)) mix.back().body = R"({"sql":"SELECT 42 AS answer"})";
  std::printf("bench_server: %zu panel endpoints + POST /api/v1/sql, %d clients, %d s a run, on %s:%d\n", panels,
              clients, seconds, t.host.c_str(), t.port);
  const int64_t errors = Run(t, mix, clients, seconds, /*with_slow=*/false) + Run(t, mix, clients, seconds, /*with_slow=*/true);
  if (errors > 0) {
    std::printf("bench_server: %lld requests failed (want 0)\n", static_cast<long long>(errors));
    return 1;
  }
  return 0;
}
