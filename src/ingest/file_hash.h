// Content fingerprints of source files (OpenSSL SHA-256), for exactly-once ingestion.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "ingest/file_bytes.h"

namespace pareto::ingest {

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);
// The same of a file's bytes, a window at a time (see FileBytes::ForEachWindow).
std::string Sha256Hex(const FileBytes& file);

// The Delta txn appId of one source file: the table, the file name and its
// content hash, so the same file is applied once and a changed file is new.
std::string IngestAppId(std::string_view table, std::string_view file_name, std::string_view sha256_hex);

}  // namespace pareto::ingest
