-- The line the last record of each file starts on, over every table that
-- holds records: obs --follow holds back a row read from the last record of a
-- file still being written (its traceback may not be complete yet).
SELECT source_file, CAST(max(source_line) AS INTEGER) AS last_line
FROM (
  SELECT source_file, source_line FROM events
  UNION ALL SELECT source_file, source_line FROM llm_calls
  UNION ALL SELECT source_file, source_line FROM error_records
  UNION ALL SELECT source_file, source_line FROM spans
)
GROUP BY source_file
