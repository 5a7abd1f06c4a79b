-- Sessions active in the window (the caller's "filtered": sessions whose
-- lifetime overlaps it), with how many had errors or a failed run in it.
SELECT
  CAST(count(*) AS INTEGER) AS count,
  CAST(count(*) FILTER (WHERE error_count > 0) AS INTEGER) AS with_errors,
  CAST(count(*) FILTER (WHERE session_key IN (
    SELECT session_key FROM report_runs
    WHERE outcome = 'failed' AND start_ts BETWEEN make_timestamptz($from_us::BIGINT) AND make_timestamptz($to_us::BIGINT)
  )) AS INTEGER) AS with_failed_runs
FROM filtered
