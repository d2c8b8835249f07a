-- Sellers, one row per seller_id; latest ingested version wins
-- (max _ingested_at, then max _source_file, then the other columns).
SELECT
  s.seller_id,
  s.seller_zip_code_prefix AS zip_code_prefix,
  lower(trim(s.seller_city)) AS city,
  upper(trim(s.seller_state)) AS state
FROM bronze.brz_sellers AS s
QUALIFY row_number() OVER (
  PARTITION BY s.seller_id ORDER BY s._ingested_at DESC NULLS LAST, s._source_file DESC NULLS LAST,
    s.seller_zip_code_prefix NULLS LAST, s.seller_city NULLS LAST, s.seller_state NULLS LAST) = 1
