-- One-row settings every model reads, so each fact lives in one place.
-- business_time_zone: the shop's zone (the pipeline's `timezone:`); daily and monthly
--   figures use the local calendar date of an instant in this zone.
-- reference_date: the day after the last order placed (any status, local date). Recency is
--   measured to it, never to now(), so a rebuild of the same data gives the same figures.
WITH zone AS (
  SELECT 'America/Sao_Paulo' AS business_time_zone  -- must equal `timezone:` of pipeline.yaml
)
SELECT
  z.business_time_zone,
  (SELECT max(timezone(z.business_time_zone, o.order_purchase_timestamp))::DATE + 1
     FROM bronze.brz_orders AS o) AS reference_date
FROM zone AS z
