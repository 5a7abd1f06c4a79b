-- LLM calls rolled up by the caller's group keys, over the caller's
-- "filtered" calls. The key and order placeholders are filled from a fixed list of
-- columns in code (never from user input).
SELECT
  {{keys}},
  CAST(count(*) AS INTEGER) AS calls,
  CAST(count(*) FILTER (WHERE status = 'error') AS INTEGER) AS errors,
  round(count(*) FILTER (WHERE status = 'error') / count(*), 4) AS error_rate,
  CAST(coalesce(sum(prompt_tokens), 0) AS DOUBLE) AS prompt_tokens,
  CAST(coalesce(sum(completion_tokens), 0) AS DOUBLE) AS completion_tokens,
  CAST(coalesce(sum(total_tokens), 0) AS DOUBLE) AS total_tokens,
  CAST(coalesce(sum(cached_tokens), 0) AS DOUBLE) AS cached_tokens,
  CAST(coalesce(sum(reasoning_tokens), 0) AS DOUBLE) AS reasoning_tokens,
  CAST(count(latency_ms) AS INTEGER) AS latency_known,
  round(quantile_cont(latency_ms, 0.5), 1) AS latency_p50_ms,
  round(quantile_cont(latency_ms, 0.95), 1) AS latency_p95_ms
FROM filtered
GROUP BY ALL
ORDER BY {{order}}
