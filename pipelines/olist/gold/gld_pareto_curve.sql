-- The Pareto curve: persons with purchases ranked by total spend (highest first, ties by
-- customer_unique_id), cut into 100 percentiles. Row p: the top p% of persons and the share
-- of all revenue they brought (cumulative, exact cents summed before the division).
WITH ranked AS (
  SELECT
    total_spend,
    row_number() OVER (ORDER BY total_spend DESC, customer_unique_id) AS position,
    count(*) OVER () AS persons
  FROM gold.gld_ml_features
),
bucketed AS (
  SELECT CAST(ceil(100.0 * position / persons) AS INTEGER) AS person_percentile, total_spend
  FROM ranked
),
per_bucket AS (
  SELECT person_percentile, count(*) AS persons, sum(total_spend) AS revenue
  FROM bucketed
  GROUP BY person_percentile
)
SELECT
  person_percentile,
  persons,
  CAST(revenue AS DECIMAL(18,2)) AS revenue,
  CAST(sum(revenue) OVER (ORDER BY person_percentile) AS DECIMAL(18,2)) AS cumulative_revenue,
  round(100.0 * sum(revenue) OVER (ORDER BY person_percentile)
        / nullif(sum(revenue) OVER (), 0), 4) AS cumulative_revenue_share_pct
FROM per_bucket
ORDER BY person_percentile
