#include "test_support.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "model_runner.h"

namespace pareto::sqltest {
namespace {

std::string FixturePath(const char* name) {
  return std::string(PARETO_SOURCE_DIR) + "/tests/sql/fixtures/" + name;
}

}  // namespace

std::string OlistProjectDir() { return std::string(PARETO_SOURCE_DIR) + "/pipelines/olist"; }

StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(NotFound(path + ": cannot open"));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status PrepareBronze(duck::Connection& conn) {
  PARETO_ASSIGN_OR_RETURN(const std::string schema, ReadText(FixturePath("bronze_schema.sql")));
  PARETO_RETURN_IF_ERROR(conn.Execute(schema));
  return ModelRunner::PrepareConnection(conn);
}

Status LoadCsvFolder(duck::Connection& conn, const std::string& dir) {
  PARETO_ASSIGN_OR_RETURN(std::string sql, ReadText(FixturePath("load_csv_dir.sql")));
  // The folder is spliced in as the inside of a SQL string literal: quote it once, then drop
  // the outer quotes that QuoteLiteral adds (the fixture writes '{dir}/file.csv').
  const std::string quoted = duck::QuoteLiteral(dir);
  const std::string inner = quoted.substr(1, quoted.size() - 2);
  for (size_t at = sql.find("{dir}"); at != std::string::npos; at = sql.find("{dir}", at + inner.size())) {
    sql.replace(at, 5, inner);
  }
  return conn.Execute(sql).WithContext(dir);
}

}  // namespace pareto::sqltest
