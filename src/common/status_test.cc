#include "common/status.h"

#include <gtest/gtest.h>

namespace pareto {
namespace {

StatusOr<int> ParsePositive(int v) {
  if (v <= 0) return std::unexpected(InvalidArgument("not positive: " + std::to_string(v)));
  return v;
}

StatusOr<int> Doubled(int v) {
  PARETO_ASSIGN_OR_RETURN(int x, ParsePositive(v));
  return 2 * x;
}

Status CheckBoth(int a, int b) {
  PARETO_RETURN_IF_ERROR(StatusOf(ParsePositive(a)));
  PARETO_RETURN_IF_ERROR(StatusOf(ParsePositive(b)).WithContext("second"));
  return OkStatus();
}

TEST(StatusTest, AssignOrReturnPropagatesTheError) {
  EXPECT_EQ(Doubled(4).value(), 8);
  auto r = Doubled(-1);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "not positive: -1");
}

TEST(StatusTest, ReturnIfErrorAddsContext) {
  EXPECT_TRUE(CheckBoth(1, 2).ok());
  Status s = CheckBoth(1, 0);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "second: not positive: 0");
}

}  // namespace
}  // namespace pareto
