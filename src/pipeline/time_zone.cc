#include "pipeline/time_zone.h"

#include <fmt/format.h>

#include <map>

#include "duck/duck.h"

namespace pareto::pipeline {
namespace {

constexpr int64_t kDay = 86'400;

class FixedZone final : public TimeZone {
 public:
  explicit FixedZone(int64_t offset) : offset_(offset), name_(fmt::format("UTC{:+}s", offset)) {}
  const std::string& name() const override { return name_; }
  StatusOr<int64_t> OffsetAt(int64_t) override { return offset_; }

 private:
  int64_t offset_;
  std::string name_;
};

// Asks ICU through DuckDB: timezone(zone, TIMESTAMPTZ) is the wall time there, and
// its epoch minus the instant's is the offset. Answers are cached: the scheduler
// asks about the same hours again and again.
class DuckZone final : public TimeZone {
 public:
  DuckZone(std::string name, duck::Database db, duck::Connection conn)
      : name_(std::move(name)), db_(std::move(db)), conn_(std::move(conn)) {}
  const std::string& name() const override { return name_; }

  StatusOr<int64_t> OffsetAt(int64_t utc_seconds) override {
    if (auto it = cache_.find(utc_seconds); it != cache_.end()) return it->second;
    PARETO_ASSIGN_OR_RETURN(
        int64_t local, conn_.QueryInt64(fmt::format("SELECT epoch(timezone({}, to_timestamp({})))::BIGINT",
                                                    duck::QuoteLiteral(name_), utc_seconds)));
    if (cache_.size() > 100'000) cache_.clear();
    cache_[utc_seconds] = local - utc_seconds;
    return local - utc_seconds;
  }

 private:
  std::string name_;
  duck::Database db_;
  duck::Connection conn_;
  std::map<int64_t, int64_t> cache_;
};

int64_t FloorTo(int64_t value, int64_t step) { return (value >= 0 ? value : value - step + 1) / step * step; }

}  // namespace

StatusOr<std::unique_ptr<TimeZone>> OpenTimeZone(const std::string& name) {
  PARETO_ASSIGN_OR_RETURN(duck::Database db, duck::Database::Open({.threads = 1}));
  PARETO_ASSIGN_OR_RETURN(duck::Connection conn, db.Connect());
  auto zone = std::make_unique<DuckZone>(name, std::move(db), std::move(conn));
  if (!zone->OffsetAt(0).has_value()) {
    return std::unexpected(InvalidArgument(
        fmt::format("unknown time zone `{}` (use an IANA name such as America/Sao_Paulo)", name)));
  }
  return zone;
}

std::unique_ptr<TimeZone> FixedOffsetZone(int64_t offset_seconds) { return std::make_unique<FixedZone>(offset_seconds); }

StatusOr<int64_t> LocalToUtc(TimeZone& zone, int64_t local_seconds) {
  // The offsets a day before and a day after (probed on whole hours, so nearby
  // wall times share the cached answers).
  const int64_t before_probe = FloorTo(local_seconds - kDay, 3600);
  const int64_t after_probe = FloorTo(local_seconds + kDay, 3600) + 3600;
  PARETO_ASSIGN_OR_RETURN(int64_t before, zone.OffsetAt(before_probe));
  PARETO_ASSIGN_OR_RETURN(int64_t after, zone.OffsetAt(after_probe));
  if (before == after) return local_seconds - before;
  // One change between the probes: find its instant T to the second. Wall times
  // before T + max(before, after) are read with the old offset (that covers the
  // first occurrence of an overlap and the whole of a gap), the rest with the new.
  int64_t lo = before_probe, hi = after_probe;  // offset(lo) == before, offset(hi) == after
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    PARETO_ASSIGN_OR_RETURN(int64_t at, zone.OffsetAt(mid));
    (at == before ? lo : hi) = mid;
  }
  const int64_t change = hi;
  return local_seconds < change + std::max(before, after) ? local_seconds - before : local_seconds - after;
}

}  // namespace pareto::pipeline
