#include "catalog/writer_lock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <vector>

#include "catalog/test_util.h"

namespace pareto::catalog {
namespace {

using ::pareto::catalog::testing::TempDir;
using ::testing::HasSubstr;

TEST(WriterLockTest, ASecondWriterIsRefusedWithTheHoldersNameUntilTheFirstEnds) {
  TempDir dir;
  auto first = WriterLock::Acquire(dir.path(), 1'700'000'000'000);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_FALSE(first->took_over().has_value());
  ASSERT_TRUE(first->SetRun(42).ok());

  auto second = WriterLock::Acquire(dir.path(), 1'700'000'000'500);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), StatusCode::kConflict);
  EXPECT_THAT(second.error().message(), HasSubstr("pid " + std::to_string(getpid())));
  EXPECT_THAT(second.error().message(), HasSubstr("run 42"));
  EXPECT_THAT(second.error().message(), HasSubstr("2023-11-14 22:13:20 UTC"));

  first = std::unexpected(Internal("released"));  // drops the lock
  auto third = WriterLock::Acquire(dir.path(), 1'700'000'001'000);
  ASSERT_TRUE(third.has_value()) << third.error().ToString();
  EXPECT_FALSE(third->took_over().has_value());  // released cleanly
}

TEST(WriterLockTest, TheLockOfAKilledProcessIsTakenOver) {
  TempDir dir;
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = WriterLock::Acquire(dir.path(), 1'700'000'000'000);
    if (lock) (void)lock->SetRun(7);
    const char byte = lock ? '1' : '0';
    (void)!write(ready[1], &byte, 1);
    pause();  // until killed, lock held
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, '1');
  auto refused = WriterLock::Acquire(dir.path(), 1'700'000'000'100);
  ASSERT_FALSE(refused.has_value());
  EXPECT_THAT(refused.error().message(), HasSubstr("pid " + std::to_string(child)));

  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(ready[0]);
  close(ready[1]);

  auto taken = WriterLock::Acquire(dir.path(), 1'700'000'000'200);
  ASSERT_TRUE(taken.has_value()) << taken.error().ToString();
  ASSERT_TRUE(taken->took_over().has_value());
  EXPECT_EQ(taken->took_over()->pid, child);
  EXPECT_EQ(taken->took_over()->run_id, 7);
  std::ifstream in(taken->path());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("\"pid\":" + std::to_string(getpid())));
}

// A clock that sleeping advances; `on_sleep` runs at each sleep (e.g. the holder
// lets go after a few polls), so the waits take no real time.
class SleepyClock : public EnvWrapper {
 public:
  SleepyClock() : EnvWrapper(Env::Default()) {}
  int64_t NowMicros() override { return now_us; }
  void SleepForMicroseconds(int64_t micros) override {
    now_us += micros;
    sleeps.push_back(micros / 1000);
    if (on_sleep) on_sleep();
  }
  int64_t now_us = 1'700'000'000'000'000;
  std::vector<int64_t> sleeps;  // ms
  std::function<void()> on_sleep;
};

TEST(WriterLockTest, AWaitingWriterGetsTheLockOnceTheHolderLetsGo) {
  TempDir dir;
  auto holder = WriterLock::Acquire(dir.path(), 1'700'000'000'000);
  ASSERT_TRUE(holder.has_value());
  SleepyClock clock;
  clock.on_sleep = [&] {
    if (clock.sleeps.size() == 4) holder = std::unexpected(Internal("released"));
  };
  std::vector<std::string> told;
  auto waited = WriterLock::AcquireWaiting(dir.path(), &clock, 60'000,
                                           [&](const Status& held) { told.push_back(held.message()); });
  ASSERT_TRUE(waited.has_value()) << waited.error().ToString();
  ASSERT_EQ(told.size(), 1u);  // once, naming the holder
  EXPECT_THAT(told[0], HasSubstr("is being written by pid " + std::to_string(getpid())));
  EXPECT_FALSE(waited->took_over().has_value());
  // Polled with a growing backoff, and got it at the first poll after the release.
  EXPECT_THAT(clock.sleeps, ::testing::ElementsAre(50, 100, 200, 400));
}

TEST(WriterLockTest, AWaitThatOutlastsItsLimitIsRefusedNamingTheHolder) {
  TempDir dir;
  auto holder = WriterLock::Acquire(dir.path(), 1'700'000'000'000);
  ASSERT_TRUE(holder.has_value());
  ASSERT_TRUE(holder->SetRun(9).ok());
  SleepyClock clock;
  auto refused = WriterLock::AcquireWaiting(dir.path(), &clock, 5'000);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kConflict);
  EXPECT_THAT(refused.error().message(), HasSubstr("run 9"));
  EXPECT_THAT(refused.error().message(), HasSubstr("waited 5000 ms"));
  int64_t slept = 0;
  for (int64_t s : clock.sleeps) slept += s;
  EXPECT_EQ(slept, 5'000);  // never past the limit
  // No wait at all is Acquire's refusal.
  auto at_once = WriterLock::AcquireWaiting(dir.path(), &clock, 0);
  ASSERT_FALSE(at_once.has_value());
  EXPECT_EQ(clock.sleeps.size(), 7u);  // 50+100+200+400+800+1600+1850 = 5000, and none more
}

}  // namespace
}  // namespace pareto::catalog
