// Concurrent writers on one table: threads and processes racing through the commit
// protocol. Races are forced with a barrier at the put-if-absent step where it
// matters, so no test depends on timing.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <barrier>
#include <filesystem>
#include <set>
#include <thread>

#include "delta/actions.h"
#include "delta/test_util.h"
#include "delta/validate.h"

namespace pareto::delta {
namespace {

using testing::Duck;
using testing::ReadRowCount;
using testing::ScratchDir;

// Holds the first `parties` commit links at a barrier, so that they all try the
// same version at once.
class RaceEnv : public EnvWrapper {
 public:
  explicit RaceEnv(std::ptrdiff_t parties) : EnvWrapper(Env::Default()), barrier_(parties), parties_(parties) {}
  Status LinkNoReplace(const std::string& from, const std::string& to) override {
    if (to.ends_with(".json") && held_.fetch_add(1) < parties_) barrier_.arrive_and_wait();
    return EnvWrapper::LinkNoReplace(from, to);
  }

 private:
  std::barrier<> barrier_;
  std::ptrdiff_t parties_;
  std::atomic<std::ptrdiff_t> held_{0};
};

std::set<int64_t> Values(duck::Connection& conn, const Table& t) {
  auto snap = t.Load();
  EXPECT_TRUE(snap.has_value()) << snap.error().ToString();
  auto scan = ScanSql(*snap);
  auto r = conn.Query("SELECT a FROM " + *scan);
  EXPECT_TRUE(r.has_value());
  std::set<int64_t> out;
  for (uint64_t i = 0; r && i < r->RowCount(); ++i) out.insert(r->GetInt64(0, i));
  return out;
}

void ExpectContiguous(const std::string& root, int64_t latest) {
  for (int64_t v = 0; v <= latest; ++v) EXPECT_TRUE(std::filesystem::exists(CommitPath(root, v))) << v;
  EXPECT_FALSE(std::filesystem::exists(CommitPath(root, latest + 1)));
}

TEST(ConcurrencyTest, ThreadsRacingBlindAppendsAllLand) {
  ScratchDir dir;
  auto db = duck::Database::Open({.threads = 1});
  ASSERT_TRUE(db.has_value());
  constexpr int kThreads = 4, kAppends = 6;
  // All threads also race to create the table: the losers append to the winner's.
  RaceEnv env(kThreads);
  Table t(dir.Sub("t"), &env);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto conn = db->Connect();
      if (!conn) {
        ++failures;
        return;
      }
      for (int j = 0; j < kAppends; ++j) {
        auto r = t.Append(*conn, "SELECT " + std::to_string(i * 100 + j) + "::BIGINT AS a");
        if (!r) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto conn = db->Connect();
  std::set<int64_t> expected;
  for (int i = 0; i < kThreads; ++i) {
    for (int j = 0; j < kAppends; ++j) expected.insert(i * 100 + j);
  }
  EXPECT_EQ(Values(*conn, t), expected);
  EXPECT_EQ(t.Load()->version, kThreads * kAppends - 1);
  ExpectContiguous(t.root(), kThreads * kAppends - 1);
  EXPECT_TRUE(ValidateLog(t.root()).ok()) << ValidateLog(t.root()).ToString();
}

TEST(ConcurrencyTest, ProcessesRacingBlindAppendsAllLand) {
  ScratchDir dir;
  const std::string root = dir.Sub("t");
  constexpr int kProcs = 3, kAppends = 5;
  // Fork before this process opens any DuckDB database: each child opens its own.
  std::vector<pid_t> children;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto db = duck::Database::Open({.threads = 1});
      if (!db) _exit(2);
      auto conn = db->Connect();
      if (!conn) _exit(2);
      Table t(root);
      for (int j = 0; j < kAppends; ++j) {
        if (!t.Append(*conn, "SELECT " + std::to_string(p * 100 + j) + "::BIGINT AS a")) _exit(3);
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }
  Duck duck = Duck::Open();
  Table t(root);
  std::set<int64_t> expected;
  for (int p = 0; p < kProcs; ++p) {
    for (int j = 0; j < kAppends; ++j) expected.insert(p * 100 + j);
  }
  EXPECT_EQ(Values(duck.conn, t), expected);
  ExpectContiguous(root, kProcs * kAppends - 1);
  EXPECT_TRUE(ValidateLog(root).ok()) << ValidateLog(root).ToString();
}

TEST(ConcurrencyTest, RacingOverwritesLoserGetsConflict) {
  ScratchDir dir;
  Duck duck = Duck::Open();
  {
    Table setup(dir.Sub("t"));
    ASSERT_TRUE(setup.Append(duck.conn, "SELECT 0::BIGINT AS a").has_value());
  }
  RaceEnv env(2);
  Table t(dir.Sub("t"), &env);
  std::vector<StatusOr<CommitResult>> results(2, std::unexpected(Internal("not run")));
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      auto conn = duck.db.Connect();
      if (conn) results[i] = t.Overwrite(*conn, "SELECT " + std::to_string(i + 1) + "::BIGINT AS a");
    });
  }
  for (auto& th : threads) th.join();
  int won = 0, conflicts = 0;
  for (const auto& r : results) {
    if (r.has_value()) {
      ++won;
      EXPECT_EQ(r->version, 1);
    } else {
      ++conflicts;
      EXPECT_EQ(r.error().code(), StatusCode::kConflict) << r.error().ToString();
      EXPECT_NE(r.error().message().find("changed concurrently (version 1 committed by WRITE)"), std::string::npos)
          << r.error().message();
      EXPECT_NE(r.error().message().find("re-run"), std::string::npos);
    }
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(conflicts, 1);
  EXPECT_EQ(t.Load()->version, 1);
  EXPECT_EQ(*ReadRowCount(duck.conn, t), 1);
  EXPECT_TRUE(ValidateLog(t.root()).ok());
}

TEST(ConcurrencyTest, RacingAppendsWithTheSameTxnCommitOnce) {
  ScratchDir dir;
  Duck duck = Duck::Open();
  {
    Table setup(dir.Sub("t"));
    ASSERT_TRUE(setup.Append(duck.conn, "SELECT 0::BIGINT AS a").has_value());
  }
  RaceEnv env(2);
  Table t(dir.Sub("t"), &env);
  std::vector<StatusOr<CommitResult>> results(2, std::unexpected(Internal("not run")));
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      auto conn = duck.db.Connect();
      WriteOptions opts;
      opts.txn = Txn{"file-7", 7};
      if (conn) results[i] = t.Append(*conn, "SELECT 7::BIGINT AS a", opts);
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(results[0].has_value()) << results[0].error().ToString();
  ASSERT_TRUE(results[1].has_value()) << results[1].error().ToString();
  EXPECT_EQ(results[0]->skipped + results[1]->skipped, 1);
  EXPECT_EQ(t.Load()->version, 1);
  EXPECT_EQ(*ReadRowCount(duck.conn, t), 2);
}

}  // namespace
}  // namespace pareto::delta
