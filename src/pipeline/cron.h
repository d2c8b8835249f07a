// Five-field cron expressions (`schedule:` in pipeline.yaml) and their next fire
// time in the shop's time zone.
//
// Fields: minute (0-59) hour (0-23) day-of-month (1-31) month (1-12 or jan-dec)
// day-of-week (0-7 or sun-sat; 0 and 7 are Sunday). Each field is `*` or a comma
// list of values, ranges `a-b` and steps `*/n`, `a-b/n`, `a/n`. Days follow the
// standard rule: when both day fields are restricted, a day matches if EITHER
// does; a field that starts with `*` (even `*/2`) is unrestricted, as in Vixie
// cron.
//
// A schedule names wall times in the zone; each matching wall time fires once:
// a wall time repeated when clocks go back fires at its first occurrence, one
// skipped when they jump forward fires at the same distance into the new offset
// (02:30 in a 02:00 -> 03:00 gap fires at 03:30), see LocalToUtc (time_zone.h).
// So a daily job runs exactly once on DST days too.
//
// Thread safety: CronSchedule is a plain value; NextFireTime uses the zone, one
// thread at a time.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "pipeline/time_zone.h"

namespace pareto::pipeline {

struct CronSchedule {
  std::string text;  // as written
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;      // 1..31
  std::bitset<13> months;    // 1..12
  std::bitset<7> weekdays;   // 0 (Sunday) .. 6
  bool days_restricted = false;
  bool weekdays_restricted = false;

  // Whether the day (y, m 1-12, d 1-31, weekday 0-6) has fire times.
  bool MatchesDay(int month, int day, int weekday) const;
};

// kInvalidArgument naming the field and what is wrong ("hour 24 is out of 0-23").
StatusOr<CronSchedule> ParseCron(std::string_view text);

// The first fire time strictly after `after_utc_seconds` (seconds since the epoch);
// kInvalidArgument when the schedule never fires (e.g. `0 0 30 2 *`).
StatusOr<int64_t> NextFireTime(const CronSchedule& schedule, TimeZone& zone, int64_t after_utc_seconds);

// "2026-03-08 03:30" of a wall time in seconds since 1970-01-01 00:00.
std::string FormatWallTime(int64_t local_seconds);

}  // namespace pareto::pipeline
