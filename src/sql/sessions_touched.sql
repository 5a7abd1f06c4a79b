-- The sessions a cache update touches, added to touched_sessions (see
-- sessions.sql): those of the records of the files read (memory.main.
-- stored_files) and of the records whose ids linking filled in. Run before
-- unlinking and again after linking, so that a session that loses a linked
-- record or gains one is built again; cache_drop_files.sql adds those of the
-- records it removes.
INSERT INTO touched_sessions
SELECT session_key FROM events
WHERE session_key IS NOT NULL AND (linked_ids IS NOT NULL OR source_file IN (SELECT path FROM memory.main.stored_files))
UNION
SELECT session_key FROM llm_calls
WHERE session_key IS NOT NULL AND (linked_ids IS NOT NULL OR source_file IN (SELECT path FROM memory.main.stored_files))
UNION
SELECT session_key FROM session_index
WHERE session_key IS NOT NULL AND source_file IN (SELECT path FROM memory.main.stored_files);
