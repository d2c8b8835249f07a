-- The future-value protocol's rows (docs/ml.md): every person as they stood at a
-- snapshot date T, with features from what was known before T and labels from
-- the window [T, T + horizon) that follows.
--
-- Snapshots: the first day of each quarter with at least 90 days of history
-- before it and a whole window after it, within the data (rolling cutoffs, for a
-- backtest; labels_complete), and the scoring snapshot S, the day after the
-- newest purchase: every person as of the newest data, whose window has not
-- happened yet (labels_complete false, labels NULL). Production scores are made
-- at S with a model trained on the earlier snapshots, whose windows all end by S.
-- horizon_days is pipeline.yaml's ml.horizon_days (default 180), which the
-- models read as ml_horizon_days() (pipeline/spark_functions.h).
--
-- Point in time (a feature store's point-in-time join): before T the shop knew
-- the orders placed and paid (payments are made at checkout), the deliveries
-- that had happened (delivered_date < T) and the reviews written (review_date
-- < T); a delivery or review after T is not in the snapshot. An order's final
-- status is not used for history (when it was canceled is not recorded); the
-- labels, which are outcomes, count orders that count as revenue.
--
-- Features: past_purchase_days (distinct days with an order: BG/NBD's
-- transactions, x = past_purchase_days - 1), first/last purchase age in days,
-- past_spend (MONETARY: history, not leakage, in this protocol), delivery and
-- review experience by T, the state and the first item's category of the first order.
-- Labels: future_orders, future_purchase_days (BG/NBD's holdout transactions),
-- repeat_purchase (future_orders > 0), future_spend.
WITH params AS (
  SELECT ml_horizon_days() AS horizon_days
),
orders AS (
  SELECT f.order_id, f.customer_unique_id, f.customer_state, f.purchase_ts, f.purchase_date, o.delivered_date,
         f.delivery_days, f.delivery_delay_days, f.is_late, f.payment_total, f.revenue, f.counts_as_revenue
  FROM silver.slv_order_fact AS f
  JOIN silver.slv_orders AS o ON o.order_id = f.order_id
  WHERE f.customer_unique_id IS NOT NULL AND f.purchase_date IS NOT NULL
),
bounds AS (
  SELECT min(purchase_date) AS first_day, max(purchase_date) AS last_day FROM orders
),
cutoffs AS (
  SELECT add_months(CAST(date_trunc('quarter', b.first_day) AS DATE), 3 * q.i) AS snapshot_date, p.horizon_days
  FROM bounds AS b CROSS JOIN params AS p CROSS JOIN range(0, 200) AS q(i)
),
snapshots AS (
  SELECT c.snapshot_date, c.horizon_days, true AS labels_complete
  FROM cutoffs AS c CROSS JOIN bounds AS b
  WHERE c.snapshot_date >= b.first_day + 90 AND c.snapshot_date + c.horizon_days <= b.last_day + 1
  UNION ALL
  SELECT b.last_day + 1, p.horizon_days, false
  FROM bounds AS b CROSS JOIN params AS p
),
first_items AS (
  SELECT order_id, min_by(category, order_item_id) AS category
  FROM silver.slv_order_items
  GROUP BY order_id
),
history AS (
  SELECT s.snapshot_date, s.horizon_days, s.labels_complete, o.customer_unique_id,
         min_by(o.customer_state, o.purchase_ts) AS customer_state,
         min_by(coalesce(fi.category, 'none'), o.purchase_ts) AS first_category,
         min(o.purchase_date) AS first_purchase_date,
         max(o.purchase_date) AS last_purchase_date,
         count(*) AS past_orders,
         count(DISTINCT o.purchase_date) AS past_purchase_days,
         CAST(sum(coalesce(o.payment_total, 0)) AS DECIMAL(18,2)) AS past_spend,
         count(*) FILTER (WHERE o.delivered_date < s.snapshot_date) AS delivered_orders,
         avg(o.delivery_days) FILTER (WHERE o.delivered_date < s.snapshot_date) AS avg_delivery_days,
         avg(o.delivery_delay_days) FILTER (WHERE o.delivered_date < s.snapshot_date) AS avg_delivery_delay_days,
         avg(CASE WHEN o.is_late THEN 1.0 ELSE 0.0 END) FILTER (WHERE o.delivered_date < s.snapshot_date) AS late_share
  FROM snapshots AS s
  JOIN orders AS o ON o.purchase_date < s.snapshot_date
  LEFT JOIN first_items AS fi ON fi.order_id = o.order_id
  GROUP BY s.snapshot_date, s.horizon_days, s.labels_complete, o.customer_unique_id
),
reviews AS (
  SELECT s.snapshot_date, o.customer_unique_id,
         count(*) AS reviews, avg(r.review_score) AS avg_review_score,
         min(r.review_score) AS min_review_score
  FROM snapshots AS s
  JOIN orders AS o ON o.purchase_date < s.snapshot_date
  JOIN silver.slv_reviews AS r ON r.order_id = o.order_id AND r.review_date < s.snapshot_date
  GROUP BY s.snapshot_date, o.customer_unique_id
),
future AS (
  SELECT s.snapshot_date, o.customer_unique_id,
         count(*) AS future_orders, count(DISTINCT o.purchase_date) AS future_purchase_days,
         CAST(sum(o.revenue) AS DECIMAL(18,2)) AS future_spend
  FROM snapshots AS s
  JOIN orders AS o ON o.purchase_date >= s.snapshot_date
                  AND o.purchase_date < s.snapshot_date + s.horizon_days
                  AND o.counts_as_revenue
  GROUP BY s.snapshot_date, o.customer_unique_id
)
SELECT
  h.snapshot_date,
  h.horizon_days,
  h.customer_unique_id,
  h.labels_complete,
  h.customer_state,
  h.first_category,
  h.first_purchase_date,
  unix_date(h.snapshot_date) - unix_date(h.first_purchase_date) AS tenure_days,
  unix_date(h.snapshot_date) - unix_date(h.last_purchase_date) AS recency_days,
  unix_date(h.last_purchase_date) - unix_date(h.first_purchase_date) AS active_span_days,
  h.past_orders,
  h.past_purchase_days,
  h.past_spend,
  h.delivered_orders,
  h.avg_delivery_days,
  h.avg_delivery_delay_days,
  h.late_share,
  coalesce(r.reviews, 0) AS reviews,
  r.avg_review_score,
  r.min_review_score,
  CASE WHEN h.labels_complete THEN coalesce(f.future_orders, 0) END AS future_orders,
  CASE WHEN h.labels_complete THEN coalesce(f.future_purchase_days, 0) END AS future_purchase_days,
  CASE WHEN h.labels_complete THEN coalesce(f.future_orders, 0) > 0 END AS repeat_purchase,
  CAST(CASE WHEN h.labels_complete THEN coalesce(f.future_spend, 0) END AS DECIMAL(18,2)) AS future_spend
FROM history AS h
LEFT JOIN reviews AS r ON r.snapshot_date = h.snapshot_date AND r.customer_unique_id = h.customer_unique_id
LEFT JOIN future AS f ON f.snapshot_date = h.snapshot_date AND f.customer_unique_id = h.customer_unique_id
-- No ORDER BY: the readers (ml/future_value) order by snapshot and person
-- themselves, and sorting every person at every snapshot (18.7 M rows at
-- generated scale 100) ran a worker out of memory.
