-- LLM calls rolled up by the caller's group keys, over the caller's
-- "filtered" calls. The key, grouping and order placeholders are filled from a
-- fixed list of columns in code (never from user input); with the grouping
-- sets of the keys and of nothing, the row whose is_total is true holds the
-- totals over every call.
--
-- Token sums cover the calls that logged the count (NULL when none did;
-- usage_unknown_calls counts calls with neither input nor output counts).
-- cost_usd sums the known costs only (NULL when no call's cost is known), and
-- cost_unknown_calls says how many calls it leaves out. Latency quantiles are
-- over the calls that logged a latency (latency_known of them), all four from
-- one sort of each group's latencies.
SELECT * EXCLUDE (latency_q),
  round(latency_q[1], 1) AS latency_p50_ms,
  round(latency_q[2], 1) AS latency_p90_ms,
  round(latency_q[3], 1) AS latency_p95_ms,
  round(latency_q[4], 1) AS latency_p99_ms
FROM (
SELECT {{keys}}
  CAST(count(*) AS INTEGER) AS calls,
  CAST(count(*) FILTER (WHERE status = 'error') AS INTEGER) AS errors,
  round(count(*) FILTER (WHERE status = 'error') / count(*), 4) AS error_rate,
  CAST(sum(prompt_tokens) AS DOUBLE) AS prompt_tokens,
  CAST(sum(completion_tokens) AS DOUBLE) AS completion_tokens,
  CAST(sum(total_tokens) AS DOUBLE) AS total_tokens,
  CAST(sum(cache_read_tokens) AS DOUBLE) AS cache_read_tokens,
  CAST(sum(cache_write_tokens) AS DOUBLE) AS cache_write_tokens,
  CAST(sum(reasoning_tokens) AS DOUBLE) AS reasoning_tokens,
  CAST(count(*) FILTER (WHERE prompt_tokens IS NULL AND completion_tokens IS NULL) AS INTEGER) AS usage_unknown_calls,
  round(sum(cost_usd), 9) AS cost_usd,
  CAST(count(*) FILTER (WHERE cost_source = 'logged') AS INTEGER) AS cost_logged_calls,
  CAST(count(*) FILTER (WHERE cost_source = 'computed') AS INTEGER) AS cost_computed_calls,
  CAST(count(*) FILTER (WHERE cost_source = 'unknown') AS INTEGER) AS cost_unknown_calls,
  coalesce(list_sort(list(DISTINCT price_table) FILTER (WHERE cost_source = 'computed')), []::VARCHAR[]) AS price_tables,
  CAST(count(latency_ms) AS INTEGER) AS latency_known,
  quantile_cont(latency_ms, [0.5, 0.9, 0.95, 0.99]) AS latency_q
  {{total}}
FROM filtered
GROUP BY {{grouping}}
)
ORDER BY {{order}}
