// Delta log actions: file names in `_delta_log/`, JSON (de)serialization of the
// actions pareto reads and writes, path (URI) encoding, and random ids.
//
// Thread safety: pure functions, except NewUuid which reads the OS's randomness.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "delta/table.h"

namespace pareto::delta {

inline constexpr std::string_view kEngineInfo = "pareto/0.1.0";

// A random RFC 4122 version-4 UUID in lowercase text form.
std::string NewUuid();

std::string LogDir(const std::string& root);
// "<root>/_delta_log/00000000000000000007.json"
std::string CommitPath(const std::string& root, int64_t version);
std::string CommitFileName(int64_t version);

// add.path is a URI, decoded with common/percent_encoding.h PercentDecode
// ("%20" -> " ", exactly once; "+" stays "+").
// The inverse for the paths pareto writes: everything but unreserved characters,
// '/' and '=' is %XX-escaped.
std::string PercentEncodePath(std::string_view path);

// The absolute file-system path of a (decoded) add path relative to `root`;
// absolute paths and "file:" URIs are honoured.
std::string ResolveDataPath(const std::string& root, const std::string& decoded_path);

// Parses one commit file: one JSON object a line (blank lines ignored).
StatusOr<std::vector<nlohmann::json>> ParseCommit(std::string_view content, std::string_view file_name);
// Serializes actions as one line each, ending with a newline.
std::string SerializeCommit(const std::vector<nlohmann::json>& actions);

// add action JSON <-> AddFile (paths: the JSON holds the URI, AddFile the decoded path).
StatusOr<AddFile> AddFileFromJson(const nlohmann::json& add);
nlohmann::json AddFileToJson(const AddFile& file, bool data_change);
nlohmann::json RemoveFileJson(const AddFile& file, int64_t deletion_timestamp_ms, bool data_change);

nlohmann::json ProtocolAction(int min_reader, int min_writer);
nlohmann::json MetadataAction(const std::string& id, const nlohmann::json& schema,
                              const std::vector<std::string>& partition_columns,
                              const nlohmann::json& configuration, int64_t created_ms,
                              const std::string& description);

}  // namespace pareto::delta
