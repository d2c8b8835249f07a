// Runs a TaskGraph (task_graph.h) with a bounded number of worker threads.
//
// A task starts once every task it depends on succeeded; independent tasks run
// at the same time, up to `workers` of them. Failure semantics as people expect
// from a job graph: a failed task marks its descendants skipped ("upstream X
// failed"), tasks that do not depend on it still run, and the execution ends
// failed with the first failure as its cause. A failure whose code is transient
// (kConflict: a lost commit race or lock contention; kIoError) is retried with
// exponential backoff, up to `max_attempts` in all.
//
// A per-task timeout (`task_timeout_ms`) is enforced by a watchdog thread: past
// it the task is told to stop, not abandoned — its cancellation flag is set
// (TaskCancelled(), which long tasks such as training check between steps) and
// `on_timeout` runs (the runner interrupts the worker's DuckDB query there) —
// and when it returns it fails with "task X exceeded its N s timeout"
// (kResourceExhausted, never retried), its descendants skipped as for any
// failure. The timeout counts from the task's start, across its retries. A task
// that neither runs a query nor checks the flag ends when its step ends.
//
// Ownership: Execute borrows the graph and the callbacks for the call.
// Thread safety: `run` is called from the worker threads, with the index of the
// worker (0 .. workers-1), so a caller can keep one connection per worker; the
// observers are called with the executor's lock held, one at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "pipeline/task_graph.h"

namespace pareto::pipeline {

enum class ExecState { kSucceeded, kFailed, kSkipped };

struct TaskExecution {
  std::string task;
  ExecState state = ExecState::kSucceeded;
  Status error;           // the last attempt's error (kFailed), or why it was skipped
  int attempts = 0;       // 0 for a skipped task
  int worker = -1;        // the worker that ran it; -1 when skipped
  int64_t started_us = 0;  // Env clock; both 0 for a skipped task
  int64_t ended_us = 0;
};

struct ExecutionReport {
  std::vector<TaskExecution> tasks;  // in the order they ended
  bool ok = true;
  std::string first_failure;  // "<task>: <message>" of the first task that failed
  const TaskExecution* Find(std::string_view task) const;
};

struct ExecutorOptions {
  int workers = 0;  // 0: the machine's cores
  int max_attempts = 3;
  int64_t backoff_ms = 200;  // before the 2nd attempt; doubles for each further one
  // Which failures to retry; default: kConflict and kIoError.
  std::function<bool(const Status&)> is_transient;
  std::function<void(const std::string& task, int worker)> on_started;
  std::function<void(const TaskExecution& task)> on_finished;  // skipped tasks too
  // A transient failure about to be retried (attempt: the one that failed), before the backoff.
  std::function<void(const std::string& task, int attempt, const Status& error)> on_retry;
  int64_t task_timeout_ms = 0;  // 0: none
  // Past the timeout, with the executor's lock held, while the task still runs
  // on `worker`: interrupt what it is doing (must not block).
  std::function<void(const std::string& task, int worker)> on_timeout;
  int64_t watchdog_poll_ms = 100;  // how often the watchdog looks at the clock
};

using TaskFunction = std::function<Status(const TaskNode& task, int worker)>;

// Inside a task's thread: whether the executor has given up on the task (its
// timeout passed). Long tasks check it between steps and return early; false
// outside a task.
bool TaskCancelled();
// kResourceExhausted "task X exceeded its N s timeout": the cause a timed-out task
// ends with, in the report and in the run history.
Status TaskTimeoutError(std::string_view task, int64_t timeout_ms);

// The default worker count: the machine's cores (at least 1).
int DefaultWorkers();
bool IsTransient(const Status& status);

ExecutionReport Execute(const TaskGraph& graph, const TaskFunction& run, const ExecutorOptions& options = {},
                        Env* env = Env::Default());

}  // namespace pareto::pipeline
