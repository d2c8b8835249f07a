// Conformance against Delta's golden tables (../shared/delta-golden). What each
// table must give comes from EXPECTED.md (golden_expected.h); nothing is taken from our reader.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "delta/golden_expected.h"
#include "delta/test_util.h"

namespace pareto::delta {
namespace {

using nlohmann::json;
using testing::Duck;
using testing::ReadRowCount;

using testing::Entries;
using testing::ExpectedWords;
using testing::Entry;
using testing::Find;
using testing::kGolden;
using testing::Render;

class GoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kGolden + "/EXPECTED.md")) GTEST_SKIP() << "no " << kGolden;
    duck_.emplace(Duck::Open());
  }
  duck::Connection& conn() { return duck_->conn; }
  std::optional<Duck> duck_;
};

TEST_F(GoldenTest, ExpectedMdListsEveryClass) {
  int supported = 0, refuse = 0, skip = 0;
  for (const auto& e : Entries()) {
    supported += e.cls == "SUPPORTED";
    refuse += e.cls == "MUST_REFUSE";
    skip += e.cls == "SKIP";
  }
  // The counts EXPECTED.md announces in its own header line.
  std::ifstream in(kGolden + "/EXPECTED.md");
  std::stringstream all;
  all << in.rdbuf();
  std::smatch m;
  std::string text = all.str();
  ASSERT_TRUE(std::regex_search(text, m, std::regex(R"((\d+) SUPPORTED, (\d+) MUST_REFUSE, (\d+) SKIP)")));
  EXPECT_EQ(supported, std::stoi(m[1]));
  EXPECT_EQ(refuse, std::stoi(m[2]));
  EXPECT_EQ(skip, std::stoi(m[3]));
}

TEST_F(GoldenTest, SupportedTablesReadAtLatestWithSchemaAndRows) {
  for (const auto& e : Entries()) {
    if (e.cls != "SUPPORTED") continue;
    SCOPED_TRACE(e.name);
    Table table(kGolden + "/" + e.name);
    auto snap = table.Load();
    ASSERT_TRUE(snap.has_value()) << snap.error().ToString();
    EXPECT_EQ(snap->version, e.latest);
    const auto& fields = snap->schema.at("fields");
    ASSERT_EQ(fields.size(), e.schema.size());
    for (size_t i = 0; i < e.schema.size(); ++i) {
      EXPECT_EQ(fields[i].at("name").get<std::string>(), e.schema[i].name);
      EXPECT_EQ(Render(fields[i].at("type")), e.schema[i].type) << e.schema[i].name;
      bool is_partition = std::find(snap->partition_columns.begin(), snap->partition_columns.end(),
                                    e.schema[i].name) != snap->partition_columns.end();
      EXPECT_EQ(is_partition, e.schema[i].partition) << e.schema[i].name;
    }
    auto scan = ScanSql(*snap);
    ASSERT_TRUE(scan.has_value()) << scan.error().ToString();
    auto r = conn().Query("SELECT * FROM " + *scan + " AS t");
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
    EXPECT_EQ(static_cast<int64_t>(r->RowCount()), e.rows);
    ASSERT_EQ(r->ColumnCount(), e.schema.size());
    for (size_t i = 0; i < e.schema.size(); ++i) {
      EXPECT_EQ(r->ColumnName(i), e.schema[i].name);
      EXPECT_EQ(r->ColumnTypeName(i).empty(), false);
    }
  }
}

// Every version of every SUPPORTED table: either it reads, and its row count equals
// the row count Parquet's own footers give for exactly the live files, or it fails
// because a live file is missing (never partial data).
TEST_F(GoldenTest, EveryVersionReadsAllOrNothing) {
  for (const auto& e : Entries()) {
    if (e.cls != "SUPPORTED") continue;
    Table table(kGolden + "/" + e.name);
    for (int64_t v = 0; v <= e.latest; ++v) {
      SCOPED_TRACE(e.name + " v" + std::to_string(v));
      auto snap = table.Load({.version = v});
      ASSERT_TRUE(snap.has_value()) << snap.error().ToString();
      bool all_present = true;
      int64_t footer_rows = 0;
      for (const auto& f : snap->files) {
        std::string path = f.path.starts_with("/") ? f.path : snap->root + "/" + f.path;
        if (!std::filesystem::exists(path)) {
          all_present = false;
          continue;
        }
        auto n = conn().QueryInt64("SELECT num_rows FROM parquet_file_metadata(" + duck::QuoteLiteral(path) + ")");
        ASSERT_TRUE(n.has_value()) << n.error().ToString();
        footer_rows += *n;
      }
      auto rows = ReadRowCount(conn(), table, {.version = v});
      if (all_present) {
        ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
        EXPECT_EQ(*rows, footer_rows);
      } else {
        ASSERT_FALSE(rows.has_value());
        EXPECT_NE(rows.error().message().find("missing"), std::string::npos) << rows.error().ToString();
      }
    }
  }
}

// Tables that are later states of another golden table: version k of the later one
// must give the rows EXPECTED.md lists for the earlier table.
TEST_F(GoldenTest, DocumentedEarlierVersions) {
  struct Chain {
    std::string table;
    int64_t version;
    std::string same_as;
  };
  const std::vector<Chain> chains = {
      {"snapshot-data3", 0, "snapshot-data0"},
      {"snapshot-data3", 1, "snapshot-data1"},
      {"snapshot-data3", 2, "snapshot-data2"},
      {"snapshot-data2-deleted", 3, "snapshot-data3"},
      {"snapshot-repartitioned", 4, "snapshot-data2-deleted"},
      {"time-travel-start-start20-start40", 0, "time-travel-start"},
      {"time-travel-start-start20-start40", 1, "time-travel-start-start20"},
      {"time-travel-schema-changes-b", 0, "time-travel-schema-changes-a"},
      {"time-travel-partition-changes-b", 0, "time-travel-partition-changes-a"},
  };
  for (const auto& c : chains) {
    SCOPED_TRACE(c.table + " v" + std::to_string(c.version));
    const Entry* earlier = Find(c.same_as);
    ASSERT_NE(earlier, nullptr);
    Table table(kGolden + "/" + c.table);
    auto snap = table.Load({.version = c.version});
    ASSERT_TRUE(snap.has_value()) << snap.error().ToString();
    // Time travel uses that version's schema and partitioning.
    ASSERT_EQ(snap->schema.at("fields").size(), earlier->schema.size());
    for (size_t i = 0; i < earlier->schema.size(); ++i) {
      EXPECT_EQ(snap->schema["fields"][i]["name"].get<std::string>(), earlier->schema[i].name);
    }
    std::vector<std::string> partitions;
    for (const auto& col : earlier->schema) {
      if (col.partition) partitions.push_back(col.name);
    }
    EXPECT_EQ(snap->partition_columns, partitions);
    auto rows = ReadRowCount(conn(), table, {.version = c.version});
    ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
    EXPECT_EQ(*rows, earlier->rows);
  }
  // snapshot-vacuumed: versions 0..4 lost their files to VACUUM.
  Table vacuumed(kGolden + "/snapshot-vacuumed");
  for (int64_t v = 0; v <= 4; ++v) {
    auto rows = ReadRowCount(conn(), vacuumed, {.version = v});
    EXPECT_FALSE(rows.has_value()) << "v" << v;
  }
}

StatusCode CodeFor(const std::string& kind) {
  if (kind == "unsupported_protocol") return StatusCode::kUnsupported;
  if (kind == "not_a_delta_table") return StatusCode::kNotFound;
  return StatusCode::kDataError;  // missing_metadata, missing_protocol, non_contiguous_versions
}

TEST_F(GoldenTest, MustRefuseTablesFailWithTheRightKindAndFeature) {
  for (const auto& e : Entries()) {
    if (e.cls != "MUST_REFUSE") continue;
    SCOPED_TRACE(e.name);
    Table table(kGolden + "/" + e.name);
    auto rows = ReadRowCount(conn(), table);
    ASSERT_FALSE(rows.has_value()) << "read " << *rows << " rows";
    EXPECT_EQ(rows.error().code(), CodeFor(e.error)) << rows.error().ToString();
    for (const auto& word : ExpectedWords(e)) {
      std::string msg = rows.error().message();
      std::string lower_msg = msg, lower_word = word;
      std::transform(lower_msg.begin(), lower_msg.end(), lower_msg.begin(), ::tolower);
      std::transform(lower_word.begin(), lower_word.end(), lower_word.begin(), ::tolower);
      EXPECT_NE(lower_msg.find(lower_word), std::string::npos) << "message lacks '" << word << "': " << msg;
    }
    for (const auto& [version, expected_rows] : e.readable_earlier) {
      auto earlier = ReadRowCount(conn(), table, {.version = version});
      ASSERT_TRUE(earlier.has_value()) << "v" << version << ": " << earlier.error().ToString();
      EXPECT_EQ(*earlier, expected_rows) << "v" << version;
    }
  }
}

// Values EXPECTED.md documents in its notes: timestamps are instants (UTC), written
// as local wall-clock 2020-01-01 08:09:10 in the zone the table name gives.
TEST_F(GoldenTest, TimestampsAreInstants) {
  const std::vector<std::pair<std::string, std::string>> zones = {
      {"data-reader-date-types-UTC", "UTC"},
      {"data-reader-date-types-Iceland", "Atlantic/Reykjavik"},
      {"data-reader-date-types-JST", "Asia/Tokyo"},
      {"data-reader-date-types-PST", "America/Los_Angeles"},
      {"data-reader-date-types-America/Los_Angeles", "America/Los_Angeles"},
      {"data-reader-date-types-Asia/Beirut", "Asia/Beirut"},
      {"data-reader-date-types-Etc/GMT+9", "Etc/GMT+9"},
  };
  for (const auto& [name, zone] : zones) {
    SCOPED_TRACE(name);
    auto snap = Table(kGolden + "/" + name).Load();
    ASSERT_TRUE(snap.has_value()) << snap.error().ToString();
    auto scan = ScanSql(*snap);
    auto local = conn().QueryScalar("SELECT strftime(timezone(" + duck::QuoteLiteral(zone) +
                                    ", \"timestamp\"), '%Y-%m-%d %H:%M:%S') FROM " + *scan);
    ASSERT_TRUE(local.has_value()) << local.error().ToString();
    EXPECT_EQ(local->value_or(""), "2020-01-01 08:09:10");
  }
  // kernel-timestamp-PST: partition strings equal the UTC table's; data instants are 8 h later.
  auto utc = ScanSql(*Table(kGolden + "/kernel-timestamp-TIMESTAMP_MICROS").Load());
  auto pst = ScanSql(*Table(kGolden + "/kernel-timestamp-PST").Load());
  auto diff = conn().Query("SELECT count(*) FILTER (u.part IS NOT DISTINCT FROM p.part), "
                           "count(*) FILTER (p.\"time\" - u.\"time\" = INTERVAL 8 HOUR), count(u.\"time\"), count(*) "
                           "FROM " + *utc + " u JOIN " + *pst + " p USING (id)");
  ASSERT_TRUE(diff.has_value()) << diff.error().ToString();
  EXPECT_EQ(diff->GetInt64(0, 0), diff->GetInt64(3, 0));
  EXPECT_EQ(diff->GetInt64(1, 0), diff->GetInt64(2, 0));
  EXPECT_GT(diff->GetInt64(2, 0), 0);
  // INT96, MILLIS and MICROS forms of the same table read the same.
  for (const char* other : {"kernel-timestamp-INT96", "kernel-timestamp-TIMESTAMP_MILLIS"}) {
    auto o = ScanSql(*Table(kGolden + "/" + other).Load());
    auto d = conn().QueryInt64("SELECT count(*) FROM ((SELECT * FROM " + *utc + ") EXCEPT ALL (SELECT * FROM " + *o +
                               "))");
    ASSERT_TRUE(d.has_value()) << d.error().ToString();
    EXPECT_EQ(*d, 0) << other;
  }
  // ISO-8601 partition values with Z.
  auto iso = ScanSql(*Table(kGolden + "/kernel-timestamp-partition-col-ISO8601").Load());
  auto epochs = conn().QueryScalar("SELECT string_agg(epoch(ts)::BIGINT::VARCHAR, ',' ORDER BY ts) FROM " + *iso);
  ASSERT_TRUE(epochs.has_value());
  EXPECT_EQ(epochs->value_or(""), "1704103200,1704198600");  // 2024-01-01 10:00Z, 2024-01-02 12:30Z
}

// Partition values come from the log, typed by the schema: null is null, "null" is a string.
TEST_F(GoldenTest, PartitionValuesAreTypedFromTheLog) {
  auto scan = ScanSql(*Table(kGolden + "/data-reader-partition-values").Load());
  ASSERT_TRUE(scan.has_value());
  auto r = conn().Query("SELECT count(*) FILTER (as_int IS NULL AND as_timestamp IS NULL AND as_string IS NULL), "
                        "count(*) FILTER (as_string_lit_null = 'null'), "
                        "count(*) FILTER (as_int::VARCHAR = as_string AND as_long = as_int AND as_date = DATE '2021-09-08' "
                        "AND epoch(as_timestamp) = epoch(TIMESTAMPTZ '2021-09-08 11:11:11+00')) FROM " + *scan);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->GetInt64(0, 0), 1);
  EXPECT_EQ(r->GetInt64(1, 0), 2);
  EXPECT_EQ(r->GetInt64(2, 0), 2);
  // Paths percent-encoded twice over decode exactly once; "+" stays "+".
  auto escaped = ScanSql(*Table(kGolden + "/data-reader-escaped-chars").Load());
  auto values = conn().QueryScalar("SELECT string_agg(_2, ',' ORDER BY _2) FROM " + *escaped);
  ASSERT_TRUE(values.has_value()) << values.error().ToString();
  EXPECT_EQ(values->value_or(""), "bar+%21,bar+%22,bar+%23");
  auto special = ScanSql(*Table(kGolden + "/hive/deltatbl-special-chars-in-partition-column").Load());
  auto distinct = conn().QueryScalar("SELECT string_agg(DISTINCT c2, '|' ORDER BY c2) FROM " + *special);
  ASSERT_TRUE(distinct.has_value());
  EXPECT_EQ(distinct->value_or(""), "+ =%0|+ =%1");
}

// Readable is not writable: a table of writer version 7 (table features) is refused
// before any file is written; a writer-version-2 table takes appends.
TEST_F(GoldenTest, WritesRespectTheWriterProtocol) {
  testing::ScratchDir dir;
  std::filesystem::copy(kGolden + "/collations-table", dir.Sub("features"), std::filesystem::copy_options::recursive);
  Table features(dir.Sub("features"));
  auto refused = features.Append(conn(), "SELECT 1 AS id, 'a' AS utf8_binary_col, 'b' AS utf8_lcase_col, 'c' AS unicode_col");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kUnsupported);
  EXPECT_NE(refused.error().message().find("writer version 7"), std::string::npos) << refused.error().message();
  EXPECT_EQ(features.Load()->version, 0);

  std::filesystem::copy(kGolden + "/snapshot-data3", dir.Sub("plain"), std::filesystem::copy_options::recursive);
  Table plain(dir.Sub("plain"));
  const Entry* e = Find("snapshot-data3");
  ASSERT_NE(e, nullptr);
  auto appended = plain.Append(conn(), "SELECT 1 AS col1, 'x' AS col2");
  ASSERT_TRUE(appended.has_value()) << appended.error().ToString();
  EXPECT_EQ(appended->version, e->latest + 1);
  EXPECT_EQ(*ReadRowCount(conn(), plain), e->rows + 1);
}

TEST_F(GoldenTest, EveryFolderIsListedInExpected) {
  for (const auto& dir : std::filesystem::directory_iterator(kGolden)) {
    if (!dir.is_directory()) continue;
    EXPECT_NE(Find(dir.path().filename().string()), nullptr) << dir.path();
  }
}

}  // namespace
}  // namespace pareto::delta
