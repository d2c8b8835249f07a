// The POSIX Env: direct system calls, errors as Status with the path and errno text.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "common/env.h"

namespace pareto {

void Env::SleepForMicroseconds(int64_t micros) {
  if (micros > 0) std::this_thread::sleep_for(std::chrono::microseconds(micros));
}

namespace {

Status ErrnoStatus(std::string_view what, const std::string& path, int err) {
  std::string msg = std::string(what) + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return NotFound(std::move(msg));
  if (err == EEXIST) return AlreadyExists(std::move(msg));
  return IoError(std::move(msg));
}

class PosixEnv final : public Env {
 public:
  int64_t NowMicros() override {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  }

  StatusOr<std::string> ReadFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::unexpected(ErrnoStatus("cannot open", path, errno));
    std::string out;
    char buf[1 << 16];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return std::unexpected(ErrnoStatus("cannot read", path, err));
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  }

  Status WriteFile(const std::string& path, std::string_view data, bool sync) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("cannot create", path, errno);
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::write(fd, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return ErrnoStatus("cannot write", path, err);
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    if (sync && ::fsync(fd) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("cannot sync", path, err);
    }
    if (::close(fd) != 0) return ErrnoStatus("cannot close", path, errno);
    return OkStatus();
  }

  Status LinkNoReplace(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) != 0) return ErrnoStatus("cannot link", to, errno);
    return OkStatus();
  }

  Status RenameReplace(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("cannot rename", from, errno);
    return OkStatus();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("cannot remove", path, errno);
    return OkStatus();
  }

  Status CreateDirs(const std::string& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return IoError("cannot create directory " + path + ": " + ec.message());
    return OkStatus();
  }

  StatusOr<std::vector<std::string>> ListDir(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return std::unexpected(ErrnoStatus("cannot list", path, errno));
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(dir)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    ::closedir(dir);
    return names;
  }

  StatusOr<FileInfo> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return std::unexpected(ErrnoStatus("cannot stat", path, errno));
    FileInfo info;
    info.size = st.st_size;
    info.modified_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
    info.is_directory = S_ISDIR(st.st_mode);
    return info;
  }

  bool Exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Status SyncDir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("cannot open directory", path, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoStatus("cannot sync directory", path, err);
    return OkStatus();
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = [] {
    static PosixEnv instance;
    return &instance;
  }();
  return env;
}

}  // namespace pareto
