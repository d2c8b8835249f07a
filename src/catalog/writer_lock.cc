#include "catalog/writer_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace pareto::catalog {
namespace {

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

std::string ReadAll(int fd) {
  std::string text;
  char buffer[512];
  off_t offset = 0;
  for (;;) {
    const ssize_t n = pread(fd, buffer, sizeof buffer, offset);
    if (n <= 0) return text;
    text.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
}

std::optional<LockHolder> Parse(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return LockHolder{.pid = j.value("pid", int64_t{0}),
                    .host = j.value("host", std::string()),
                    .run_id = j.value("run_id", int64_t{0}),
                    .started_ms = j.value("started_ms", int64_t{0})};
}

}  // namespace

std::string LockHolder::Describe() const {
  const std::time_t seconds = static_cast<std::time_t>(started_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char since[32];
  std::strftime(since, sizeof since, "%Y-%m-%d %H:%M:%S", &tm);
  return "pid " + std::to_string(pid) + " on host " + host + " (" +
         (run_id > 0 ? "run " + std::to_string(run_id) + ", " : std::string()) + "since " + since + " UTC)";
}

StatusOr<WriterLock> WriterLock::Acquire(const std::string& lakehouse_root, int64_t now_ms) {
  const std::string dir = lakehouse_root + "/_meta";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return std::unexpected(IoError("cannot create " + dir + ": " + ec.message()));
  const std::string path = dir + "/writer.lock";
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return std::unexpected(IoError("cannot open " + path + ": " + std::strerror(errno)));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::optional<LockHolder> holder = Parse(ReadAll(fd));
    close(fd);
    if (err != EWOULDBLOCK) return std::unexpected(IoError("cannot lock " + path + ": " + std::strerror(err)));
    return std::unexpected(Conflict("lakehouse " + lakehouse_root + " is being written by " +
                                    (holder ? holder->Describe() : std::string("another process")) +
                                    "; run again when it ends (lock: " + path + ")"));
  }
  // Locked. A holder still named in the file died without removing it.
  const std::optional<LockHolder> previous = Parse(ReadAll(fd));
  WriterLock lock(fd, path, {.pid = getpid(), .host = HostName(), .started_ms = now_ms});
  if (previous && previous->pid > 0) lock.took_over_ = previous;
  PARETO_RETURN_IF_ERROR(lock.Write());
  return lock;
}

StatusOr<WriterLock> WriterLock::AcquireWaiting(const std::string& lakehouse_root, Env* env, int64_t max_wait_ms,
                                                const std::function<void(const Status& held)>& on_wait) {
  const int64_t start_us = env->NowMicros();
  int64_t backoff_ms = 50;
  for (;;) {
    auto lock = Acquire(lakehouse_root, env->NowMicros() / 1000);
    if (lock.has_value() || lock.error().code() != StatusCode::kConflict) return lock;
    if (backoff_ms == 50 && on_wait) on_wait(lock.error());
    const int64_t waited_ms = (env->NowMicros() - start_us) / 1000;
    if (max_wait_ms >= 0 && waited_ms >= max_wait_ms) {
      return std::unexpected(Conflict(lock.error().message() + " (waited " + std::to_string(waited_ms) + " ms)"));
    }
    int64_t sleep_ms = backoff_ms;
    if (max_wait_ms >= 0) sleep_ms = std::min(sleep_ms, max_wait_ms - waited_ms);
    env->SleepForMicroseconds(std::max<int64_t>(1, sleep_ms) * 1000);
    backoff_ms = std::min<int64_t>(backoff_ms * 2, 2000);
  }
}

WriterLock::WriterLock(WriterLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), holder_(std::move(other.holder_)),
      took_over_(std::move(other.took_over_)) {}

WriterLock& WriterLock::operator=(WriterLock&& other) noexcept {
  if (this != &other) {
    WriterLock gone(std::move(*this));
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    holder_ = std::move(other.holder_);
    took_over_ = std::move(other.took_over_);
  }
  return *this;
}

WriterLock::~WriterLock() {
  if (fd_ < 0) return;
  // Emptied before release: a file naming a holder means that holder died.
  if (ftruncate(fd_, 0) != 0) {
    // Nothing to do: the next holder reports a takeover it need not worry about.
  }
  flock(fd_, LOCK_UN);
  close(fd_);
}

Status WriterLock::SetRun(int64_t run_id) {
  holder_.run_id = run_id;
  return Write();
}

Status WriterLock::Write() {
  const std::string text = nlohmann::json{{"pid", holder_.pid}, {"host", holder_.host}, {"run_id", holder_.run_id},
                                          {"started_ms", holder_.started_ms}}
                               .dump() +
                           "\n";
  if (ftruncate(fd_, 0) != 0 || pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    return IoError("cannot write " + path_ + ": " + std::strerror(errno));
  }
  return OkStatus();
}

}  // namespace pareto::catalog
