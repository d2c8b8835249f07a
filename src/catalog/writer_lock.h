// One writer per lakehouse: `<root>/_meta/writer.lock`, held with flock(2) by
// the process that runs the pipeline.
//
// The file names its holder (pid, host, run id, start time), so a refused
// writer's message says who holds it: kConflict (exit 75) "lakehouse … is being
// written by pid 123 on host h (run 7, since …)". The kernel drops an flock when
// its process dies, so the lock of a killed process (SIGKILL, a crash) is stale
// by construction and simply taken over; `took_over()` then names the dead
// holder the file still described. Readers (`pareto sql`, SqlSession) never take
// it: Delta snapshots make reads safe without it.
//
// Ownership: move-only owner of the lock's file descriptor; the lock is released
// when the owner goes. Thread safety: one thread at a time; within a process a
// second Acquire on the same lakehouse is refused like another process's (and a
// waiting one waits for it like for another process).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"

namespace pareto::catalog {

struct LockHolder {
  int64_t pid = 0;
  std::string host;
  int64_t run_id = 0;  // 0 until the run is known
  int64_t started_ms = 0;
  std::string Describe() const;  // "pid 123 on host h (run 7, since 2026-… UTC)"
};

class WriterLock {
 public:
  // Takes the lakehouse's writer lock without waiting; kConflict naming the
  // holder when another writer has it.
  static StatusOr<WriterLock> Acquire(const std::string& lakehouse_root, int64_t now_ms);
  // Waits for the lock while another writer holds it: polls, sleeping through
  // `env` with a backoff from 50 ms doubling to 2 s, until `max_wait_ms` have
  // passed (negative: no limit); then kConflict as Acquire's, saying how long it
  // waited. So overlapping scheduled runs queue instead of running twice. Other
  // errors (I/O) end the wait at once.
  // `on_wait`, when given, is told once, with the refusal naming the holder,
  // that the wait begins (so a person knows why nothing happens).
  static StatusOr<WriterLock> AcquireWaiting(const std::string& lakehouse_root, Env* env, int64_t max_wait_ms,
                                             const std::function<void(const Status& held)>& on_wait = {});

  WriterLock(WriterLock&& other) noexcept;
  WriterLock& operator=(WriterLock&& other) noexcept;
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;
  ~WriterLock();

  // Records the run now holding the lock (the run id is known after the lock).
  Status SetRun(int64_t run_id);
  // The holder named in the file when it was taken over from a dead process.
  const std::optional<LockHolder>& took_over() const { return took_over_; }
  const std::string& path() const { return path_; }

 private:
  WriterLock(int fd, std::string path, LockHolder holder) : fd_(fd), path_(std::move(path)), holder_(std::move(holder)) {}
  Status Write();

  int fd_ = -1;
  std::string path_;
  LockHolder holder_;
  std::optional<LockHolder> took_over_;
};

}  // namespace pareto::catalog
