// Crash safety: a writer killed at any step of a commit leaves a table that reads at
// its last committed version with all committed rows, and the next write succeeds.
//
// Each case forks a child that writes through a FaultInjectionEnv which _exit(1)s at
// its k-th file-system step (after the Parquet file is written and stat'ed, after the
// temporary commit is written, after the link, before the temporary is removed, during
// the checkpoint, ...); k runs until the child completes without reaching it.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "delta/test_util.h"
#include "delta/validate.h"

namespace pareto::delta {
namespace {

using testing::Duck;
using testing::ReadRowCount;
using testing::ScratchDir;

class FaultInjectionEnv : public EnvWrapper {
 public:
  explicit FaultInjectionEnv(int crash_at) : EnvWrapper(Env::Default()), crash_at_(crash_at) {}

  StatusOr<FileInfo> Stat(const std::string& p) override {
    Step();
    return EnvWrapper::Stat(p);
  }
  Status WriteFile(const std::string& p, std::string_view d, bool s) override {
    Step();
    return EnvWrapper::WriteFile(p, d, s);
  }
  Status LinkNoReplace(const std::string& f, const std::string& t) override {
    Step();
    return EnvWrapper::LinkNoReplace(f, t);
  }
  Status RenameReplace(const std::string& f, const std::string& t) override {
    Step();
    return EnvWrapper::RenameReplace(f, t);
  }
  Status RemoveFile(const std::string& p) override {
    Step();
    return EnvWrapper::RemoveFile(p);
  }
  Status CreateDirs(const std::string& p) override {
    Step();
    return EnvWrapper::CreateDirs(p);
  }
  Status SyncDir(const std::string& p) override {
    Step();
    return EnvWrapper::SyncDir(p);
  }

 private:
  // The process dies as if killed: no destructors, no flushing, nothing cleaned up.
  void Step() {
    if (++steps_ == crash_at_) _exit(1);
  }
  int crash_at_;
  int steps_ = 0;
};

using WriteFn = std::function<bool(const Table&, duck::Connection&)>;

// Runs `write` in a child that crashes at step k, for k = 1, 2, ... until the child
// finishes; after each, checks the table against `rows_at` (rows per committed version).
void CrashAtEveryStep(const std::string& base, int64_t base_version, const std::map<int64_t, int64_t>& rows_at,
                      const WriteFn& write) {
  Duck duck = Duck::Open();
  int crashed_before_commit = 0, crashed_after_commit = 0;
  for (int k = 1;; ++k) {
    SCOPED_TRACE("crash at step " + std::to_string(k));
    ScratchDir dir;
    const std::string root = dir.Sub("t");
    if (std::filesystem::exists(base)) std::filesystem::copy(base, root, std::filesystem::copy_options::recursive);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      FaultInjectionEnv env(k);
      auto db = duck::Database::Open({.threads = 1});
      if (!db) _exit(2);
      auto conn = db->Connect();
      if (!conn) _exit(2);
      _exit(write(Table(root, &env), *conn) ? 0 : 3);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    int code = WEXITSTATUS(status);
    ASSERT_TRUE(code == 0 || code == 1) << "child failed without crashing: exit " << code;

    Table t(root);
    int64_t version = base_version;
    if (t.Exists()) {
      auto snap = t.Load();
      ASSERT_TRUE(snap.has_value()) << snap.error().ToString();
      version = snap->version;
      ASSERT_TRUE(version == base_version || version == base_version + 1) << version;
      auto rows = ReadRowCount(duck.conn, t);
      ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
      EXPECT_EQ(*rows, rows_at.at(version));
      EXPECT_TRUE(ValidateLog(root).ok()) << ValidateLog(root).ToString();
    } else {
      ASSERT_EQ(base_version, -1) << "the table vanished";
    }
    (version > base_version ? crashed_after_commit : crashed_before_commit) += code == 1;
    // The next writer is not disturbed by what the dead one left behind.
    auto next = t.Append(duck.conn, "SELECT 1000::BIGINT AS a");
    ASSERT_TRUE(next.has_value()) << next.error().ToString();
    EXPECT_EQ(next->version, version + 1);
    auto after = ReadRowCount(duck.conn, t);
    ASSERT_TRUE(after.has_value()) << after.error().ToString();
    EXPECT_EQ(*after, (version >= 0 ? rows_at.at(version) : 0) + 1);
    EXPECT_TRUE(ValidateLog(root).ok()) << ValidateLog(root).ToString();
    if (code == 0) break;
    ASSERT_LT(k, 200) << "the write never completes";
  }
  // Both sides of the commit point were hit.
  EXPECT_GT(crashed_before_commit, 0);
  EXPECT_GT(crashed_after_commit, 0);
}

class CrashTest : public ::testing::Test {
 protected:
  ScratchDir base_dir_;
  std::string base() const { return base_dir_.Sub("base"); }
  // A base table with `commits` commits of one row each (values 0..commits-1).
  void MakeBase(int commits) {
    Duck duck = Duck::Open();
    Table t(base());
    for (int i = 0; i < commits; ++i) {
      ASSERT_TRUE(t.Append(duck.conn, "SELECT " + std::to_string(i) + "::BIGINT AS a").has_value());
    }
  }
};

TEST_F(CrashTest, CreateTable) {
  CrashAtEveryStep(base(), -1, {{0, 3}}, [](const Table& t, duck::Connection& c) {
    return t.Append(c, "SELECT range AS a FROM range(3)").has_value();
  });
}

TEST_F(CrashTest, Append) {
  MakeBase(2);
  CrashAtEveryStep(base(), 1, {{1, 2}, {2, 5}}, [](const Table& t, duck::Connection& c) {
    return t.Append(c, "SELECT range AS a FROM range(3)").has_value();
  });
}

TEST_F(CrashTest, Overwrite) {
  MakeBase(2);
  CrashAtEveryStep(base(), 1, {{1, 2}, {2, 4}}, [](const Table& t, duck::Connection& c) {
    return t.Overwrite(c, "SELECT range AS a FROM range(4)").has_value();
  });
}

TEST_F(CrashTest, AppendThatWritesACheckpoint) {
  MakeBase(100);  // versions 0..99: the next commit is version 100 and checkpoints
  CrashAtEveryStep(base(), 99, {{99, 100}, {100, 101}}, [](const Table& t, duck::Connection& c) {
    auto r = t.Append(c, "SELECT 5000::BIGINT AS a");
    // Success means the checkpoint is there too.
    return r.has_value() && std::filesystem::exists(t.root() + "/_delta_log/00000000000000000100.checkpoint.parquet");
  });
}

}  // namespace
}  // namespace pareto::delta
