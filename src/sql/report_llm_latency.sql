-- Latency over all the caller's "filtered" LLM calls that logged one, for the
-- totals row of `obs report` (percentiles do not add up from the per-model rows).
SELECT
  CAST(count(latency_ms) AS INTEGER) AS latency_known,
  round(quantile_cont(latency_ms, 0.5), 1) AS latency_p50_ms,
  round(quantile_cont(latency_ms, 0.9), 1) AS latency_p90_ms,
  round(quantile_cont(latency_ms, 0.95), 1) AS latency_p95_ms,
  round(quantile_cont(latency_ms, 0.99), 1) AS latency_p99_ms
FROM filtered
