-- Undoes link.sql before the cached tables gain or lose files: the ids it
-- filled in (linked_ids) go back to NULL, so linking again decides afresh.
UPDATE events SET
  thread_ts = CASE WHEN contains(linked_ids, 'thread_ts') THEN NULL ELSE thread_ts END,
  channel_id = CASE WHEN contains(linked_ids, 'channel_id') THEN NULL ELSE channel_id END,
  session_key = CASE WHEN contains(linked_ids, 'session_key') THEN NULL ELSE session_key END,
  linked_ids = NULL
WHERE linked_ids IS NOT NULL;

UPDATE llm_calls SET
  thread_ts = CASE WHEN contains(linked_ids, 'thread_ts') THEN NULL ELSE thread_ts END,
  channel_id = CASE WHEN contains(linked_ids, 'channel_id') THEN NULL ELSE channel_id END,
  session_key = CASE WHEN contains(linked_ids, 'session_key') THEN NULL ELSE session_key END,
  linked_ids = NULL
WHERE linked_ids IS NOT NULL;

