-- Sessions for `obs sessions`, read from the caller's "filtered" (sessions
-- under bound conditions).
SELECT
  session_key,
  thread_ts,
  channel_id,
  user_id,
  planned_date,
  strftime(first_ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS first_ts,
  strftime(last_ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS last_ts,
  CAST(duration_ms AS DOUBLE) AS duration_ms,
  stages,
  last_event,
  CAST(event_count AS INTEGER) AS event_count,
  CAST(error_count AS INTEGER) AS error_count,
  CAST(warning_count AS INTEGER) AS warning_count,
  CAST(llm_call_count AS INTEGER) AS llm_call_count,
  CAST(llm_error_count AS INTEGER) AS llm_error_count,
  CAST(prompt_tokens AS DOUBLE) AS prompt_tokens,
  CAST(completion_tokens AS DOUBLE) AS completion_tokens,
  CAST(total_tokens AS DOUBLE) AS total_tokens,
  cost_usd,
  CAST(cost_unknown_calls AS INTEGER) AS cost_unknown_calls,
  log_file,
  log_missing
FROM filtered
