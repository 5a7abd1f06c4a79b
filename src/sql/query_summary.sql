-- The subject at a glance: its time span, stages in order of first
-- appearance, and how many records of each kind were found and how.
WITH records AS (
  SELECT ts, stage, session_key, thread_ts, channel_id, via, 'event' AS kind FROM subject_events
  UNION ALL SELECT ts, stage, session_key, thread_ts, channel_id, via, 'llm_call' FROM subject_llm_calls
  UNION ALL SELECT ts, stage, session_key, thread_ts, channel_id, via, 'error' FROM subject_errors
  UNION ALL SELECT ts, stage, session_key, thread_ts, channel_id, via, 'span' FROM subject_spans
  UNION ALL SELECT end_ts, stage, session_key, thread_ts, channel_id, 'end', 'span_end' FROM subject_spans
),
stage_first AS (
  SELECT stage, min(ts) AS first_ts FROM records WHERE stage IS NOT NULL GROUP BY stage
)
SELECT
  epoch_us(min(ts)) AS first_us,
  epoch_us(max(ts)) AS last_us,
  (SELECT list(stage ORDER BY first_ts NULLS LAST, stage) FROM stage_first) AS stages,
  list(DISTINCT session_key ORDER BY session_key) FILTER (WHERE session_key IS NOT NULL) AS session_keys,
  list(DISTINCT thread_ts ORDER BY thread_ts) FILTER (WHERE thread_ts IS NOT NULL) AS thread_ts,
  list(DISTINCT channel_id ORDER BY channel_id) FILTER (WHERE channel_id IS NOT NULL) AS channel_ids,
  CAST(count(*) FILTER (WHERE kind = 'event') AS INTEGER) AS events,
  CAST(count(*) FILTER (WHERE kind = 'llm_call') AS INTEGER) AS llm_calls,
  CAST(count(*) FILTER (WHERE kind = 'error') AS INTEGER) AS errors,
  CAST(count(*) FILTER (WHERE kind = 'span') AS INTEGER) AS spans,
  CAST(count(*) FILTER (WHERE via = 'trace') AS INTEGER) AS via_trace,
  CAST(count(*) FILTER (WHERE ts IS NULL AND kind <> 'span_end') AS INTEGER) AS untimed
FROM records
