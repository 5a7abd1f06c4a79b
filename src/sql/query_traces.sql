-- The traces of the subject (subject_traces and the traces of subject_spans):
-- each with its root span, services, time span, failed spans and how many log
-- records carry it. A trace known only from log records has spans = 0.
WITH ids AS (
  SELECT trace_id FROM subject_traces
  UNION SELECT trace_id FROM subject_spans WHERE trace_id IS NOT NULL
),
span_stats AS (
  SELECT
    trace_id,
    min(ts) AS first_ts,
    max(end_ts) AS last_ts,
    arg_min(name, ts) FILTER (WHERE parent_span_id IS NULL OR parent_span_id NOT IN (SELECT span_id FROM subject_spans WHERE span_id IS NOT NULL)) AS root,
    list(DISTINCT service ORDER BY service) FILTER (WHERE service IS NOT NULL) AS services,
    count(*) AS spans,
    count(*) FILTER (WHERE status = 'error') AS failed_spans,
    list(DISTINCT status_message ORDER BY status_message) FILTER (WHERE status = 'error' AND status_message IS NOT NULL) AS failures
  FROM subject_spans
  GROUP BY trace_id
),
record_stats AS (
  SELECT trace_id, min(ts) AS first_ts, max(ts) AS last_ts, count(*) AS records FROM (
    SELECT trace_id, ts FROM subject_events WHERE format IS DISTINCT FROM 'otlp_span_event' AND format IS DISTINCT FROM 'otlp_span_status'
    UNION ALL SELECT trace_id, ts FROM subject_llm_calls
  )
  WHERE trace_id IS NOT NULL
  GROUP BY trace_id
)
SELECT
  i.trace_id,
  strftime(least(s.first_ts, r.first_ts), '%Y-%m-%dT%H:%M:%S.%gZ') AS start,
  round((epoch_us(greatest(s.last_ts, r.last_ts)) - epoch_us(least(s.first_ts, r.first_ts))) / 1000.0, 3) AS duration_ms,
  s.root,
  coalesce(s.services, []) AS services,
  CAST(coalesce(s.spans, 0) AS INTEGER) AS spans,
  CAST(coalesce(s.failed_spans, 0) AS INTEGER) AS failed_spans,
  coalesce(s.failures, []) AS failures,
  CAST(coalesce(r.records, 0) AS INTEGER) AS records
FROM ids i
LEFT JOIN span_stats s USING (trace_id)
LEFT JOIN record_stats r USING (trace_id)
ORDER BY least(s.first_ts, r.first_ts) NULLS LAST, i.trace_id
