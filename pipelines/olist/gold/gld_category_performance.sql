-- Performance per product category (English name; 'unknown' = product without category), over
-- the orders counted as revenue.
-- revenue: each order's revenue (its payments, docs/metrics.md) allocated to its items in
--   proportion to price + freight, in whole cents: item k gets
--   floor(R * W_1..k / W) - floor(R * W_1..k-1 / W) cents, so an order's items always add up
--   to its revenue exactly (equal weights when all its items are free). Revenue of orders
--   without any item is shown under category 'no_items'. The column sums to the total revenue.
-- orders: distinct revenue orders with an item of the category (an order with two categories
--   counts in both); items: their items; items_value: their prices;
-- avg_review_score: mean of those orders' review scores (orders without review left out).
WITH items AS (
  SELECT
    i.order_id,
    i.order_item_id,
    i.category,
    i.price,
    o.revenue,
    o.avg_review_score,
    CASE WHEN sum(i.price + i.freight_value) OVER (PARTITION BY i.order_id) > 0
         THEN CAST((i.price + i.freight_value) * 100 AS BIGINT) ELSE 1 END AS weight
  FROM silver.slv_order_items AS i
  JOIN silver.slv_order_fact AS o ON o.order_id = i.order_id
  WHERE o.counts_as_revenue
),
cumulative AS (
  SELECT
    *,
    sum(weight) OVER (PARTITION BY order_id ORDER BY order_item_id
                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS weight_upto,
    sum(weight) OVER (PARTITION BY order_id) AS weight_total,
    CAST(revenue * 100 AS BIGINT) AS revenue_cents
  FROM items
),
allocated AS (
  SELECT
    order_id,
    category,
    price,
    avg_review_score,
    CAST(div(CAST(revenue_cents AS DECIMAL(38, 0)) * weight_upto, weight_total)
         - div(CAST(revenue_cents AS DECIMAL(38, 0)) * (weight_upto - weight), weight_total) AS BIGINT)
      AS revenue_cents
  FROM cumulative
),
per_category AS (
  SELECT
    category,
    sum(revenue_cents) * 0.01 AS revenue,  -- exact: integer cents times a DECIMAL, no division
    count(DISTINCT order_id) AS orders,
    count(*) AS items,
    sum(price) AS items_value
  FROM allocated
  GROUP BY category
),
category_reviews AS (
  SELECT category, avg(avg_review_score) AS avg_review_score
  FROM (SELECT DISTINCT order_id, category, avg_review_score FROM allocated) AS d
  GROUP BY category
),
no_items AS (
  SELECT
    'no_items' AS category,
    sum(revenue) AS revenue,
    count(*) AS orders,
    0 AS items,
    0 AS items_value,
    avg(avg_review_score) AS avg_review_score
  FROM silver.slv_order_fact
  WHERE counts_as_revenue AND item_count = 0
  HAVING count(*) > 0
),
combined AS (
  SELECT p.category, p.revenue, p.orders, p.items, p.items_value, r.avg_review_score
  FROM per_category AS p
  LEFT JOIN category_reviews AS r USING (category)
  UNION ALL
  SELECT category, revenue, orders, items, items_value, avg_review_score FROM no_items
)
SELECT
  category,
  CAST(revenue AS DECIMAL(18,2)) AS revenue,
  orders,
  items,
  CAST(items_value AS DECIMAL(18,2)) AS items_value,
  round(avg_review_score, 4) AS avg_review_score,
  round(100.0 * revenue / nullif(sum(revenue) OVER (), 0), 4) AS revenue_share_pct
FROM combined
ORDER BY revenue DESC, category
