-- One row per session (Slack thread): built from every record that carries
-- its session key, plus the session index. Stages are listed in the order
-- they first appear. A session's thread and channel are the ones its records
-- name most often (the smallest on a tie), counted as plain groups: DuckDB's
-- mode() keeps a map per group outside its memory limit, which at 10 GB of
-- logs cost about 0.27 GB.
--
-- Each part is a table of its own, one row per session, joined at the end:
-- as one statement, its aggregates and joins all held memory at once, and at
-- 10 GB of logs DuckDB could not keep within its limit.
--
-- $touched_only: a cache brought up to date builds again only the sessions
-- in touched_sessions (those with a record added, removed or linked
-- afresh: src/load/load.ts, cache_drop_files.sql) and brings the others'
-- error counts up to date; otherwise every session is built.

CREATE TEMP TABLE IF NOT EXISTS touched_sessions (session_key VARCHAR);
CREATE OR REPLACE TEMP TABLE session_scope AS SELECT $touched_only IS TRUE AS touched_only;
CREATE OR REPLACE TEMP MACRO in_scope(k) AS
  NOT (SELECT touched_only FROM session_scope) OR k IN (SELECT session_key FROM touched_sessions);

-- How often each session's records name each thread and channel, by table;
-- the one named most often.
CREATE OR REPLACE TEMP TABLE session_named AS
WITH named AS (
  SELECT 'events' AS tbl, 'thread_ts' AS col, session_key, thread_ts AS value, count(*) AS n
  FROM events WHERE session_key IS NOT NULL AND thread_ts IS NOT NULL AND in_scope(session_key) GROUP BY session_key, thread_ts
  UNION ALL
  SELECT 'events', 'channel_id', session_key, channel_id, count(*)
  FROM events WHERE session_key IS NOT NULL AND channel_id IS NOT NULL AND in_scope(session_key) GROUP BY session_key, channel_id
  UNION ALL
  SELECT 'llm_calls', 'thread_ts', session_key, thread_ts, count(*)
  FROM llm_calls WHERE session_key IS NOT NULL AND thread_ts IS NOT NULL AND in_scope(session_key) GROUP BY session_key, thread_ts
  UNION ALL
  SELECT 'llm_calls', 'channel_id', session_key, channel_id, count(*)
  FROM llm_calls WHERE session_key IS NOT NULL AND channel_id IS NOT NULL AND in_scope(session_key) GROUP BY session_key, channel_id
)
SELECT tbl, session_key,
  arg_min(value, (-n, value)) FILTER (WHERE col = 'thread_ts') AS thread_ts,
  arg_min(value, (-n, value)) FILTER (WHERE col = 'channel_id') AS channel_id
FROM named GROUP BY tbl, session_key;

CREATE OR REPLACE TEMP TABLE session_stages AS
WITH stage_first AS (
  SELECT session_key, stage, min(ts) AS first_ts
  FROM (
    SELECT session_key, ts, stage FROM events WHERE session_key IS NOT NULL AND stage IS NOT NULL AND in_scope(session_key)
    UNION ALL
    SELECT session_key, ts, stage FROM llm_calls WHERE session_key IS NOT NULL AND stage IS NOT NULL AND in_scope(session_key)
  )
  GROUP BY session_key, stage
)
SELECT session_key, list(stage ORDER BY first_ts NULLS LAST, stage) AS stages
FROM stage_first GROUP BY session_key;

CREATE OR REPLACE TEMP TABLE session_events AS
SELECT
  session_key,
  count(*) AS event_count,
  count(*) FILTER (WHERE level = 'warn') AS warning_count,
  min(ts) AS first_ts,
  max(ts) AS last_ts,
  arg_max(event, (ts, source_line)) FILTER (WHERE event IS NOT NULL AND source_kind = 'session_log') AS last_event,
  min(source_file) FILTER (WHERE source_kind = 'session_log') AS log_file
FROM events WHERE session_key IS NOT NULL AND in_scope(session_key)
GROUP BY session_key;

CREATE OR REPLACE TEMP TABLE session_llm AS
SELECT
  session_key,
  count(*) AS llm_call_count,
  count(*) FILTER (WHERE status = 'error') AS llm_error_count,
  sum(prompt_tokens) AS prompt_tokens,
  sum(completion_tokens) AS completion_tokens,
  sum(total_tokens) AS total_tokens,
  sum(cost_usd) AS cost_usd,
  count(*) FILTER (WHERE cost_source = 'unknown') AS cost_unknown_calls,
  min(ts) AS first_ts,
  max(ts) AS last_ts
FROM llm_calls WHERE session_key IS NOT NULL AND in_scope(session_key)
GROUP BY session_key;

CREATE OR REPLACE TEMP TABLE session_idx AS
SELECT
  session_key,
  any_value(thread_ts) AS thread_ts,
  any_value(channel_id) AS channel_id,
  any_value(user_id) AS user_id,
  any_value(planned_date) AS planned_date,
  min(created_at) AS created_at,
  any_value(log_file) AS log_file,
  bool_and(log_file IS NULL) AS log_missing
FROM session_index WHERE session_key IS NOT NULL AND in_scope(session_key)
GROUP BY session_key;

CREATE OR REPLACE TEMP TABLE session_rows AS
WITH errs AS (
  SELECT session_key, count(*) AS error_count
  FROM errors WHERE session_key IS NOT NULL AND in_scope(session_key)
  GROUP BY session_key
),
session_keys AS (
  SELECT session_key FROM session_events UNION SELECT session_key FROM session_llm UNION SELECT session_key FROM session_idx
)
SELECT
  k.session_key,
  coalesce(evn.thread_ts, llmn.thread_ts, idx.thread_ts) AS thread_ts,
  coalesce(evn.channel_id, llmn.channel_id, idx.channel_id) AS channel_id,
  idx.user_id,
  idx.planned_date,
  least(ev.first_ts, llm.first_ts, idx.created_at) AS first_ts,
  greatest(ev.last_ts, llm.last_ts) AS last_ts,
  epoch_ms(greatest(ev.last_ts, llm.last_ts)) - epoch_ms(least(ev.first_ts, llm.first_ts, idx.created_at)) AS duration_ms,
  coalesce(st.stages, []::VARCHAR[]) AS stages,
  ev.last_event,
  coalesce(ev.event_count, 0) AS event_count,
  coalesce(errs.error_count, 0) AS error_count,
  coalesce(ev.warning_count, 0) AS warning_count,
  coalesce(llm.llm_call_count, 0) AS llm_call_count,
  coalesce(llm.llm_error_count, 0) AS llm_error_count,
  coalesce(llm.prompt_tokens, 0) AS prompt_tokens,
  coalesce(llm.completion_tokens, 0) AS completion_tokens,
  coalesce(llm.total_tokens, 0) AS total_tokens,
  round(llm.cost_usd, 9) AS cost_usd,
  coalesce(llm.cost_unknown_calls, 0) AS cost_unknown_calls,
  coalesce(ev.log_file, idx.log_file) AS log_file,
  coalesce(idx.log_missing, false) AND ev.log_file IS NULL AS log_missing
FROM session_keys k
LEFT JOIN session_events ev USING (session_key)
LEFT JOIN session_llm llm USING (session_key)
LEFT JOIN session_idx idx USING (session_key)
LEFT JOIN errs USING (session_key)
LEFT JOIN session_stages st USING (session_key)
LEFT JOIN session_named evn ON evn.tbl = 'events' AND evn.session_key = k.session_key
LEFT JOIN session_named llmn ON llmn.tbl = 'llm_calls' AND llmn.session_key = k.session_key;

-- Every session, or the touched ones, replaced.
CREATE TABLE IF NOT EXISTS sessions AS SELECT * FROM session_rows LIMIT 0;
DELETE FROM sessions WHERE in_scope(session_key);
INSERT INTO sessions SELECT * FROM session_rows;

-- One failure is merged with its sightings in other files: a session not
-- touched may have gained or lost an error all the same.
UPDATE sessions SET error_count = e.n
FROM (
  SELECT s.session_key, count(er.session_key) AS n
  FROM sessions s LEFT JOIN errors er ON er.session_key = s.session_key
  WHERE $touched_only
  GROUP BY s.session_key
) e
WHERE sessions.session_key = e.session_key AND sessions.error_count <> e.n;

DROP TABLE session_rows;
DROP TABLE touched_sessions;
DROP TABLE session_scope;
DROP MACRO in_scope;
DROP TABLE session_named;
DROP TABLE session_stages;
DROP TABLE session_events;
DROP TABLE session_llm;
DROP TABLE session_idx;

COMMENT ON TABLE sessions IS 'One row per session (Slack thread), from every record that carries its session key and the session index.';
COMMENT ON COLUMN sessions.stages IS 'Stages in order of first appearance.';
COMMENT ON COLUMN sessions.error_count IS 'Errors of the session (rows of errors): one failure written to several files counts once.';
COMMENT ON COLUMN sessions.llm_error_count IS 'LLM calls with status error.';
COMMENT ON COLUMN sessions.cost_usd IS 'Known cost of the session''s LLM calls in USD (logged or computed); NULL when no call''s cost is known.';
COMMENT ON COLUMN sessions.cost_unknown_calls IS 'LLM calls of the session whose cost is unknown, left out of cost_usd.';
COMMENT ON COLUMN sessions.log_missing IS 'The session index names a log file that is gone.';
