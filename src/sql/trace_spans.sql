-- The spans of the subject (one trace, for `obs trace`), each once, in start order.
SELECT
  span_id,
  parent_span_id,
  name,
  kind,
  service,
  epoch_us(ts) AS start_us,
  epoch_us(end_ts) AS end_us,
  duration_ms,
  status,
  status_message,
  CAST(attributes AS VARCHAR) AS attributes,
  CAST(events AS VARCHAR) AS events,
  source_file,
  CAST(source_line AS INTEGER) AS source_line
FROM subject_spans
QUALIFY row_number() OVER (PARTITION BY coalesce(span_id, source_file || ':' || source_line) ORDER BY source_file, source_line) = 1
ORDER BY ts NULLS LAST, source_file, source_line
