#!/usr/bin/env bash
# The portable rewrite of the models (docs/scale-out.md) changed no DuckDB result: on the
# real Olist subset (../shared/olist-subset), every silver and gold table has the row count
# and content hash recorded in olist_subset_tables.jsonl, which was made with the models as
# they were before the rewrite (DuckDB dialect: QUALIFY, ::, HUGEINT, getvariable, ...):
#   pareto --lakehouse L run --source ../shared/olist-subset --no-ml
#   then this script's query (hash() of every row, summed: order-independent).
# The hash is DuckDB's hash(); a DuckDB upgrade may change it (remake the fixture from a
# commit whose models are known good, and say so in the commit).
#
# Usage: tables_unchanged_test.sh PARETO_BINARY PROJECT_DIR SHARED_DIR
# Exit codes: 0 same, 1 different, 77 skipped (no ../shared/olist-subset).
set -euo pipefail
binary="$1" project="$2" shared="$3"
here="$(cd "$(dirname "$0")" && pwd)"
fixture="$here/olist_subset_tables.jsonl"
if [ ! -f "$shared/olist-subset/olist_orders_dataset.csv" ]; then
  echo "SKIPPED: no $shared/olist-subset"
  exit 77
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/pareto-unchanged-XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$binary" --project "$project" --lakehouse "$work/lh" run --source "$shared/olist-subset" --no-ml --quiet >/dev/null
tables="$("$binary" --project "$project" --lakehouse "$work/lh" --json tables |
  sed -n 's/.*"schema": *"\(silver\|gold\)".*/&/p' |
  sed -n 's/.*"name": *"\([^"]*\)".*/\1/p' | sort)"
sql=""
for t in $tables; do
  sql+="${sql:+ UNION ALL }SELECT '$t' AS t, count(*) AS n, CAST(sum(hash(x)) AS VARCHAR) AS h FROM $t AS x"
done
"$binary" --project "$project" --lakehouse "$work/lh" --json sql "SELECT * FROM ($sql) ORDER BY t" > "$work/now.jsonl"
if [ "${PARETO_WRITE_FIXTURE:-}" = 1 ]; then
  cp "$work/now.jsonl" "$fixture"
  echo "wrote $fixture ($(wc -l < "$fixture") tables)"
  exit 0
fi
if diff -u "$fixture" "$work/now.jsonl"; then
  echo "ok: $(wc -l < "$fixture") silver and gold tables identical to the fixture (rows and content hash)"
else
  echo "FAIL: tables differ from $fixture (- before the rewrite, + now)"
  exit 1
fi
