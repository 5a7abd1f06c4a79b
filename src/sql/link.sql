-- Completes correlation ids that a record left out, only where the answer is
-- unambiguous: a session key that maps to exactly one thread gives its
-- thread_ts and channel_id, and a thread_ts that maps to exactly one session
-- key gives the key. Nothing is guessed when two sessions share a value.
-- linked_ids names what was filled in, so unlink.sql can undo it when the
-- cached tables gain or lose files.

CREATE TEMP TABLE key_pairs AS
SELECT session_key, thread_ts, channel_id FROM events
  WHERE session_key IS NOT NULL AND thread_ts IS NOT NULL
UNION
SELECT session_key, thread_ts, channel_id FROM llm_calls
  WHERE session_key IS NOT NULL AND thread_ts IS NOT NULL
UNION
SELECT session_key, thread_ts, channel_id FROM session_index
  WHERE session_key IS NOT NULL AND thread_ts IS NOT NULL;

CREATE TEMP TABLE link_by_key AS
SELECT session_key, any_value(thread_ts) AS thread_ts, any_value(channel_id) AS channel_id
FROM key_pairs
GROUP BY session_key
HAVING count(DISTINCT thread_ts) = 1 AND count(DISTINCT channel_id) <= 1;

CREATE TEMP TABLE link_by_thread AS
SELECT thread_ts, any_value(session_key) AS session_key, any_value(channel_id) AS channel_id
FROM key_pairs
GROUP BY thread_ts
HAVING count(DISTINCT session_key) = 1;

UPDATE events SET thread_ts = k.thread_ts, channel_id = coalesce(events.channel_id, k.channel_id),
  linked_ids = concat_ws(',', 'thread_ts', CASE WHEN events.channel_id IS NULL AND k.channel_id IS NOT NULL THEN 'channel_id' END)
FROM link_by_key k
WHERE events.session_key = k.session_key AND events.thread_ts IS NULL;

UPDATE llm_calls SET thread_ts = k.thread_ts, channel_id = coalesce(llm_calls.channel_id, k.channel_id),
  linked_ids = concat_ws(',', 'thread_ts', CASE WHEN llm_calls.channel_id IS NULL AND k.channel_id IS NOT NULL THEN 'channel_id' END)
FROM link_by_key k
WHERE llm_calls.session_key = k.session_key AND llm_calls.thread_ts IS NULL;

UPDATE events SET session_key = t.session_key, channel_id = coalesce(events.channel_id, t.channel_id),
  linked_ids = concat_ws(',', 'session_key', CASE WHEN events.channel_id IS NULL AND t.channel_id IS NOT NULL THEN 'channel_id' END)
FROM link_by_thread t
WHERE events.session_key IS NULL AND events.thread_ts = t.thread_ts
  AND (events.channel_id IS NULL OR t.channel_id IS NULL OR events.channel_id = t.channel_id);

UPDATE llm_calls SET session_key = t.session_key, channel_id = coalesce(llm_calls.channel_id, t.channel_id),
  linked_ids = concat_ws(',', 'session_key', CASE WHEN llm_calls.channel_id IS NULL AND t.channel_id IS NOT NULL THEN 'channel_id' END)
FROM link_by_thread t
WHERE llm_calls.session_key IS NULL AND llm_calls.thread_ts = t.thread_ts
  AND (llm_calls.channel_id IS NULL OR t.channel_id IS NULL OR llm_calls.channel_id = t.channel_id);

DROP TABLE key_pairs;
-- link_by_key and link_by_thread stay for error_context.sql; the loader drops them.
