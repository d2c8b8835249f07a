#include "ingest/source_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

// How pipeline.yaml's text becomes these values is tested beside the reader
// (src/pipeline/project_sources_test.cc); here, the checks on the values.
namespace pareto::ingest {
namespace {

using ::testing::HasSubstr;

SourceSpec Orders() {
  SourceSpec s{.table = "brz_orders", .pattern = "orders*.csv", .business_key = {"order_id"},
               .timezone = "UTC", .comment = "Orders.", .line = 4};
  s.columns = {{.name = "order_id", .type = "string", .line = 9},
               {.name = "placed_at", .type = "timestamp", .line = 10},
               {.name = "amount", .type = "DECIMAL(12, 2)", .line = 11}};
  return s;
}

TEST(SourceSpecTest, ValidateNormalizesTypes) {
  SourceSpec s = Orders();
  ASSERT_TRUE(ValidateSource(s, "p.yaml").ok());
  EXPECT_EQ(s.columns[2].type, "decimal(12,2)");
  EXPECT_EQ(CsvReadType(s.columns[2]), "VARCHAR");  // read as text: csv_file.cc checks the scale
  EXPECT_TRUE(IsCheckedAfterRead(s.columns[2]));
  EXPECT_TRUE(s.Matches("orders_2018.csv"));
  EXPECT_FALSE(s.Matches(".orders.csv"));
}

TEST(SourceSpecTest, ValidateNamesFileAndLine) {
  SourceSpec bad_type = Orders();
  bad_type.columns[1].type = "datetime";
  EXPECT_THAT(ValidateSource(bad_type, "p.yaml").message(),
              HasSubstr("p.yaml:10: column `placed_at`: unknown type `datetime`"));
  SourceSpec no_zone = Orders();
  no_zone.timezone.clear();
  EXPECT_THAT(ValidateSource(no_zone, "p.yaml").message(), HasSubstr("p.yaml:4: source `brz_orders` has timestamp"));
  SourceSpec twice = Orders();
  EXPECT_THAT(ValidateSources({"shop", "UTC", {twice, twice}}, "p.yaml").message(),
              HasSubstr("duplicate source table `brz_orders`"));
}

}  // namespace
}  // namespace pareto::ingest
