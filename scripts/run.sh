#!/usr/bin/env bash
# `make run`: the main job end to end. With SOURCE set, ingest that folder of
# Olist CSV files; otherwise generate Olist-shaped data (SCALE, SEED) and use that.
set -euo pipefail
bin="$1"; lakehouse="$2"; source="$3"; scale="${4:-1}"; seed="${5:-7}"
if [ -z "$source" ]; then
  source="generated/olist-scale${scale}-seed${seed}"
  if [ ! -f "$source/olist_orders_dataset.csv" ]; then
    echo "make run: no SOURCE given; generating scale ${scale} (seed ${seed}) into $source"
    "$bin" generate --scale "$scale" --seed "$seed" --out "$source"
  else
    echo "make run: no SOURCE given; using the generated data in $source"
  fi
fi
"$bin" --lakehouse "$lakehouse" ingest --source "$source"
"$bin" --lakehouse "$lakehouse" tables
