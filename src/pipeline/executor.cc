#include "pipeline/executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace pareto::pipeline {
namespace {

// The cancellation flag of the task the current thread runs (TaskCancelled).
thread_local const std::atomic<bool>* t_cancelled = nullptr;

// What the watchdog knows of a running task.
struct Running {
  std::string task;
  int64_t deadline_us = 0;
  std::atomic<bool> cancelled{false};
  bool timed_out = false;  // guarded by the executor's lock
};

class Scheduler {
 public:
  Scheduler(const TaskGraph& graph, const TaskFunction& run, const ExecutorOptions& options, Env* env)
      : graph_(graph), run_(run), options_(options), env_(env) {
    for (const TaskNode& t : graph_.tasks()) waiting_on_[t.name] = t.deps.size();
  }

  ExecutionReport Run() {
    int workers = options_.workers > 0 ? options_.workers : DefaultWorkers();
    workers = std::max(1, std::min<int>(workers, static_cast<int>(std::max<size_t>(1, graph_.tasks().size()))));
    {
      std::lock_guard lock(mu_);
      for (const TaskNode& t : graph_.tasks()) {
        if (t.deps.empty()) ready_.push_back(&t);
      }
    }
    running_tasks_ = std::vector<Running>(static_cast<size_t>(workers));
    std::jthread watchdog;
    if (options_.task_timeout_ms > 0) watchdog = std::jthread([this] { Watch(); });
    std::vector<std::jthread> threads;
    for (int w = 0; w < workers; ++w) threads.emplace_back([this, w] { Work(w); });
    threads.clear();  // joins
    {
      std::lock_guard lock(mu_);
      all_done_ = true;
    }
    cv_.notify_all();
    watchdog = {};  // joins
    return std::move(report_);
  }

 private:
  void Work(int worker) {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return !ready_.empty() || Done(); });
      if (ready_.empty()) return;  // Done
      const TaskNode* task = ready_.front();
      ready_.erase(ready_.begin());
      ++running_;
      if (options_.on_started) options_.on_started(task->name, worker);
      lock.unlock();
      TaskExecution exec = RunWithRetries(*task, worker);
      lock.lock();
      --running_;
      Finish(std::move(exec));
      cv_.notify_all();
    }
  }

  bool Done() const { return running_ == 0 && ready_.empty(); }

  // The watchdog: tells tasks past their deadline to stop.
  void Watch() {
    std::unique_lock lock(mu_);
    while (!all_done_) {
      const int64_t now = env_->NowMicros();
      for (size_t w = 0; w < running_tasks_.size(); ++w) {
        Running& r = running_tasks_[w];
        if (r.task.empty() || r.timed_out || now < r.deadline_us) continue;
        r.timed_out = true;
        r.cancelled.store(true);
        if (options_.on_timeout) options_.on_timeout(r.task, static_cast<int>(w));
      }
      cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(1, options_.watchdog_poll_ms)));
    }
  }

  TaskExecution RunWithRetries(const TaskNode& task, int worker) {
    TaskExecution exec{.task = task.name, .worker = worker, .started_us = env_->NowMicros()};
    Running& running = running_tasks_[static_cast<size_t>(worker)];
    {
      std::lock_guard lock(mu_);
      running.task = task.name;
      running.deadline_us = exec.started_us + options_.task_timeout_ms * 1000;
      running.timed_out = false;
      running.cancelled.store(false);
    }
    t_cancelled = &running.cancelled;
    const auto transient = options_.is_transient ? options_.is_transient : IsTransient;
    int64_t backoff = options_.backoff_ms;
    for (;;) {
      ++exec.attempts;
      exec.error = run_(task, worker);
      if (exec.error.ok() || running.cancelled.load() || !transient(exec.error) ||
          exec.attempts >= std::max(1, options_.max_attempts)) {
        break;
      }
      if (options_.on_retry) {
        std::lock_guard lock(mu_);
        options_.on_retry(task.name, exec.attempts, exec.error);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff));
      backoff *= 2;
    }
    t_cancelled = nullptr;
    {
      std::lock_guard lock(mu_);
      if (running.timed_out) {
        // Whatever the interrupted step returned, the cause is the timeout.
        exec.error = TaskTimeoutError(task.name, options_.task_timeout_ms);
      }
      running.task.clear();
    }
    exec.state = exec.error.ok() ? ExecState::kSucceeded : ExecState::kFailed;
    exec.ended_us = env_->NowMicros();
    return exec;
  }

  // With mu_ held: records the task and releases or skips what depends on it.
  void Finish(TaskExecution exec) {
    const std::string name = exec.task;
    const bool ok = exec.state == ExecState::kSucceeded;
    if (!ok && report_.ok) {
      report_.ok = false;
      report_.first_failure = name + ": " + exec.error.message();
    }
    Record(std::move(exec));
    if (!ok) {
      // Every descendant is skipped now; none of them can have started.
      const std::set<std::string> descendants = graph_.Descendants(name);
      for (const TaskNode& t : graph_.tasks()) {
        if (!descendants.contains(t.name) || finished_.contains(t.name)) continue;
        Record({.task = t.name, .state = ExecState::kSkipped,
                .error = Internal("upstream " + name + " failed")});
      }
      return;
    }
    for (const std::string& next : graph_.Dependents(name)) {
      if (--waiting_on_[next] == 0 && !finished_.contains(next)) ready_.push_back(graph_.Find(next));
    }
  }

  void Record(TaskExecution exec) {
    finished_.insert(exec.task);
    report_.tasks.push_back(std::move(exec));
    if (options_.on_finished) options_.on_finished(report_.tasks.back());
  }

  const TaskGraph& graph_;
  const TaskFunction& run_;
  const ExecutorOptions& options_;
  Env* env_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<const TaskNode*> ready_;  // in graph order of release
  std::map<std::string, size_t> waiting_on_;
  std::set<std::string> finished_;
  int running_ = 0;
  bool all_done_ = false;
  std::vector<Running> running_tasks_;  // one a worker; fields as Running says
  ExecutionReport report_;
};

}  // namespace

const TaskExecution* ExecutionReport::Find(std::string_view task) const {
  for (const TaskExecution& t : tasks) {
    if (t.task == task) return &t;
  }
  return nullptr;
}

Status TaskTimeoutError(std::string_view task, int64_t timeout_ms) {
  return ResourceExhausted(
      fmt::format("task {} exceeded its {} s timeout", task, static_cast<double>(timeout_ms) / 1000.0));
}

bool TaskCancelled() { return t_cancelled != nullptr && t_cancelled->load(); }

int DefaultWorkers() { return std::max(1u, std::thread::hardware_concurrency()); }

bool IsTransient(const Status& status) {
  return status.code() == StatusCode::kConflict || status.code() == StatusCode::kIoError;
}

ExecutionReport Execute(const TaskGraph& graph, const TaskFunction& run, const ExecutorOptions& options, Env* env) {
  Scheduler scheduler(graph, run, options, env);
  return scheduler.Run();
}

}  // namespace pareto::pipeline
