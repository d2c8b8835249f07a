// Test helper: an in-memory DuckDB database and one connection to it, for test
// fixtures that keep both (the connection declared after the database, so it
// closes first).
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <utility>

#include "duck/duck.h"

namespace pareto::duck::testing {

// Opens them into `db` and `conn`; a failure fails the test (call it through
// ASSERT_NO_FATAL_FAILURE).
inline void OpenInMemory(std::optional<Database>& db, std::optional<Connection>& conn) {
  auto opened = Database::Open();
  ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
  db.emplace(std::move(*opened));
  auto connected = db->Connect();
  ASSERT_TRUE(connected.has_value()) << connected.error().ToString();
  conn.emplace(std::move(*connected));
}

}  // namespace pareto::duck::testing
