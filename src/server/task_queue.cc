#include "server/task_queue.h"

namespace pareto::server {
namespace {

thread_local bool t_overflowing = false;

}  // namespace

BoundedTaskQueue::BoundedTaskQueue(size_t workers, size_t max_queued) : max_queued_(max_queued < 1 ? 1 : max_queued) {
  for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(jobs_, /*overflow=*/false); });
  // One thread answers the refused: writing a 503 takes microseconds, so one is plenty.
  threads_.emplace_back([this] { Work(overflow_, /*overflow=*/true); });
}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

bool BoundedTaskQueue::Overflowing() { return t_overflowing; }

void BoundedTaskQueue::enqueue(std::function<void()> fn) {
  std::unique_lock lock(mu_);
  room_.wait(lock, [this] { return jobs_.size() < max_queued_ || overflow_.size() < max_queued_ || shutdown_; });
  (jobs_.size() < max_queued_ ? jobs_ : overflow_).push_back(std::move(fn));
  lock.unlock();
  ready_.notify_all();  // workers and the overflow thread wait on the same signal
}

void BoundedTaskQueue::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (shutdown_ && threads_.empty()) return;
    shutdown_ = true;
  }
  ready_.notify_all();
  room_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void BoundedTaskQueue::Work(std::deque<std::function<void()>>& jobs, bool overflow) {
  t_overflowing = overflow;
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [&] { return !jobs.empty() || shutdown_; });
      // Queued connections are still served (or refused) after shutdown: each holds an open socket.
      if (jobs.empty()) return;
      fn = std::move(jobs.front());
      jobs.pop_front();
    }
    room_.notify_one();
    fn();
  }
}

}  // namespace pareto::server
