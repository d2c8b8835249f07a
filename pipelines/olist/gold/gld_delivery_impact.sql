-- How delivery against the promised date relates to satisfaction and to coming back.
-- One row per delay bucket of delivered orders (delivery_delay_days = estimated -> delivered
-- local date, negative = early): early_8_plus (<= -8), early_1_7, on_time (0), late_1_3,
-- late_4_7, late_8_plus (>= 8). bucket_order sorts them.
--   orders: delivered orders; reviewed_orders: those with a review
--   avg_review_score: mean of their review scores; low_score_share: share of reviewed orders
--     whose lowest score is 1 or 2
--   repeat_rate: share of the orders whose person made a later purchase (an order counted as
--     revenue with a later purchase instant)
WITH last_purchase AS (
  SELECT customer_unique_id, max(purchase_ts) AS last_purchase_ts
  FROM silver.slv_order_fact
  WHERE counts_as_revenue
  GROUP BY customer_unique_id
),
delivered AS (
  SELECT
    o.*,
    CASE
      WHEN o.delivery_delay_days <= -8 THEN 1
      WHEN o.delivery_delay_days <= -1 THEN 2
      WHEN o.delivery_delay_days = 0 THEN 3
      WHEN o.delivery_delay_days <= 3 THEN 4
      WHEN o.delivery_delay_days <= 7 THEN 5
      ELSE 6
    END AS bucket_order,
    -- a later purchase exists exactly when the person's last purchase is later
    coalesce(lp.last_purchase_ts > o.purchase_ts, false) AS came_back
  FROM silver.slv_order_fact AS o
  LEFT JOIN last_purchase AS lp ON lp.customer_unique_id = o.customer_unique_id
  WHERE o.delivery_delay_days IS NOT NULL
)
SELECT
  bucket_order,
  CASE bucket_order
    WHEN 1 THEN 'early_8_plus' WHEN 2 THEN 'early_1_7' WHEN 3 THEN 'on_time'
    WHEN 4 THEN 'late_1_3' WHEN 5 THEN 'late_4_7' ELSE 'late_8_plus'
  END AS delay_bucket,
  count(*) AS orders,
  count(avg_review_score) AS reviewed_orders,
  round(avg(avg_review_score), 4) AS avg_review_score,
  round(count(*) FILTER (WHERE min_review_score <= 2) / nullif(count(avg_review_score), 0), 4)
    AS low_score_share,
  round(count(*) FILTER (WHERE came_back) / count(*), 4) AS repeat_rate
FROM delivered
GROUP BY bucket_order
ORDER BY bucket_order
