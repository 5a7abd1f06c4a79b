-- Errors grouped by fingerprint: how often, when, where, and the latest example.
SELECT
  fingerprint,
  count(*) AS count,
  min(ts) AS first_seen,
  max(coalesce(last_ts, ts)) AS last_seen,
  count(DISTINCT session_key) AS session_count,
  coalesce(list_sort(list(DISTINCT session_key) FILTER (WHERE session_key IS NOT NULL)), []::VARCHAR[]) AS sessions,
  coalesce(list_sort(list(DISTINCT stage) FILTER (WHERE stage IS NOT NULL)), []::VARCHAR[]) AS stages,
  first(error_type ORDER BY length(error_type) DESC NULLS LAST) AS error_type,
  first(kind ORDER BY ts DESC NULLS LAST) AS kind,
  first(message ORDER BY ts DESC NULLS LAST, error_id) AS example_message,
  first(error_id ORDER BY ts DESC NULLS LAST, error_id) AS example_error_id,
  sum(seen_count) AS sightings
FROM filtered
GROUP BY fingerprint
