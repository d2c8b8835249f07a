-- Sellers, one row per seller_id; latest ingested version wins
-- (max _ingested_at, then max _source_file, then the other columns).
-- zip_code_prefix: Brazilian prefixes have five digits; a four-digit one is a prefix whose
-- leading zero a spreadsheet dropped (01001 saved as 1001), restored so it joins geolocation.
SELECT seller_id, zip_code_prefix, city, state
FROM (
  SELECT
    s.seller_id,
    CASE WHEN rlike(s.seller_zip_code_prefix, '^[0-9]{4}$') THEN '0' || s.seller_zip_code_prefix ELSE s.seller_zip_code_prefix END AS zip_code_prefix,
    lower(trim(s.seller_city)) AS city,
    upper(trim(s.seller_state)) AS state,
    row_number() OVER (
      PARTITION BY s.seller_id ORDER BY s._ingested_at DESC NULLS LAST, s._source_file DESC NULLS LAST,
      s.seller_zip_code_prefix NULLS LAST, s.seller_city NULLS LAST, s.seller_state NULLS LAST) AS version_rank
  FROM bronze.brz_sellers AS s
) AS ranked
WHERE version_rank = 1
