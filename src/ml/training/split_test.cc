#include "ml/training/split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace pareto::ml {
namespace {

std::vector<double> Labels(int negatives, int positives) {
  std::vector<double> y(negatives, 0.0);
  y.insert(y.end(), positives, 1.0);
  return y;
}

TEST(StratifiedSplitTest, KeepsClassRatioAndCoversEveryRowOnce) {
  const std::vector<double> y = Labels(750, 250);
  auto split = StratifiedSplit(y, 0.2, 42);
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(split->test.size(), 200u);
  EXPECT_EQ(split->train.size(), 800u);
  int test_pos = 0;
  for (size_t r : split->test) test_pos += y[r] > 0.5;
  EXPECT_EQ(test_pos, 50);
  std::vector<size_t> all = split->train;
  all.insert(all.end(), split->test.begin(), split->test.end());
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], i);
}

TEST(StratifiedSplitTest, SeedDecidesTheRows) {
  const std::vector<double> y = Labels(90, 30);
  auto a = StratifiedSplit(y, 0.25, 1), b = StratifiedSplit(y, 0.25, 1), c = StratifiedSplit(y, 0.25, 2);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->test, b->test);
  EXPECT_NE(a->test, c->test);
}

TEST(StratifiedSplitTest, RejectsBadFraction) {
  const std::vector<double> y = Labels(5, 5);
  EXPECT_FALSE(StratifiedSplit(y, 0.0, 1).has_value());
  EXPECT_FALSE(StratifiedSplit(y, 1.0, 1).has_value());
}

TEST(StratifiedFoldsTest, FoldsAreBalancedPerClass) {
  const std::vector<double> y = Labels(103, 27);
  auto folds = StratifiedFolds(y, 5, 9);
  ASSERT_TRUE(folds.has_value());
  std::vector<int> size(5, 0), pos(5, 0);
  for (size_t i = 0; i < y.size(); ++i) {
    ++size[(*folds)[i]];
    pos[(*folds)[i]] += y[i] > 0.5;
  }
  const auto [smin, smax] = std::minmax_element(size.begin(), size.end());
  const auto [pmin, pmax] = std::minmax_element(pos.begin(), pos.end());
  EXPECT_LE(*smax - *smin, 1);
  EXPECT_LE(*pmax - *pmin, 1);
}

TEST(SplitByTimeTest, EarlierRowsTrainLaterRowsTest) {
  const std::vector<int64_t> t = {5, 1, 9, 3, 7};
  const Split s = SplitByTime(t, 5);
  EXPECT_EQ(s.train, (std::vector<size_t>{1, 3}));
  EXPECT_EQ(s.test, (std::vector<size_t>{0, 2, 4}));
}

TEST(SplitByTimeTest, CutoffForFractionLeavesTheLatestRows) {
  std::vector<int64_t> t;
  for (int i = 100; i >= 1; --i) t.push_back(i);
  const int64_t cutoff = TimeCutoffForFraction(t, 0.2);
  EXPECT_EQ(cutoff, 81);
  EXPECT_EQ(SplitByTime(t, cutoff).test.size(), 20u);
}

}  // namespace
}  // namespace pareto::ml
