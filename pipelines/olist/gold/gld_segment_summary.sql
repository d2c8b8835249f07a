-- High-value persons against the rest (the label of gld_ml_features: total spend at or above
-- the exact 75th percentile): how few persons bring how much revenue.
-- One row per segment ('high_value', 'regular'): persons, purchases, revenue (exact; the two
-- rows add up to the total revenue of persons with purchases), average spend, and the shares
-- of persons and of revenue in percent. gld_pareto_curve gives the full curve.
WITH persons AS (
  SELECT
    CASE WHEN high_value THEN 'high_value' ELSE 'regular' END AS segment,
    frequency,
    total_spend,
    spend_p75
  FROM gold.gld_ml_features
),
per_segment AS (
  SELECT
    segment,
    count(*) AS persons,
    CAST(sum(frequency) AS BIGINT) AS purchases,
    sum(total_spend) AS revenue,
    min(total_spend) AS min_spend,
    any_value(spend_p75) AS spend_p75
  FROM persons
  GROUP BY segment
)
SELECT
  segment,
  persons,
  purchases,
  CAST(revenue AS DECIMAL(18,2)) AS revenue,
  CAST(revenue / persons AS DECIMAL(18,2)) AS avg_spend,
  CAST(min_spend AS DECIMAL(18,2)) AS min_spend,
  CAST(spend_p75 AS DECIMAL(18,2)) AS spend_p75,
  round(100.0 * persons / sum(persons) OVER (), 4) AS person_share_pct,
  round(100.0 * revenue / nullif(sum(revenue) OVER (), 0), 4) AS revenue_share_pct
FROM per_segment
ORDER BY segment
