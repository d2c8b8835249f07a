-- Reviews, one row per (review_id, order_id): Olist reuses a review_id across orders, so the
-- review_id alone is not a key. Latest ingested version wins (max _ingested_at, then max
-- _source_file, then the other columns). Instants are UTC; review_date is the shop's local date.
-- The zone is business_time_zone() (pipeline.yaml `timezone:`), read
-- directly rather than through slv_settings: slv_settings changes with every new order
-- (its reference date), and this model must depend only on its own bronze rows to be
-- merged incrementally (`incremental:` in pipeline.yaml).
SELECT review_id, order_id, review_score, comment_title, comment_message, created_ts, answered_ts, review_date
FROM (
  SELECT
    r.review_id,
    r.order_id,
    r.review_score,
    r.review_comment_title AS comment_title,
    r.review_comment_message AS comment_message,
    r.review_creation_date AS created_ts,
    r.review_answer_timestamp AS answered_ts,
    CAST(from_utc_timestamp(r.review_creation_date, business_time_zone()) AS DATE) AS review_date,
    row_number() OVER (
      PARTITION BY r.review_id, r.order_id
      ORDER BY r._ingested_at DESC NULLS LAST, r._source_file DESC NULLS LAST,
      r.review_score NULLS LAST, r.review_comment_title NULLS LAST,
      r.review_comment_message NULLS LAST, r.review_creation_date NULLS LAST,
      r.review_answer_timestamp NULLS LAST) AS version_rank
  FROM bronze.brz_reviews AS r
) AS ranked
WHERE version_rank = 1
