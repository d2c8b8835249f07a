#include "pipeline/cron.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <optional>
#include <vector>

namespace pareto::pipeline {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr int64_t kDay = 86'400;
// DST shifts are at most 2 hours (Antarctica/Troll); fire times are only out of
// wall-time order within a gap that long.
constexpr int64_t kMaxShift = 3 * 3600;

struct FieldSpec {
  std::string_view name;
  int min;
  int max;
  std::array<std::string_view, 12> names;  // value min + i, for months and weekdays
};

constexpr FieldSpec kFields[] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day-of-month", 1, 31, {}},
    {"month", 1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
    {"day-of-week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
};

Status FieldError(const FieldSpec& f, std::string_view text, std::string_view what) {
  return InvalidArgument(fmt::format("cron {} field `{}`: {}", f.name, text, what));
}

StatusOr<int> ParseValue(const FieldSpec& f, std::string_view field, std::string_view s) {
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (size_t i = 0; i < f.names.size(); ++i) {
    if (!f.names[i].empty() && lower == f.names[i]) return f.min + static_cast<int>(i);
  }
  int value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    return std::unexpected(FieldError(f, field, fmt::format("`{}` is not a number", s)));
  }
  if (value < f.min || value > f.max) {
    return std::unexpected(FieldError(f, field, fmt::format("{} is out of {}-{}", value, f.min, f.max)));
  }
  return value;
}

// The values one field allows, as a bitset over min..max.
StatusOr<std::vector<bool>> ParseField(const FieldSpec& f, std::string_view field) {
  std::vector<bool> allowed(static_cast<size_t>(f.max + 1), false);
  size_t start = 0;
  while (start <= field.size()) {
    const size_t comma = std::min(field.find(',', start), field.size());
    const std::string_view item = field.substr(start, comma - start);
    if (item.empty()) return std::unexpected(FieldError(f, field, "empty list item"));
    std::string_view range = item;
    int step = 1;
    if (const size_t slash = item.find('/'); slash != std::string_view::npos) {
      range = item.substr(0, slash);
      const std::string_view step_text = item.substr(slash + 1);
      auto [end, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
      if (step_text.empty() || ec != std::errc() || end != step_text.data() + step_text.size() || step <= 0) {
        return std::unexpected(FieldError(f, field, fmt::format("step `{}` is not a positive number", step_text)));
      }
    }
    int lo = f.min, hi = f.max;
    if (range != "*") {
      if (const size_t dash = range.find('-'); dash != std::string_view::npos) {
        PARETO_ASSIGN_OR_RETURN(lo, ParseValue(f, field, range.substr(0, dash)));
        PARETO_ASSIGN_OR_RETURN(hi, ParseValue(f, field, range.substr(dash + 1)));
        if (hi < lo) return std::unexpected(FieldError(f, field, fmt::format("range {}-{} is backwards", lo, hi)));
      } else {
        PARETO_ASSIGN_OR_RETURN(lo, ParseValue(f, field, range));
        hi = item.find('/') != std::string_view::npos ? f.max : lo;  // `a/n`: from a to the end
      }
    }
    for (int v = lo; v <= hi; v += step) allowed[static_cast<size_t>(v)] = true;
    start = comma + 1;
  }
  return allowed;
}

template <size_t N>
std::bitset<N> ToBits(const std::vector<bool>& allowed) {
  std::bitset<N> bits;
  for (size_t i = 0; i < N && i < allowed.size(); ++i) bits[i] = allowed[i];
  return bits;
}

struct Civil {
  int64_t day;  // days since 1970-01-01
  int minute_of_day;
};

Civil ToCivil(int64_t local_seconds) {
  const int64_t day = (local_seconds >= 0 ? local_seconds : local_seconds - kDay + 1) / kDay;
  return {day, static_cast<int>((local_seconds - day * kDay) / 60)};
}

// The first wall time >= `from` (seconds, on a whole minute) the schedule
// names, within `days_ahead` days; nullopt past that.
std::optional<int64_t> NextWallTime(const CronSchedule& s, int64_t from, int64_t days_ahead) {
  Civil c = ToCivil(from);
  for (int64_t day = c.day; day <= c.day + days_ahead; ++day) {
    const year_month_day ymd{sys_days{days{day}}};
    const int weekday = static_cast<int>(std::chrono::weekday{sys_days{days{day}}}.c_encoding());
    if (!s.MatchesDay(static_cast<int>(static_cast<unsigned>(ymd.month())),
                      static_cast<int>(static_cast<unsigned>(ymd.day())), weekday)) {
      continue;
    }
    for (int m = day == c.day ? c.minute_of_day : 0; m < 24 * 60; ++m) {
      if (s.hours[static_cast<size_t>(m / 60)] && s.minutes[static_cast<size_t>(m % 60)]) {
        return day * kDay + int64_t{m} * 60;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

bool CronSchedule::MatchesDay(int month, int day, int weekday) const {
  if (!months[static_cast<size_t>(month)]) return false;
  const bool dom = days[static_cast<size_t>(day)];
  const bool dow = weekdays[static_cast<size_t>(weekday)];
  if (days_restricted && weekdays_restricted) return dom || dow;
  return dom && dow;
}

StatusOr<CronSchedule> ParseCron(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    const size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  if (fields.size() != 5) {
    return std::unexpected(InvalidArgument(fmt::format(
        "cron expression `{}` has {} fields; it needs five: minute hour day-of-month month day-of-week "
        "(e.g. `0 6 * * *` for 06:00 every day)",
        text, fields.size())));
  }
  std::vector<bool> parsed[5];
  for (size_t f = 0; f < 5; ++f) {
    PARETO_ASSIGN_OR_RETURN(parsed[f], ParseField(kFields[f], fields[f]));
  }
  CronSchedule s;
  s.text = std::string(text);
  s.minutes = ToBits<60>(parsed[0]);
  s.hours = ToBits<24>(parsed[1]);
  s.days = ToBits<32>(parsed[2]);
  s.months = ToBits<13>(parsed[3]);
  s.weekdays = ToBits<7>(parsed[4]);
  if (parsed[4][7]) s.weekdays[0] = true;  // 7 is Sunday too
  s.days_restricted = fields[2].front() != '*';
  s.weekdays_restricted = fields[4].front() != '*';
  return s;
}

StatusOr<int64_t> NextFireTime(const CronSchedule& schedule, TimeZone& zone, int64_t after_utc_seconds) {
  PARETO_ASSIGN_OR_RETURN(int64_t offset, zone.OffsetAt(after_utc_seconds));
  // Wall times map to instants in order except across a gap, and only within
  // kMaxShift of it: start that far back, and once one fire time after `after`
  // is found, look that far past it for an earlier one.
  const int64_t local_after = after_utc_seconds + offset;
  int64_t from = (local_after - kMaxShift) / 60 * 60;
  std::optional<int64_t> best;
  std::optional<int64_t> limit;  // wall time past which nothing can come earlier
  // 8 years: Feb 29 on a given weekday can take that long; beyond it, never.
  constexpr int64_t kHorizonDays = 8 * 366;
  const int64_t horizon = local_after + kHorizonDays * kDay;
  while (true) {
    const auto wall = NextWallTime(schedule, from, std::max<int64_t>(1, (horizon - from) / kDay));
    if (!wall || *wall > horizon || (limit && *wall > *limit)) break;
    PARETO_ASSIGN_OR_RETURN(int64_t utc, LocalToUtc(zone, *wall));
    if (utc > after_utc_seconds && (!best || utc < *best)) {
      best = utc;
      if (!limit) limit = *wall + kMaxShift;
    }
    from = *wall + 60;
  }
  if (!best) {
    return std::unexpected(InvalidArgument(fmt::format("cron expression `{}` never fires", schedule.text)));
  }
  return *best;
}

std::string FormatWallTime(int64_t local_seconds) {
  const Civil c = ToCivil(local_seconds);
  const year_month_day ymd{sys_days{days{c.day}}};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), c.minute_of_day / 60,
                     c.minute_of_day % 60);
}

}  // namespace pareto::pipeline
