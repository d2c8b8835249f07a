#!/usr/bin/env bash
# `make bench`: every benchmark program each stage defines (pareto_add_bench), in turn.
# They print measurements; nothing here is a pass/fail test.
set -euo pipefail
build="$1"
shopt -s nullglob
for b in "$build"/bench/*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
done
