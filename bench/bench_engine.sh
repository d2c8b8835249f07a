#!/usr/bin/env bash
# `make bench`, engine part: `pareto run --no-ml` on a fresh lakehouse against the
# project's own SQL on bare DuckDB (bench_engine: typed CSV load, every model as
# CREATE TABLE, every table once as Parquet) on the same generated data, side by
# side; then the per-task profile of pareto's run (where its time goes) and, when
# python3 has pandas and scikit-learn, a full `pareto run` against
# bench/pandas_equivalent.py. Installs nothing.
#
# Every figure is the whole process (/usr/bin/time): wall and CPU seconds and peak
# RSS, the median of BENCH_REPEAT runs (default 3), pareto and the engine
# alternating; the load average is printed beside them (the machine may be shared).
#
# Usage: bench_engine.sh BUILD_DIR    (BENCH_SCALE=1 by default; 10, 100 …)
set -euo pipefail
build="$(cd "$1" && pwd)"
root="$(cd "$(dirname "$0")/.." && pwd)"
pareto="$build/pareto"
engine="$build/bench-tools/bench_engine"
project="$root/pipelines/olist"
scale="${BENCH_SCALE:-1}"
repeat="${BENCH_REPEAT:-3}"
for b in "$pareto" "$engine"; do [ -x "$b" ] || { echo "bench_engine: no $b (build first)" >&2; exit 1; }; done
[ -x /usr/bin/time ] || { echo "bench_engine: needs /usr/bin/time (Debian package time)" >&2; exit 1; }

work="$(mktemp -d "${BENCH_WORK:-${TMPDIR:-/tmp}}/pareto-bench-engine.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "generating scale $scale (seed 7) …"
"$pareto" generate --scale "$scale" --seed 7 --out "$work/source" >/dev/null
echo "data: $(du -sh "$work/source" | cut -f1) of CSV; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"

# measure NAME CMD…: appends "wall user+sys maxrss_kb" to $work/NAME.times.
measure() {
  local name="$1"; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.out" "$@" >"$work/$name.out" 2>"$work/$name.err" ||
    { echo "$name failed:"; tail -5 "$work/$name.err"; exit 1; }
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$work/time.out" >>"$work/$name.times"
}
# median NAME COLUMN
median() { cut -d' ' -f"$2" "$work/$1.times" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
row() {  # row LABEL NAME
  printf "%-38s %8s %8s %9.0f\n" "$1" "$(median "$2" 1)" "$(median "$2" 2)" "$(awk -v k="$(median "$2" 3)" 'BEGIN { print k / 1024 }')"
}

for i in $(seq 1 "$repeat"); do
  rm -rf "$work/lh" "$work/parquet"
  measure pareto "$pareto" --json --lakehouse "$work/lh" --project "$project" run --source "$work/source" --no-ml
  measure engine "$engine" --project "$project" --source "$work/source" --parquet-dir "$work/parquet"
done
echo
echo "scale $scale, median of $repeat (load after: $(cut -d' ' -f1-3 /proc/loadavg))"
printf "%-38s %8s %8s %9s\n" "" "wall s" "cpu s" "peak MB"
row "pareto run --no-ml (fresh lakehouse)" pareto
row "same SQL, in-memory DuckDB + Parquet" engine
awk -v a="$(median pareto 1)" -v b="$(median engine 1)" -v c="$(median pareto 2)" -v d="$(median engine 2)" \
  'BEGIN { printf "overhead ratio: %.2fx wall, %.2fx cpu\n", a / b, c / d }'

echo
echo "engine, last run (per table):"
cat "$work/engine.out"
echo
echo "pareto, last run: where each task's time went (ms)"
python3 - "$work/pareto.out" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
tasks = sorted(report["tasks"], key=lambda t: -t["duration_ms"])
keys = []
for t in tasks:
    for k in t.get("profile_ms", {}):
        if k not in keys:
            keys.append(k)
print(f"{'task':<34} {'total':>7} " + " ".join(f"{k:>11}" for k in keys))
total = {k: 0 for k in keys}
for t in tasks:
    p = t.get("profile_ms", {})
    for k in keys:
        total[k] += p.get(k, 0)
    print(f"{t['task']:<34} {t['duration_ms']:>7} " + " ".join(f"{p.get(k, 0):>11}" for k in keys))
print(f"{'sum':<34} {sum(t['duration_ms'] for t in tasks):>7} " + " ".join(f"{total[k]:>11}" for k in keys))
print(f"run: {report['duration_ms']} ms")
EOF

# The first python3 that imports both (a pyenv shim may shadow Debian's packages).
py=""
for candidate in "${PYTHON:-python3}" /usr/bin/python3; do
  if "$candidate" -c 'import pandas, sklearn' 2>/dev/null; then py="$candidate"; break; fi
done
if [ -n "$py" ]; then
  echo
  echo "with ML: full pareto run against pandas + scikit-learn (bench/pandas_equivalent.py)"
  for i in $(seq 1 "$repeat"); do
    rm -rf "$work/lh"
    measure pareto_ml "$pareto" --lakehouse "$work/lh" --project "$project" run --source "$work/source" --quiet
    measure pandas "$py" "$root/bench/pandas_equivalent.py" "$work/source"
  done
  printf "%-38s %8s %8s %9s\n" "" "wall s" "cpu s" "peak MB"
  row "pareto run (with ML)" pareto_ml
  row "pandas + scikit-learn" pandas
  awk -v a="$(median pareto_ml 1)" -v b="$(median pandas 1)" 'BEGIN { printf "pareto / pandas: %.2fx wall\n", a / b }'
else
  echo
  echo "(pandas + scikit-learn not importable by python3: the ML comparison is left out;"
  echo " on Debian: apt-get install python3-pandas python3-sklearn)"
fi
