// A read-only mapping of a source file. See file_bytes.h.
#include "ingest/file_bytes.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace pareto::ingest {

StatusOr<FileBytes> FileBytes::Open(const std::string& path, Env* env) {
  FileBytes out;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) {
      return std::unexpected(IoError(fmt::format("cannot open {}: {}", path, std::strerror(errno))));
    }
    // Not on the real file system: the Env's own file.
    PARETO_ASSIGN_OR_RETURN(out.owned_, env->ReadFile(path));
    return out;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return std::unexpected(DataError(fmt::format("{}: not a regular file; refused", path)));
  }
  out.size_ = static_cast<size_t>(st.st_size);
  if (out.size_ > 0) {
    void* map = mmap(nullptr, out.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      const int err = errno;
      close(fd);
      return std::unexpected(IoError(fmt::format("cannot map {}: {}", path, std::strerror(err))));
    }
    // Read front to back, a few times: read ahead, and let the kernel drop what was read.
    (void)madvise(map, out.size_, MADV_SEQUENTIAL);
    out.map_ = map;
  }
  close(fd);  // the mapping stays valid
  return out;
}

FileBytes FileBytes::FromString(std::string bytes) {
  FileBytes out;
  out.owned_ = std::move(bytes);
  return out;
}

void FileBytes::ForEachWindow(const std::function<void(std::string_view)>& f) const {
  const std::string_view all = view();
  for (size_t at = 0; at < all.size(); at += kWindowBytes) {
    const std::string_view window = all.substr(at, kWindowBytes);
    f(window);
    // Clean pages of a read-only file mapping: dropping them loses nothing (they are
    // read again from the file if touched later). Window starts are page-aligned.
    if (map_ != nullptr) (void)madvise(const_cast<char*>(window.data()), window.size(), MADV_DONTNEED);
  }
}

void FileBytes::ReleasePages() const {
  if (map_ != nullptr) (void)madvise(map_, size_, MADV_DONTNEED);
}

FileBytes::FileBytes(FileBytes&& other) noexcept
    : map_(std::exchange(other.map_, nullptr)), size_(std::exchange(other.size_, 0)), owned_(std::move(other.owned_)) {}

FileBytes& FileBytes::operator=(FileBytes&& other) noexcept {
  if (this != &other) {
    Unmap();
    map_ = std::exchange(other.map_, nullptr);
    size_ = std::exchange(other.size_, 0);
    owned_ = std::move(other.owned_);
  }
  return *this;
}

FileBytes::~FileBytes() { Unmap(); }

void FileBytes::Unmap() {
  if (map_ != nullptr) munmap(map_, size_);
  map_ = nullptr;
  size_ = 0;
}

std::string_view FileBytes::view() const {
  if (map_ != nullptr) return {static_cast<const char*>(map_), size_};
  return owned_;
}

}  // namespace pareto::ingest
