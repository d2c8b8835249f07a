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
  std::vector<std::string> retries;  // the observers run one at a time
  ExecutorOptions options{.workers = 2, .max_attempts = 3, .backoff_ms = 1};
  options.on_retry = [&](const std::string& task, int attempt, const Status& error) {
    retries.push_back(task + " " + std::to_string(attempt) + " " + error.message());
  };
  auto report = Execute(graph, [&](const TaskNode& t, int) -> Status {
    if (t.name == "flaky") return ++flaky_calls < 3 ? Conflict("lost a commit race") : OkStatus();
    ++io_calls;
    return IoError("disk gone");
  }, options);
  EXPECT_THAT(retries, ::testing::UnorderedElementsAre("flaky 1 lost a commit race", "flaky 2 lost a commit race",
                                                       "io 1 disk gone", "io 2 disk gone"));
  EXPECT_EQ(report.Find("flaky")->state, ExecState::kSucceeded);
  EXPECT_EQ(report.Find("flaky")->attempts, 3);
  EXPECT_EQ(report.Find("io")->state, ExecState::kFailed);
  EXPECT_EQ(report.Find("io")->attempts, 3);
  EXPECT_EQ(io_calls.load(), 3);
  EXPECT_EQ(report.first_failure, "io: disk gone");
}

// A clock the tasks advance as they "work", so a 30 s timeout takes no 30 s.
class SteppedClock : public EnvWrapper {
 public:
  SteppedClock() : EnvWrapper(Env::Default()) {}
  int64_t NowMicros() override { return now_us.load(); }
  std::atomic<int64_t> now_us{1'700'000'000'000'000};
};

TEST(ExecutorTest, ATaskPastItsTimeoutIsInterruptedAndFailsWithItsDescendantsSkipped) {
  const TaskGraph graph = Planted();  // "bad" is the slow one here
  SteppedClock clock;
  std::atomic<int> interrupts = 0;
  std::atomic<bool> interrupted = false;
  std::string interrupted_task;
  ExecutorOptions options{.workers = 2, .task_timeout_ms = 30'000, .watchdog_poll_ms = 1};
  options.on_timeout = [&](const std::string& task, int) {
    ++interrupts;
    interrupted_task = task;
    interrupted = true;  // what the runner does to the worker's DuckDB query
  };
  auto report = Execute(graph, [&](const TaskNode& t, int) -> Status {
    if (t.name != "bad") return OkStatus();
    // A long query: a second of "work" a step until it is interrupted; the
    // interrupted step's error (an I/O error, transient) must not be retried.
    while (!interrupted.load()) {
      clock.now_us += 1'000'000;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_TRUE(TaskCancelled());  // what ML steps check between steps
    return IoError("INTERRUPT Error: Interrupted!");
  }, options, &clock);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_failure, "bad: task bad exceeded its 30 s timeout");
  EXPECT_EQ(report.Find("bad")->error.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(report.Find("bad")->attempts, 1);
  EXPECT_EQ(interrupts.load(), 1);
  EXPECT_EQ(interrupted_task, "bad");
  EXPECT_EQ(report.Find("after_bad")->state, ExecState::kSkipped);
  EXPECT_EQ(report.Find("last")->state, ExecState::kSkipped);
  for (const char* done : {"a", "c", "ok1", "ok2"}) EXPECT_EQ(report.Find(done)->state, ExecState::kSucceeded) << done;
  EXPECT_FALSE(TaskCancelled());  // outside a task
}

TEST(ExecutorTest, ATaskWithinItsTimeoutIsLeftAlone) {
  auto graph = TaskGraph::FromTasks({T("quick"), T("next", {"quick"})}).value();
  SteppedClock clock;
  int interrupts = 0;
  ExecutorOptions options{.workers = 1, .task_timeout_ms = 30'000, .watchdog_poll_ms = 1};
  options.on_timeout = [&](const std::string&, int) { ++interrupts; };
  auto report = Execute(graph, [&](const TaskNode&, int) -> Status {
    clock.now_us += 29'000'000;  // each task just under the limit: it is per task
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return TaskCancelled() ? Internal("cancelled") : OkStatus();
  }, options, &clock);
  EXPECT_TRUE(report.ok) << report.first_failure;
  EXPECT_EQ(interrupts, 0);
}

}  // namespace
}  // namespace pareto::pipeline
