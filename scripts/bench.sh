#!/usr/bin/env bash
# `make bench`: every benchmark program each stage defines (pareto_add_bench), in turn,
# then `pareto run` against its own SQL on bare DuckDB (bench/bench_engine.sh), then a
# month's incremental run against a full rebuild (bench_incremental.sh).
# They print measurements; the one pass/fail is the load test of `pareto serve`
# (bench_server), which fails when any request under load failed. When `make run`
# has built a lakehouse (LAKEHOUSE, default lakehouse/), bench_ml also scores that
# lakehouse's persons with its production model, and the load test serves it.
# PARETO_BENCH_ONLY=server runs only the load test of `pareto serve` (the last part).
set -euo pipefail
build="$1"
lakehouse="${2:-lakehouse}"
only="${PARETO_BENCH_ONLY:-}"
shopt -s nullglob
if [ -z "$only" ]; then
for b in "$build"/bench/*; do
  [ -x "$b" ] || continue
  [ "$(basename "$b")" = bench_server ] && continue  # run below, against a server
  echo "== $(basename "$b")"
  "$b"
done
# pareto against its own SQL on bare DuckDB, side by side (bench/bench_engine.sh),
# at each scale of BENCH_SCALE (default "1 10"; BENCH_SCALE=100 for scale 100).
for scale in ${BENCH_SCALE:-1 10}; do
  echo "== engine: pareto run against the same SQL on bare DuckDB (scale $scale)"
  BENCH_SCALE="$scale" bash "$(dirname "$0")/../bench/bench_engine.sh" "$build"
done
echo "== incremental: a month's drop against a full rebuild"
bash "$(dirname "$0")/bench_incremental.sh" "$build"
fi
if [ -z "$only" ] && [ -x "$build/bench/bench_ml" ] && [ -f "$lakehouse/_meta/metastore.db" ]; then
  echo "== bench_ml on $lakehouse"
  PARETO_BENCH_LAKEHOUSE="$lakehouse" "$build/bench/bench_ml" || echo "(no production model in $lakehouse yet)"
fi
if [ -x "$build/bench/bench_server" ]; then
  # The load test: `pareto serve` (the build's, Release under `make bench`) on a free port,
  # 50 clients for 20 s, then again with one client's query running into the time limit.
  # On the lakehouse `make run` built, or, when there is none, on one built here from
  # generated data (scale 0.1) in a temporary folder.
  root="$(cd "$(dirname "$0")/.." && pwd)"
  serve_lakehouse="$lakehouse"
  scratch=""
  if [ ! -f "$lakehouse/_meta/metastore.db" ]; then
    scratch="$(mktemp -d)"
    serve_lakehouse="$scratch/lakehouse"
    echo "== bench_server: no lakehouse at $lakehouse; building one from generated data (scale 0.1) in $scratch"
    "$build/pareto" generate --scale 0.1 --seed 7 --out "$scratch/gen" >/dev/null
    "$build/pareto" --lakehouse "$serve_lakehouse" --project "$root/pipelines/olist" run --source "$scratch/gen" --quiet
  fi
  echo "== bench_server on $serve_lakehouse"
  log="$(mktemp)"
  # --timeout 5: the slow client's query runs 5 s, then the time limit interrupts it (408).
  "$build/pareto" --lakehouse "$serve_lakehouse" --project "$root/pipelines/olist" serve --port 0 --timeout 5 \
    --no-schedule >"$log" 2>/dev/null &
  server=$!
  url=""
  for _ in $(seq 1 100); do
    url="$(grep -o 'http://[^ ]*#token=[0-9a-f]*' "$log" || true)"
    [ -n "$url" ] && break
    sleep 0.1
  done
  status=0
  if [ -n "$url" ]; then
    PARETO_BENCH_URL="$url" "$build/bench/bench_server" || status=$?
  else
    echo "(pareto serve did not start)"
    status=1
  fi
  kill -TERM "$server"; wait "$server" || true
  rm -f "$log"
  [ -n "$scratch" ] && rm -rf "$scratch"
  if [ "$status" -ne 0 ]; then echo "bench_server: requests failed under load (exit $status)"; exit "$status"; fi
fi
