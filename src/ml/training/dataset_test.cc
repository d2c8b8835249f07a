#include "ml/training/dataset.h"

#include <gtest/gtest.h>

#include <cmath>

namespace pareto::ml {
namespace {

StatusOr<Frame> FrameOf(std::string_view sql) {
  PARETO_ASSIGN_OR_RETURN(duck::Database db, duck::Database::Open());
  PARETO_ASSIGN_OR_RETURN(duck::Connection conn, db.Connect());
  PARETO_ASSIGN_OR_RETURN(duck::Result result, conn.Query(sql));
  return FrameFromResult(result);
}

constexpr std::string_view kSql = R"(
  SELECT * FROM (VALUES
    (1, 2.5::DOUBLE, 1.25::DECIMAL(10,2), true,  'SP'),
    (2, NULL,        2.00::DECIMAL(10,2), false, 'SP'),
    (3, 4.0,         NULL,                NULL,  'RJ'),
    (4, 1.0,         3.50::DECIMAL(10,2), true,  NULL),
    (5, 0.5,         0.10::DECIMAL(10,2), false, 'MG')
  ) t(n, d, m, b, state))";

TEST(FrameTest, ReadsNumbersBoolsAndTextWithNullsAsNaN) {
  auto frame = FrameOf(kSql);
  ASSERT_TRUE(frame.has_value()) << frame.error().ToString();
  EXPECT_EQ(frame->rows, 5u);
  EXPECT_DOUBLE_EQ(frame->Find("m")->numbers[0], 1.25);
  EXPECT_TRUE(std::isnan(frame->Find("d")->numbers[1]));
  EXPECT_DOUBLE_EQ(frame->Find("b")->numbers[0], 1.0);
  EXPECT_TRUE(std::isnan(frame->Find("b")->numbers[2]));
  EXPECT_TRUE(frame->Find("state")->categorical);
  EXPECT_FALSE(frame->Find("state")->texts[3].has_value());
}

TEST(FrameTest, RefusesATimestampColumnNamingIt) {
  auto frame = FrameOf("SELECT TIMESTAMP '2020-01-01' AS first_purchase_ts");
  ASSERT_FALSE(frame.has_value());
  EXPECT_NE(frame.error().message().find("first_purchase_ts"), std::string::npos);
}

TEST(EncoderTest, LevelsComeFromTrainingRowsOnly) {
  auto frame = FrameOf(kSql);
  ASSERT_TRUE(frame.has_value());
  const std::vector<std::string> features = {"d", "state"};
  const std::vector<size_t> train = {0, 1, 2};  // SP twice, RJ once; MG only in "test"
  auto encoder = Encoder::Fit(*frame, features, train, /*min_level_count=*/1);
  ASSERT_TRUE(encoder.has_value());
  EXPECT_EQ(encoder->FeatureNames(), (std::vector<std::string>{"d", "state=RJ", "state=SP"}));
  EXPECT_EQ(encoder->SourceColumns(), (std::vector<std::string>{"d", "state", "state"}));
  auto design = encoder->Apply(*frame, AllRows(5));
  ASSERT_TRUE(design.has_value());
  EXPECT_DOUBLE_EQ(design->x(0, 2), 1.0);  // SP
  EXPECT_DOUBLE_EQ(design->x(2, 1), 1.0);  // RJ
  EXPECT_DOUBLE_EQ(design->x(4, 1) + design->x(4, 2), 0.0);  // MG: unseen
  EXPECT_DOUBLE_EQ(design->x(3, 1) + design->x(3, 2), 0.0);  // NULL

  auto rare = Encoder::Fit(*frame, features, train, /*min_level_count=*/2);
  ASSERT_TRUE(rare.has_value());
  EXPECT_EQ(rare->FeatureNames(), (std::vector<std::string>{"d", "state=SP"}));

  auto round_trip = Encoder::FromJson(encoder->ToJson());
  ASSERT_TRUE(round_trip.has_value());
  EXPECT_EQ(round_trip->FeatureNames(), encoder->FeatureNames());
}

TEST(EncoderTest, UnknownFeatureIsNotFound) {
  auto frame = FrameOf(kSql);
  ASSERT_TRUE(frame.has_value());
  const std::vector<std::string> features = {"nope"};
  auto encoder = Encoder::Fit(*frame, features, AllRows(5));
  ASSERT_FALSE(encoder.has_value());
  EXPECT_EQ(encoder.error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace pareto::ml
