#include "server/metrics.h"

#include <fmt/format.h>

namespace pareto::server {

std::string PromLabel(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Metrics::Record(std::string_view route, std::string_view method, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{std::string(route), std::string(method), status}];
  Histogram& h = latency_[std::string(route)];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out = fmt::format(
      "# HELP pareto_sql_sessions_opened_total SQL sessions the request workers opened (one per user per worker, "
      "reopened after a table write or a governance change).\n"
      "# TYPE pareto_sql_sessions_opened_total counter\n"
      "pareto_sql_sessions_opened_total {}\n",
      sessions_opened_.load(std::memory_order_relaxed));
  out +=
      "# HELP pareto_http_requests_total HTTP requests served, by route pattern, method and status.\n"
      "# TYPE pareto_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    out += fmt::format("pareto_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n", PromLabel(route),
                       PromLabel(method), status, n);
  }
  out +=
      "# HELP pareto_http_request_duration_seconds Time from a request's routing to its response, by route pattern.\n"
      "# TYPE pareto_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    const std::string label = PromLabel(route);
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format("pareto_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{:g}\"}} {}\n", label,
                         kBuckets[i], h.buckets[i]);
    }
    out += fmt::format("pareto_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", label, h.count);
    out += fmt::format("pareto_http_request_duration_seconds_sum{{route=\"{}\"}} {:.6f}\n", label, h.sum);
    out += fmt::format("pareto_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label, h.count);
  }
  return out;
}

}  // namespace pareto::server
