#include "cli/progress_view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace pareto::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Fixture {
  std::ostringstream out;
  int64_t now_ms = 1'000'000;
  ProgressView View(ProgressOptions options) {
    return ProgressView(out, options, [this] { return now_ms; });
  }
};

TEST(ProgressViewTest, PlainOutputIsOneLineATaskEvent) {
  Fixture f;
  ProgressView view = f.View({.live = false});
  view.Started("silver.slv_orders");
  f.now_ms += 400;
  view.Finished({.task = "silver.slv_orders", .state = "built", .rows = 96, .seconds = 0.4});
  view.Retrying("gold.gld_x", 1, "commit race\nlost");
  view.Finished({.task = "gold.gld_x", .state = "failed", .seconds = 1.25, .attempts = 3, .message = "boom\nagain"});
  view.Finished({.task = "gold.gld_y", .state = "skipped", .rows = -1, .message = "upstream gold.gld_x failed"});
  view.Tick();  // nothing in plain mode
  view.Close();
  EXPECT_EQ(f.out.str(),
            "pareto run: silver.slv_orders started\n"
            "pareto run: silver.slv_orders built, 96 rows (0.4 s)\n"
            "pareto run: gold.gld_x attempt 1 failed, retrying: commit race lost\n"
            "pareto run: gold.gld_x failed after 3 attempts (1.2 s): boom again\n"
            "pareto run: gold.gld_y skipped (0.0 s): upstream gold.gld_x failed\n");
}

TEST(ProgressViewTest, TheLiveBlockShowsRunningTasksWithTheirElapsedTime) {
  Fixture f;
  ProgressView view = f.View({.live = true, .width = 80});
  view.Started("bronze.brz_orders");
  f.now_ms += 1500;
  view.Started("bronze.brz_items");
  f.now_ms += 2000;
  EXPECT_EQ(view.RenderRunning(),
            "  running bronze.brz_items                             2.0 s\n"
            "  running bronze.brz_orders                            3.5 s\n");
}

TEST(ProgressViewTest, RedrawsInPlaceAtMostTenTimesASecond) {
  Fixture f;
  ProgressView view = f.View({.live = true});
  view.Started("a");  // draws a block of one line
  f.out.str("");
  f.now_ms += 50;
  view.Tick();  // too soon
  EXPECT_EQ(f.out.str(), "");
  f.now_ms += 60;
  view.Tick();  // 110 ms since the last drawing: up one line, clear it, draw again
  EXPECT_EQ(f.out.str(), "\x1b[1A\x1b[2K  running a                                            0.1 s\n");
  f.out.str("");
  // An ended task is printed once above the block, which is drawn again below it.
  view.Started("b");
  f.out.str("");
  view.Finished({.task = "a", .state = "built", .rows = 3, .seconds = 0.1});
  EXPECT_EQ(f.out.str(),
            "\x1b[1A\x1b[2K\x1b[1A\x1b[2K"
            "pareto run: a built, 3 rows (0.1 s)\n"
            "  running b                                            0.0 s\n");
  f.out.str("");
  view.Close();  // the block goes before the summary
  EXPECT_EQ(f.out.str(), "\x1b[1A\x1b[2K");
}

TEST(ProgressViewTest, LongLinesAreCutToTheTerminalWidth) {
  Fixture f;
  ProgressView view = f.View({.live = true, .width = 30});
  view.Started("gold.a_very_long_table_name_indeed_for_this");
  EXPECT_EQ(view.RenderRunning(), "  running gold.a_very_long_...\n");
}

TEST(ProgressViewTest, SummaryTableHasTaskStatusRowsSeconds) {
  Fixture f;
  ProgressView view = f.View({.live = true});
  view.Finished({.task = "silver.slv_orders", .state = "built", .rows = 96, .seconds = 0.42});
  view.Finished({.task = "ml.train", .state = "up to date", .rows = -1, .seconds = 0.01});
  EXPECT_EQ(view.Summary(),
            "task               status            rows   seconds\n"
            "silver.slv_orders  built               96       0.4\n"
            "ml.train           up to date           -       0.0\n");
}

TEST(ProgressViewTest, ColourOnlyWhenAskedAndNoColorUnset) {
  EXPECT_TRUE(ProgressView::ColorAllowed(nullptr));
  EXPECT_TRUE(ProgressView::ColorAllowed(""));  // NO_COLOR= (empty) does not count
  EXPECT_FALSE(ProgressView::ColorAllowed("1"));

  Fixture colored;
  ProgressView view = colored.View({.live = true, .color = true});
  view.Finished({.task = "t", .state = "failed", .seconds = 1, .message = "x"});
  EXPECT_THAT(colored.out.str(), HasSubstr("\x1b[1;31mfailed\x1b[0m"));
  EXPECT_THAT(view.Summary(), HasSubstr("\x1b[1;31mfailed    \x1b[0m"));

  Fixture plain;
  ProgressView none = plain.View({.live = true, .color = false});
  none.Finished({.task = "t", .state = "failed", .seconds = 1, .message = "x"});
  EXPECT_THAT(plain.out.str(), Not(HasSubstr("\x1b[")));
}

}  // namespace
}  // namespace pareto::cli
