#!/usr/bin/env bash
# `make bench`: every benchmark program each stage defines (pareto_add_bench), in turn,
# then `pareto run` against its own SQL on bare DuckDB (bench/bench_engine.sh), then a
# month's incremental run against a full rebuild (bench_incremental.sh).
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
# pareto against its own SQL on bare DuckDB, side by side (bench/bench_engine.sh;
# BENCH_SCALE=1 by default, 10 or 100 to choose).
echo "== engine: pareto run against the same SQL on bare DuckDB (scale ${BENCH_SCALE:-1})"
bash "$(dirname "$0")/../bench/bench_engine.sh" "$build"
echo "== incremental: a month's drop against a full rebuild"
bash "$(dirname "$0")/bench_incremental.sh" "$build"
if [ -x "$build/bench/bench_ml" ] && [ -f "$lakehouse/_meta/metastore.db" ]; then
  echo "== bench_ml on $lakehouse"
  PARETO_BENCH_LAKEHOUSE="$lakehouse" "$build/bench/bench_ml" || echo "(no production model in $lakehouse yet)"
fi
if [ -x "$build/bench/bench_server" ] && [ -f "$lakehouse/_meta/metastore.db" ]; then
  # The load test: `pareto serve` on that lakehouse, on a free port, for bench_server.
  echo "== bench_server on $lakehouse"
  log="$(mktemp)"
  "$build/pareto" --lakehouse "$lakehouse" serve --port 0 --timeout 10 --no-schedule >"$log" 2>/dev/null &
  server=$!
  url=""
  for _ in $(seq 1 100); do
    url="$(grep -o 'http://[^ ]*#token=[0-9a-f]*' "$log" || true)"
    [ -n "$url" ] && break
    sleep 0.1
  done
  if [ -n "$url" ]; then PARETO_BENCH_URL="$url" "$build/bench/bench_server" || true; else echo "(pareto serve did not start)"; fi
  kill -TERM "$server"; wait "$server" || true
  rm -f "$log"
fi
