// Cells as JSON: each leaf type at the top level and inside every nested shape
// (list, array, map, struct, and nestings of them) gives the same exact JSON.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "duck/json_cell.h"
#include "duck/testing/in_memory.h"

namespace pareto::duck {
namespace {

class JsonCellTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(testing::OpenInMemory(db_, conn_)); }

  // The JSON of each cell of the one row `sql` gives.
  std::vector<std::string> Json(const std::string& sql, const QueryLimits& limits = {}) {
    auto r = conn_->QueryText(sql, limits);
    EXPECT_TRUE(r.has_value()) << r.error().message();
    if (!r.has_value() || r->rows.empty()) return {};
    std::vector<std::string> out;
    for (size_t c = 0; c < r->columns.size(); ++c) out.push_back(CellJson(*r, 0, c));
    for (const std::string& cell : out) EXPECT_TRUE(nlohmann::json::accept(cell)) << cell;
    return out;
  }
  // One value's JSON at the top level, and in a list, an array, a map value
  // and a struct field.
  void ExpectEverywhere(const std::string& value_sql, const std::string& json) {
    SCOPED_TRACE(value_sql);
    EXPECT_EQ(Json("SELECT " + value_sql + " AS v, [" + value_sql + ", NULL] AS l, array_value(" + value_sql +
                   ") AS a, MAP {'k': " + value_sql + "} AS m, {'f': " + value_sql + ", 'g': NULL} AS s"),
              (std::vector<std::string>{json, "[" + json + ",null]", "[" + json + "]", "{\"k\":" + json + "}",
                                        "{\"f\":" + json + ",\"g\":null}"}));
  }

  std::optional<Database> db_;
  std::optional<Connection> conn_;
};

TEST_F(JsonCellTest, DecimalsKeepEveryDigitAtAnyDepth) {
  ExpectEverywhere("0.123456789012345678901234567890123456::DECIMAL(38,36)", "0.123456789012345678901234567890123456");
  ExpectEverywhere("-9999999999.9999999999::DECIMAL(20,10)", "-9999999999.9999999999");
  // Scale 0 is an integer, never 5.0; trailing zeros of the scale stay.
  ExpectEverywhere("5::DECIMAL(4,0)", "5");
  ExpectEverywhere("1.10::DECIMAL(3,2)", "1.10");
  ExpectEverywhere("12345.678900000000794535::DECIMAL(38,18)", "12345.678900000000794535");
}

TEST_F(JsonCellTest, IntegersFloatsAndBooleansAreTyped) {
  ExpectEverywhere("170141183460469231731687303715884105727::HUGEINT", "170141183460469231731687303715884105727");
  ExpectEverywhere("18446744073709551615::UBIGINT", "18446744073709551615");
  ExpectEverywhere("(-128)::TINYINT", "-128");
  ExpectEverywhere("1.5::FLOAT", "1.5");
  ExpectEverywhere("0.1::DOUBLE", "0.1");
  // JSON has no infinity or NaN: DuckDB's text, as a string.
  ExpectEverywhere("'inf'::DOUBLE", "\"inf\"");
  ExpectEverywhere("'nan'::FLOAT", "\"nan\"");
  ExpectEverywhere("true", "true");
  ExpectEverywhere("false", "false");
}

TEST_F(JsonCellTest, TimestampsAreIso8601WithTheirOffsetAtAnyDepth) {
  ExpectEverywhere("TIMESTAMPTZ '2018-01-01 10:00:00+05'", "\"2018-01-01T05:00:00+00:00\"");
  ExpectEverywhere("TIMESTAMPTZ '2018-01-01 10:00:00.25Z'", "\"2018-01-01T10:00:00.25+00:00\"");
  ExpectEverywhere("TIMESTAMP '2020-01-01 08:09:10'", "\"2020-01-01T08:09:10\"");
  ExpectEverywhere("TIMESTAMP_NS '2020-01-01 00:00:00.123456789'", "\"2020-01-01T00:00:00.123456789\"");
  ExpectEverywhere("TIMESTAMP_MS '2020-01-01 00:00:00.123'", "\"2020-01-01T00:00:00.123\"");
  ExpectEverywhere("TIMESTAMP_S '2020-01-01 00:00:01'", "\"2020-01-01T00:00:01\"");
  ExpectEverywhere("DATE '2020-02-29'", "\"2020-02-29\"");
  ExpectEverywhere("TIME '10:00'", "\"10:00:00\"");
  ExpectEverywhere("INTERVAL 3 DAY", "\"3 days\"");
  ExpectEverywhere("'infinity'::TIMESTAMP", "\"infinity\"");
}

TEST_F(JsonCellTest, TextLikeLeavesAreEscapedStrings) {
  ExpectEverywhere("'say \"hi\"' || chr(10) || chr(0) || 'x'", "\"say \\\"hi\\\"\\n\\u0000x\"");
  ExpectEverywhere("'6b3c2f8e-1d2a-4f5b-9c7d-0e1f2a3b4c5d'::UUID", "\"6b3c2f8e-1d2a-4f5b-9c7d-0e1f2a3b4c5d\"");
  ExpectEverywhere("'b'::ENUM('a', 'b')", "\"b\"");
  ExpectEverywhere("'1010'::BIT", "\"1010\"");
  ExpectEverywhere("'\\xAA\\x00'::BLOB", "\"\\\\xAA\\\\x00\"");
  // A JSON value is itself, inside a list as at the top.
  ExpectEverywhere("'{\"x\": [1, 2.50]}'::JSON", "{\"x\": [1, 2.50]}");
}

TEST_F(JsonCellTest, NestedShapesNestedInEachOther) {
  EXPECT_EQ(Json("SELECT [[[1, 2], []], NULL, [[3]]] AS l3, "
                 "[{'val': 1}, NULL, {'val': NULL}] AS ls, "
                 "{'aa': 'x', 'ac': {'aca': 1, 'acb': 2::BIGINT}} AS ss, "
                 "MAP {1: [{'val': 2.50::DECIMAL(3,2)}], 2: []} AS mls, "
                 "[MAP {'a': 1::BIGINT}, MAP {}] AS lm, "
                 "array_value([1.0::DECIMAL(2,1)], []) AS al, "
                 "{'a b': 1, 'x\"y': [TIMESTAMPTZ '2020-01-01 00:00:00+00']} AS odd_names"),
            (std::vector<std::string>{
                "[[[1,2],[]],null,[[3]]]",
                "[{\"val\":1},null,{\"val\":null}]",
                "{\"aa\":\"x\",\"ac\":{\"aca\":1,\"acb\":2}}",
                "{\"1\":[{\"val\":2.50}],\"2\":[]}",
                "[{\"a\":1},{}]",
                "[[1.0],[]]",
                "{\"a b\":1,\"x\\\"y\":[\"2020-01-01T00:00:00+00:00\"]}",
            }));
  // Map keys of any type are their text; a map value may be NULL.
  EXPECT_EQ(Json("SELECT MAP {1.5::FLOAT: NULL::DOUBLE, -2.0: 3.25} AS m, MAP {DATE '2020-01-01': true} AS d"),
            (std::vector<std::string>{"{\"1.5\":null,\"-2.0\":3.25}", "{\"2020-01-01\":true}"}));
  // NULL nested values are null; empty ones are empty.
  EXPECT_EQ(Json("SELECT NULL::INTEGER[] AS l, NULL::STRUCT(a INTEGER) AS s, NULL::MAP(VARCHAR, INTEGER) AS m, "
                 "[]::INTEGER[] AS e"),
            (std::vector<std::string>{"null", "null", "null", "[]"}));
}

// Shapes without a JSON object form are DuckDB's text, as a string.
TEST_F(JsonCellTest, UnionsAndUnnamedStructsAreTheirText) {
  EXPECT_EQ(Json("SELECT union_value(k := 1) AS u, row(1, 'a') AS r, [row(2, 'b')] AS lr"),
            (std::vector<std::string>{"\"1\"", "\"(1, a)\"", "[\"(2, b)\"]"}));
}

// The text of a nested cell stays DuckDB's own (what `pareto sql` prints as a
// table); its JSON is beside it. Duplicate column names do not confuse the two,
// and the row cap cuts both.
TEST_F(JsonCellTest, TextStaysDuckDBsAndTheRowCapCutsBoth) {
  auto r = conn_->QueryText("SELECT [i, 2] AS a, [i::DECIMAL(3,1)] AS a, i FROM range(5) t(i)", {.max_rows = 3});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(*r->rows[1][0], "[1, 2]");
  EXPECT_EQ(*r->rows[1][1], "[1.0]");
  EXPECT_EQ(CellJson(*r, 1, 0), "[1,2]");
  EXPECT_EQ(CellJson(*r, 1, 1), "[1.0]");
  EXPECT_EQ(CellJson(*r, 2, 2), "2");
  EXPECT_EQ(r->nested_json.at(0).size(), 3u);
  EXPECT_EQ(r->nested_json.count(2), 0u);
  // A statement ending in a comment still wraps.
  EXPECT_EQ(Json("SELECT [1] AS l -- a comment"), (std::vector<std::string>{"[1]"}));
}

}  // namespace
}  // namespace pareto::duck
