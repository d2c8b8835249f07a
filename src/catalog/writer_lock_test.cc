#include "catalog/writer_lock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

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

}  // namespace
}  // namespace pareto::catalog
