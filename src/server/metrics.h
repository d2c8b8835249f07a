// The server's own counters for /metrics: requests and their latency by route
// (the route's pattern, so a table name does not make a new series) and the SQL
// sessions the workers opened, rendered
// in the Prometheus text format with the lakehouse's gauges the caller adds.
//
// Thread safety: Record and Render may be called from any thread (one mutex).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace pareto::server {

class Metrics {
 public:
  // Upper bounds of the latency histogram, in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1,    2.5,   10};

  void Record(std::string_view route, std::string_view method, int status, double seconds);
  // A worker opened a SQL session (a user's first request on it, or after a write or a governance change).
  void SessionOpened() { sessions_opened_.fetch_add(1, std::memory_order_relaxed); }
  // The request series (counter and histogram) in Prometheus text format.
  std::string Render() const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // route, method, status
  std::map<std::string, Histogram> latency_;                                // by route
  std::atomic<uint64_t> sessions_opened_{0};
};

// A label value with `\`, `"` and newlines escaped.
std::string PromLabel(std::string_view value);

}  // namespace pareto::server
