// The web app's files (web/src/: the app and its pinned chart libraries) and the OpenAPI
// document, compiled into the binary by embed_files.cmake at build time: the
// binary is all a user deploys.
//
// Thread safety: immutable data.
#pragma once

#include <span>
#include <string_view>

namespace pareto::server {

struct WebAsset {
  std::string_view path;          // relative to web/src/: "index.html", "assets/app.js"
  std::string_view content_type;  // "text/html; charset=utf-8", …
  std::string_view bytes;
};

// Every file under web/src/ at build time, by path.
std::span<const WebAsset> WebAssets();
// The asset at `path`, or nullptr.
const WebAsset* FindWebAsset(std::string_view path);

// src/server/openapi.json.
std::string_view OpenApiJson();

}  // namespace pareto::server
