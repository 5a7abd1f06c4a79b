-- The files the cache read that the walk did not find (a file an index
-- names, found beside it), in the order they were read, with what the
-- cache knows of them.
SELECT abs, display, kind, dev, ino, size, mtime_ms, read_to, via_index, report::VARCHAR AS report
FROM cache.cache_files c
WHERE NOT EXISTS (SELECT 1 FROM memory.walked_files w WHERE w.abs = c.abs)
ORDER BY c.rowid
