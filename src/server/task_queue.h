// The server's thread pool with a bounded queue. httplib hands its task queue
// one job per accepted connection; its own ThreadPool queues them without
// bound, so a burst of connections would pile up in memory and wait minutes.
// Here at most `max_queued` connections wait for a worker; past that a
// connection goes to a small overflow lane whose thread only reads the request
// and answers 503 (Server's pre-routing handler asks Overflowing()). When that
// lane is full too, enqueue blocks the accept loop, so further connections
// wait in the kernel's listen backlog instead of in this process.
//
//   http.new_task_queue = [] { return new BoundedTaskQueue(8, 64); };
//
// Ownership: owns its threads; shutdown() runs what is queued, then joins.
// Thread safety: enqueue and shutdown from httplib's accept thread; jobs run
// on the queue's own threads.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pareto::server {

class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  BoundedTaskQueue(size_t workers, size_t max_queued);
  ~BoundedTaskQueue() override;
  BoundedTaskQueue(const BoundedTaskQueue&) = delete;
  BoundedTaskQueue& operator=(const BoundedTaskQueue&) = delete;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  // True on the thread running a connection the full queue turned away: its
  // requests are to be answered 503 at once.
  static bool Overflowing();

 private:
  void Work(std::deque<std::function<void()>>& jobs, bool overflow);

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable ready_;  // a job was queued, or shutdown
  std::condition_variable room_;   // a job left a queue
  std::deque<std::function<void()>> jobs_;
  std::deque<std::function<void()>> overflow_;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace pareto::server
