// pipeline.yaml's `sources:` as ParseProjectFile reads it and ingest's ValidateSource
// checks it: every broken declaration names the file and line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/source_spec.h"
#include "pipeline/project.h"
#include "pipeline/project_file.h"

namespace pareto::ingest {
namespace {

StatusOr<SourcesConfig> ParseSources(std::string_view text, std::string_view file) {
  PARETO_ASSIGN_OR_RETURN(pipeline::ProjectFile parsed, pipeline::ParseProjectFile(text, file));
  return SourcesConfig{parsed.catalog, parsed.timezone, parsed.sources};
}

StatusOr<SourcesConfig> LoadSources(const std::string& dir) {
  PARETO_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(dir));
  return project.Sources();
}

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kMinimal[] = R"yaml(catalog: shop
timezone: America/Sao_Paulo
sources:
  - table: brz_orders
    pattern: "orders*.csv"
    comment: Orders.
    business_key: [order_id]
    columns:
      - {name: order_id, type: string}
      - {name: placed_at, type: timestamp}
      - {name: amount, type: "DECIMAL(12, 2)"}
)yaml";

TEST(SourceSpecTest, ParsesMinimalSourceAndInheritsTimezone) {
  auto config = ParseSources(kMinimal, "pipeline.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->catalog, "shop");
  ASSERT_EQ(config->sources.size(), 1u);
  const SourceSpec& s = config->sources[0];
  EXPECT_EQ(s.table, "brz_orders");
  EXPECT_EQ(s.timezone, "America/Sao_Paulo");
  EXPECT_EQ(s.line, 4);
  EXPECT_THAT(s.business_key, ElementsAre("order_id"));
  ASSERT_EQ(s.columns.size(), 3u);
  EXPECT_EQ(s.columns[2].type, "decimal(12,2)");
  EXPECT_EQ(CsvReadType(s.columns[0]), "VARCHAR");
  // Timestamps and decimals are read as text and checked by ingest (offsets, scale).
  EXPECT_EQ(CsvReadType(s.columns[1]), "VARCHAR");
  EXPECT_TRUE(IsCheckedAfterRead(s.columns[1]));
  EXPECT_TRUE(IsCheckedAfterRead(s.columns[2]));
  EXPECT_FALSE(IsCheckedAfterRead(s.columns[0]));
  EXPECT_TRUE(s.HasTimestamps());
}

// A spreadsheet's layout is declared once per source and may be overridden per
// column; a format on a non-date column, or one without a strptime code, is refused.
TEST(SourceSpecTest, DateAndTimestampFormatsPerSourceAndColumn) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("    comment"), 0, "    timestamp_format: \"%m/%d/%Y %H:%M\"\n");
  yaml += "      - {name: shipped_at, type: timestamp, format: \"%d.%m.%Y %H:%M\"}\n";
  yaml += "      - {name: due, type: date}\n";
  auto config = ParseSources(yaml, "pipeline.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  const SourceSpec& s = config->sources[0];
  EXPECT_EQ(s.columns[1].format, "%m/%d/%Y %H:%M");
  EXPECT_EQ(s.columns[3].format, "%d.%m.%Y %H:%M");
  EXPECT_EQ(s.columns[4].format, "");  // a date keeps ISO: only timestamp_format was declared
  EXPECT_EQ(CsvReadType(s.columns[4]), "DATE");

  auto on_string = ParseSources(std::string(kMinimal) + "      - {name: x, type: string, format: \"%Y\"}\n",
                                "pipeline.yaml");
  ASSERT_FALSE(on_string.has_value());
  EXPECT_THAT(on_string.error().message(), HasSubstr("`format` applies to date and timestamp columns"));
  std::string no_code = kMinimal;
  no_code.replace(no_code.find("    comment"), 0, "    date_format: \"MM/DD/YYYY\"\n");
  auto bad = ParseSources(no_code, "pipeline.yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message(), HasSubstr("no strptime code"));
}

TEST(SourceSpecTest, SourceTimezoneOverridesTopLevel) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("    comment"), 0, "    timezone: UTC\n");
  auto config = ParseSources(yaml, "pipeline.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->sources[0].timezone, "UTC");
}

// Each broken document must fail with kInvalidArgument naming file and line.
struct BadCase {
  const char* name;
  std::string yaml;
  const char* expect;  // substring of the message
};

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(SourceSpecTest, RejectsBrokenSpecsWithFileAndLine) {
  const std::vector<BadCase> cases = {
      {"yaml syntax", Replace(kMinimal, "[order_id]", "[order_id"), "pipeline.yaml:"},
      {"unknown type", Replace(kMinimal, "type: timestamp", "type: datetime"),
       "pipeline.yaml:10: column `placed_at`: unknown type `datetime`"},
      {"bad decimal", Replace(kMinimal, "DECIMAL(12, 2)", "decimal(50,2)"), "unknown type"},
      {"missing pattern", Replace(kMinimal, "    pattern: \"orders*.csv\"\n", ""),
       "pipeline.yaml:4: missing `pattern`"},
      {"key not a column", Replace(kMinimal, "[order_id]", "[id]"),
       "business key column `id` is not in `columns`"},
      {"empty key", Replace(kMinimal, "[order_id]", "[]"), "`business_key` must be a non-empty list"},
      {"duplicate column", Replace(kMinimal, "name: placed_at", "name: order_id"), "duplicate column `order_id`"},
      {"reserved column", Replace(kMinimal, "name: placed_at", "name: _source_file"), "reserved"},
      {"bad table name", Replace(kMinimal, "table: brz_orders", "table: Brz-Orders"), "must match"},
      {"path in pattern", Replace(kMinimal, "orders*.csv", "in/orders*.csv"), "no '/'"},
      {"no timezone", Replace(kMinimal, "timezone: America/Sao_Paulo\n", ""), "no `timezone`"},
      {"column not a map", Replace(kMinimal, "- {name: order_id, type: string}", "- order_id"),
       "pipeline.yaml:9: a column must be a map"},
      {"sources not a list", "catalog: shop\nsources: {a: 1}\n", "pipeline.yaml:2: `sources` must be a non-empty list"},
      {"duplicate table", std::string(kMinimal) + Replace(kMinimal, "catalog: shop\ntimezone: America/Sao_Paulo\nsources:\n", ""),
       "duplicate source table `brz_orders`"},
  };
  for (const BadCase& c : cases) {
    auto config = ParseSources(c.yaml, "pipeline.yaml");
    ASSERT_FALSE(config.has_value()) << c.name;
    EXPECT_EQ(config.error().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(config.error().message(), HasSubstr(c.expect)) << c.name;
    EXPECT_THAT(config.error().message(), HasSubstr("pipeline.yaml")) << c.name;
  }
}

TEST(SourceSpecTest, YamlSyntaxErrorCarriesLineAndColumn) {
  auto config = ParseSources("catalog: shop\nsources:\n  - table: [a\n", "p.yaml");
  ASSERT_FALSE(config.has_value());
  EXPECT_THAT(config.error().message(), testing::MatchesRegex("p\\.yaml:[0-9]+:[0-9]+: .+"));
}

// The shipped project: nine sources, patterns that take incremental drops but
// never another source's file, money as decimal, IDs and zip prefixes as strings.
class OlistSourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = LoadSources(std::string(PARETO_SOURCE_DIR) + "/pipelines/olist");
    ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
    config_ = *std::move(loaded);
  }
  const SourceSpec* Find(std::string_view table) const {
    for (const SourceSpec& s : config_.sources)
      if (s.table == table) return &s;
    return nullptr;
  }
  SourcesConfig config_;
};

TEST_F(OlistSourcesTest, DeclaresNineSources) {
  std::vector<std::string> tables;
  for (const SourceSpec& s : config_.sources) tables.push_back(s.table);
  EXPECT_THAT(tables, ElementsAre("brz_orders", "brz_customers", "brz_order_items", "brz_payments", "brz_reviews",
                                  "brz_products", "brz_sellers", "brz_geolocation",
                                  "brz_product_category_translation"));
  for (const SourceSpec& s : config_.sources) {
    EXPECT_EQ(s.timezone, "America/Sao_Paulo") << s.table;
    EXPECT_FALSE(s.comment.empty()) << s.table;
  }
}

TEST_F(OlistSourcesTest, EachReleaseFileMatchesExactlyItsSource) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"olist_orders_dataset.csv", "brz_orders"},
      {"olist_orders_dataset_2018-09.csv", "brz_orders"},
      {"olist_customers_dataset.csv", "brz_customers"},
      {"olist_order_items_dataset.csv", "brz_order_items"},
      {"olist_order_items_dataset_2018-09.csv", "brz_order_items"},
      {"olist_order_payments_dataset.csv", "brz_payments"},
      {"olist_order_reviews_dataset.csv", "brz_reviews"},
      {"olist_products_dataset.csv", "brz_products"},
      {"olist_sellers_dataset.csv", "brz_sellers"},
      {"olist_geolocation_dataset.csv", "brz_geolocation"},
      {"product_category_name_translation.csv", "brz_product_category_translation"},
  };
  for (const auto& [file, table] : files) {
    std::vector<std::string> matched;
    for (const SourceSpec& s : config_.sources)
      if (s.Matches(file)) matched.push_back(s.table);
    EXPECT_THAT(matched, ElementsAre(table)) << file;
  }
  for (const char* other : {"README.md", "olist_orders_dataset.csv.bak", ".olist_orders_dataset.csv"}) {
    for (const SourceSpec& s : config_.sources) EXPECT_FALSE(s.Matches(other)) << other << " " << s.table;
  }
}

TEST_F(OlistSourcesTest, TypesKeepLeadingZerosAndCents) {
  auto type_of = [&](std::string_view table, std::string_view column) -> std::string {
    const SourceSpec* s = Find(table);
    if (!s) return "no table";
    for (const ColumnSpec& c : s->columns)
      if (c.name == column) return c.type;
    return "no column";
  };
  EXPECT_EQ(type_of("brz_customers", "customer_zip_code_prefix"), "string");
  EXPECT_EQ(type_of("brz_sellers", "seller_zip_code_prefix"), "string");
  EXPECT_EQ(type_of("brz_geolocation", "geolocation_zip_code_prefix"), "string");
  EXPECT_EQ(type_of("brz_orders", "order_purchase_timestamp"), "timestamp");
  EXPECT_EQ(type_of("brz_order_items", "price"), "decimal(12,2)");
  EXPECT_EQ(type_of("brz_payments", "payment_value"), "decimal(12,2)");
  EXPECT_EQ(type_of("brz_payments", "payment_installments"), "integer");
  EXPECT_EQ(type_of("brz_products", "product_name_lenght"), "integer");
}

}  // namespace
}  // namespace pareto::ingest
