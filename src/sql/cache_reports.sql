-- The accounting of the walked files, as the cache remembers it, in the
-- order of the walk: one JSON array, so that a hundred thousand files
-- convert as one value. Every file ($every), or only those with something
-- to say (noteworthy: not loaded, lines rejected or repaired, or a note).
SELECT '[' || coalesce(string_agg(c.report::VARCHAR, ',' ORDER BY w.seq), '') || ']' AS reports
FROM memory.walked_files w
JOIN cache.cache_files c ON c.abs = w.abs
WHERE $every OR c.noteworthy
