-- The accounting of the files the cache read, as it remembers it: one JSON
-- array, so that a hundred thousand files convert as one value. Every file
-- ($every), or only those with something to say (noteworthy: not loaded,
-- lines rejected or repaired, or a note). The caller puts them in the order
-- of its walk.
SELECT '[' || coalesce(string_agg(report::VARCHAR, ','), '') || ']' AS reports
FROM cache.cache_files
WHERE $every OR noteworthy
