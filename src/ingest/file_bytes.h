// The bytes of one source file, without copying it into the process.
//
// A source file is mapped read-only: the kernel pages it in as it is scanned and
// may drop those pages again (they are clean and backed by the file), so a 2 GB
// export does not take 2 GB of heap on top of what DuckDB's reader needs. A file
// that only the given Env knows (not on the real file system) is read whole.
//
// Ownership: FileBytes owns the mapping (one move-only owner); view() is valid
// while it lives. Thread safety: view() may be read from several threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"

namespace pareto::ingest {

class FileBytes {
 public:
  static StatusOr<FileBytes> Open(const std::string& path, Env* env);

  FileBytes(FileBytes&& other) noexcept;
  FileBytes& operator=(FileBytes&& other) noexcept;
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes();

  std::string_view view() const;

 private:
  FileBytes() = default;
  void Unmap();

  void* map_ = nullptr;
  size_t size_ = 0;
  std::string owned_;  // the bytes when not mapped
};

}  // namespace pareto::ingest
