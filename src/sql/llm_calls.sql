-- LLM calls, times as ISO 8601 UTC and counts as plain numbers, read from
-- the caller's "filtered" (llm_calls under bound conditions).
SELECT
  strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts,
  model,
  status,
  agent,
  call_label,
  function,
  stage,
  session_key,
  thread_ts,
  channel_id,
  trace_id,
  span_id,
  request_id,
  run_id,
  CAST(prompt_tokens AS DOUBLE) AS prompt_tokens,
  CAST(completion_tokens AS DOUBLE) AS completion_tokens,
  CAST(total_tokens AS DOUBLE) AS total_tokens,
  CAST(cached_tokens AS DOUBLE) AS cached_tokens,
  CAST(reasoning_tokens AS DOUBLE) AS reasoning_tokens,
  latency_ms,
  error,
  source_file,
  CAST(source_line AS INTEGER) AS source_line,
  CAST(raw AS VARCHAR) AS raw
FROM filtered
