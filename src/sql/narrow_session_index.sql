-- After filters narrowed events and llm_calls, keep only the index entries
-- of the sessions that still have records, so the rebuilt sessions table
-- holds the filtered sessions only.
DELETE FROM session_index
WHERE session_key IS NULL
   OR session_key NOT IN (
     SELECT session_key FROM events WHERE session_key IS NOT NULL
     UNION
     SELECT session_key FROM llm_calls WHERE session_key IS NOT NULL
   );
