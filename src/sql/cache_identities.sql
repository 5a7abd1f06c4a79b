-- What the cache read of each file, as a walk finds it: path, name, device,
-- inode, size and time, and where it read to (see heldWalk in
-- src/cache/cache.ts).
SELECT abs, display, dev, ino, size::DOUBLE AS size, mtime_ms, read_to::DOUBLE AS read_to
FROM cache.cache_files
