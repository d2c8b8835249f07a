-- One-row settings every model reads, so each fact lives in one place.
-- business_time_zone: the shop's zone, stated once as `timezone:` in pipeline.yaml; every
--   model reads it as business_time_zone() (pipeline/spark_functions.h). Daily and
--   monthly figures use the local calendar date of an instant in this zone.
-- reference_date: the day after the last order placed (any status, local date). Recency is
--   measured to it, never to now(), so a rebuild of the same data gives the same figures.
--   Only purchases inside the plausible window count (the expectation
--   purchase_in_plausible_window of silver.slv_orders in pipeline.yaml drops the others):
--   one order typed as 2099 must not move every recency.
-- 946684800 is 2000-01-01 00:00 UTC in seconds since 1970.
WITH zone AS (
  SELECT business_time_zone() AS business_time_zone
)
SELECT
  z.business_time_zone,
  (SELECT CAST(max(from_utc_timestamp(o.order_purchase_timestamp, business_time_zone())) AS DATE) + 1
     FROM bronze.brz_orders AS o
    WHERE o.order_purchase_timestamp >= timestamp_seconds(946684800)
      AND o.order_purchase_timestamp < now() + INTERVAL 1 DAY) AS reference_date
FROM zone AS z
