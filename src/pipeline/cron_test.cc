#include "pipeline/cron.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "pipeline/duration.h"
#include "pipeline/time_zone.h"

namespace pareto::pipeline {
namespace {

using ::testing::HasSubstr;

// "2026-11-30 09:00" read as UTC -> seconds since the epoch.
int64_t Utc(const char* text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  EXPECT_EQ(std::sscanf(text, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi), 5) << text;
  const std::chrono::sys_days day{std::chrono::year{y} / mo / d};
  return day.time_since_epoch().count() * 86'400 + h * 3600 + mi * 60;
}

std::string AsUtc(int64_t s) { return FormatWallTime(s); }

CronSchedule Cron(const char* text) {
  auto s = ParseCron(text);
  EXPECT_TRUE(s.has_value()) << text << ": " << s.error().ToString();
  return s.value_or(CronSchedule{});
}

std::string Next(const char* cron, TimeZone& zone, const char* after_utc) {
  auto next = NextFireTime(Cron(cron), zone, Utc(after_utc));
  if (!next) return next.error().ToString();
  return AsUtc(*next);
}

TEST(CronTest, RefusesWhatIsNotFiveValidFields) {
  EXPECT_THAT(ParseCron("0 6 * *").error().message(), HasSubstr("has 4 fields; it needs five"));
  EXPECT_THAT(ParseCron("60 * * * *").error().message(), HasSubstr("minute field `60`: 60 is out of 0-59"));
  EXPECT_THAT(ParseCron("0 24 * * *").error().message(), HasSubstr("hour field"));
  EXPECT_THAT(ParseCron("0 5-1 * * *").error().message(), HasSubstr("range 5-1 is backwards"));
  EXPECT_THAT(ParseCron("*/0 * * * *").error().message(), HasSubstr("step `0`"));
  EXPECT_THAT(ParseCron("0 0 * foo *").error().message(), HasSubstr("`foo` is not a number"));
  EXPECT_THAT(ParseCron("0 0 1,,2 * *").error().message(), HasSubstr("empty list item"));
}

TEST(CronTest, ListsRangesStepsAndNames) {
  const CronSchedule s = Cron("*/15 9-17/4 1,15 JAN-mar sun,7");
  EXPECT_EQ(s.minutes.count(), 4u);
  EXPECT_TRUE(s.minutes[45]);
  EXPECT_EQ(s.hours.count(), 3u);  // 9, 13, 17
  EXPECT_TRUE(s.hours[13] && s.hours[17]);
  EXPECT_EQ(s.days.count(), 2u);
  EXPECT_EQ(s.months.count(), 3u);
  EXPECT_TRUE(s.months[1] && s.months[3]);
  EXPECT_EQ(s.weekdays.count(), 1u);  // 0 and 7 are both Sunday
  EXPECT_TRUE(s.weekdays[0]);
  EXPECT_EQ(Cron("5/20 * * * *").minutes.count(), 3u);  // 5, 25, 45
}

TEST(CronTest, NextFireTimeInUtc) {
  auto utc = FixedOffsetZone(0);
  // Friday evening -> Monday morning.
  EXPECT_EQ(Next("*/15 9-17 * * mon-fri", *utc, "2026-11-27 17:50"), "2026-11-30 09:00");
  EXPECT_EQ(Next("*/15 9-17 * * mon-fri", *utc, "2026-11-30 09:00"), "2026-11-30 09:15");  // strictly after
  EXPECT_EQ(Next("0 6 * * *", *utc, "2026-11-30 05:59"), "2026-11-30 06:00");
  // Both day fields restricted: either matches (Friday the 4th before the 13th).
  EXPECT_EQ(Next("0 0 13 * fri", *utc, "2026-11-30 00:00"), "2026-12-04 00:00");
  EXPECT_EQ(Next("0 0 13 * *", *utc, "2026-11-30 00:00"), "2026-12-13 00:00");
  // A day field starting with `*` is unrestricted: both must match (odd day AND Friday).
  EXPECT_EQ(Next("0 0 */2 * fri", *utc, "2026-11-30 00:00"), "2026-12-11 00:00");
  EXPECT_EQ(Next("0 12 29 2 *", *utc, "2026-03-01 00:00"), "2028-02-29 12:00");
  EXPECT_THAT(Next("0 0 30 2 *", *utc, "2026-03-01 00:00"), HasSubstr("never fires"));
}

TEST(CronTest, AFixedOffsetShiftsTheWallTime) {
  auto minus3 = FixedOffsetZone(-3 * 3600);
  EXPECT_EQ(Next("0 6 * * *", *minus3, "2026-11-30 08:00"), "2026-11-30 09:00");
}

TEST(TimeZoneTest, UnknownZoneIsRefused) {
  auto zone = OpenTimeZone("Mars/Olympus_Mons");
  ASSERT_FALSE(zone.has_value());
  EXPECT_THAT(zone.error().message(), HasSubstr("unknown time zone `Mars/Olympus_Mons`"));
}

// 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST.
TEST(CronTest, NewYorkAcrossDaylightSavingChanges) {
  auto zone = OpenTimeZone("America/New_York");
  ASSERT_TRUE(zone.has_value()) << zone.error().ToString();
  TimeZone& ny = **zone;
  // Winter, then summer.
  EXPECT_EQ(Next("30 2 * * *", ny, "2026-03-06 12:00"), "2026-03-07 07:30");  // 02:30 EST
  // 02:30 does not exist on March 8: it fires at 03:30 EDT, once.
  EXPECT_EQ(Next("30 2 * * *", ny, "2026-03-07 12:00"), "2026-03-08 07:30");
  EXPECT_EQ(Next("30 2 * * *", ny, "2026-03-08 07:30"), "2026-03-09 06:30");  // 02:30 EDT
  // Asked after the jump, the skipped 02:50 still fires (at 03:50 EDT).
  EXPECT_EQ(Next("50 2 * * *", ny, "2026-03-08 07:20"), "2026-03-08 07:50");
  // Hourly: 01:00 EST, then 03:00 EDT (the 02:00 slot falls on the same instant).
  EXPECT_EQ(Next("0 * * * *", ny, "2026-03-08 06:30"), "2026-03-08 07:00");
  EXPECT_EQ(Next("0 * * * *", ny, "2026-03-08 07:00"), "2026-03-08 08:00");
  // 01:30 happens twice on November 1: it fires at the first (EDT) only.
  EXPECT_EQ(Next("30 1 * * *", ny, "2026-10-31 12:00"), "2026-11-01 05:30");
  EXPECT_EQ(Next("30 1 * * *", ny, "2026-11-01 05:30"), "2026-11-02 06:30");
  EXPECT_EQ(Next("0 * * * *", ny, "2026-11-01 05:00"), "2026-11-01 07:00");  // 02:00 EST
}

TEST(CronTest, DailyJobRunsOncePerLocalDayThroughAYearOfNewYork) {
  auto zone = OpenTimeZone("America/New_York");
  ASSERT_TRUE(zone.has_value());
  const CronSchedule daily = Cron("30 1 * * *");
  int64_t t = Utc("2026-01-01 00:00");
  int fires = 0;
  while (true) {
    auto next = NextFireTime(daily, **zone, t);
    ASSERT_TRUE(next.has_value());
    if (*next >= Utc("2027-01-01 00:00")) break;
    ASSERT_GT(*next, t);
    const std::string local = FormatWallTime(*next + (*zone)->OffsetAt(*next).value());
    EXPECT_EQ(local.substr(11), "01:30") << local;
    t = *next;
    ++fires;
  }
  EXPECT_EQ(fires, 365);
}

// Sao Paulo's last daylight saving: 2017-10-15 00:00 -> 01:00 (-03 -> -02) and
// 2018-02-18 00:00 -> 2018-02-17 23:00 (back to -03).
TEST(CronTest, SaoPauloAcrossItsLastDaylightSaving) {
  auto zone = OpenTimeZone("America/Sao_Paulo");
  ASSERT_TRUE(zone.has_value()) << zone.error().ToString();
  TimeZone& sp = **zone;
  // 00:30 did not exist on 2017-10-15: read with -03, 03:30Z (as ingest reads it).
  EXPECT_EQ(Next("30 0 * * *", sp, "2017-10-14 12:00"), "2017-10-15 03:30");
  // 23:30 happened twice on 2018-02-17: first at -02 (01:30Z), not again at -03.
  EXPECT_EQ(Next("30 23 * * *", sp, "2018-02-17 12:00"), "2018-02-18 01:30");
  EXPECT_EQ(Next("30 23 * * *", sp, "2018-02-18 01:30"), "2018-02-19 02:30");
  // Today: no DST, always -03.
  EXPECT_EQ(Next("0 6 * * *", sp, "2026-11-30 00:00"), "2026-11-30 09:00");
}

TEST(DurationTest, ParsesWhatPeopleWrite) {
  EXPECT_EQ(ParseDurationMs("90s").value(), 90'000);
  EXPECT_EQ(ParseDurationMs("30m").value(), 1'800'000);
  EXPECT_EQ(ParseDurationMs("1h30m").value(), 5'400'000);
  EXPECT_EQ(ParseDurationMs("500ms").value(), 500);
  EXPECT_EQ(ParseDurationMs("45").value(), 45'000);
  EXPECT_FALSE(ParseDurationMs("").has_value());
  EXPECT_FALSE(ParseDurationMs("ten minutes").has_value());
  EXPECT_FALSE(ParseDurationMs("5x").has_value());
  EXPECT_EQ(FormatDurationMs(90'000), "1 min 30 s");
  EXPECT_EQ(FormatDurationMs(1'800'000), "30 min");
}

}  // namespace
}  // namespace pareto::pipeline
