#!/usr/bin/env bash
# `make bench`: benchmarks, printed, never asserted as timed tests.
set -euo pipefail
build="$1"
for b in "$build"/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
done
