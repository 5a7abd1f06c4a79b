-- The prices that computed the costs of the caller's "filtered" LLM calls: one
-- row per model and price (table, provider's model, start, rates in USD per
-- million tokens), with the calls it priced and their cost, so a reader can
-- redo each model's cost from its tokens.
SELECT
  model,
  cost_detail->>'table' AS price_table,
  cost_detail->>'provider' AS provider,
  cost_detail->>'model' AS priced_as,
  cost_detail->>'since' AS since,
  CAST(cost_detail->'usd_per_mtok'->>'input' AS DOUBLE) AS input_usd_per_mtok,
  CAST(cost_detail->'usd_per_mtok'->>'cache_read' AS DOUBLE) AS cache_read_usd_per_mtok,
  CAST(cost_detail->'usd_per_mtok'->>'cache_write' AS DOUBLE) AS cache_write_usd_per_mtok,
  CAST(cost_detail->'usd_per_mtok'->>'output' AS DOUBLE) AS output_usd_per_mtok,
  CAST(count(*) AS INTEGER) AS calls,
  round(sum(cost_usd), 9) AS cost_usd
FROM filtered
WHERE cost_source = 'computed'
GROUP BY ALL
ORDER BY model, since NULLS FIRST, price_table
