#!/usr/bin/env bash
# `make run`: the main job end to end. With SOURCE set, run the pipeline on that
# folder of Olist CSV files (e.g. the Kaggle download); otherwise generate
# Olist-shaped data (SCALE, SEED) once and use it.
set -euo pipefail
bin="$1"; lakehouse="$2"; source="$3"; scale="${4:-1}"; seed="${5:-7}"; serve="${6:-1}"
if [ -z "$source" ]; then
  source="generated/olist-scale${scale}-seed${seed}"
  if [ ! -f "$source/olist_orders_dataset.csv" ]; then
    echo "make run: no SOURCE given; generating scale ${scale} (seed ${seed}) into $source"
    "$bin" generate --scale "$scale" --seed "$seed" --out "$source"
  else
    echo "make run: no SOURCE given; using the generated data in $source"
  fi
fi
pareto() { "$bin" --lakehouse "$lakehouse" "$@"; }

# Ingest -> silver -> gold -> train -> score; incremental: unchanged models are skipped.
pareto run --source "$source"

echo
echo "== revenue and the Pareto split (gold.gld_segment_summary)"
pareto sql "SELECT * FROM gold.gld_segment_summary ORDER BY 1"
echo
echo "== monthly revenue, last 6 months (gold.gld_monthly_revenue)"
pareto sql "SELECT * FROM (SELECT * FROM gold.gld_monthly_revenue ORDER BY 1 DESC LIMIT 6) ORDER BY 1"
echo
echo "== models (pareto models)"
pareto models
echo
echo "Lakehouse: $lakehouse  (try: $bin --lakehouse $lakehouse tables | sql \"...\" | lineage gold.gld_rfm)"

if [ "$serve" != "0" ]; then
  # The dashboard over the lakehouse just built; Ctrl-C stops it (make run SERVE=0 skips this).
  echo
  echo "== the dashboard (pareto serve): open the Dashboard URL below; Ctrl-C stops it"
  exec "$bin" --lakehouse "$lakehouse" serve --port "${PORT:-8080}"
fi
