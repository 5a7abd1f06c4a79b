-- Gives errors that did not name their session one from the evidence around
-- them, never by guessing. First a thread or session key they do carry
-- completes the other (as in link.sql); then a crash file takes its session
-- from a record that names the file; then a line takes it from the records of
-- the same file within 10 seconds, only when all of them belong to one
-- session (a file that interleaves sessions gives no answer).
--
-- error_context holds the sightings that lack a session, a thread or a time
-- (record_id, ts, source_file, kind, the correlation ids, context_from,
-- ts_from); the loader reads it back and drops it.

-- Session keys and threads complete each other where the answer is unique
-- (link.sql's mappings).
UPDATE error_context SET thread_ts = k.thread_ts, channel_id = coalesce(error_context.channel_id, k.channel_id)
FROM link_by_key k
WHERE error_context.session_key = k.session_key AND error_context.thread_ts IS NULL;

UPDATE error_context SET session_key = t.session_key, channel_id = coalesce(error_context.channel_id, t.channel_id)
FROM link_by_thread t
WHERE error_context.session_key IS NULL AND error_context.thread_ts = t.thread_ts
  AND (error_context.channel_id IS NULL OR t.channel_id IS NULL OR error_context.channel_id = t.channel_id);

-- A crash dump named by a record (`thread dump written to .../faulthandler_...log`).
CREATE TEMP TABLE crash_refs AS
SELECT r.record_id,
       any_value(e.session_key) AS session_key,
       any_value(e.thread_ts) AS thread_ts,
       any_value(e.channel_id) AS channel_id,
       any_value(e.stage) AS stage,
       any_value(e.trace_id) AS trace_id,
       min(e.ts) AS ts
FROM error_context r
JOIN events e
  ON e.session_key IS NOT NULL
 AND e.source_file <> r.source_file
 AND (contains(coalesce(CAST(e.raw AS VARCHAR), ''), regexp_extract(r.source_file, '[^/\\]+$'))
      OR contains(coalesce(e.message, ''), regexp_extract(r.source_file, '[^/\\]+$')))
WHERE r.kind = 'crash' AND r.session_key IS NULL
GROUP BY r.record_id
HAVING count(DISTINCT e.session_key) = 1;

UPDATE error_context SET
  session_key = c.session_key,
  thread_ts = coalesce(error_context.thread_ts, c.thread_ts),
  channel_id = coalesce(error_context.channel_id, c.channel_id),
  stage = coalesce(error_context.stage, c.stage),
  trace_id = coalesce(error_context.trace_id, c.trace_id),
  ts = CASE WHEN error_context.ts_from IS DISTINCT FROM 'record' THEN c.ts ELSE error_context.ts END,
  ts_from = CASE WHEN error_context.ts_from IS DISTINCT FROM 'record' THEN 'reference' ELSE error_context.ts_from END,
  context_from = 'reference'
FROM crash_refs c
WHERE error_context.record_id = c.record_id;

-- Records of the same file within 10 s, all of one session. Both sides are cut
-- into 10-second buckets so the join is an equality join on (file, bucket).
-- A sighting with a trace id is left alone: its trace says where it belongs
-- (a malformed request's span has no session, whatever ran beside it).
CREATE TEMP TABLE nearby AS
WITH wanted AS (
  SELECT record_id, source_file, ts, floor(epoch(ts) / 10)::BIGINT + unnest([-1, 0, 1]) AS bucket
  FROM error_context
  WHERE session_key IS NULL AND trace_id IS NULL AND ts IS NOT NULL
),
candidates AS (
  SELECT source_file, ts, session_key, thread_ts, channel_id, stage, floor(epoch(ts) / 10)::BIGINT AS bucket
  FROM events
  WHERE session_key IS NOT NULL AND ts IS NOT NULL
    AND source_file IN (SELECT source_file FROM wanted)
)
SELECT w.record_id,
       any_value(e.session_key) AS session_key,
       any_value(e.thread_ts) AS thread_ts,
       any_value(e.channel_id) AS channel_id,
       CASE WHEN count(DISTINCT e.stage) = 1 THEN any_value(e.stage) END AS stage
FROM wanted w
JOIN candidates e
  ON e.source_file = w.source_file AND e.bucket = w.bucket
 AND e.ts BETWEEN w.ts - INTERVAL 10 SECOND AND w.ts + INTERVAL 10 SECOND
GROUP BY w.record_id
HAVING count(DISTINCT e.session_key) = 1;

UPDATE error_context SET
  session_key = n.session_key,
  thread_ts = coalesce(error_context.thread_ts, n.thread_ts),
  channel_id = coalesce(error_context.channel_id, n.channel_id),
  stage = coalesce(error_context.stage, n.stage),
  context_from = 'nearby'
FROM nearby n
WHERE error_context.record_id = n.record_id;

DROP TABLE crash_refs;
DROP TABLE nearby;
