-- What pareto knows about a person at their first order, without money: the early
-- protocol's features (pipeline.yaml ml.protocols.early). One row per person of
-- gold.gld_ml_features (same persons, same first order).
--
-- Two columns are chosen here without any look at money, whatever gold.gld_ml_features
-- does (the leakage guard follows lineage through such choices):
--   first_item_category  the category of the first order's FIRST item (lowest
--                        order_item_id)
--   first_payment_type   the type of the first order's first payment (lowest
--                        payment_sequential); gld_ml_features' first_order_payment_type
--                        is the type carrying the largest payment value
-- total_spend is carried for the label only (it is monetary; never a feature).
-- first_order_value (the first basket's value, what the shop knows at checkout)
-- is the protocols' trivial baseline score (pipeline.yaml `baseline:`), never a
-- feature either.
-- The last three columns (delivery days, delivery delay, review score) are known
-- only after delivery or review (pipeline.yaml `known_at:`): the checkout-time
-- protocol (`predict_at: purchase`) is refused them; they stay for protocols
-- that predict later.
WITH first_orders AS (
  SELECT order_id, customer_unique_id, first_order_value
  FROM (
    SELECT
      order_id,
      customer_unique_id,
      revenue AS first_order_value,
      row_number() OVER (PARTITION BY customer_unique_id ORDER BY purchase_ts, order_id) AS order_rank
    FROM silver.slv_order_fact
    WHERE counts_as_revenue AND customer_unique_id IS NOT NULL
  ) AS ranked
  WHERE order_rank = 1
),
first_item AS (
  SELECT order_id, min_by(category, order_item_id) AS first_item_category
  FROM silver.slv_order_items
  GROUP BY order_id
),
first_payment AS (
  SELECT order_id, min_by(payment_type, payment_sequential) AS first_payment_type
  FROM silver.slv_payments
  GROUP BY order_id
)
SELECT
  m.customer_unique_id,
  m.first_purchase_ts,
  m.total_spend,
  f.first_order_value,
  coalesce(fi.first_item_category, 'no_items') AS first_item_category,
  m.first_order_categories,
  m.first_order_items,
  m.first_order_products,
  m.first_order_sellers,
  m.first_order_avg_weight_g,
  m.first_order_avg_volume_cm3,
  m.first_order_avg_photos,
  m.first_order_avg_description_length,
  m.first_order_avg_name_length,
  coalesce(fp.first_payment_type, 'none') AS first_payment_type,
  m.first_order_installments,
  m.first_order_payments,
  m.customer_state,
  m.first_order_seller_distance_km,
  m.first_purchase_hour,
  m.first_purchase_weekday,
  m.first_purchase_month,
  m.first_order_delivery_days,
  m.first_order_delivery_delay_days,
  m.first_order_review_score
FROM gold.gld_ml_features AS m
JOIN first_orders AS f ON f.customer_unique_id = m.customer_unique_id
LEFT JOIN first_item AS fi ON fi.order_id = f.order_id
LEFT JOIN first_payment AS fp ON fp.order_id = f.order_id
ORDER BY m.customer_unique_id
