-- Runs that started in the window ($from_us, $to_us: epoch µs, both ends
-- included), in total, by stage and by agent (a run counts for every agent
-- that made an LLM call in it). Success rate: ok / (ok + failed); unfinished
-- runs are left out of it and of the durations.
WITH runs AS (
  SELECT * FROM report_runs
  WHERE start_ts BETWEEN make_timestamptz($from_us::BIGINT) AND make_timestamptz($to_us::BIGINT)
),
tagged AS (
  SELECT 'total' AS dimension, NULL::VARCHAR AS key, * FROM runs
  UNION ALL
  SELECT 'stage', stage, * FROM runs
  UNION ALL
  SELECT 'agent', a.agent, r.* FROM runs r JOIN report_run_agents a USING (run_id)
)
SELECT
  dimension,
  key,
  CAST(count(DISTINCT session_key) AS INTEGER) AS sessions,
  CAST(count(*) AS INTEGER) AS runs,
  CAST(count(*) FILTER (WHERE outcome = 'ok') AS INTEGER) AS ok,
  CAST(count(*) FILTER (WHERE outcome = 'failed') AS INTEGER) AS failed,
  CAST(count(*) FILTER (WHERE outcome = 'unfinished') AS INTEGER) AS unfinished,
  round(count(*) FILTER (WHERE outcome = 'ok') / nullif(count(*) FILTER (WHERE outcome <> 'unfinished'), 0), 4) AS success_rate,
  round(avg(duration_ms), 1) AS avg_duration_ms,
  round(quantile_cont(duration_ms, 0.95), 1) AS p95_duration_ms
FROM tagged
GROUP BY dimension, key
-- Stages in the order they were first reached; agents busiest first.
ORDER BY dimension, CASE WHEN dimension = 'stage' THEN min(start_ts) END, runs DESC, key NULLS LAST
