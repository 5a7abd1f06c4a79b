-- The rows of cached files that changed or are gone (memory.dropped_files),
-- before the changed ones are read again; their sessions are built again
-- (touched_sessions, see sessions.sql). Their error sightings go when the
-- errors are merged (src/load/errors/sightings.ts).
INSERT INTO touched_sessions
SELECT session_key FROM events WHERE session_key IS NOT NULL AND source_file IN (SELECT display FROM memory.dropped_files)
UNION
SELECT session_key FROM llm_calls WHERE session_key IS NOT NULL AND source_file IN (SELECT display FROM memory.dropped_files)
UNION
SELECT session_key FROM session_index WHERE session_key IS NOT NULL AND source_file IN (SELECT display FROM memory.dropped_files);
DELETE FROM events WHERE source_file IN (SELECT display FROM memory.dropped_files);
DELETE FROM llm_calls WHERE source_file IN (SELECT display FROM memory.dropped_files);
DELETE FROM spans WHERE source_file IN (SELECT display FROM memory.dropped_files);
DELETE FROM line_issues WHERE source_file IN (SELECT display FROM memory.dropped_files);
DELETE FROM session_index WHERE source_file IN (SELECT display FROM memory.dropped_files);
DELETE FROM cache_files WHERE abs IN (SELECT abs FROM memory.dropped_files);
DROP TABLE memory.dropped_files;
