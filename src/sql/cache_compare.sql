-- The walk's files (memory.walked_files: its path, the name a row gives it
-- from this working directory, and what stat says) against what the cache
-- read, in one join. Returns, with what the cache knows of each (one JSON
-- object in the shape of CachedFile in src/cache/cache.ts; NULL for a file
-- the cache has not read):
--   * the walked files that are not as the cache read them (name: the walk's
--     name for the file).
--     A file is as the cache read it when it is the same file (device,
--     inode), of the same size and time, read to its end, and named as the
--     rows name it;
--   * the files the cache read that the walk did not find (name: NULL; a
--     file an index names, found beside it, or a file that is gone), in the
--     order they were read.
-- The files that are as the cache read them are left out: a hundred thousand
-- unchanged files cost the join, not a row each.
SELECT
  w.name,
  coalesce(w.abs, c.abs) AS abs,
  CASE WHEN c.abs IS NOT NULL THEN json_object(
    'abs', c.abs,
    'display', c.display,
    'kind', c.kind,
    'dev', c.dev,
    'ino', c.ino,
    'size', c.size,
    'mtimeMs', c.mtime_ms,
    'readTo', c.read_to,
    'lines', c.lines,
    'endsCut', c.ends_cut,
    'tailHash', c.tail_hash,
    'viaIndex', c.via_index,
    'defaults', c.defaults,
    'report', c.report
  )::VARCHAR END AS entry
FROM memory.walked_files w
FULL JOIN cache.cache_files c ON c.abs = w.abs
WHERE c.abs IS NULL OR w.abs IS NULL
   OR w.size < 0
   OR c.dev <> w.dev OR c.ino <> w.ino
   OR c.size <> w.size OR c.mtime_ms <> w.mtime_ms
   OR c.read_to <> w.size
   OR c.display <> w.name
ORDER BY w.seq NULLS LAST, c.rowid
