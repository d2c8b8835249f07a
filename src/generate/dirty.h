// DirtyInjector: the faults a real export has, injected at a rate, each one
// recorded in a manifest (JSON lines) so tests can show that ingestion and
// expectations catch exactly these.
//
// Faults per written row (at most one a row, chosen uniformly among those the
// file allows): duplicate_row (the row again, same business key),
// bad_type (a typed column gets text that does not cast), missing_required
// (a required column left empty), wrong_columns (a field dropped or added).
// The generator adds status_update (orders whose status changes later, in a
// second file) and unknown_order (review rows for orders that do not exist)
// through Record(). Manifest line:
//   {"fault":"bad_type","file":"olist_order_items_dataset.csv","record":17,
//    "key":"<business key>","column":"price","value":"12,90"}
// where record is the 1-based data record of that file (header not counted).
//
// Ownership: owns the manifest FILE*. Thread safety: one thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "generate/csv_writer.h"
#include "generate/streams.h"

namespace pareto::generate {

// What can break in one file.
struct FileFaults {
  std::string file;                      // name as written
  std::vector<std::string_view> header;  // column names
  std::vector<size_t> key;               // business key columns
  size_t required = 0;                   // column that missing_required empties
  int typed = -1;                        // column that bad_type breaks (-1: none)
  std::vector<std::string_view> bad_values;
};

class DirtyInjector {
 public:
  static StatusOr<DirtyInjector> Open(const std::string& manifest_path, double rate, uint64_t seed);
  DirtyInjector(DirtyInjector&&) noexcept = default;
  DirtyInjector& operator=(DirtyInjector&&) noexcept = default;
  ~DirtyInjector();

  // Writes `row` to `out`, possibly faulted (the row may be modified).
  void Write(CsvWriter& out, const FileFaults& spec, std::vector<Field>& row);
  // Records a fault the caller injected itself (record: the row just written to `file`).
  void Record(std::string_view fault, std::string_view file, uint64_t record, std::string_view key,
              std::string_view column = {}, std::string_view value = {});

  double rate() const { return rate_; }
  Rng& rng() { return rng_; }
  uint64_t faults() const { return faults_; }
  Status Close();

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  DirtyInjector() = default;
  static std::string KeyOf(const FileFaults& spec, const std::vector<Field>& row);

  std::unique_ptr<std::FILE, FileCloser> manifest_;
  std::string path_;
  double rate_ = 0;
  Rng rng_{0};
  uint64_t faults_ = 0;
  bool failed_ = false;
};

}  // namespace pareto::generate
