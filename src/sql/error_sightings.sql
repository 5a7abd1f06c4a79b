-- Every place one error was seen, in time order.
SELECT
  ts,
  source_file,
  source_line,
  source_kind,
  level,
  error_type,
  message,
  context_from,
  session_key,
  stage,
  trace_id,
  logger
FROM error_records
WHERE error_id = $error_id
ORDER BY ts NULLS LAST, source_file, source_line
