-- Performance per customer state (the state of the order's customer record; 'unknown' when
-- the customer is missing). Over orders counted as revenue:
--   persons, orders, revenue (exact, sums to the total revenue), avg_order_value,
--   revenue_share_pct; delivery over their delivered orders: avg_delivery_days,
--   avg_delivery_delay_days, late_share; avg_review_score over their reviewed orders.
WITH per_state AS (
  SELECT
    coalesce(customer_state, 'unknown') AS customer_state,
    count(DISTINCT customer_unique_id) AS persons,
    count(*) AS orders,
    sum(revenue) AS revenue,
    avg(delivery_days) AS avg_delivery_days,
    avg(delivery_delay_days) AS avg_delivery_delay_days,
    count(*) FILTER (WHERE is_late) / nullif(count(delivery_delay_days), 0) AS late_share,
    avg(avg_review_score) AS avg_review_score
  FROM silver.slv_order_fact
  WHERE counts_as_revenue
  GROUP BY coalesce(customer_state, 'unknown')
)
SELECT
  customer_state,
  persons,
  orders,
  CAST(revenue AS DECIMAL(18,2)) AS revenue,
  CAST(revenue / orders AS DECIMAL(18,2)) AS avg_order_value,
  round(100.0 * revenue / nullif(sum(revenue) OVER (), 0), 4) AS revenue_share_pct,
  round(avg_delivery_days, 4) AS avg_delivery_days,
  round(avg_delivery_delay_days, 4) AS avg_delivery_delay_days,
  round(late_share, 4) AS late_share,
  round(avg_review_score, 4) AS avg_review_score
FROM per_state
ORDER BY revenue DESC, customer_state
