// Runs every SQL test file under tests/sql/ (format: sql_test_file.h) as one test case, each
// in a fresh in-memory DuckDB with the bronze tables of pipeline.yaml (test_support.h) and the
// models of pipelines/olist.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "duck/duck.h"
#include "project_harness.h"
#include "sql_test_file.h"
#include "test_support.h"

namespace pareto::sqltest {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> TestFiles() {
  std::vector<std::string> files;
  const fs::path root = fs::path(PARETO_SOURCE_DIR) / "tests" / "sql";
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".test") {
      files.push_back(fs::relative(entry.path(), root).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A query's rows as the test files write them: cells joined by '|', NULL for SQL NULL.
// The query is wrapped so every column is cast to text by DuckDB itself.
StatusOr<std::vector<std::string>> QueryRows(duck::Connection& conn, const std::string& sql) {
  PARETO_ASSIGN_OR_RETURN(auto result,
                          conn.Query("SELECT COLUMNS(*)::VARCHAR FROM (\n" + sql + "\n)"));
  std::vector<std::string> rows;
  for (uint64_t r = 0; r < result.RowCount(); ++r) {
    std::string row;
    for (uint64_t c = 0; c < result.ColumnCount(); ++c) {
      if (c > 0) row += '|';
      row += result.IsNull(c, r) ? "NULL" : result.GetString(c, r);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// Appends CSV rows to a table by name: DuckDB reads the CSV (never a parser of ours) from a
// scratch file, every value as text, and casts it to the column's declared type.
Status AppendCsv(duck::Connection& conn, const std::string& table, const std::string& csv) {
  static std::atomic<int> counter{0};
  const fs::path path = fs::temp_directory_path() /
                        fmt::format("pareto_sql_test_{}_{}.csv", ::getpid(), counter++);
  {
    std::ofstream out(path, std::ios::binary);
    out << csv;
    if (!out) return IoError(path.string() + ": cannot write");
  }
  const Status status = conn.Execute(fmt::format(
      "INSERT INTO {} BY NAME SELECT * FROM read_csv({}, header = true, all_varchar = true, "
      "delim = ',', quote = '\"')",
      table, duck::QuoteLiteral(path.string())));
  std::error_code ec;
  fs::remove(path, ec);
  return status;
}

class SqlFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SqlFileTest, Passes) {
  const fs::path file = fs::path(PARETO_SOURCE_DIR) / "tests" / "sql" / GetParam();
  const auto text = ReadText(file.string());
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  const auto steps = ParseTestFile(*text);
  ASSERT_TRUE(steps.has_value()) << GetParam() << ": " << steps.error().ToString();

  auto db = duck::Database::Open();
  ASSERT_TRUE(db.has_value()) << db.error().ToString();
  auto conn = db->Connect();
  ASSERT_TRUE(conn.has_value()) << conn.error().ToString();
  ASSERT_TRUE(PrepareBronze(*conn).ok());
  auto runner = ProjectHarness::Load(OlistProjectDir(), *conn);
  ASSERT_TRUE(runner.has_value()) << runner.error().ToString();

  for (const Step& step : *steps) {
    const std::string where = fmt::format("{}:{}", GetParam(), step.line);
    switch (step.kind) {
      case StepKind::kInput: {
        const Status s = AppendCsv(*conn, step.argument, step.body);
        ASSERT_TRUE(s.ok()) << where << ": " << s.ToString();
        break;
      }
      case StepKind::kSql: {
        const Status s = conn->Execute(step.body);
        ASSERT_TRUE(s.ok()) << where << ": " << s.ToString();
        break;
      }
      case StepKind::kExpectation: {
        std::istringstream words(step.argument);
        std::string table, name, action;
        words >> table >> name >> action;
        const auto parsed = catalog::ParseExpectationAction(action);
        ASSERT_TRUE(parsed.has_value()) << where << ": " << parsed.error().ToString();
        const Status s = runner->AddExpectation(table, {.name = name, .condition = step.body, .action = *parsed});
        ASSERT_TRUE(s.ok()) << where << ": " << s.ToString();
        break;
      }
      case StepKind::kRun: {
        std::vector<std::string> targets;
        std::istringstream names(step.argument);
        for (std::string name; names >> name;) targets.push_back(name);
        const Status s = runner->Build(*conn, targets);
        if (step.expects_error) {
          EXPECT_FALSE(s.ok()) << where << ": the run succeeded";
          EXPECT_NE(s.message().find(step.expected_error), std::string::npos)
              << where << ": the error was: " << s.message();
        } else {
          ASSERT_TRUE(s.ok()) << where << ": " << s.ToString();
        }
        break;
      }
      case StepKind::kQuery: {
        const auto rows = QueryRows(*conn, step.body);
        if (step.expects_error) {
          EXPECT_FALSE(rows.has_value()) << where << ": the query succeeded";
          if (!rows.has_value()) {
            EXPECT_NE(rows.error().message().find(step.expected_error), std::string::npos)
                << where << ": the error was: " << rows.error().message();
          }
        } else {
          ASSERT_TRUE(rows.has_value()) << where << ": " << rows.error().ToString();
          EXPECT_EQ(*rows, step.expected_rows) << where << ": query\n" << step.body;
        }
        break;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Files, SqlFileTest, ::testing::ValuesIn(TestFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.size() - 5);
                           std::replace_if(name.begin(), name.end(),
                                           [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                                           '_');
                           return name;
                         });

}  // namespace
}  // namespace pareto::sqltest
