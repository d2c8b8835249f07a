-- Customers, one row per customer_id (Olist issues a new customer_id per order); the person
-- is customer_unique_id. Latest ingested version of each customer_id wins
-- (max _ingested_at, then max _source_file, then the other columns).
-- zip_code_prefix: Brazilian prefixes have five digits; a four-digit one is a prefix whose
-- leading zero a spreadsheet dropped (01001 saved as 1001), restored so it joins geolocation.
SELECT customer_id, customer_unique_id, zip_code_prefix, city, state
FROM (
  SELECT
    c.customer_id,
    c.customer_unique_id,
    CASE WHEN rlike(c.customer_zip_code_prefix, '^[0-9]{4}$') THEN '0' || c.customer_zip_code_prefix ELSE c.customer_zip_code_prefix END AS zip_code_prefix,
    lower(trim(c.customer_city)) AS city,
    upper(trim(c.customer_state)) AS state,
    row_number() OVER (
      PARTITION BY c.customer_id ORDER BY c._ingested_at DESC NULLS LAST,
      c._source_file DESC NULLS LAST,
      c.customer_unique_id NULLS LAST, c.customer_zip_code_prefix NULLS LAST,
      c.customer_city NULLS LAST, c.customer_state NULLS LAST) AS version_rank
  FROM bronze.brz_customers AS c
) AS ranked
WHERE version_rank = 1
