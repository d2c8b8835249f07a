#!/usr/bin/env bash
# `make bench`, incremental part: a month's drop taken by an incremental run,
# against a full rebuild over the same files, on generated data (seed 7) at each
# scale of PARETO_BENCH_INCREMENTAL_SCALES (default "1 10"; e.g. "0.1" for a
# quick look). Per scale it prints seconds for
#   incremental  `pareto run` after the month's files are added (ingest of the
#                month, merged silver models, the rest rebuilt as needed);
#   full         `pareto run --full-refresh` on the same lakehouse afterwards
#                (every model rebuilt over base + month; ingest has nothing new);
#   fresh        a new lakehouse given base + month at once (ingest + full build).
# ML tasks are left out (--no-ml): training time does not depend on the drop.
# Usage: bench_incremental.sh BUILD_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
root="$(cd "$(dirname "$0")/.." && pwd)"
pareto="$build/pareto"
project="$root/pipelines/olist"
scales="${PARETO_BENCH_INCREMENTAL_SCALES:-1 10}"
[ -x "$pareto" ] || { echo "bench_incremental: no $pareto (build first)" >&2; exit 1; }

seconds() {  # seconds elapsed since the nanosecond time $1
  awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'
}

work="$(mktemp -d "${TMPDIR:-/tmp}/pareto-bench-incremental.XXXXXX")"
trap 'rm -rf "$work"' EXIT
printf "%-6s %12s %10s %10s  %s\n" scale incremental full fresh "(seconds; month 2018-09, --no-ml)"
for scale in $scales; do
  dir="$work/$scale"
  mkdir -p "$dir/source" "$dir/all"
  "$pareto" generate --scale "$scale" --seed 7 --out "$dir/base" >/dev/null
  "$pareto" generate --scale "$scale" --seed 7 --start 2018-09 --months 1 --out "$dir/month" >/dev/null
  run() { "$pareto" --lakehouse "$1" --project "$project" run --source "$2" --no-ml --quiet "${@:3}" >/dev/null; }

  cp "$dir/base"/* "$dir/source/"
  run "$dir/lh" "$dir/source"
  cp "$dir/month"/* "$dir/source/"
  t=$(date +%s%N); run "$dir/lh" "$dir/source"; incremental=$(seconds "$t")
  t=$(date +%s%N); run "$dir/lh" "$dir/source" --full-refresh; full=$(seconds "$t")
  cp "$dir/source"/* "$dir/all/"
  t=$(date +%s%N); run "$dir/fresh" "$dir/all"; fresh=$(seconds "$t")
  printf "%-6s %12s %10s %10s\n" "$scale" "$incremental" "$full" "$fresh"
  rm -rf "$dir"
done
