-- Whether the cache holds every file the walk found as it is now
-- (memory.walked_files: its path, the name a row gives it from this working
-- directory, and what stat says). A file is as the cache read it when it is
-- the same file (device, inode), of the same size and time, read to its end,
-- and named as the rows name it. Returns the walked files that are not.
SELECT count(*) AS changed
FROM memory.walked_files w
LEFT JOIN cache.cache_files c ON c.abs = w.abs
WHERE c.abs IS NULL
   OR c.dev <> w.dev OR c.ino <> w.ino
   OR c.size <> w.size OR c.mtime_ms <> w.mtime_ms
   OR c.read_to <> w.size
   OR c.display <> w.name
