-- Revenue per month (local calendar month, first day as month), every month from the first to
-- the last purchase. revenue sums silver.slv_order_fact.revenue (see docs/metrics.md) and
-- equals the sum of gld_daily_revenue over the month's days.
-- customers: distinct persons (customer_unique_id) with a revenue order in the month.
-- revenue_growth_pct: change against the previous month in percent (NULL for the first
-- month or after a month without revenue).
WITH months AS (
  SELECT CAST(m AS DATE) AS month
  FROM (
    SELECT explode(sequence(CAST(b.lo AS TIMESTAMP), CAST(b.hi AS TIMESTAMP), INTERVAL 1 MONTH)) AS m
    FROM (SELECT min(purchase_month) AS lo, max(purchase_month) AS hi FROM silver.slv_order_fact) AS b
  ) AS g
),
per_month AS (
  SELECT
    purchase_month AS month,
    count(*) AS orders,
    count(*) FILTER (WHERE counts_as_revenue) AS revenue_orders,
    sum(revenue) AS revenue,
    count(DISTINCT customer_unique_id) FILTER (WHERE counts_as_revenue) AS customers
  FROM silver.slv_order_fact
  GROUP BY purchase_month
),
filled AS (
  SELECT
    m.month,
    coalesce(p.orders, 0) AS orders,
    coalesce(p.revenue_orders, 0) AS revenue_orders,
    coalesce(p.customers, 0) AS customers,
    CAST(coalesce(p.revenue, 0) AS DECIMAL(18,2)) AS revenue
  FROM months AS m
  LEFT JOIN per_month AS p ON p.month = m.month
)
SELECT
  month,
  orders,
  revenue_orders,
  customers,
  revenue,
  CAST(CASE WHEN revenue_orders > 0 THEN revenue / revenue_orders END AS DECIMAL(18,2)) AS avg_order_value,
  round(100.0 * (revenue - lag(revenue) OVER (ORDER BY month))
        / nullif(lag(revenue) OVER (ORDER BY month), 0), 2) AS revenue_growth_pct
FROM filled
ORDER BY month
