-- The walk's files (memory.walked_files: its path, the name a row gives it
-- from this working directory, and what stat says) against what the cache
-- read, in one join. Returns:
--   * the walked files that are not as the cache read them (changed: true).
--     A file is as the cache read it when it is the same file (device,
--     inode), of the same size and time, read to its end, and named as the
--     rows name it;
--   * the files the cache read that the walk did not find (changed: false; a
--     file an index names, found beside it), in the order they were read,
--     with what the cache knows of them.
SELECT
  w.abs IS NOT NULL AS changed,
  c.abs, c.display, c.kind, c.dev, c.ino, c.size, c.mtime_ms, c.read_to, c.via_index, c.report::VARCHAR AS report
FROM memory.walked_files w
FULL JOIN cache.cache_files c ON c.abs = w.abs
WHERE c.abs IS NULL OR w.abs IS NULL
   OR c.dev <> w.dev OR c.ino <> w.ino
   OR c.size <> w.size OR c.mtime_ms <> w.mtime_ms
   OR c.read_to <> w.size
   OR c.display <> w.name
ORDER BY c.rowid
