-- Every hour (UTC) the window ($from_us, $to_us: epoch µs, both included)
-- touches, with what happened in it: log records (rows of events), errors
-- (by first sighting), LLM calls and failed ones, runs started and failed,
-- and the run error rate: failed / (ok + failed) of the runs started that
-- hour, NULL when none finished. The first and last hours are cut by the window.
WITH bounds AS (
  SELECT make_timestamptz($from_us::BIGINT) AS lo, make_timestamptz($to_us::BIGINT) AS hi
),
hours AS (
  SELECT unnest(range(date_trunc('hour', lo), hi + INTERVAL 1 MICROSECOND, INTERVAL 1 HOUR)) AS hour FROM bounds
),
ev AS (
  SELECT date_trunc('hour', ts) AS hour, count(*) AS n
  FROM events, bounds WHERE ts BETWEEN lo AND hi GROUP BY ALL
),
er AS (
  SELECT date_trunc('hour', ts) AS hour, count(*) AS n
  FROM errors, bounds WHERE ts BETWEEN lo AND hi GROUP BY ALL
),
llm AS (
  SELECT date_trunc('hour', ts) AS hour, count(*) AS n, count(*) FILTER (WHERE status = 'error') AS failed
  FROM llm_calls, bounds WHERE ts BETWEEN lo AND hi GROUP BY ALL
),
ru AS (
  SELECT
    date_trunc('hour', start_ts) AS hour,
    count(*) AS n,
    count(*) FILTER (WHERE outcome = 'failed') AS failed,
    count(*) FILTER (WHERE outcome <> 'unfinished') AS finished
  FROM report_runs, bounds WHERE start_ts BETWEEN lo AND hi GROUP BY ALL
)
SELECT
  strftime(h.hour, '%Y-%m-%dT%H:00:00Z') AS hour,
  CAST(coalesce(ev.n, 0) AS INTEGER) AS records,
  CAST(coalesce(er.n, 0) AS INTEGER) AS errors,
  CAST(coalesce(llm.n, 0) AS INTEGER) AS llm_calls,
  CAST(coalesce(llm.failed, 0) AS INTEGER) AS llm_errors,
  CAST(coalesce(ru.n, 0) AS INTEGER) AS runs,
  CAST(coalesce(ru.failed, 0) AS INTEGER) AS failed_runs,
  round(ru.failed / nullif(ru.finished, 0), 4) AS error_rate
FROM hours h
LEFT JOIN ev USING (hour)
LEFT JOIN er USING (hour)
LEFT JOIN llm USING (hour)
LEFT JOIN ru USING (hour)
ORDER BY h.hour
