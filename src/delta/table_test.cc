// Behaviour of tables pareto writes itself: create, append, overwrite, time travel,
// history, restore, vacuum, txn, checkpoints, stats.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "common/env.h"
#include "delta/actions.h"
#include "delta/test_util.h"
#include "delta/validate.h"

namespace pareto::delta {
namespace {

using nlohmann::json;
using testing::Duck;
using testing::ReadRowCount;
using testing::ScratchDir;

// An Env whose clock the test sets (for vacuum retention and timestamp time travel).
class ClockEnv : public EnvWrapper {
 public:
  ClockEnv() : EnvWrapper(Env::Default()) {}
  int64_t NowMicros() override { return now_ms * 1000; }
  int64_t now_ms = 1'700'000'000'000;
};

std::vector<json> ReadCommitActions(const std::string& root, int64_t version) {
  auto content = Env::Default()->ReadFile(CommitPath(root, version));
  EXPECT_TRUE(content.has_value());
  auto actions = ParseCommit(*content, "commit");
  EXPECT_TRUE(actions.has_value());
  return *actions;
}

class TableTest : public ::testing::Test {
 protected:
  Duck duck_ = Duck::Open();
  ScratchDir dir_;
  duck::Connection& conn() { return duck_.conn; }

  // The sorted rows of a query as text lines, for comparing two reads.
  std::vector<std::string> Rows(const std::string& sql) {
    auto r = conn().Query("SELECT to_json(t)::VARCHAR FROM (" + sql + ") t ORDER BY 1");
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    std::vector<std::string> out;
    for (uint64_t i = 0; r && i < r->RowCount(); ++i) out.push_back(r->GetString(0, i));
    return out;
  }
  std::vector<std::string> TableRows(const Table& t, const VersionSpec& at = {}) {
    auto snap = t.Load(at);
    EXPECT_TRUE(snap.has_value()) << snap.error().ToString();
    auto scan = ScanSql(*snap);
    EXPECT_TRUE(scan.has_value()) << scan.error().ToString();
    return Rows("SELECT * FROM " + *scan);
  }
};

TEST_F(TableTest, CreateWritesProtocolMetadataAndCommitInfo) {
  Table t(dir_.Sub("t"));
  EXPECT_FALSE(t.Exists());
  auto r = t.Append(conn(), "SELECT range AS id, 'x' || range AS name FROM range(5)");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->version, 0);
  EXPECT_EQ(r->rows_written, 5);
  EXPECT_EQ(r->files_added, 1);
  EXPECT_TRUE(t.Exists());
  auto actions = ReadCommitActions(t.root(), 0);
  ASSERT_GE(actions.size(), 4u);
  EXPECT_EQ(actions[0]["commitInfo"]["engineInfo"], "pareto/0.1.0");
  EXPECT_EQ(actions[0]["commitInfo"]["operationMetrics"]["numOutputRows"], "5");
  EXPECT_EQ(actions[1]["protocol"]["minReaderVersion"], 1);
  EXPECT_EQ(actions[1]["protocol"]["minWriterVersion"], 2);
  const json& md = actions[2]["metaData"];
  EXPECT_EQ(md["format"]["provider"], "parquet");
  EXPECT_EQ(md["partitionColumns"], json::array());
  EXPECT_EQ(md["id"].get<std::string>().size(), 36u);
  json schema = json::parse(md["schemaString"].get<std::string>());
  EXPECT_EQ(schema["fields"][0]["name"], "id");
  EXPECT_EQ(schema["fields"][0]["type"], "long");
  EXPECT_EQ(schema["fields"][1]["type"], "string");
  const json& add = actions[3]["add"];
  EXPECT_TRUE(add["path"].get<std::string>().starts_with("part-00000-"));
  EXPECT_TRUE(add["path"].get<std::string>().ends_with("-c000.snappy.parquet"));
  EXPECT_EQ(add["dataChange"], true);
  EXPECT_TRUE(std::filesystem::exists(t.root() + "/" + add["path"].get<std::string>()));
  EXPECT_TRUE(ValidateLog(t.root()).ok()) << ValidateLog(t.root()).ToString();
}

TEST_F(TableTest, TypesRoundTrip) {
  Table t(dir_.Sub("types"));
  auto r = t.Append(conn(),
                    "SELECT 1::TINYINT AS b, 2::SMALLINT AS s, 3::INTEGER AS i, 4::BIGINT AS l, 1.5::FLOAT AS f, "
                    "2.5::DOUBLE AS d, true AS bo, DATE '2020-01-02' AS dt, 12.34::DECIMAL(10,2) AS dec, "
                    "TIMESTAMPTZ '2020-01-01 10:00:00+00' AS tz, TIMESTAMP '2020-01-01 10:00:00' AS naive, "
                    "'v' AS str, [1, 2] AS arr, {'a': 1, 'b': 'x'} AS st, MAP {'k': 1} AS m");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  auto snap = t.Load();
  ASSERT_TRUE(snap.has_value());
  std::vector<std::string> types;
  for (size_t i = 0; i < 12; ++i) types.push_back(snap->schema["fields"][i]["type"].get<std::string>());
  EXPECT_EQ(types, (std::vector<std::string>{"byte", "short", "integer", "long", "float", "double", "boolean",
                                             "date", "decimal(10,2)", "timestamp", "timestamp", "string"}));
  EXPECT_EQ(snap->schema["fields"][12]["type"]["elementType"], "integer");
  EXPECT_EQ(snap->schema["fields"][13]["type"]["type"], "struct");
  EXPECT_EQ(snap->schema["fields"][14]["type"]["type"], "map");
  // Timestamps land as UTC instants (isAdjustedToUTC), the naive one read as UTC.
  auto file = t.root() + "/" + snap->files.at(0).path;
  auto adjusted = conn().QueryScalar("SELECT logical_type FROM parquet_schema(" + duck::QuoteLiteral(file) +
                                     ") WHERE name = 'naive'");
  ASSERT_TRUE(adjusted.has_value());
  EXPECT_NE(adjusted->value_or("").find("isAdjustedToUTC=1"), std::string::npos) << adjusted->value_or("");
  auto scan = ScanSql(*snap);
  ASSERT_TRUE(scan.has_value());
  auto same = conn().QueryScalar("SELECT (tz = naive AND epoch(tz) = 1577872800 AND dec = 12.34 AND m['k'] = 1 "
                                 "AND st.b = 'x' AND arr[2] = 2)::VARCHAR FROM " + *scan);
  ASSERT_TRUE(same.has_value()) << same.error().ToString();
  EXPECT_EQ(same->value_or(""), "true");
  auto type_name = conn().Query("SELECT tz FROM " + *scan);
  ASSERT_TRUE(type_name.has_value());
  EXPECT_EQ(type_name->ColumnType(0), DUCKDB_TYPE_TIMESTAMP_TZ);
}

TEST_F(TableTest, TypesWithoutDeltaEquivalentAreWidenedOrRefused) {
  Table t(dir_.Sub("t"));
  auto r = t.Append(conn(), "SELECT 200::UTINYINT AS u8, 4000000000::UINTEGER AS u32, 'a'::ENUM ('a', 'b') AS e, "
                            "123456789012345678901234::HUGEINT AS h");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  auto snap = t.Load();
  EXPECT_EQ(snap->schema["fields"][0]["type"], "short");
  EXPECT_EQ(snap->schema["fields"][1]["type"], "long");
  EXPECT_EQ(snap->schema["fields"][2]["type"], "string");
  EXPECT_EQ(snap->schema["fields"][3]["type"], "decimal(38,0)");
  auto v = conn().QueryScalar("SELECT (u8 = 200 AND u32 = 4000000000 AND e = 'a')::VARCHAR FROM " + *ScanSql(*snap));
  ASSERT_TRUE(v.has_value()) << v.error().ToString();
  EXPECT_EQ(v->value_or(""), "true");
  auto refused = Table(dir_.Sub("u")).Append(conn(), "SELECT INTERVAL 1 DAY AS i");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kUnsupported);
  EXPECT_NE(refused.error().message().find("column i"), std::string::npos) << refused.error().message();
}

TEST_F(TableTest, AppendOverwriteAndTimeTravel) {
  Table t(dir_.Sub("t"));
  ASSERT_TRUE(t.Append(conn(), "SELECT range AS id FROM range(3)").has_value());
  ASSERT_TRUE(t.Append(conn(), "SELECT range AS id FROM range(10, 14)").has_value());
  auto ow = t.Overwrite(conn(), "SELECT range AS id, 'new' AS tag FROM range(100, 102)");
  ASSERT_TRUE(ow.has_value()) << ow.error().ToString();
  EXPECT_EQ(ow->version, 2);
  EXPECT_EQ(ow->files_removed, 2);
  EXPECT_EQ(*ReadRowCount(conn(), t, {.version = 0}), 3);
  EXPECT_EQ(*ReadRowCount(conn(), t, {.version = 1}), 7);
  EXPECT_EQ(*ReadRowCount(conn(), t), 2);
  // The overwrite changed the schema; version 1 still reads with its own.
  auto v1 = t.Load({.version = 1});
  ASSERT_TRUE(v1.has_value());
  EXPECT_EQ(v1->schema["fields"].size(), 1u);
  EXPECT_EQ(t.Load()->schema["fields"].size(), 2u);
  // Data files are never deleted by a commit.
  EXPECT_EQ(t.Load({.version = 0})->files.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(t.root() + "/" + t.Load({.version = 0})->files[0].path));
  auto missing = t.Load({.version = 3});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_TRUE(ValidateLog(t.root()).ok()) << ValidateLog(t.root()).ToString();
}

TEST_F(TableTest, AppendRefusesSchemaChange) {
  Table t(dir_.Sub("t"));
  ASSERT_TRUE(t.Append(conn(), "SELECT 1::BIGINT AS a, 1.5::DECIMAL(10,2) AS d, 1.5::DOUBLE AS x").has_value());
  for (const char* bad : {"SELECT 'x' AS a, 1.5::DECIMAL(10,2) AS d, 1.5::DOUBLE AS x",
                          "SELECT 1::BIGINT AS b, 1.5::DECIMAL(10,2) AS d, 1.5::DOUBLE AS x",
                          "SELECT 1::BIGINT AS a, 1.5::DECIMAL(10,3) AS d, 1.5::DOUBLE AS x",
                          "SELECT 1::BIGINT AS a, 1.5::DECIMAL(10,2) AS d", "SELECT 1.5::DOUBLE AS a"}) {
    auto r = t.Append(conn(), bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), StatusCode::kDataError) << bad;
    EXPECT_NE(r.error().message().find("use overwrite"), std::string::npos) << r.error().message();
  }
  EXPECT_EQ(t.Load()->version, 0);
  // Lossless widenings are written as the table's types.
  auto widened = t.Append(conn(), "SELECT 7::INTEGER AS a, 2.5::DECIMAL(5,1) AS d, 2.5::FLOAT AS x");
  ASSERT_TRUE(widened.has_value()) << widened.error().ToString();
  auto snap = t.Load();
  EXPECT_EQ(snap->schema["fields"][0]["type"], "long");
  auto sum = conn().QueryScalar("SELECT sum(a)::VARCHAR || ' ' || sum(d)::VARCHAR FROM " + *ScanSql(*snap));
  ASSERT_TRUE(sum.has_value());
  EXPECT_EQ(sum->value_or(""), "8 4.00");
}

TEST_F(TableTest, AppendRefusesNullsInNotNullColumns) {
  Table t(dir_.Sub("t"));
  ASSERT_TRUE(t.Append(conn(), "SELECT 1 AS a").has_value());
  // Another engine declared the column NOT NULL (a metaData change pareto never writes).
  json md = ReadCommitActions(t.root(), 0)[2];
  json schema = json::parse(md["metaData"]["schemaString"].get<std::string>());
  schema["fields"][0]["nullable"] = false;
  md["metaData"]["schemaString"] = schema.dump();
  json ci = {{"commitInfo", {{"timestamp", 1}, {"operation", "SET NOT NULL"}}}};
  ASSERT_TRUE(Env::Default()->WriteFile(CommitPath(t.root(), 1), SerializeCommit({ci, md}), false).ok());
  auto r = t.Append(conn(), "SELECT NULL::INTEGER AS a");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kDataError);
  EXPECT_NE(r.error().message().find("NOT NULL"), std::string::npos) << r.error().message();
  EXPECT_TRUE(t.Append(conn(), "SELECT 2 AS a").has_value());
  EXPECT_EQ(*ReadRowCount(conn(), t), 2);
}

TEST_F(TableTest, EmptyTableHasColumnsAndNoRows) {
  Table t(dir_.Sub("t"));
  auto r = t.Append(conn(), "SELECT 1 AS a, 'x' AS b WHERE false");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->files_added, 0);
  auto snap = t.Load();
  auto scan = ScanSql(*snap);
  auto q = conn().Query("SELECT * FROM " + *scan);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->RowCount(), 0u);
  ASSERT_EQ(q->ColumnCount(), 2u);
  EXPECT_EQ(q->ColumnName(1), "b");
  EXPECT_EQ(q->ColumnType(0), DUCKDB_TYPE_INTEGER);
}

TEST_F(TableTest, ScanEqualsReadParquetOverLoggedFiles) {
  Table t(dir_.Sub("t"));
  WriteOptions small;
  small.rows_per_file = 300;
  ASSERT_TRUE(t.Append(conn(), "SELECT range AS id, range % 7 AS k FROM range(1000)", small).has_value());
  ASSERT_TRUE(t.Append(conn(), "SELECT range AS id, NULL::BIGINT AS k FROM range(5)").has_value());
  auto snap = t.Load();
  ASSERT_TRUE(snap.has_value());
  EXPECT_EQ(snap->files.size(), 5u);  // 4 files of at most 300 rows + 1
  std::string list = "[";
  for (const auto& f : snap->files) list += (list.size() > 1 ? ", " : "") + duck::QuoteLiteral(t.root() + "/" + f.path);
  list += "]";
  EXPECT_EQ(TableRows(t), Rows("SELECT * FROM read_parquet(" + list + ")"));
  EXPECT_EQ(TableRows(t).size(), 1005u);
}

TEST_F(TableTest, StatsDescribeEachFile) {
  Table t(dir_.Sub("t"));
  ASSERT_TRUE(t.Append(conn(),
                       "SELECT * FROM (VALUES (3, 'b', DATE '2021-01-02', 1.5), (1, NULL, DATE '2020-05-06', 2.5), "
                       "(2, 'a', NULL, NULL)) v(i, s, d, x)")
                  .has_value());
  auto snap = t.Load();
  ASSERT_EQ(snap->files.size(), 1u);
  json stats = json::parse(snap->files[0].stats);
  EXPECT_EQ(stats["numRecords"], 3);
  EXPECT_EQ(stats["minValues"]["i"], 1);
  EXPECT_EQ(stats["maxValues"]["i"], 3);
  EXPECT_EQ(stats["minValues"]["s"], "a");
  EXPECT_EQ(stats["maxValues"]["s"], "b");
  EXPECT_EQ(stats["minValues"]["d"], "2020-05-06");
  EXPECT_EQ(stats["maxValues"]["d"], "2021-01-02");
  EXPECT_EQ(stats["nullCount"]["s"], 1);
  EXPECT_EQ(stats["nullCount"]["d"], 1);
  EXPECT_EQ(stats["nullCount"]["i"], 0);
}

TEST_F(TableTest, HistoryListsOperationsNewestFirst) {
  Table t(dir_.Sub("t"));
  ASSERT_TRUE(t.Append(conn(), "SELECT 1 AS a").has_value());
  ASSERT_TRUE(t.Append(conn(), "SELECT 2 AS a").has_value());
  ASSERT_TRUE(t.Overwrite(conn(), "SELECT 3 AS a").has_value());
  auto h = t.History();
  ASSERT_TRUE(h.has_value());
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[0].version, 2);
  EXPECT_EQ((*h)[0].operation_parameters["mode"], "Overwrite");
  EXPECT_EQ((*h)[0].operation_metrics["numRemovedFiles"], "2");
  EXPECT_EQ((*h)[1].operation, "WRITE");
  EXPECT_EQ((*h)[2].operation, "CREATE TABLE AS SELECT");
  EXPECT_EQ((*h)[2].engine_info, "pareto/0.1.0");
  EXPECT_EQ((*h)[1].operation_metrics["numOutputRows"], "1");
  EXPECT_GT((*h)[2].timestamp_ms, 0);
}

TEST_F(TableTest, TimestampTimeTravel) {
  ClockEnv env;
  Table t(dir_.Sub("t"), &env);
  env.now_ms = 1'000'000;
  ASSERT_TRUE(t.Append(conn(), "SELECT 1 AS a").has_value());
  env.now_ms = 2'000'000;
  ASSERT_TRUE(t.Append(conn(), "SELECT 2 AS a").has_value());
  EXPECT_EQ(t.Load({.timestamp_ms = 1'500'000})->version, 0);
  EXPECT_EQ(t.Load({.timestamp_ms = 2'000'000})->version, 1);
  EXPECT_EQ(t.Load({.timestamp_ms = 999'999}).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(t.Load({.version = 0})->timestamp_ms, 1'000'000);
}

TEST_F(TableTest, RestoreReaddsFilesAndSchema) {
  Table t(dir_.Sub("t"));
  ASSERT_TRUE(t.Append(conn(), "SELECT range AS id FROM range(4)").has_value());
  ASSERT_TRUE(t.Append(conn(), "SELECT range AS id FROM range(4, 6)").has_value());
  ASSERT_TRUE(t.Overwrite(conn(), "SELECT 'x' AS other").has_value());
  auto before = TableRows(t, {.version = 1});
  auto r = t.Restore(1);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->version, 3);
  EXPECT_EQ(r->files_added, 2);
  EXPECT_EQ(r->files_removed, 1);
  EXPECT_EQ(TableRows(t), before);
  EXPECT_EQ(t.Load()->schema, t.Load({.version = 1})->schema);
  auto h = t.History();
  EXPECT_EQ((*h)[0].operation, "RESTORE");
  EXPECT_EQ((*h)[0].operation_parameters["version"], 1);
  // Delta's RESTORE metrics: the size in bytes of the restored version, and its file count.
  auto restored = t.Load();
  ASSERT_TRUE(restored.has_value()) << restored.error().ToString();
  int64_t bytes = 0;
  for (const auto& f : restored->files) bytes += f.size;
  EXPECT_GT(bytes, 2);
  EXPECT_EQ((*h)[0].operation_metrics["tableSizeAfterRestore"], std::to_string(bytes));
  EXPECT_EQ((*h)[0].operation_metrics["numOfFilesAfterRestore"], "2");
  EXPECT_TRUE(ValidateLog(t.root()).ok()) << ValidateLog(t.root()).ToString();
}

TEST_F(TableTest, VacuumDeletesOnlyOldUnreferencedFiles) {
  ClockEnv env;
  Table t(dir_.Sub("t"), &env);
  const int64_t hour = 3'600'000;
  const int64_t real = Env::Default()->NowMicros() / 1000;
  env.now_ms = real;
  ASSERT_TRUE(t.Append(conn(), "SELECT 1 AS a").has_value());
  env.now_ms = real + 10 * hour;  // the overwrite's removal is stamped +10 h
  ASSERT_TRUE(t.Overwrite(conn(), "SELECT 2 AS a").has_value());
  std::string old_file = t.Load({.version = 0})->files[0].path;
  std::string live_file = t.Load()->files[0].path;
  // A stray file no version references (e.g. from a writer that died before committing),
  // and the temporary commit such a writer left in the log.
  std::ofstream(t.root() + "/part-99999-stray.snappy.parquet") << "x";
  std::ofstream(t.root() + "/_delta_log/.dead-writer.json.tmp") << "{}";

  // At +2 h with 5 h retention every file is too young.
  env.now_ms = real + 2 * hour;
  auto young = t.Vacuum(std::chrono::hours(5), /*dry_run=*/true);
  ASSERT_TRUE(young.has_value()) << young.error().ToString();
  EXPECT_TRUE(young->deleted.empty());
  // With 1 h retention the stray file is old enough; the file removed at +10 h is
  // still within the window (a version there still reads it).
  auto dry = t.Vacuum(std::chrono::hours(1), /*dry_run=*/true);
  ASSERT_TRUE(dry.has_value());
  EXPECT_EQ(dry->deleted, (std::vector<std::string>{"part-99999-stray.snappy.parquet", "_delta_log/.dead-writer.json.tmp"}));
  EXPECT_TRUE(std::filesystem::exists(t.root() + "/part-99999-stray.snappy.parquet"));

  env.now_ms = real + 20 * hour;
  // Under the 7-day guard only a forced vacuum deletes; unforced it is refused whole.
  auto refused = t.Vacuum(std::chrono::hours(1), /*dry_run=*/false);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.error().message().find("168 hours"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(t.root() + "/part-99999-stray.snappy.parquet"));
  auto done = t.Vacuum(std::chrono::hours(1), /*dry_run=*/false, /*force=*/true);
  ASSERT_TRUE(done.has_value());
  std::set<std::string> deleted(done->deleted.begin(), done->deleted.end());
  EXPECT_EQ(deleted, (std::set<std::string>{"part-99999-stray.snappy.parquet", old_file,
                                            "_delta_log/.dead-writer.json.tmp"}));
  EXPECT_EQ(done->files_deleted, 3);
  EXPECT_FALSE(std::filesystem::exists(t.root() + "/" + old_file));
  EXPECT_TRUE(std::filesystem::exists(t.root() + "/" + live_file));
  EXPECT_EQ(*ReadRowCount(conn(), t), 1);
  // Time travel to the vacuumed version now fails instead of returning partial data.
  auto v0 = ReadRowCount(conn(), t, {.version = 0});
  ASSERT_FALSE(v0.has_value());
  EXPECT_NE(v0.error().message().find("missing"), std::string::npos);
  EXPECT_TRUE(ValidateLog(t.root()).ok()) << ValidateLog(t.root()).ToString();
}

TEST_F(TableTest, TxnMakesAppendsIdempotent) {
  Table t(dir_.Sub("t"));
  WriteOptions opts;
  opts.txn = Txn{"ingest:orders.csv", 1};
  auto first = t.Append(conn(), "SELECT 1 AS a", opts);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(first->skipped);
  auto again = t.Append(conn(), "SELECT 1 AS a", opts);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->skipped);
  EXPECT_EQ(again->version, 0);
  EXPECT_EQ(*ReadRowCount(conn(), t), 1);
  opts.txn->version = 2;
  auto next = t.Append(conn(), "SELECT 2 AS a", opts);
  ASSERT_TRUE(next.has_value());
  EXPECT_FALSE(next->skipped);
  EXPECT_EQ(*t.TxnVersion("ingest:orders.csv"), 2);
  EXPECT_FALSE(t.TxnVersion("other")->has_value());
  EXPECT_EQ(*ReadRowCount(conn(), t), 2);
}

TEST_F(TableTest, CheckpointEveryHundredCommitsAndReadersUseIt) {
  Table t(dir_.Sub("t"));
  WriteOptions opts;
  for (int i = 0; i <= 105; ++i) {
    opts.txn = Txn{"app", i};
    ASSERT_TRUE(t.Append(conn(), "SELECT " + std::to_string(i) + " AS a", opts).has_value()) << i;
  }
  const std::string log = t.root() + "/_delta_log/";
  ASSERT_TRUE(std::filesystem::exists(log + "00000000000000000100.checkpoint.parquet"));
  EXPECT_FALSE(std::filesystem::exists(log + "00000000000000000099.checkpoint.parquet"));
  auto hint = json::parse(*Env::Default()->ReadFile(log + "_last_checkpoint"));
  EXPECT_EQ(hint["version"], 100);
  auto expected = TableRows(t);
  EXPECT_EQ(expected.size(), 106u);
  // Readers start from the checkpoint: with the commits it covers gone, the table still
  // reads the same (and keeps its txn state).
  for (int v = 0; v <= 100; ++v) std::filesystem::remove(CommitPath(t.root(), v));
  EXPECT_EQ(TableRows(t), expected);
  EXPECT_EQ(*t.TxnVersion("app"), 105);
  EXPECT_EQ(*ReadRowCount(conn(), t, {.version = 100}), 101);
  // A corrupt or empty _last_checkpoint is only a bad hint.
  std::ofstream(log + "_last_checkpoint", std::ios::trunc) << "";
  EXPECT_EQ(TableRows(t), expected);
  std::ofstream(log + "_last_checkpoint", std::ios::trunc) << "{not json";
  EXPECT_EQ(TableRows(t), expected);
  // Writers work from the checkpointed state too.
  auto ow = t.Overwrite(conn(), "SELECT 'x' AS s");
  ASSERT_TRUE(ow.has_value()) << ow.error().ToString();
  EXPECT_EQ(*ReadRowCount(conn(), t), 1);
  auto restored = t.Restore(104);
  ASSERT_TRUE(restored.has_value()) << restored.error().ToString();
  EXPECT_EQ(*ReadRowCount(conn(), t), 105);
  EXPECT_TRUE(ValidateLog(t.root()).ok()) << ValidateLog(t.root()).ToString();
}

TEST_F(TableTest, AppendOnlyTableRefusesOverwriteAndRestore) {
  Table t(dir_.Sub("t"));
  WriteOptions opts;
  opts.configuration = {{"delta.appendOnly", "true"}};
  ASSERT_TRUE(t.Append(conn(), "SELECT 1 AS a", opts).has_value());
  ASSERT_TRUE(t.Append(conn(), "SELECT 2 AS a").has_value());
  auto ow = t.Overwrite(conn(), "SELECT 3 AS a");
  ASSERT_FALSE(ow.has_value());
  EXPECT_EQ(ow.error().code(), StatusCode::kUnsupported);
  EXPECT_NE(ow.error().message().find("appendOnly"), std::string::npos);
  EXPECT_FALSE(t.Restore(0).has_value());
  EXPECT_EQ(t.Load()->version, 1);
  EXPECT_EQ(t.Load()->configuration["delta.appendOnly"], "true");
}

TEST_F(TableTest, RefusesWhatItCannotRead) {
  ScratchDir d;
  Table none(d.Sub("nothing"));
  EXPECT_EQ(none.Load().error().code(), StatusCode::kNotFound);
  Table t(d.Sub("t"));
  ASSERT_TRUE(t.Append(conn(), "SELECT 1 AS a").has_value());
  ASSERT_TRUE(t.Append(conn(), "SELECT 2 AS a").has_value());
  ASSERT_TRUE(t.Append(conn(), "SELECT 3 AS a").has_value());
  std::filesystem::remove(CommitPath(t.root(), 1));
  auto gap = t.Load();
  ASSERT_FALSE(gap.has_value());
  EXPECT_EQ(gap.error().code(), StatusCode::kDataError);
  EXPECT_NE(gap.error().message().find("non-contiguous"), std::string::npos);
  EXPECT_FALSE(ValidateLog(t.root()).ok());
}

}  // namespace
}  // namespace pareto::delta
