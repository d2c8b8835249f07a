// Env: the file system and clock as one injectable interface (after leveldb's Env).
//
// Everything that must be atomic or testable under faults (Delta commits, the
// metastore's files, ingestion bookkeeping) goes through an Env, so tests can
// fake the clock and make any step fail or "crash" (see tests' FaultInjectionEnv).
// Bulk data (Parquet, CSV) is read and written by DuckDB, not through Env.
//
// Thread safety: Env::Default() is thread-safe and lives for the whole process.
#pragma once

#include <cstdint>
#include <string_view>
#include <string>
#include <vector>

#include "common/status.h"

namespace pareto {

struct FileInfo {
  int64_t size = 0;
  int64_t modified_ms = 0;  // milliseconds since the Unix epoch
  bool is_directory = false;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX environment. Never deleted.
  static Env* Default();

  // Wall clock, microseconds since the Unix epoch (UTC).
  virtual int64_t NowMicros() = 0;
  // Blocks the calling thread for `micros` (waiting for a lock, for the next
  // scheduled run). A fake clock overrides it to advance time without sleeping.
  virtual void SleepForMicroseconds(int64_t micros);

  virtual StatusOr<std::string> ReadFile(const std::string& path) = 0;
  // Creates or truncates `path`; with `sync`, fsyncs before returning.
  virtual Status WriteFile(const std::string& path, std::string_view data, bool sync) = 0;
  // Put-if-absent: makes `to` name the file `from` names, failing with kAlreadyExists
  // when `to` exists. Atomic (link(2)); `from` stays and may then be removed.
  virtual Status LinkNoReplace(const std::string& from, const std::string& to) = 0;
  // Atomic rename that replaces `to` when it exists.
  virtual Status RenameReplace(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Status CreateDirs(const std::string& path) = 0;
  // Names (not paths) of the entries of a directory; kNotFound if it does not exist.
  virtual StatusOr<std::vector<std::string>> ListDir(const std::string& path) = 0;
  virtual StatusOr<FileInfo> Stat(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // fsync of a directory, so a new name in it survives power loss.
  virtual Status SyncDir(const std::string& path) = 0;
};

// Wraps another Env and forwards every call; tests derive from it to inject faults.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target) : target_(target) {}
  int64_t NowMicros() override { return target_->NowMicros(); }
  void SleepForMicroseconds(int64_t micros) override { target_->SleepForMicroseconds(micros); }
  StatusOr<std::string> ReadFile(const std::string& p) override { return target_->ReadFile(p); }
  Status WriteFile(const std::string& p, std::string_view d, bool s) override {
    return target_->WriteFile(p, d, s);
  }
  Status LinkNoReplace(const std::string& f, const std::string& t) override {
    return target_->LinkNoReplace(f, t);
  }
  Status RenameReplace(const std::string& f, const std::string& t) override {
    return target_->RenameReplace(f, t);
  }
  Status RemoveFile(const std::string& p) override { return target_->RemoveFile(p); }
  Status CreateDirs(const std::string& p) override { return target_->CreateDirs(p); }
  StatusOr<std::vector<std::string>> ListDir(const std::string& p) override {
    return target_->ListDir(p);
  }
  StatusOr<FileInfo> Stat(const std::string& p) override { return target_->Stat(p); }
  bool Exists(const std::string& p) override { return target_->Exists(p); }
  Status SyncDir(const std::string& p) override { return target_->SyncDir(p); }

 protected:
  Env* target() const { return target_; }

 private:
  Env* target_;
};

}  // namespace pareto
