#include "ingest/file_hash.h"

#include <openssl/evp.h>

#include <array>
#include <memory>

#include <fmt/format.h>

namespace pareto::ingest {

std::string Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  // One-shot digest: no context object to own.
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    return {};  // OpenSSL's SHA-256 does not fail on memory input; callers treat "" as a bug
  }
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string Sha256Hex(const FileBytes& file) {
  // One owner of the digest context, freed on every path.
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return {};
  bool ok = true;
  file.ForEachWindow([&](std::string_view window) {
    ok = ok && EVP_DigestUpdate(ctx.get(), window.data(), window.size()) == 1;
  });
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (!ok || EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1) return {};
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string IngestAppId(std::string_view table, std::string_view file_name, std::string_view sha256_hex) {
  return fmt::format("pareto-ingest:{}:{}:sha256={}", table, file_name, sha256_hex);
}

}  // namespace pareto::ingest
