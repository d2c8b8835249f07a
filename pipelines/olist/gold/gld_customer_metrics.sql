-- One row per person (customer_unique_id) who placed at least one order, any status.
-- A purchase is an order counted as revenue (status not canceled/unavailable, docs/metrics.md).
--   total_orders: all orders placed; purchases: orders counted as revenue
--   first_/last_purchase_ts: first and last purchase instants (UTC); NULL without purchases
--   recency_days: days from the last purchase's local date to the reference date
--     (silver.slv_settings.reference_date = day after the last order in the data)
--   tenure_days: days from the first purchase's local date to the reference date
--   purchase_frequency: purchases per 30 days of tenure
--   avg_days_between_purchases: (last - first purchase date) / (purchases - 1); NULL below 2
--   delivery experience, over the person's delivered orders: avg_delivery_days,
--     avg_delivery_delay_days (negative = early), late_share (share delivered after the estimate)
--   satisfaction, over the person's reviews: avg_review_score, low_score_share (scores 1-2)
--   total_spend: sum of the person's revenue (monetary: a label basis, never a feature)
--   customer_state: state of the person's most recent order
WITH person_orders AS (
  SELECT
    customer_unique_id,
    count(*) AS total_orders,
    count(*) FILTER (WHERE counts_as_revenue) AS purchases,
    min(purchase_ts) FILTER (WHERE counts_as_revenue) AS first_purchase_ts,
    max(purchase_ts) FILTER (WHERE counts_as_revenue) AS last_purchase_ts,
    min(purchase_date) FILTER (WHERE counts_as_revenue) AS first_purchase_date,
    max(purchase_date) FILTER (WHERE counts_as_revenue) AS last_purchase_date,
    count(delivered_customer_ts) AS delivered_orders,
    avg(delivery_days) AS avg_delivery_days,
    avg(delivery_delay_days) AS avg_delivery_delay_days,
    count(*) FILTER (WHERE is_late) AS late_orders,
    sum(revenue) AS total_spend
  FROM silver.slv_order_fact
  WHERE customer_unique_id IS NOT NULL
  GROUP BY customer_unique_id
),
latest_state AS (
  SELECT customer_unique_id, customer_state
  FROM (
    SELECT
      customer_unique_id,
      customer_state,
      row_number() OVER (
        PARTITION BY customer_unique_id ORDER BY purchase_ts DESC NULLS FIRST, order_id DESC NULLS FIRST)
        AS order_rank
    FROM silver.slv_order_fact
    WHERE customer_unique_id IS NOT NULL
  ) AS ranked
  WHERE order_rank = 1
),
person_reviews AS (
  SELECT
    o.customer_unique_id,
    count(*) AS reviews,
    avg(r.review_score) AS avg_review_score,
    count(*) FILTER (WHERE r.review_score <= 2) AS low_score_reviews
  FROM silver.slv_reviews AS r
  JOIN silver.slv_order_fact AS o ON o.order_id = r.order_id
  WHERE o.customer_unique_id IS NOT NULL
  GROUP BY o.customer_unique_id
)
SELECT
  p.customer_unique_id,
  ls.customer_state,
  p.total_orders,
  p.purchases,
  p.first_purchase_ts,
  p.last_purchase_ts,
  p.first_purchase_date,
  p.last_purchase_date,
  unix_date(s.reference_date) - unix_date(p.last_purchase_date) AS recency_days,
  unix_date(s.reference_date) - unix_date(p.first_purchase_date) AS tenure_days,
  round(p.purchases * 30.0 / (unix_date(s.reference_date) - unix_date(p.first_purchase_date)), 4)
    AS purchase_frequency,
  CASE WHEN p.purchases > 1
       THEN round((unix_date(p.last_purchase_date) - unix_date(p.first_purchase_date)) / (p.purchases - 1), 2)
  END AS avg_days_between_purchases,
  p.delivered_orders,
  round(p.avg_delivery_days, 4) AS avg_delivery_days,
  round(p.avg_delivery_delay_days, 4) AS avg_delivery_delay_days,
  round(p.late_orders / nullif(p.delivered_orders, 0), 4) AS late_share,
  coalesce(r.reviews, 0) AS reviews,
  round(r.avg_review_score, 4) AS avg_review_score,
  round(r.low_score_reviews / r.reviews, 4) AS low_score_share,
  CAST(p.total_spend AS DECIMAL(18,2)) AS total_spend
FROM person_orders AS p
JOIN latest_state AS ls ON ls.customer_unique_id = p.customer_unique_id
CROSS JOIN silver.slv_settings AS s
LEFT JOIN person_reviews AS r ON r.customer_unique_id = p.customer_unique_id
ORDER BY p.customer_unique_id
