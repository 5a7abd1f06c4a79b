-- The tables and columns `obs sql` can read, with their descriptions. With a
-- cache, the tables are views of the cache file's, which hold the descriptions.
SELECT
  c.table_name AS "table",
  c.column_name AS "column",
  c.data_type AS "type",
  coalesce(c.comment, k.comment) AS description
FROM duckdb_columns() AS c
LEFT JOIN duckdb_columns() AS k
  ON k.database_name = 'cache' AND k.schema_name = 'main'
 AND k.table_name = c.table_name AND k.column_name = c.column_name
WHERE c.database_name = 'memory' AND c.schema_name = 'main' AND NOT c.internal
ORDER BY
  list_position(['sessions', 'events', 'llm_calls', 'errors', 'error_records', 'spans', 'metric_samples', 'session_index', 'files', 'line_issues'], c.table_name),
  c.column_index
