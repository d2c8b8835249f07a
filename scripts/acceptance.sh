#!/usr/bin/env bash
# Real-data acceptance (needs ../shared beside the project): grows with each stage.
# Prints every check; exits non-zero when any fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="$root/../shared"
make -C "$root" build >/dev/null
bin="${PARETO_BINARY:-$root/build/pareto}"
failures=0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

check() {  # check WHAT EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then
    printf '  ok    %-60s %s\n' "$1" "$3"
  else
    printf '  FAIL  %-60s expected %s, got %s\n' "$1" "$2" "$3"
    failures=$((failures + 1))
  fi
}

# ---- ingest -----------------------------------------------------------------
# `pareto ingest` prints: table, files new/seen, rows landed, quarantined, version.
ingest_rows() { awk -v t="olist.bronze.$2" '$1 == t { print $3 }' "$1"; }
ingest_quarantined() { awk '$1 == "total" { print $4 }' "$1"; }
ingest_total() { awk '$1 == "total" { print $3 }' "$1"; }

expect_counts() {  # expect_counts REPORT LABEL table=count...
  local report="$1" label="$2"; shift 2
  for pair in "$@"; do
    check "$label: ${pair%%=*} rows landed" "${pair##*=}" "$(ingest_rows "$report" "${pair%%=*}")"
  done
  check "$label: rows quarantined" 0 "$(ingest_quarantined "$report")"
}

echo "acceptance: ingest olist-subset (README record counts)"
"$bin" --lakehouse "$work/subset" ingest --source "$shared/olist-subset" > "$work/subset.txt"
cat "$work/subset.txt"
expect_counts "$work/subset.txt" subset brz_orders=8135 brz_customers=8135 brz_order_items=8365 \
  brz_payments=8924 brz_reviews=8225 brz_products=5460 brz_sellers=1610 brz_geolocation=45928 \
  brz_product_category_translation=71
"$bin" --lakehouse "$work/subset" ingest --source "$shared/olist-subset" > "$work/subset2.txt"
check "subset: second run lands nothing" 0 "$(ingest_total "$work/subset2.txt")"

echo "acceptance: ingest olist-reference (complete release files)"
"$bin" --lakehouse "$work/reference" ingest --source "$shared/olist-reference" > "$work/reference.txt"
expect_counts "$work/reference.txt" reference brz_payments=103886 brz_products=32951 brz_sellers=3095 \
  brz_product_category_translation=71

# Counts derived with Python's csv module (see src/ingest/ingest_test.cc): every record is well-formed.
echo "acceptance: ingest olist-messy (the release's own quoting)"
"$bin" --lakehouse "$work/messy" ingest --source "$shared/olist-messy" > "$work/messy.txt"
expect_counts "$work/messy.txt" messy brz_orders=4071 brz_customers=200 brz_order_items=5154 \
  brz_payments=4733 brz_reviews=6123 brz_products=751 brz_sellers=164 brz_product_category_translation=71

echo "acceptance: a file whose header does not match is refused with exit 65"
mkdir -p "$work/badheader"
printf 'seller_id,zip,seller_city,seller_state\ns1,01151,sao paulo,SP\n' > "$work/badheader/olist_sellers_dataset.csv"
set +e
"$bin" --lakehouse "$work/bad" ingest --source "$work/badheader" > /dev/null 2>&1
rc=$?
set -e
check "bad header: exit code" 65 "$rc"

# ---- silver, gold, ML on the real subset ---------------------------------------
pareto_sql() { "$bin" --lakehouse "$work/subset" sql "$1" | sed -n 3p | tr -s ' ' | sed 's/^ //'; }

echo "acceptance: pareto run on olist-subset (silver, gold, train, score)"
"$bin" --lakehouse "$work/subset" run --source "$shared/olist-subset" | tee "$work/run.txt"
check "run: gold.gld_daily_revenue sum = bronze payments of counted orders" \
  "$(pareto_sql "SELECT sum(p.payment_value) FROM bronze.brz_payments p JOIN bronze.brz_orders o USING (order_id) WHERE o.order_status NOT IN ('canceled', 'unavailable')")" \
  "$(pareto_sql "SELECT sum(revenue) FROM gold.gld_daily_revenue")"
check "run: slv_order_fact has one row per order (distinct/rows)" 8135/8135 \
  "$(pareto_sql "SELECT count(DISTINCT order_id) || '/' || count(*) FROM silver.slv_order_fact")"
# 8,016 persons, minus the 1,208 whose every order is canceled or unavailable (docs/metrics.md).
check "run: gld_ml_features persons" 6808 "$(pareto_sql "SELECT count(*) FROM gold.gld_ml_features")"
check "run: high-value share is 25% (+ ties at the threshold)" true \
  "$(pareto_sql "SELECT avg(high_value::INT) BETWEEN 0.25 AND 0.2503 FROM gold.gld_ml_features")"

# The high-value model's production version (the future-value model is listed too, and is in production at once).
production() { "$bin" --lakehouse "$work/subset" --json models | grep -v '"name":"future_value"' | grep '"stage":"production"' | sed -E 's/.*"version":([0-9]+).*/\1/'; }
echo "acceptance: the run scored every person out of sample with the future-value model"
check "score: one row per person" \
  "$(pareto_sql "SELECT count(*) || '' FROM gold.gld_customer_metrics")" \
  "$(pareto_sql "SELECT count(DISTINCT customer_unique_id) || '/' || count(*) FROM gold.gld_customer_scores" | cut -d/ -f1)"
check "score: every training label window ends by the scoring snapshot" true \
  "$(pareto_sql "SELECT bool_and(CAST(trained_through AS DATE) <= snapshot_date) FROM gold.gld_customer_scores")"
check "models: the run registered the future-value model it scores with, in production" 1 \
  "$("$bin" --lakehouse "$work/subset" --json models | grep '"name":"future_value"' | grep -c '"stage":"production"')"

echo "acceptance: pareto train --protocol seed,early (the reference's table, on correct data, and the checkout-time protocol)"
"$bin" --lakehouse "$work/subset" train --protocol seed,early
check "train: a registered version waits for a person's promotion" "" "$(production)"
"$bin" --lakehouse "$work/subset" models promote 1
check "models promote: the promoted version is in production" 1 "$(production)"
echo "acceptance: early protocol's best model on the out-of-time test set"
auc="$("$bin" --lakehouse "$work/subset" --json models | grep '"protocol":"early"' | head -n 1 |
  sed -E 's/.*"roc_auc":([0-9.]+).*/\1/')"
check "early protocol: ROC-AUC >= 0.85 (got $auc)" 1 "$(awk -v a="$auc" 'BEGIN { print (a >= 0.85) ? 1 : 0 }')"

if [ "$failures" -ne 0 ]; then
  echo "acceptance: $failures check(s) failed"
  exit 1
fi
echo "acceptance: all checks passed"
