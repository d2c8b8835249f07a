-- One row per person with at least one purchase (an order counted as revenue); persons whose
-- every order was canceled or unavailable have no purchase and are not in the table.
-- Label: high_value = total_spend >= spend_p75, the exact 75th percentile (quantile_disc, an
-- actual person's spend) of total_spend over the persons in this table. Ties at the threshold
-- are all high value, so the share is 25% or a little more.
-- Columns are documented one by one in docs/metrics.md. Groups:
--   key/split:   customer_unique_id, first_purchase_ts (for an out-of-time split)
--   label basis: total_spend, spend_p75 (MONETARY: never features), high_value (the label)
--   first order: first_* attributes known at the first purchase (or soon after: delivery and
--                review of that order)
--   lifetime:    recency_days, frequency, avg_review_score, avg_delivery_days,
--                avg_delivery_delay (the reference platform's behavioural features; they cover
--                the whole history, so they describe, rather than predict, the label)
WITH persons AS (
  SELECT * FROM gold.gld_customer_metrics WHERE purchases > 0
),
first_orders AS (
  SELECT *
  FROM (
    SELECT
      o.*,
      row_number() OVER (PARTITION BY o.customer_unique_id ORDER BY o.purchase_ts, o.order_id) AS order_rank
    FROM silver.slv_order_fact AS o
    WHERE o.counts_as_revenue AND o.customer_unique_id IS NOT NULL
  ) AS ranked
  WHERE order_rank = 1
),
first_items AS (
  SELECT
    f.order_id,
    count(DISTINCT i.category) AS category_count,
    -- the first item's category: ranking items by price would make the column monetary
    min_by(i.category, i.order_item_id) AS main_category,
    avg(p.weight_g) AS avg_weight_g,
    avg(p.volume_cm3) AS avg_volume_cm3,
    avg(p.photos_qty) AS avg_photos_qty,
    avg(p.description_length) AS avg_description_length,
    avg(p.name_length) AS avg_name_length,
    -- great-circle distance customer -> seller, km, mean over the items (NULL when a zip
    -- prefix has no known point)
    avg(2 * 6371.0 * asin(sqrt(
          pow(sin(radians(sg.lat - cg.lat) / 2), 2)
          + cos(radians(cg.lat)) * cos(radians(sg.lat)) * pow(sin(radians(sg.lng - cg.lng) / 2), 2))))
      AS avg_seller_distance_km
  FROM first_orders AS f
  JOIN silver.slv_order_items AS i ON i.order_id = f.order_id
  LEFT JOIN silver.slv_products AS p ON p.product_id = i.product_id
  LEFT JOIN silver.slv_geolocation AS cg ON cg.zip_code_prefix = f.customer_zip_code_prefix
  LEFT JOIN silver.slv_geolocation AS sg ON sg.zip_code_prefix = i.seller_zip_code_prefix
  GROUP BY f.order_id
),
threshold AS (
  SELECT percentile_disc(0.75) WITHIN GROUP (ORDER BY total_spend) AS spend_p75 FROM persons
)
SELECT
  p.customer_unique_id,
  p.first_purchase_ts,
  p.total_spend,
  t.spend_p75,
  p.total_spend >= t.spend_p75 AS high_value,
  f.customer_state,
  hour(from_utc_timestamp(f.purchase_ts, s.business_time_zone)) AS first_purchase_hour,
  -- ISO weekday, Monday 1 .. Sunday 7 (1970-01-01 was a Thursday)
  (unix_date(CAST(from_utc_timestamp(f.purchase_ts, s.business_time_zone) AS DATE)) + 3) % 7 + 1
    AS first_purchase_weekday,
  month(from_utc_timestamp(f.purchase_ts, s.business_time_zone)) AS first_purchase_month,
  f.item_count AS first_order_items,
  f.distinct_products AS first_order_products,
  f.distinct_sellers AS first_order_sellers,
  coalesce(fi.main_category, 'no_items') AS first_order_main_category,
  coalesce(fi.category_count, 0) AS first_order_categories,
  round(fi.avg_weight_g, 2) AS first_order_avg_weight_g,
  round(fi.avg_volume_cm3, 2) AS first_order_avg_volume_cm3,
  round(fi.avg_photos_qty, 4) AS first_order_avg_photos,
  round(fi.avg_description_length, 2) AS first_order_avg_description_length,
  round(fi.avg_name_length, 2) AS first_order_avg_name_length,
  coalesce(f.main_payment_type, 'none') AS first_order_payment_type,
  f.payment_installments AS first_order_installments,
  f.payment_count AS first_order_payments,
  round(fi.avg_seller_distance_km, 1) AS first_order_seller_distance_km,
  f.delivery_days AS first_order_delivery_days,
  f.delivery_delay_days AS first_order_delivery_delay_days,
  f.is_late AS first_order_late,
  f.avg_review_score AS first_order_review_score,
  p.recency_days,
  p.purchases AS frequency,
  p.avg_review_score,
  p.avg_delivery_days,
  p.avg_delivery_delay_days AS avg_delivery_delay
FROM persons AS p
CROSS JOIN threshold AS t
CROSS JOIN silver.slv_settings AS s
JOIN first_orders AS f ON f.customer_unique_id = p.customer_unique_id
LEFT JOIN first_items AS fi ON fi.order_id = f.order_id
ORDER BY p.customer_unique_id
