-- Orders, one row per order_id: the latest ingested version of each order
-- (max _ingested_at, then max _source_file, then the other columns, so the choice is
-- deterministic).
-- Instants stay UTC timestamps; purchase_date is the shop's local calendar date of the purchase.
-- The zone is business_time_zone() (pipeline.yaml `timezone:`), read
-- directly rather than through slv_settings: slv_settings changes with every new order
-- (its reference date), and this model must depend only on its own bronze rows to be
-- merged incrementally (`incremental:` in pipeline.yaml).
WITH latest AS (
  SELECT *
  FROM (
    SELECT
      o.*,
      row_number() OVER (
        PARTITION BY o.order_id ORDER BY o._ingested_at DESC NULLS LAST, o._source_file DESC NULLS LAST,
        o.customer_id NULLS LAST, o.order_status NULLS LAST, o.order_purchase_timestamp NULLS LAST,
        o.order_approved_at NULLS LAST, o.order_delivered_carrier_date NULLS LAST,
        o.order_delivered_customer_date NULLS LAST, o.order_estimated_delivery_date NULLS LAST) AS version_rank
    FROM bronze.brz_orders AS o
  ) AS ranked
  WHERE version_rank = 1
)
SELECT
  l.order_id,
  l.customer_id,
  lower(trim(l.order_status)) AS order_status,
  l.order_purchase_timestamp AS purchase_ts,
  l.order_approved_at AS approved_ts,
  l.order_delivered_carrier_date AS delivered_carrier_ts,
  l.order_delivered_customer_date AS delivered_customer_ts,
  l.order_estimated_delivery_date AS estimated_delivery_ts,
  CAST(from_utc_timestamp(l.order_purchase_timestamp, business_time_zone()) AS DATE) AS purchase_date,
  CAST(from_utc_timestamp(l.order_delivered_customer_date, business_time_zone()) AS DATE) AS delivered_date,
  CAST(from_utc_timestamp(l.order_estimated_delivery_date, business_time_zone()) AS DATE) AS estimated_delivery_date
FROM latest AS l
