#!/usr/bin/env bash
# Set-up of the browser test (tests/browser): Debian's chromium and the test's pinned npm
# packages (tests/browser/package-lock.json). Idempotent and quick when already done.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
if [ ! -x /usr/bin/chromium ]; then
  echo "browser_setup: installing chromium"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq chromium >/dev/null
fi
cd "$root/tests/browser"
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "browser_setup: npm ci in tests/browser"
  npm ci --no-audit --no-fund --silent
fi
