#include "pipeline/executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace pareto::pipeline {
namespace {

using ::testing::HasSubstr;

TaskNode T(std::string name, std::vector<std::string> deps = {}) {
  return {.name = std::move(name), .kind = TaskKind::kModel, .layer = "silver", .deps = std::move(deps)};
}

// a ─┬─> bad ─> after_bad ─> last
//    └─> ok1 ─> ok2
// c (independent)
TaskGraph Planted() {
  return TaskGraph::FromTasks({T("a"), T("c"), T("bad", {"a"}), T("ok1", {"a"}), T("after_bad", {"bad"}),
                               T("ok2", {"ok1"}), T("last", {"after_bad", "ok2"})})
      .value();
}

TEST(ExecutorTest, AFailedTaskSkipsItsDescendantsWhileItsSiblingsFinish) {
  const TaskGraph graph = Planted();
  std::mutex mu;
  std::vector<std::string> ran;
  auto report = Execute(graph, [&](const TaskNode& t, int) -> Status {
    {
      std::lock_guard lock(mu);
      ran.push_back(t.name);
    }
    if (t.name == "bad") return DataError("planted failure");
    return OkStatus();
  }, {.workers = 2});
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_failure, "bad: planted failure");
  EXPECT_EQ(report.Find("bad")->state, ExecState::kFailed);
  EXPECT_EQ(report.Find("bad")->attempts, 1);  // a data error is not retried
  EXPECT_EQ(report.Find("after_bad")->state, ExecState::kSkipped);
  EXPECT_THAT(report.Find("after_bad")->error.message(), HasSubstr("upstream bad failed"));
  EXPECT_EQ(report.Find("last")->state, ExecState::kSkipped);
  for (const char* done : {"a", "c", "ok1", "ok2"}) {
    ASSERT_NE(report.Find(done), nullptr) << done;
    EXPECT_EQ(report.Find(done)->state, ExecState::kSucceeded) << done;
  }
  EXPECT_EQ(report.tasks.size(), graph.tasks().size());
  EXPECT_EQ(ran.size(), 5u);  // never after_bad nor last
}

TEST(ExecutorTest, IndependentTasksRunConcurrentlyUpToTheWorkerCount) {
  auto graph = TaskGraph::FromTasks({T("x1"), T("x2"), T("x3"), T("x4")}).value();
  std::atomic<int> running = 0, peak = 0;
  auto work = [&](const TaskNode&, int) -> Status {
    const int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {}
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    --running;
    return OkStatus();
  };
  auto two = Execute(graph, work, {.workers = 2});
  EXPECT_TRUE(two.ok);
  EXPECT_EQ(peak.load(), 2);
  // The start/end times show the overlap: x2 starts before x1 ends.
  EXPECT_LT(two.Find("x2")->started_us, two.Find("x1")->ended_us);

  peak = 0;
  auto one = Execute(graph, work, {.workers = 1});
  EXPECT_TRUE(one.ok);
  EXPECT_EQ(peak.load(), 1);
}

TEST(ExecutorTest, DependenciesFinishBeforeDependentsStart) {
  const TaskGraph graph = Planted();
  auto report = Execute(graph, [](const TaskNode&, int) { return OkStatus(); }, {.workers = 4});
  ASSERT_TRUE(report.ok);
  for (const TaskNode& t : graph.tasks()) {
    for (const std::string& d : t.deps) {
      EXPECT_LE(report.Find(d)->ended_us, report.Find(t.name)->started_us) << d << " -> " << t.name;
    }
  }
}

TEST(ExecutorTest, TransientFailuresAreRetriedWithBackoff) {
  auto graph = TaskGraph::FromTasks({T("flaky"), T("io")}).value();
  std::atomic<int> flaky_calls = 0, io_calls = 0;
  auto report = Execute(graph, [&](const TaskNode& t, int) -> Status {
    if (t.name == "flaky") return ++flaky_calls < 3 ? Conflict("lost a commit race") : OkStatus();
    ++io_calls;
    return IoError("disk gone");
  }, {.workers = 2, .max_attempts = 3, .backoff_ms = 1});
  EXPECT_EQ(report.Find("flaky")->state, ExecState::kSucceeded);
  EXPECT_EQ(report.Find("flaky")->attempts, 3);
  EXPECT_EQ(report.Find("io")->state, ExecState::kFailed);
  EXPECT_EQ(report.Find("io")->attempts, 3);
  EXPECT_EQ(io_calls.load(), 3);
  EXPECT_EQ(report.first_failure, "io: disk gone");
}

}  // namespace
}  // namespace pareto::pipeline
