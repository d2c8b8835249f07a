-- Payments, one row per (order_id, payment_sequential); latest ingested version wins
-- (max _ingested_at, then max _source_file, then the other columns).
-- payment_value is DECIMAL(18,2): money is summed in exact cents, never in floating point.
SELECT order_id, payment_sequential, payment_type, installments, payment_value
FROM (
  SELECT
    p.order_id,
    p.payment_sequential,
    lower(trim(p.payment_type)) AS payment_type,
    p.payment_installments AS installments,
    CAST(p.payment_value AS DECIMAL(18,2)) AS payment_value,
    row_number() OVER (
      PARTITION BY p.order_id, p.payment_sequential
      ORDER BY p._ingested_at DESC NULLS LAST, p._source_file DESC NULLS LAST,
      p.payment_type NULLS LAST, p.payment_installments NULLS LAST, p.payment_value NULLS LAST) AS version_rank
  FROM bronze.brz_payments AS p
) AS ranked
WHERE version_rank = 1
