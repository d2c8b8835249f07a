#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine: the Debian packages of
# docs/architecture.md §6 and DuckDB 1.4.4 (from the npm registry) into .deps/duckdb.
# Safe to run again: each step checks whether it is already done.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
deps="$root/.deps"

packages=(
  build-essential cmake pkg-config
  libxgboost-dev libeigen3-dev libsqlite3-dev libcpp-httplib-dev
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libfmt-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# npm fetches DuckDB. Some machines carry a Node.js build that bundles npm
# (and conflicts with Debian's npm package), so ask for npm only when absent.
command -v npm >/dev/null 2>&1 || packages+=(npm)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

duck="$deps/duckdb"
if [ ! -f "$duck/lib/libduckdb.so" ] || [ ! -f "$duck/include/duckdb.h" ]; then
  echo "bootstrap: fetching DuckDB 1.4.4 from the npm registry"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent @duckdb/node-bindings-linux-x64@1.4.4-r.4 duckdb@1.4.4 >/dev/null)
  mkdir -p "$tmp/bin" "$tmp/src"
  tar -xzf "$tmp"/duckdb-node-bindings-linux-x64-1.4.4-r.4.tgz -C "$tmp/bin"
  tar -xzf "$tmp"/duckdb-1.4.4.tgz -C "$tmp/src"
  lib="$(find "$tmp/bin" -name libduckdb.so | head -n 1)"
  hdr="$(find "$tmp/src" -path '*include/duckdb.h' | head -n 1)"
  [ -n "$lib" ] || { echo "bootstrap: libduckdb.so not found in the npm package" >&2; exit 1; }
  [ -n "$hdr" ] || { echo "bootstrap: duckdb.h not found in the npm package" >&2; exit 1; }
  mkdir -p "$duck/lib" "$duck/include"
  cp "$lib" "$duck/lib/libduckdb.so"
  cp "$hdr" "$duck/include/duckdb.h"
fi
echo "bootstrap: ready (DuckDB in $duck)"
