#include "generate/dirty.h"

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace pareto::generate {

StatusOr<DirtyInjector> DirtyInjector::Open(const std::string& manifest_path, double rate, uint64_t seed) {
  std::FILE* f = std::fopen(manifest_path.c_str(), "wb");
  if (f == nullptr)
    return std::unexpected(IoError("cannot create " + manifest_path + ": " + std::strerror(errno)));
  DirtyInjector d;
  d.manifest_.reset(f);
  d.path_ = manifest_path;
  d.rate_ = rate;
  d.rng_ = StreamFor(seed, Kind::kDirty, 0);
  return d;
}

DirtyInjector::~DirtyInjector() {
  if (manifest_) Close().IgnoreError();
}

std::string DirtyInjector::KeyOf(const FileFaults& spec, const std::vector<Field>& row) {
  std::string key;
  for (size_t i = 0; i < spec.key.size(); ++i) {
    if (i > 0) key += '|';
    if (spec.key[i] < row.size()) key += row[spec.key[i]].value;
  }
  return key;
}

void DirtyInjector::Record(std::string_view fault, std::string_view file, uint64_t record, std::string_view key,
                           std::string_view column, std::string_view value) {
  nlohmann::json j = {{"fault", fault}, {"file", file}, {"record", record}, {"key", key}};
  if (!column.empty()) j["column"] = column;
  if (!value.empty() || !column.empty()) j["value"] = value;
  const std::string line = j.dump() + "\n";
  if (std::fwrite(line.data(), 1, line.size(), manifest_.get()) != line.size()) failed_ = true;
  ++faults_;
}

void DirtyInjector::Write(CsvWriter& out, const FileFaults& spec, std::vector<Field>& row) {
  if (!rng_.Bernoulli(rate_)) {
    out.WriteRow(row);
    return;
  }
  enum { kDuplicate, kBadType, kMissing, kWrongColumns };
  int kinds[4];
  int n = 0;
  kinds[n++] = kDuplicate;
  if (spec.typed >= 0) kinds[n++] = kBadType;
  kinds[n++] = kMissing;
  kinds[n++] = kWrongColumns;
  const std::string key = KeyOf(spec, row);
  switch (kinds[rng_.Below(static_cast<uint64_t>(n))]) {
    case kDuplicate:
      out.WriteRow(row);
      out.WriteRow(row);
      Record("duplicate_row", spec.file, out.rows(), key);
      break;
    case kBadType: {
      const auto col = static_cast<size_t>(spec.typed);
      row[col].value = spec.bad_values[rng_.Below(spec.bad_values.size())];
      row[col].style = FieldStyle::kText;
      out.WriteRow(row);
      Record("bad_type", spec.file, out.rows(), key, spec.header[col], row[col].value);
      break;
    }
    case kMissing:
      row[spec.required].value.clear();
      out.WriteRow(row);
      Record("missing_required", spec.file, out.rows(), key, spec.header[spec.required], "");
      break;
    case kWrongColumns: {
      const bool extra = rng_.Bernoulli(0.5);
      if (extra) {
        row.push_back({"x", FieldStyle::kRaw});
      } else {
        row.pop_back();
      }
      out.WriteRow(row);
      Record("wrong_columns", spec.file, out.rows(), key, {}, extra ? "extra field" : "missing field");
      break;
    }
  }
}

Status DirtyInjector::Close() {
  if (!manifest_) return OkStatus();
  const bool close_failed = std::fclose(manifest_.release()) != 0;
  if (failed_ || close_failed) return IoError("cannot write " + path_ + " (disk full?)");
  return OkStatus();
}

}  // namespace pareto::generate
