-- After filters narrowed events and llm_calls, the condition that keeps only
-- the index entries of the sessions that still have records, so the rebuilt
-- sessions table holds the filtered sessions only.
session_key IN (
  SELECT session_key FROM events WHERE session_key IS NOT NULL
  UNION
  SELECT session_key FROM llm_calls WHERE session_key IS NOT NULL
)
