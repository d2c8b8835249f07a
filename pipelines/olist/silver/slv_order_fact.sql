-- The order fact: exactly one row per order. Items, payments and reviews are each aggregated
-- to the order BEFORE they are joined, so no amount is ever repeated by a join (the reference
-- platform joined items and payments at item grain and counted an order's payments once per
-- item; see docs/metrics.md for how much that inflated revenue).
--
-- REVENUE (the one definition; gold only sums this column):
--   revenue = the order's payment total (payment_value: items + freight, as the customer paid)
--             for orders whose status is NOT 'canceled' or 'unavailable' (counts_as_revenue);
--             0 for those two statuses and for orders without a status.
--   An order without payment rows has payment_total NULL and revenue 0 (has_payments = false).
--
-- Delivery, in the shop's local calendar days (see slv_settings):
--   delivery_days       = purchase date -> delivered-to-customer date
--   delivery_delay_days = estimated delivery date -> delivered date (negative = early)
--   is_late             = delivery_delay_days > 0
--   All NULL while the order has no delivered-to-customer instant.
-- main_payment_type: the type carrying the largest share of the order's payments
--   (ties: the type paid first, i.e. the smallest payment_sequential, then by name).
WITH items AS (
  SELECT
    order_id,
    count(*) AS item_count,
    count(DISTINCT product_id) AS distinct_products,
    count(DISTINCT seller_id) AS distinct_sellers,
    sum(price) AS items_value,
    sum(freight_value) AS freight_value
  FROM silver.slv_order_items
  GROUP BY order_id
),
payments AS (
  SELECT
    order_id,
    count(*) AS payment_count,
    sum(payment_value) AS payment_total,
    max(installments) AS payment_installments
  FROM silver.slv_payments
  GROUP BY order_id
),
payment_types AS (
  SELECT order_id, main_payment_type
  FROM (
    SELECT
      order_id,
      payment_type AS main_payment_type,
      row_number() OVER (
        PARTITION BY order_id
        ORDER BY sum(payment_value) DESC, min(payment_sequential), payment_type NULLS LAST) AS type_rank
    FROM silver.slv_payments
    GROUP BY order_id, payment_type
  ) AS ranked
  WHERE type_rank = 1
),
reviews AS (
  SELECT
    order_id,
    count(*) AS review_count,
    avg(review_score) AS avg_review_score,
    min(review_score) AS min_review_score
  FROM silver.slv_reviews
  GROUP BY order_id
)
SELECT
  o.order_id,
  o.customer_id,
  c.customer_unique_id,
  c.state AS customer_state,
  c.zip_code_prefix AS customer_zip_code_prefix,
  o.order_status,
  o.purchase_ts,
  o.approved_ts,
  o.delivered_carrier_ts,
  o.delivered_customer_ts,
  o.estimated_delivery_ts,
  o.purchase_date,
  CAST(date_trunc('month', o.purchase_date) AS DATE) AS purchase_month,
  coalesce(i.item_count, 0) AS item_count,
  coalesce(i.distinct_products, 0) AS distinct_products,
  coalesce(i.distinct_sellers, 0) AS distinct_sellers,
  CAST(coalesce(i.items_value, 0) AS DECIMAL(18,2)) AS items_value,
  CAST(coalesce(i.freight_value, 0) AS DECIMAL(18,2)) AS freight_value,
  CAST(p.payment_total AS DECIMAL(18,2)) AS payment_total,
  coalesce(p.payment_count, 0) AS payment_count,
  p.payment_installments,
  pt.main_payment_type,
  p.order_id IS NOT NULL AS has_payments,
  coalesce(r.review_count, 0) AS review_count,
  r.avg_review_score,
  r.min_review_score,
  unix_date(o.delivered_date) - unix_date(o.purchase_date) AS delivery_days,
  unix_date(o.delivered_date) - unix_date(o.estimated_delivery_date) AS delivery_delay_days,
  unix_date(o.delivered_date) - unix_date(o.estimated_delivery_date) > 0 AS is_late,
  coalesce(o.order_status NOT IN ('canceled', 'unavailable'), false) AS counts_as_revenue,
  CAST(CASE WHEN coalesce(o.order_status NOT IN ('canceled', 'unavailable'), false)
            THEN coalesce(p.payment_total, 0) ELSE 0 END AS DECIMAL(18,2)) AS revenue
FROM silver.slv_orders AS o
LEFT JOIN silver.slv_customers AS c ON c.customer_id = o.customer_id
LEFT JOIN items AS i ON i.order_id = o.order_id
LEFT JOIN payments AS p ON p.order_id = o.order_id
LEFT JOIN payment_types AS pt ON pt.order_id = o.order_id
LEFT JOIN reviews AS r ON r.order_id = o.order_id
