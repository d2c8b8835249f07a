// The BG/NBD backtest over a snapshot table: persons simulated from BG/NBD's own
// story, so the expected purchases in the window must match what was simulated.
#include "ml/training/bgnbd_backtest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "common/random.h"
#include "duck/testing/in_memory.h"

namespace pareto::ml {
namespace {

TEST(BgNbdBacktestTest, ExpectedPurchasesMatchTheSimulatedWindow) {
  std::optional<duck::Database> db;
  std::optional<duck::Connection> conn;
  ASSERT_NO_FATAL_FAILURE(duck::testing::OpenInMemory(db, conn));
  ASSERT_TRUE(conn->Execute("CREATE TABLE snaps (snapshot_date DATE, horizon_days INTEGER, past_purchase_days BIGINT, "
                            "active_span_days BIGINT, tenure_days BIGINT, future_purchase_days BIGINT)").ok());
  // r = 0.5, alpha = 5 (weeks), a = 0.8, b = 2.5; T from 15 to 55 weeks; a 26-week window.
  Rng rng(3);
  std::string values;
  double simulated_future = 0;
  const int persons = 4000;
  for (int i = 0; i < persons; ++i) {
    const double lambda = rng.Gamma(0.5, 5.0);
    const double drop = rng.Beta(0.8, 2.5);
    const int tenure_days = 105 + static_cast<int>(rng.Below(280));
    const double T = tenure_days / 7.0;
    int x = 0, future = 0;
    double t = 0, t_x = 0;
    for (;;) {
      t += rng.Exponential(1 / lambda);
      if (t > T + 26) break;
      if (t <= T) {
        ++x, t_x = t;
      } else {
        ++future;
      }
      if (rng.Bernoulli(drop)) break;
    }
    simulated_future += future;
    values += fmt::format("{}('2018-07-01', 182, {}, {}, {}, {})", i ? "," : "", x + 1,
                          static_cast<int>(std::floor(t_x * 7)), tenure_days, future);
  }
  ASSERT_TRUE(conn->Execute("INSERT INTO snaps VALUES " + values).ok());
  // Another snapshot's rows are not read.
  ASSERT_TRUE(conn->Execute("INSERT INTO snaps VALUES ('2018-04-01', 182, 1, 0, 10, 99)").ok());

  auto b = RunBgNbdBacktest(*conn, "snaps", "2018-07-01");
  ASSERT_TRUE(b.has_value()) << b.error().ToString();
  EXPECT_EQ(b->persons, persons);
  EXPECT_EQ(b->actual_total, simulated_future);
  int64_t in_buckets = 0;
  for (const BgNbdBucket& k : b->buckets) in_buckets += k.persons;
  EXPECT_EQ(in_buckets, persons);
  EXPECT_NEAR(b->fit.params.r, 0.5, 0.1);
  EXPECT_NEAR(b->expected_total / b->actual_total, 1.0, 0.08) << FormatBgNbdBacktest(*b);
  const std::string table = FormatBgNbdBacktest(*b);
  std::printf("%s", table.c_str());
  EXPECT_NE(table.find("BG/NBD at 2018-07-01 (4000 persons"), std::string::npos) << table;

  EXPECT_FALSE(RunBgNbdBacktest(*conn, "snaps", "2019-01-01").has_value());  // no such snapshot
}

}  // namespace
}  // namespace pareto::ml
