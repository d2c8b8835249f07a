#include "common/percent_encoding.h"

#include <gtest/gtest.h>

namespace pareto {
namespace {

TEST(PercentDecodeTest, DecodesEscapesOfEitherCase) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc%2fd"), "a b/c/d");
  EXPECT_EQ(PercentDecode("%C3%A9t%C3%A9"), "\xC3\xA9t\xC3\xA9");  // UTF-8 bytes pass through
  EXPECT_EQ(PercentDecode("%00x"), std::string("\0x", 2));
}

TEST(PercentDecodeTest, DecodesOnceAndLeavesPlusAlone) {
  EXPECT_EQ(PercentDecode("%2541"), "%41");
  EXPECT_EQ(PercentDecode("1+1=2"), "1+1=2");
  EXPECT_EQ(PercentDecode("plain/path=part-0.parquet"), "plain/path=part-0.parquet");
}

TEST(PercentDecodeTest, KeepsMalformedEscapesAsTheyAre) {
  EXPECT_EQ(PercentDecode("%"), "%");
  EXPECT_EQ(PercentDecode("a%4"), "a%4");
  EXPECT_EQ(PercentDecode("%zz%4g"), "%zz%4g");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%41%"), "A%");
  EXPECT_EQ(PercentDecode(""), "");
}

}  // namespace
}  // namespace pareto
