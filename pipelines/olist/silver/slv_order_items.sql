-- Order items, one row per (order_id, order_item_id); latest ingested version wins
-- (max _ingested_at, then max _source_file, then the other columns). Each item carries its
-- product (English category, see slv_products for the fallbacks) and its seller.
-- A product or seller missing from its table keeps the item (category 'unknown').
-- price and freight_value are exact DECIMAL(18,2).
WITH items AS (
  SELECT *
  FROM (
    SELECT
      i.*,
      row_number() OVER (
        PARTITION BY i.order_id, i.order_item_id
        ORDER BY i._ingested_at DESC NULLS LAST, i._source_file DESC NULLS LAST,
        i.product_id NULLS LAST, i.seller_id NULLS LAST, i.shipping_limit_date NULLS LAST,
        i.price NULLS LAST, i.freight_value NULLS LAST) AS version_rank
    FROM bronze.brz_order_items AS i
  ) AS ranked
  WHERE version_rank = 1
)
SELECT
  i.order_id,
  i.order_item_id,
  i.product_id,
  i.seller_id,
  i.shipping_limit_date AS shipping_limit_ts,
  CAST(i.price AS DECIMAL(18,2)) AS price,
  CAST(i.freight_value AS DECIMAL(18,2)) AS freight_value,
  coalesce(p.category, 'unknown') AS category,
  s.zip_code_prefix AS seller_zip_code_prefix,
  s.state AS seller_state
FROM items AS i
LEFT JOIN silver.slv_products AS p ON p.product_id = i.product_id
LEFT JOIN silver.slv_sellers AS s ON s.seller_id = i.seller_id
