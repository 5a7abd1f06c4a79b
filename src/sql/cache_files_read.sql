-- What the cache read of each file, one JSON object per file in the shape
-- of CachedFile (src/cache/cache.ts).
SELECT json_object(
  'abs', abs,
  'display', display,
  'kind', kind,
  'dev', dev,
  'ino', ino,
  'size', size,
  'mtimeMs', mtime_ms,
  'readTo', read_to,
  'lines', lines,
  'endsCut', ends_cut,
  'tailHash', tail_hash,
  'viaIndex', via_index,
  'defaults', defaults,
  'report', report
)::VARCHAR AS entry
FROM cache.cache_files
