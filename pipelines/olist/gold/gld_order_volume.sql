-- Orders per local purchase date and status (only the combinations that occur).
-- revenue is that day's revenue of the status (0 for canceled and unavailable).
SELECT
  purchase_date AS order_date,
  coalesce(order_status, 'unknown') AS order_status,
  count(*) AS orders,
  CAST(sum(revenue) AS DECIMAL(18,2)) AS revenue
FROM silver.slv_order_fact
GROUP BY purchase_date, coalesce(order_status, 'unknown')
ORDER BY order_date, order_status
