#include "server/task_queue.h"

#include <atomic>
#include <chrono>
#include <future>
#include <latch>

#include <gtest/gtest.h>

namespace pareto::server {
namespace {

// One worker, one queued job: the worker blocks on a latch, the second job
// waits in the queue, the third and fourth go to the overflow lane (which sees
// Overflowing()), a fifth blocks enqueue until there is room again.
TEST(BoundedTaskQueueTest, PastTheBoundJobsRunOnTheOverflowLane) {
  BoundedTaskQueue queue(/*workers=*/1, /*max_queued=*/1);
  std::latch release(1);
  std::atomic<int> normal{0}, overflowed{0};
  std::promise<void> started;
  queue.enqueue([&] {
    started.set_value();
    release.wait();
    normal += BoundedTaskQueue::Overflowing() ? 0 : 1;
  });
  started.get_future().wait();  // the worker holds the first job: the queue is empty
  std::latch lane_busy(1), lane_release(1);
  queue.enqueue([&] { normal += BoundedTaskQueue::Overflowing() ? 0 : 1; });  // queued
  queue.enqueue([&] {  // the queue is full: the overflow lane, which it holds
    overflowed += BoundedTaskQueue::Overflowing() ? 1 : 0;
    lane_busy.count_down();
    lane_release.wait();
  });
  lane_busy.wait();
  queue.enqueue([&] { overflowed += BoundedTaskQueue::Overflowing() ? 1 : 0; });  // waits in the lane's queue
  // Both queues are full: the next enqueue blocks until a job leaves one.
  auto blocked = std::async(std::launch::async, [&] { queue.enqueue([&] { normal += 1; }); });
  EXPECT_EQ(blocked.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  release.count_down();
  lane_release.count_down();
  EXPECT_EQ(blocked.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  queue.shutdown();  // runs what is queued, then joins
  EXPECT_EQ(normal.load() + overflowed.load(), 5);
  EXPECT_GE(normal.load(), 2);      // the first two always ran on the worker
  EXPECT_GE(overflowed.load(), 2);  // the third and fourth always overflowed
  EXPECT_FALSE(BoundedTaskQueue::Overflowing());  // this thread is no worker
}

TEST(BoundedTaskQueueTest, ShutdownRunsWhatIsQueuedAndIsIdempotent) {
  std::atomic<int> ran{0};
  {
    BoundedTaskQueue queue(2, 100);
    for (int i = 0; i < 50; ++i) queue.enqueue([&] { ++ran; });
    queue.shutdown();
    EXPECT_EQ(ran.load(), 50);
    queue.shutdown();
  }  // the destructor after shutdown joins nothing twice
  EXPECT_EQ(ran.load(), 50);
}

}  // namespace
}  // namespace pareto::server
