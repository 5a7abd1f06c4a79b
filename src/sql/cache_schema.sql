-- The cache's own tables, beside the loaded tables (schema.sql) in the cache
-- file: what was read of each file, and the error sightings in it, so that a
-- later run reads only what changed.

CREATE TABLE cache_meta (
  key         VARCHAR NOT NULL,  -- obs version, schema and settings the rows were read with
  state       VARCHAR NOT NULL,  -- ready, or building (a run stopped half-way: built again)
  missing     JSON NOT NULL,     -- index entries whose file was not there
  unreadable  JSON NOT NULL,     -- paths that could not be examined
  sums        JSON NOT NULL,     -- cache_sums.sql over cache_files as written: a run that reads nothing takes it as it is
  walked      VARCHAR            -- digest of the walk the files were read from, when the cache holds those files only, read to their ends
);

CREATE TABLE cache_files (
  abs         VARCHAR NOT NULL,
  display     VARCHAR NOT NULL,
  kind        VARCHAR NOT NULL,
  dev         DOUBLE NOT NULL,
  ino         DOUBLE NOT NULL,
  size        BIGINT NOT NULL,
  mtime_ms    DOUBLE NOT NULL,
  read_to     BIGINT NOT NULL,   -- bytes read (-1: read again next time)
  lines       BIGINT NOT NULL,   -- lines up to read_to
  ends_cut    BOOLEAN NOT NULL,  -- the last line read had no line end
  tail_hash   VARCHAR,           -- of the bytes just before read_to: a file rewritten in place is read again
  via_index   BOOLEAN NOT NULL,
  defaults    JSON NOT NULL,
  report      JSON NOT NULL,
  noteworthy  BOOLEAN NOT NULL   -- the report has something to say: not loaded, lines rejected or repaired, or a note
);

-- The error sightings in the files: sightings_kept.sql.
