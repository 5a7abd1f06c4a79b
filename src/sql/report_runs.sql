-- Runs for `obs report`: one turn of one session, opened by a record whose
-- event name ends in turn_start (graph_turn_start) and closed by the next
-- turn record of the same session: ..._turn_end (ok), ..._turn_error or
-- ..._turn_timeout (failed). A start followed by another start, or by
-- nothing, is unfinished (canceled, crashed, or still running). The run's
-- stage is that of its start record (a turn's end is logged in the stage the
-- turn moved to). Built over every loaded record; the report keeps the runs
-- that started in its window. A record written to several files counts once.

CREATE OR REPLACE TEMP TABLE report_runs AS
WITH turn_records AS (
  SELECT DISTINCT
    session_key,
    ts,
    event,
    stage,
    trace_id,
    CASE
      WHEN suffix(event, 'turn_start') THEN 'start'
      WHEN suffix(event, 'turn_end') THEN 'ok'
      ELSE 'failed'
    END AS role
  FROM events
  WHERE session_key IS NOT NULL AND ts IS NOT NULL
    AND (suffix(event, 'turn_start') OR suffix(event, 'turn_end') OR suffix(event, 'turn_error') OR suffix(event, 'turn_timeout'))
),
ordered AS (
  SELECT
    *,
    lead(role) OVER w AS next_role,
    lead(ts) OVER w AS next_ts
  FROM turn_records
  -- At the same instant, a turn's end comes before the next turn's start.
  WINDOW w AS (PARTITION BY session_key ORDER BY ts, role = 'start', event)
)
SELECT
  row_number() OVER (ORDER BY ts, session_key) AS run_id,
  session_key,
  stage,
  trace_id,
  ts AS start_ts,
  CASE WHEN next_role IN ('ok', 'failed') THEN next_ts END AS end_ts,
  CASE WHEN next_role IN ('ok', 'failed') THEN next_role ELSE 'unfinished' END AS outcome,
  CASE WHEN next_role IN ('ok', 'failed') THEN (epoch_us(next_ts) - epoch_us(ts)) / 1000.0 END AS duration_ms
FROM ordered
WHERE role = 'start';

-- The agents of a run: those that made an LLM call in it (same session and
-- trace id; by time between start and end when either has no trace id).
CREATE OR REPLACE TEMP TABLE report_run_agents AS
SELECT DISTINCT r.run_id, l.agent
FROM report_runs r
JOIN llm_calls l
  ON l.session_key = r.session_key
  AND l.agent IS NOT NULL
  AND CASE
    WHEN r.trace_id IS NOT NULL AND l.trace_id IS NOT NULL THEN l.trace_id = r.trace_id
    ELSE l.ts BETWEEN r.start_ts AND coalesce(r.end_ts, r.start_ts)
  END;
