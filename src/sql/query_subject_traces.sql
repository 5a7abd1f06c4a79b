-- The trace ids of the subject of `obs query`: those its selected rows carry
-- (selected_events, selected_llm_calls, selected_errors, selected_spans),
-- unless a trace id belongs to more than one session. The caller reads them
-- and binds them as $traces to query_subject.sql.

CREATE TEMP TABLE subject_traces AS
WITH candidates AS (
  SELECT DISTINCT trace_id FROM (
    SELECT trace_id FROM selected_events
    UNION ALL SELECT trace_id FROM selected_llm_calls
    UNION ALL SELECT trace_id FROM selected_errors
    UNION ALL SELECT trace_id FROM selected_spans
  )
  WHERE trace_id IS NOT NULL
)
SELECT trace_id FROM candidates
WHERE trace_id NOT IN (
  -- Only the candidates' rows are grouped: a scan of the trace_id column, not
  -- a grouping of every record.
  SELECT trace_id FROM (
    SELECT trace_id, session_key FROM events WHERE trace_id IN (SELECT trace_id FROM candidates)
    UNION ALL SELECT trace_id, session_key FROM llm_calls WHERE trace_id IN (SELECT trace_id FROM candidates)
    UNION ALL SELECT trace_id, session_key FROM spans WHERE trace_id IN (SELECT trace_id FROM candidates)
  )
  WHERE session_key IS NOT NULL
  GROUP BY trace_id
  HAVING count(DISTINCT session_key) > 1
);
