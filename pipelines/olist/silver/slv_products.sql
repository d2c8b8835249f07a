-- Products, one row per product_id (latest ingested version: max _ingested_at, then max
-- _source_file, then the other columns), with the category in English.
-- Fallbacks, so no product is ever dropped for its category:
--   no category at all            -> category 'unknown'             (category_status 'missing')
--   a category with no translation -> the Portuguese name unchanged (category_status 'untranslated')
-- volume_cm3 = length x height x width; NULL when any dimension is missing.
WITH products AS (
  SELECT *
  FROM (
    SELECT
      p.*,
      row_number() OVER (
        PARTITION BY p.product_id ORDER BY p._ingested_at DESC NULLS LAST,
        p._source_file DESC NULLS LAST,
        p.product_category_name NULLS LAST, p.product_name_lenght NULLS LAST,
        p.product_description_lenght NULLS LAST, p.product_photos_qty NULLS LAST,
        p.product_weight_g NULLS LAST, p.product_length_cm NULLS LAST,
        p.product_height_cm NULLS LAST, p.product_width_cm NULLS LAST) AS version_rank
    FROM bronze.brz_products AS p
  ) AS ranked
  WHERE version_rank = 1
),
translation AS (
  SELECT category_pt, category_en
  FROM (
    SELECT
      lower(trim(t.product_category_name)) AS category_pt,
      lower(trim(t.product_category_name_english)) AS category_en,
      row_number() OVER (
        PARTITION BY lower(trim(t.product_category_name))
        ORDER BY t._ingested_at DESC NULLS LAST, t._source_file DESC NULLS LAST,
        t.product_category_name_english NULLS LAST) AS version_rank
    FROM bronze.brz_product_category_translation AS t
    WHERE nullif(trim(t.product_category_name), '') IS NOT NULL
  ) AS ranked
  WHERE version_rank = 1
)
SELECT
  p.product_id,
  nullif(lower(trim(p.product_category_name)), '') AS category_pt,
  CASE
    WHEN nullif(trim(p.product_category_name), '') IS NULL THEN 'unknown'
    WHEN t.category_en IS NULL THEN lower(trim(p.product_category_name))
    ELSE t.category_en
  END AS category,
  CASE
    WHEN nullif(trim(p.product_category_name), '') IS NULL THEN 'missing'
    WHEN t.category_en IS NULL THEN 'untranslated'
    ELSE 'translated'
  END AS category_status,
  p.product_name_lenght AS name_length,
  p.product_description_lenght AS description_length,
  p.product_photos_qty AS photos_qty,
  p.product_weight_g AS weight_g,
  p.product_length_cm AS length_cm,
  p.product_height_cm AS height_cm,
  p.product_width_cm AS width_cm,
  CAST(p.product_length_cm AS BIGINT) * p.product_height_cm * p.product_width_cm AS volume_cm3
FROM products AS p
LEFT JOIN translation AS t ON t.category_pt = lower(trim(p.product_category_name))
