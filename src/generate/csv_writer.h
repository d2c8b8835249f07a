// CsvWriter: streams one CSV file in the Olist release's own format.
//
// The release quotes every header name; among values, ids are quoted on some
// rows and not others, zip prefixes always, text only when it must be (comma,
// quote, line break), numbers and timestamps never. Records are separated by
// "\n" (the reviews file "\r\n") and the last one has no line ending. The
// per-row quoting is drawn from the writer's own Rng, so it is deterministic.
//
// A row is built field by field (Id, Zip, Text, Raw) and written by EndRow.
// Ownership: owns its FILE*. Thread safety: one thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "generate/streams.h"

namespace pareto::generate {

enum class FieldStyle : uint8_t { kRaw, kText, kId, kQuoted };

struct Field {
  std::string value;
  FieldStyle style = FieldStyle::kRaw;
};

struct CsvFormat {
  std::string_view newline = "\n";
  bool bom = false;           // UTF-8 byte order mark before the header
  bool quote_header = true;   // the translation file's header is bare
  double id_quote_rate = 0.62;  // probability that an id value is quoted
};

class CsvWriter {
 public:
  static StatusOr<CsvWriter> Open(const std::string& path, std::span<const std::string_view> header,
                                  CsvFormat format, uint64_t quote_seed);
  CsvWriter(CsvWriter&&) noexcept = default;
  CsvWriter& operator=(CsvWriter&&) noexcept = default;
  ~CsvWriter();

  // Writes one record from already-built fields (any count: dirty rows may break it).
  void WriteRow(std::span<const Field> fields);
  // Flushes and closes; reports the first write error.
  Status Close();

  const std::string& path() const { return path_; }
  uint64_t rows() const { return rows_; }
  uint64_t bytes() const { return bytes_; }
  size_t columns() const { return columns_; }

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  CsvWriter() = default;
  void Put(std::string_view s);
  void PutField(const Field& f);

  std::unique_ptr<std::FILE, FileCloser> file_;
  std::string path_;
  std::string buffer_;
  CsvFormat format_;
  Rng quote_rng_{0};
  uint64_t rows_ = 0;
  uint64_t bytes_ = 0;
  size_t columns_ = 0;
  bool failed_ = false;
};

}  // namespace pareto::generate
