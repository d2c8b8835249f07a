-- RFM per person with at least one purchase (order counted as revenue).
--   recency_days: days from the last purchase to the reference date (lower is better)
--   frequency: purchases; monetary: total spend (sum of revenue, exact cents)
-- Scores 1..5 are quintiles by position: score = 1 + floor(5 * (rank - 1) / persons), where
-- rank orders persons from worst to best (recency descending, frequency and monetary
-- ascending) and tied persons share the rank of the first of them. Ties therefore always get
-- the same score; e.g. when most persons bought once, they all get f_score 1.
-- rfm_score: the three digits, e.g. '545'. segment, first rule that matches:
--   champions           r >= 4 and m >= 4
--   loyal               f >= 4 and r >= 3     (repeat buyers, still recent)
--   promising           r >= 4                (recent, lower spend)
--   need_attention      r = 3
--   cannot_lose         r <= 2 and m >= 4     (big spenders gone quiet)
--   at_risk             r <= 2 and f >= 4
--   about_to_sleep      r = 2
--   hibernating         everyone else (r = 1, low spend)
WITH base AS (
  SELECT customer_unique_id, recency_days, purchases AS frequency, total_spend AS monetary
  FROM gold.gld_customer_metrics
  WHERE purchases > 0
),
scored AS (
  SELECT
    *,
    CAST(1 + floor(5 * (rank() OVER (ORDER BY recency_days DESC) - 1) / count(*) OVER ()) AS INTEGER)
      AS r_score,
    CAST(1 + floor(5 * (rank() OVER (ORDER BY frequency) - 1) / count(*) OVER ()) AS INTEGER)
      AS f_score,
    CAST(1 + floor(5 * (rank() OVER (ORDER BY monetary) - 1) / count(*) OVER ()) AS INTEGER)
      AS m_score
  FROM base
)
SELECT
  customer_unique_id,
  recency_days,
  frequency,
  monetary,
  r_score,
  f_score,
  m_score,
  CAST(r_score AS STRING) || CAST(f_score AS STRING) || CAST(m_score AS STRING) AS rfm_score,
  CASE
    WHEN r_score >= 4 AND m_score >= 4 THEN 'champions'
    WHEN f_score >= 4 AND r_score >= 3 THEN 'loyal'
    WHEN r_score >= 4 THEN 'promising'
    WHEN r_score = 3 THEN 'need_attention'
    WHEN r_score <= 2 AND m_score >= 4 THEN 'cannot_lose'
    WHEN r_score <= 2 AND f_score >= 4 THEN 'at_risk'
    WHEN r_score = 2 THEN 'about_to_sleep'
    ELSE 'hibernating'
  END AS segment
FROM scored
ORDER BY customer_unique_id
