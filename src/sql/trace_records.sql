-- The log records and LLM calls of the subject (one trace, for `obs trace`),
-- in time order. Span events are part of their span, not listed here.
SELECT
  epoch_us(ts) AS ts_us,
  'event' AS kind,
  level,
  coalesce(message, event) AS text,
  span_id,
  stage,
  session_key,
  format,
  source_file,
  CAST(source_line AS INTEGER) AS source_line
FROM subject_events
WHERE format IS DISTINCT FROM 'otlp_span_event' AND format IS DISTINCT FROM 'otlp_span_status'
UNION ALL
SELECT
  epoch_us(ts),
  'llm_call',
  CASE WHEN lower(status) IN ('error', 'failed', 'failure', 'exception') THEN 'error' ELSE 'info' END,
  concat_ws(' ', 'LLM', call_label, model, status, CASE WHEN latency_ms IS NOT NULL THEN round(latency_ms)::BIGINT || 'ms' END),
  span_id,
  stage,
  session_key,
  'llm_io',
  source_file,
  CAST(source_line AS INTEGER)
FROM subject_llm_calls
ORDER BY ts_us NULLS LAST, source_file, source_line
