#include "delta/actions.h"

#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "common/percent_encoding.h"

namespace pareto::delta {

using nlohmann::json;

std::string NewUuid() {
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    // OpenSSL's generator failing means the process cannot make safe names at all.
    std::abort();
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0xf];
  }
  return out;
}

std::string LogDir(const std::string& root) { return root + "/_delta_log"; }

std::string CommitFileName(int64_t version) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld.json", static_cast<long long>(version));
  return buf;
}

std::string CommitPath(const std::string& root, int64_t version) {
  return LogDir(root) + "/" + CommitFileName(version);
}

std::string PercentEncodePath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.' || c == '~' || c == '/' || c == '=';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string ResolveDataPath(const std::string& root, const std::string& decoded_path) {
  std::string p = decoded_path;
  if (p.starts_with("file://")) p = p.substr(7);
  else if (p.starts_with("file:")) p = p.substr(5);
  if (p.starts_with("/")) return p;
  return root + "/" + p;
}

StatusOr<std::vector<json>> ParseCommit(std::string_view content, std::string_view file_name) {
  std::vector<json> actions;
  size_t start = 0;
  int line_no = 0;
  while (start <= content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(start, end - start);
    ++line_no;
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      if (end == content.size()) break;
      continue;
    }
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      return std::unexpected(DataError(std::string(file_name) + ": line " + std::to_string(line_no) +
                                       " is not a JSON object"));
    }
    actions.push_back(std::move(j));
    if (end == content.size()) break;
  }
  return actions;
}

std::string SerializeCommit(const std::vector<json>& actions) {
  std::string out;
  for (const auto& a : actions) {
    out += a.dump();
    out += '\n';
  }
  return out;
}

StatusOr<AddFile> AddFileFromJson(const json& add) {
  if (!add.is_object() || !add.contains("path") || !add["path"].is_string()) {
    return std::unexpected(DataError("add action without a path: " + add.dump()));
  }
  AddFile f;
  f.path = PercentDecode(add["path"].get<std::string>());
  if (add.contains("size") && add["size"].is_number()) f.size = add["size"].get<int64_t>();
  if (add.contains("modificationTime") && add["modificationTime"].is_number()) {
    f.modification_time = add["modificationTime"].get<int64_t>();
  }
  if (add.contains("partitionValues") && add["partitionValues"].is_object()) {
    for (const auto& [k, v] : add["partitionValues"].items()) {
      if (v.is_null()) f.partition_values[k] = std::nullopt;
      else if (v.is_string()) f.partition_values[k] = v.get<std::string>();
      else f.partition_values[k] = v.dump();
    }
  }
  if (add.contains("stats") && add["stats"].is_string()) f.stats = add["stats"].get<std::string>();
  return f;
}

namespace {
json PartitionValuesJson(const AddFile& file) {
  json pv = json::object();
  for (const auto& [k, v] : file.partition_values) pv[k] = v ? json(*v) : json(nullptr);
  return pv;
}
}  // namespace

json AddFileToJson(const AddFile& file, bool data_change) {
  json add = {{"path", PercentEncodePath(file.path)},
              {"partitionValues", PartitionValuesJson(file)},
              {"size", file.size},
              {"modificationTime", file.modification_time},
              {"dataChange", data_change}};
  if (!file.stats.empty()) add["stats"] = file.stats;
  return json{{"add", std::move(add)}};
}

json RemoveFileJson(const AddFile& file, int64_t deletion_timestamp_ms, bool data_change) {
  return json{{"remove",
               {{"path", PercentEncodePath(file.path)},
                {"deletionTimestamp", deletion_timestamp_ms},
                {"dataChange", data_change},
                {"extendedFileMetadata", true},
                {"partitionValues", PartitionValuesJson(file)},
                {"size", file.size}}}};
}

json ProtocolAction(int min_reader, int min_writer) {
  return json{{"protocol", {{"minReaderVersion", min_reader}, {"minWriterVersion", min_writer}}}};
}

json MetadataAction(const std::string& id, const json& schema, const std::vector<std::string>& partition_columns,
                    const json& configuration, int64_t created_ms, const std::string& description) {
  // Delta's configuration is a map<string,string>: other JSON values are written as text.
  json config = json::object();
  if (configuration.is_object()) {
    for (const auto& [k, v] : configuration.items()) config[k] = v.is_string() ? v : json(v.dump());
  }
  json md = {{"id", id},
             {"format", {{"provider", "parquet"}, {"options", json::object()}}},
             {"schemaString", schema.dump()},
             {"partitionColumns", partition_columns},
             {"configuration", std::move(config)},
             {"createdTime", created_ms}};
  if (!description.empty()) md["description"] = description;
  return json{{"metaData", std::move(md)}};
}

}  // namespace pareto::delta
