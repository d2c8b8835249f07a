-- Revenue per day: one row per local calendar date (America/Sao_Paulo) from the first to the
-- last purchase, days without orders included with zeros.
-- revenue = sum of silver.slv_order_fact.revenue (payments of orders not canceled/unavailable;
-- see docs/metrics.md); it reconciles with silver to the cent.
-- orders: all orders placed that day; revenue_orders: those counted as revenue;
-- items_value/freight_value: of the revenue orders (payments may differ from items + freight
-- by card interest and vouchers); avg_order_value = revenue / revenue_orders, in cents.
WITH days AS (
  SELECT CAST(d AS DATE) AS order_date
  FROM (
    SELECT explode(sequence(CAST(b.lo AS TIMESTAMP), CAST(b.hi AS TIMESTAMP), INTERVAL 1 DAY)) AS d
    FROM (SELECT min(purchase_date) AS lo, max(purchase_date) AS hi FROM silver.slv_order_fact) AS b
  ) AS g
),
per_day AS (
  SELECT
    purchase_date AS order_date,
    count(*) AS orders,
    count(*) FILTER (WHERE counts_as_revenue) AS revenue_orders,
    sum(revenue) AS revenue,
    sum(items_value) FILTER (WHERE counts_as_revenue) AS items_value,
    sum(freight_value) FILTER (WHERE counts_as_revenue) AS freight_value,
    count(DISTINCT customer_unique_id) FILTER (WHERE counts_as_revenue) AS customers
  FROM silver.slv_order_fact
  GROUP BY purchase_date
)
SELECT
  d.order_date,
  coalesce(p.orders, 0) AS orders,
  coalesce(p.revenue_orders, 0) AS revenue_orders,
  coalesce(p.customers, 0) AS customers,
  CAST(coalesce(p.revenue, 0) AS DECIMAL(18,2)) AS revenue,
  CAST(coalesce(p.items_value, 0) AS DECIMAL(18,2)) AS items_value,
  CAST(coalesce(p.freight_value, 0) AS DECIMAL(18,2)) AS freight_value,
  CAST(CASE WHEN coalesce(p.revenue_orders, 0) > 0 THEN p.revenue / p.revenue_orders END AS DECIMAL(18,2))
    AS avg_order_value
FROM days AS d
LEFT JOIN per_day AS p ON p.order_date = d.order_date
ORDER BY d.order_date
