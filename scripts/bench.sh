#!/usr/bin/env bash
# `make bench`: every benchmark program each stage defines (pareto_add_bench), in turn,
# then a month's incremental run against a full rebuild (bench_incremental.sh).
# They print measurements; nothing here is a pass/fail test. When `make run` has
# built a lakehouse (LAKEHOUSE, default lakehouse/), bench_ml also scores that
# lakehouse's persons with its production model.
set -euo pipefail
build="$1"
lakehouse="${2:-lakehouse}"
shopt -s nullglob
for b in "$build"/bench/*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
done
echo "== incremental: a month's drop against a full rebuild"
bash "$(dirname "$0")/bench_incremental.sh" "$build"
if [ -x "$build/bench/bench_ml" ] && [ -f "$lakehouse/_meta/metastore.db" ]; then
  echo "== bench_ml on $lakehouse"
  PARETO_BENCH_LAKEHOUSE="$lakehouse" "$build/bench/bench_ml" || echo "(no production model in $lakehouse yet)"
fi
