-- LLM usage of the subject: totals, and the same figures by model and by
-- stage (GROUPING SETS; `grouping` says which). Latency quantiles only over
-- calls that logged a latency; NULL when none did. cost_usd sums the known
-- costs (NULL when none is known); cost_unknown_calls counts the rest.
SELECT
  CASE WHEN GROUPING(model) = 0 THEN 'model' WHEN GROUPING(stage) = 0 THEN 'stage' ELSE 'total' END AS grouping,
  model,
  stage,
  CAST(count(*) AS INTEGER) AS calls,
  CAST(count(*) FILTER (WHERE status = 'error') AS INTEGER) AS errors,
  CAST(sum(prompt_tokens) AS DOUBLE) AS prompt_tokens,
  CAST(sum(completion_tokens) AS DOUBLE) AS completion_tokens,
  CAST(sum(total_tokens) AS DOUBLE) AS total_tokens,
  CAST(sum(cache_read_tokens) AS DOUBLE) AS cache_read_tokens,
  CAST(sum(cache_write_tokens) AS DOUBLE) AS cache_write_tokens,
  CAST(sum(reasoning_tokens) AS DOUBLE) AS reasoning_tokens,
  round(sum(cost_usd), 9) AS cost_usd,
  CAST(count(*) FILTER (WHERE cost_source = 'logged') AS INTEGER) AS cost_logged_calls,
  CAST(count(*) FILTER (WHERE cost_source = 'computed') AS INTEGER) AS cost_computed_calls,
  CAST(count(*) FILTER (WHERE cost_source = 'unknown') AS INTEGER) AS cost_unknown_calls,
  CAST(count(latency_ms) AS INTEGER) AS latency_known,
  quantile_cont(latency_ms, 0.5) AS latency_p50,
  quantile_cont(latency_ms, 0.95) AS latency_p95,
  max(latency_ms) AS latency_max
FROM subject_llm_calls
GROUP BY GROUPING SETS ((), (model), (stage))
ORDER BY grouping, calls DESC, model NULLS LAST, stage NULLS LAST
