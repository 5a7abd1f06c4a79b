-- The records of one thread, session, run, request or trace, for `obs query`.
-- Reads selected_events, selected_llm_calls, selected_errors and
-- selected_spans (the rows the selector matched, made by the caller with bound
-- conditions) and adds:
--   * records and spans that share a trace id with them (a gateway's lines for
--     the same request), unless that trace id belongs to more than one session;
--   * errors seen in those records (a sighting at the same file and line).
-- Every row says how it was found in `via`: selector, trace or sighting.
-- $traces is the list query_subject_traces.sql found, as JSON text (read with
-- from_json: a cast to VARCHAR[] would misread escapes such as \n): a bound
-- list lets DuckDB test trace_id while it scans, before it reads the other
-- columns, which a join to a table of trace ids does not.

CREATE TEMP TABLE subject_events AS
SELECT *, 'selector' AS via FROM selected_events
UNION ALL BY NAME
SELECT e.*, 'trace' AS via FROM events e
WHERE list_contains(from_json($traces, '["VARCHAR"]'), e.trace_id)
  AND NOT EXISTS (
    SELECT 1 FROM selected_events s WHERE s.source_file = e.source_file AND s.source_line = e.source_line
  );

CREATE TEMP TABLE subject_llm_calls AS
SELECT *, 'selector' AS via FROM selected_llm_calls
UNION ALL BY NAME
SELECT c.*, 'trace' AS via FROM llm_calls c
WHERE list_contains(from_json($traces, '["VARCHAR"]'), c.trace_id)
  AND NOT EXISTS (
    SELECT 1 FROM selected_llm_calls s WHERE s.source_file = c.source_file AND s.source_line = c.source_line
  );

CREATE TEMP TABLE subject_spans AS
SELECT *, 'selector' AS via FROM selected_spans
UNION ALL BY NAME
SELECT p.*, 'trace' AS via FROM spans p
WHERE list_contains(from_json($traces, '["VARCHAR"]'), p.trace_id)
  AND NOT EXISTS (
    SELECT 1 FROM selected_spans s WHERE s.source_file = p.source_file AND s.source_line = p.source_line AND s.span_id = p.span_id
  );

-- Where each error of the subject was seen among the subject's records.
CREATE TEMP TABLE subject_sightings AS
SELECT DISTINCT r.error_id, r.source_file, r.source_line
FROM error_records r
JOIN (
  SELECT source_file, source_line FROM subject_events
  UNION ALL SELECT source_file, source_line FROM subject_llm_calls
) s USING (source_file, source_line)
WHERE r.error_id IS NOT NULL;

CREATE TEMP TABLE subject_errors AS
SELECT *, 'selector' AS via FROM selected_errors
UNION ALL BY NAME
SELECT e.*, CASE WHEN e.error_id IN (SELECT error_id FROM subject_sightings) THEN 'sighting' ELSE 'trace' END AS via
FROM errors e
WHERE e.error_id NOT IN (SELECT error_id FROM selected_errors)
  AND (e.error_id IN (SELECT error_id FROM subject_sightings) OR list_contains(from_json($traces, '["VARCHAR"]'), e.trace_id));

-- The label values the subject's records carry, to fill PromQL templates and
-- to join metric series to the subject.
CREATE TEMP TABLE subject_labels AS
SELECT DISTINCT label, value FROM (
  SELECT 'stage' AS label, stage AS value FROM subject_events
  UNION ALL SELECT 'stage', stage FROM subject_llm_calls
  UNION ALL SELECT 'stage', stage FROM subject_errors
  UNION ALL SELECT 'model', model FROM subject_llm_calls
  UNION ALL SELECT 'call_label', call_label FROM subject_llm_calls
  UNION ALL SELECT 'agent', agent FROM subject_llm_calls
  UNION ALL SELECT 'component', json_extract_string(raw, '$.component') FROM subject_events
  UNION ALL SELECT 'tool', json_extract_string(raw, '$.tool') FROM subject_events
  UNION ALL SELECT 'error_type', regexp_extract(error_type, '[^.]+$') FROM subject_errors
)
WHERE value IS NOT NULL AND value <> '';
