-- The busiest sessions active in the window (the caller's "filtered"): most
-- LLM tokens, then most LLM calls, then most records. Figures are the whole
-- session's, as `obs sessions` gives them; runs are those started in the window.
SELECT
  s.session_key,
  s.thread_ts,
  s.channel_id,
  strftime(s.first_ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS first_ts,
  strftime(s.last_ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS last_ts,
  CAST(s.duration_ms AS DOUBLE) AS duration_ms,
  CAST(s.event_count AS INTEGER) AS event_count,
  CAST(s.error_count AS INTEGER) AS error_count,
  CAST(coalesce(r.runs, 0) AS INTEGER) AS runs,
  CAST(coalesce(r.failed_runs, 0) AS INTEGER) AS failed_runs,
  CAST(s.llm_call_count AS INTEGER) AS llm_call_count,
  CAST(s.llm_error_count AS INTEGER) AS llm_error_count,
  CAST(s.total_tokens AS DOUBLE) AS total_tokens
FROM filtered s
LEFT JOIN (
  SELECT
    session_key,
    count(*) AS runs,
    count(*) FILTER (WHERE outcome = 'failed') AS failed_runs
  FROM report_runs
  WHERE start_ts BETWEEN make_timestamptz($from_us::BIGINT) AND make_timestamptz($to_us::BIGINT)
  GROUP BY session_key
) r USING (session_key)
ORDER BY s.total_tokens DESC, s.llm_call_count DESC, s.event_count DESC, s.session_key
LIMIT $top
