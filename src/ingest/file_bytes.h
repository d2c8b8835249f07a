// The bytes of one source file, without copying it into the process.
//
// A source file is mapped read-only: the kernel pages it in as it is scanned and
// may drop those pages again (they are clean and backed by the file), so a 2 GB
// export does not take 2 GB of heap on top of what DuckDB's reader needs. A file
// that only the given Env knows (not on the real file system) is read whole.
//
// Ownership: FileBytes owns the mapping (one move-only owner); view() is valid
// while it lives. Thread safety: one user at a time (passes give pages back).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"

namespace pareto::ingest {

class FileBytes {
 public:
  static StatusOr<FileBytes> Open(const std::string& path, Env* env);
  // Bytes held in memory (tests, and files only an Env knows).
  static FileBytes FromString(std::string bytes);

  FileBytes(FileBytes&& other) noexcept;
  FileBytes& operator=(FileBytes&& other) noexcept;
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes();

  std::string_view view() const;

  // Calls `f` on consecutive windows of at most kWindowBytes, in order; a mapped
  // window's pages are given back to the kernel once `f` returns, so a pass over a
  // 2 GB file holds one window, not the file.
  void ForEachWindow(const std::function<void(std::string_view)>& f) const;
  // Gives back the mapped pages a random-access pass touched (a no-op in memory).
  void ReleasePages() const;

  static constexpr size_t kWindowBytes = size_t{64} << 20;

 private:
  FileBytes() = default;
  void Unmap();

  void* map_ = nullptr;
  size_t size_ = 0;
  std::string owned_;  // the bytes when not mapped
};

}  // namespace pareto::ingest
