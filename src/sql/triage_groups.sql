-- obs triage: the errors grouped by fingerprint, one row per group, ranked:
-- errors (error or fatal) before warnings, then by occurrences, then by first
-- seen (time; untimed ones after the timed, by file and line).
--
-- $known: a JSON array of the fingerprints a baseline holds. Their groups come
-- back with known = true and no rank; the others are ranked 1, 2, ...
--
-- The example is the occurrence the group is shown by: the first seen of
-- those with a traceback, else the first seen.
WITH files AS (
  SELECT e.fingerprint, list(DISTINCT r.source_file ORDER BY r.source_file) AS files
  FROM error_records r
  JOIN errors e ON e.error_id = r.error_id
  GROUP BY e.fingerprint
),
grouped AS (
  SELECT
    fingerprint,
    CASE WHEN bool_or(level IN ('error', 'fatal')) THEN 'error' ELSE 'warning' END AS severity,
    CAST(count(*) AS INTEGER) AS count,
    CAST(sum(seen_count) AS INTEGER) AS sightings,
    min(ts) AS first_ts_value,
    first(source_file ORDER BY ts NULLS LAST, source_file, source_line) AS first_file,
    CAST(first(source_line ORDER BY ts NULLS LAST, source_file, source_line) AS INTEGER) AS first_line,
    first(error_id ORDER BY coalesce(json_array_length(frames), 0) = 0, ts NULLS LAST, source_file, source_line) AS example_id,
    first(error_type ORDER BY length(error_type) DESC NULLS LAST) AS error_type,
    coalesce(list(DISTINCT test_id ORDER BY test_id) FILTER (WHERE test_id IS NOT NULL), []::VARCHAR[]) AS tests,
    list_contains(from_json($known::JSON, '["VARCHAR"]'), fingerprint) AS known
  FROM errors
  GROUP BY fingerprint
)
SELECT
  CASE WHEN g.known THEN NULL ELSE CAST(row_number() OVER (
    PARTITION BY g.known
    ORDER BY g.severity = 'error' DESC, g.count DESC, g.first_ts_value NULLS LAST, g.first_file, g.first_line, g.fingerprint
  ) AS INTEGER) END AS rank,
  g.known,
  g.fingerprint,
  g.severity,
  e.kind,
  e.language,
  g.error_type,
  e.message,
  g.count,
  g.sightings,
  g.first_file,
  g.first_line,
  strftime(g.first_ts_value, '%Y-%m-%dT%H:%M:%S.%gZ') AS first_ts,
  f.files,
  g.tests,
  e.frames,
  e.chain,
  e.traceback
FROM grouped g
JOIN errors e ON e.error_id = g.example_id
JOIN files f ON f.fingerprint = g.fingerprint
ORDER BY g.known, rank, g.fingerprint
