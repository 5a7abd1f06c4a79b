-- The tables and columns `obs sql` can read, with their descriptions.
SELECT
  c.table_name AS "table",
  c.column_name AS "column",
  c.data_type AS "type",
  c.comment AS description
FROM duckdb_columns() AS c
WHERE c.schema_name = 'main' AND NOT c.internal
ORDER BY
  list_position(['sessions', 'events', 'llm_calls', 'errors', 'error_records', 'spans', 'metric_samples', 'session_index', 'files', 'line_issues'], c.table_name),
  c.column_index
