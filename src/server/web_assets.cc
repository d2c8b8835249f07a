#include "server/web_assets.h"

namespace pareto::server {

// Defined by the generated openapi_data.cc (embed_files.cmake).
std::span<const WebAsset> OpenApiFiles();

const WebAsset* FindWebAsset(std::string_view path) {
  for (const WebAsset& a : WebAssets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

std::string_view OpenApiJson() {
  const auto files = OpenApiFiles();
  return files.empty() ? std::string_view("{}") : files.front().bytes;
}

}  // namespace pareto::server
