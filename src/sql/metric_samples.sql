-- The points of the Prometheus range queries obs runs: always in memory, never
-- in the cache (a cache holds what was read from the logs).

CREATE TABLE metric_samples (
  query_name  VARCHAR NOT NULL,
  query       VARCHAR NOT NULL,
  series_id   INTEGER NOT NULL,
  labels      JSON NOT NULL,
  ts          TIMESTAMPTZ NOT NULL,
  value       DOUBLE
);
COMMENT ON TABLE metric_samples IS 'Points of the Prometheus range queries run by obs query and obs metrics (empty otherwise).';
COMMENT ON COLUMN metric_samples.query IS 'The PromQL sent, with the thread''s values filled in.';
COMMENT ON COLUMN metric_samples.series_id IS 'Numbers the series of one query, in the order Prometheus returned them.';
COMMENT ON COLUMN metric_samples.labels IS 'The series labels as a JSON object, __name__ included when Prometheus kept it.';
COMMENT ON COLUMN metric_samples.value IS 'The value; NaN and ±Inf are kept as DuckDB doubles.';
