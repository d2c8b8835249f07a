#include "generate/csv_writer.h"

#include <cerrno>
#include <cstring>

namespace pareto::generate {
namespace {
constexpr size_t kFlushAt = 1 << 20;

bool NeedsQuotes(std::string_view s) { return s.find_first_of(",\"\r\n") != std::string_view::npos; }
}  // namespace

StatusOr<CsvWriter> CsvWriter::Open(const std::string& path, std::span<const std::string_view> header,
                                    CsvFormat format, uint64_t quote_seed) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return std::unexpected(IoError("cannot create " + path + ": " + std::strerror(errno)));
  CsvWriter w;
  w.file_.reset(f);
  w.path_ = path;
  w.format_ = format;
  w.quote_rng_ = Rng(quote_seed);
  w.columns_ = header.size();
  w.buffer_.reserve(kFlushAt + 4096);
  if (format.bom) w.Put("\xEF\xBB\xBF");
  for (size_t i = 0; i < header.size(); ++i) {
    if (i > 0) w.Put(",");
    if (format.quote_header) w.Put("\"");
    w.Put(header[i]);
    if (format.quote_header) w.Put("\"");
  }
  return w;
}

CsvWriter::~CsvWriter() {
  if (file_) Close().IgnoreError();
}

void CsvWriter::Put(std::string_view s) {
  buffer_.append(s);
  if (buffer_.size() >= kFlushAt) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_.get()) != buffer_.size()) failed_ = true;
    bytes_ += buffer_.size();
    buffer_.clear();
  }
}

void CsvWriter::PutField(const Field& f) {
  bool quote = false;
  switch (f.style) {
    case FieldStyle::kRaw:
    case FieldStyle::kText: quote = NeedsQuotes(f.value); break;
    case FieldStyle::kQuoted: quote = true; break;
    case FieldStyle::kId:
      // Drawn for every id, empty or not, so that quoting does not depend on the values.
      quote = quote_rng_.Uniform() < format_.id_quote_rate || NeedsQuotes(f.value);
      break;
  }
  if (!quote) {
    Put(f.value);
    return;
  }
  Put("\"");
  size_t start = 0;
  for (size_t pos; (pos = f.value.find('"', start)) != std::string::npos; start = pos + 1) {
    Put(std::string_view(f.value).substr(start, pos + 1 - start));
    Put("\"");
  }
  Put(std::string_view(f.value).substr(start));
  Put("\"");
}

void CsvWriter::WriteRow(std::span<const Field> fields) {
  // The separator goes before each record: the release's files end without a line break.
  Put(format_.newline);
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) Put(",");
    PutField(fields[i]);
  }
  ++rows_;
}

Status CsvWriter::Close() {
  if (!file_) return OkStatus();
  if (!buffer_.empty()) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_.get()) != buffer_.size()) failed_ = true;
    bytes_ += buffer_.size();
    buffer_.clear();
  }
  const bool close_failed = std::fclose(file_.release()) != 0;
  if (failed_ || close_failed) return IoError("cannot write " + path_ + " (disk full?)");
  return OkStatus();
}

}  // namespace pareto::generate
