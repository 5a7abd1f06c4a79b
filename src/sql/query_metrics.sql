-- Metric series of the subject's window, joined to the subject by label:
-- for every label the series carries and the subject has values for (stage,
-- model, call_label, agent, component, tool, error_type), the series value
-- must be one of the subject's. Values are compared as client libraries
-- write them (characters outside [A-Za-z0-9_.:-] as "_").
--   match = 'thread': at least one such label, all agreeing;
--           'window': no such label (a system-wide series, joined by time only);
--           'other':  some label names another stage, model, ... than the subject's.
WITH series AS (
  SELECT
    query_name,
    query,
    series_id,
    any_value(labels) AS labels,
    list([epoch(ts), CASE WHEN isfinite(value) THEN value END] ORDER BY ts) AS points,
    min(value) FILTER (WHERE isfinite(value)) AS min,
    max(value) FILTER (WHERE isfinite(value)) AS max,
    arg_max(CASE WHEN isfinite(value) THEN value END, ts) AS last
  FROM metric_samples
  GROUP BY query_name, query, series_id
),
checks AS (
  SELECT
    s.query_name,
    s.series_id,
    l.label,
    bool_or(
      regexp_replace(json_extract_string(s.labels, '$.' || l.label), '[^A-Za-z0-9_.:-]', '_', 'g')
        = regexp_replace(l.value, '[^A-Za-z0-9_.:-]', '_', 'g')
    ) AS agrees
  FROM series s
  JOIN subject_labels l ON json_extract_string(s.labels, '$.' || l.label) IS NOT NULL
  GROUP BY ALL
),
verdict AS (
  SELECT
    query_name,
    series_id,
    bool_and(agrees) AS all_agree,
    list(label ORDER BY label) FILTER (WHERE agrees) AS matched_labels,
    list(label ORDER BY label) FILTER (WHERE NOT agrees) AS other_labels
  FROM checks GROUP BY ALL
)
SELECT
  s.query_name AS name,
  s.query,
  CAST(s.series_id AS INTEGER) AS series_id,
  CAST(s.labels AS VARCHAR) AS labels,
  CASE WHEN v.query_name IS NULL THEN 'window' WHEN v.all_agree THEN 'thread' ELSE 'other' END AS match,
  coalesce(v.matched_labels, []) AS matched_labels,
  coalesce(v.other_labels, []) AS other_labels,
  s.min,
  s.max,
  s.last,
  s.points
FROM series s LEFT JOIN verdict v USING (query_name, series_id)
ORDER BY s.query_name, s.series_id
