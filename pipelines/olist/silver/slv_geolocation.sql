-- One point per zip code prefix: the median latitude and longitude of the prefix's points
-- that lie inside Brazil's bounding box (lat -33.75..5.30, lng -73.99..-34.79; Olist has
-- noisy points elsewhere, e.g. in Europe). The median is robust to the remaining outliers and,
-- unlike a floating-point average, independent of summation order.
-- zip_code_prefix: Brazilian prefixes have five digits; a four-digit one is a prefix whose
-- leading zero a spreadsheet dropped (01001 saved as 1001), restored so it joins geolocation.
-- city/state: the prefix's most frequent pair among those points, ties broken alphabetically.
WITH points AS (
  SELECT
    CASE WHEN rlike(g.geolocation_zip_code_prefix, '^[0-9]{4}$') THEN '0' || g.geolocation_zip_code_prefix ELSE g.geolocation_zip_code_prefix END AS zip_code_prefix,
    g.geolocation_lat AS lat,
    g.geolocation_lng AS lng,
    lower(trim(g.geolocation_city)) AS city,
    upper(trim(g.geolocation_state)) AS state
  FROM bronze.brz_geolocation AS g
  WHERE g.geolocation_zip_code_prefix IS NOT NULL
    AND g.geolocation_lat BETWEEN -33.75 AND 5.30
    AND g.geolocation_lng BETWEEN -73.99 AND -34.79
),
place AS (
  SELECT zip_code_prefix, city, state
  FROM (
    SELECT
      zip_code_prefix, city, state,
      row_number() OVER (
        PARTITION BY zip_code_prefix ORDER BY count(*) DESC, city NULLS LAST, state NULLS LAST) AS place_rank
    FROM points
    GROUP BY zip_code_prefix, city, state
  ) AS ranked
  WHERE place_rank = 1
)
SELECT
  p.zip_code_prefix,
  median(p.lat) AS lat,
  median(p.lng) AS lng,
  any_value(pl.city) AS city,
  any_value(pl.state) AS state,
  count(*) AS point_count
FROM points AS p
JOIN place AS pl USING (zip_code_prefix)
GROUP BY p.zip_code_prefix
