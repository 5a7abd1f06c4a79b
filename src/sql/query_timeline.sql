-- The subject's timeline: its events and LLM calls in time order, each with
-- the errors seen in it, plus the errors seen in none of them (a crash file,
-- a record outside the loaded subject). Each record appears once.
WITH seen AS (
  SELECT source_file, source_line, list(DISTINCT error_id ORDER BY error_id) AS error_ids
  FROM subject_sightings GROUP BY ALL
),
entries AS (
  SELECT
    e.ts, 'event' AS kind, e.level, e.stage, e.session_key, e.trace_id, e.source_file, e.source_line, e.source_kind, e.via,
    e.event, e.message, e.logger, CAST(e.raw AS VARCHAR) AS raw, s.error_ids
  FROM subject_events e LEFT JOIN seen s USING (source_file, source_line)
  UNION ALL BY NAME
  SELECT
    c.ts, 'llm_call' AS kind, CASE WHEN c.status = 'error' THEN 'error' ELSE 'info' END AS level, c.stage, c.session_key,
    c.trace_id, c.source_file, c.source_line, 'llm_io' AS source_kind, c.via, c.model, c.call_label, c.agent, c.status,
    CAST(c.prompt_tokens AS DOUBLE) AS prompt_tokens, CAST(c.completion_tokens AS DOUBLE) AS completion_tokens,
    CAST(c.total_tokens AS DOUBLE) AS total_tokens, c.latency_ms, c.error AS message, CAST(c.raw AS VARCHAR) AS raw, s.error_ids
  FROM subject_llm_calls c LEFT JOIN seen s USING (source_file, source_line)
  UNION ALL BY NAME
  SELECT
    r.ts, 'error' AS kind, r.level, r.stage, r.session_key, r.trace_id, r.source_file, r.source_line, r.source_kind, r.via,
    r.error_type, r.message, [r.error_id] AS error_ids
  FROM subject_errors r
  WHERE r.error_id NOT IN (SELECT error_id FROM subject_sightings)
)
SELECT
  strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts,
  kind,
  level,
  stage,
  event,
  message,
  error_type,
  model,
  call_label,
  agent,
  status,
  prompt_tokens,
  completion_tokens,
  total_tokens,
  latency_ms,
  error_ids,
  session_key,
  trace_id,
  logger,
  source_kind,
  source_file,
  CAST(source_line AS INTEGER) AS source_line,
  via,
  raw
FROM entries
ORDER BY entries.ts NULLS LAST, source_file, source_line
