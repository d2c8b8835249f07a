#!/usr/bin/env bash
# Set-up of the Spark SQL portability test (tests/portability): the test's pinned npm
# packages (tests/portability/package-lock.json: dt-sql-parser and esbuild), and
# dt-sql-parser bundled into one module Node can import (its dist imports folders, which
# Node's ES module loader refuses). Idempotent and quick when already done. When npm is
# unreachable it says so and leaves the test to skip (exit 77), as the browser test does.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/tests/portability"
if ! command -v npm >/dev/null; then
  echo "portability_setup: no npm; the Spark SQL portability test will skip"
  exit 0
fi
if [ ! -d node_modules/dt-sql-parser ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "portability_setup: npm ci in tests/portability"
  if ! npm ci --no-audit --no-fund --silent; then
    echo "portability_setup: npm ci failed (registry unreachable?); the Spark SQL portability test will skip"
    exit 0
  fi
fi
if [ ! -f node_modules/.bundle/dt-sql-parser.mjs ] || [ node_modules/.package-lock.json -nt node_modules/.bundle/dt-sql-parser.mjs ]; then
  npm run --silent bundle
fi
