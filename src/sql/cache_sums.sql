-- Sums over every file the cache read (LoadResult.sums), from the
-- accounting it remembers, with no object per file: worked out once when the
-- cache is written (cache_meta.sums), not by each run that reads nothing.
SELECT
  count(*)::DOUBLE AS files,
  count(*) FILTER (WHERE (report->>'status') = 'loaded')::DOUBLE AS loaded,
  count(*) FILTER (WHERE (report->>'status') = 'skipped')::DOUBLE AS skipped,
  count(*) FILTER (WHERE (report->>'status') = 'unreadable')::DOUBLE AS unreadable,
  coalesce(sum((report->>'lines')::BIGINT), 0)::DOUBLE AS lines,
  coalesce(sum((report->>'records')::BIGINT), 0)::DOUBLE AS records,
  coalesce(sum((report->>'untimed')::BIGINT), 0)::DOUBLE AS untimed,
  coalesce(sum((report->>'rejected')::BIGINT), 0)::DOUBLE AS rejected,
  coalesce(sum((report->>'repaired')::BIGINT), 0)::DOUBLE AS repaired
FROM cache.cache_files
