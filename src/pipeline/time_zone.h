// The shop's time zone as the scheduler needs it: the UTC offset in force at an
// instant, and wall time -> instant with a stated rule for DST gaps and overlaps.
//
// libstdc++ 12 has no chrono time-zone database, so the offsets come from
// DuckDB's ICU zones (OpenTimeZone), the same data ingest and the models use for
// `timezone:`; a fixed offset (FixedOffsetZone) is there for tests.
//
// Ownership: a TimeZone owns what it queries. Thread safety: one thread at a
// time (the DuckDB zone caches what it asked).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace pareto::pipeline {

class TimeZone {
 public:
  virtual ~TimeZone() = default;
  virtual const std::string& name() const = 0;
  // Seconds to add to a UTC instant (seconds since the epoch) to get the wall time there.
  virtual StatusOr<int64_t> OffsetAt(int64_t utc_seconds) = 0;
};

// An IANA zone ("America/Sao_Paulo") through DuckDB's ICU; kInvalidArgument
// naming the zone when ICU does not know it.
StatusOr<std::unique_ptr<TimeZone>> OpenTimeZone(const std::string& name);
std::unique_ptr<TimeZone> FixedOffsetZone(int64_t offset_seconds);

// Wall time (seconds since 1970-01-01 00:00 of the zone's clock) -> the instant.
// A wall time that happens twice (clocks went back) is its first occurrence; one
// that does not exist (clocks jumped forward) is read with the offset in force
// before the jump, so 02:30 in a 02:00 -> 03:00 gap is 03:30 of the new offset
// (as DuckDB's timezone() reads it, docs/pipeline-project.md). Assumes at most
// one offset change within a day on either side, as in every real zone.
StatusOr<int64_t> LocalToUtc(TimeZone& zone, int64_t local_seconds);

}  // namespace pareto::pipeline
