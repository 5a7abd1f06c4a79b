-- Events with their common columns, times as ISO 8601 UTC, read from the
-- caller's "filtered" (events under bound conditions).
SELECT
  strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts,
  level,
  event,
  message,
  session_key,
  thread_ts,
  channel_id,
  stage,
  trace_id,
  span_id,
  request_id,
  run_id,
  workflow_id,
  category,
  logger,
  source_kind,
  format,
  source_file,
  CAST(source_line AS INTEGER) AS source_line,
  parse_error,
  CAST(raw AS VARCHAR) AS raw
FROM filtered
