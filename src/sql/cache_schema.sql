-- The cache's own tables, beside the loaded tables (schema.sql) in the cache
-- file: what was read of each file, and the error sightings in it, so that a
-- later run reads only what changed.

CREATE TABLE cache_meta (
  key         VARCHAR NOT NULL,  -- obs version, schema and settings the rows were read with
  state       VARCHAR NOT NULL,  -- ready, or building (a run stopped half-way: built again)
  missing     JSON NOT NULL,     -- index entries whose file was not there
  unreadable  JSON NOT NULL      -- paths that could not be examined
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
  report      JSON NOT NULL
);

-- Each error sighting as it was stored, and where: when a run brings new
-- sightings, only those that could merge with them are merged again.
CREATE TABLE cache_observations (
  abs         VARCHAR NOT NULL,
  seq         BIGINT NOT NULL,   -- its order in the file
  observation JSON NOT NULL,
  keys        VARCHAR[] NOT NULL, -- the messages it can meet others through (its own first)
  ts_us       DOUBLE,            -- its time, once its context was completed
  open        BOOLEAN NOT NULL,  -- lacking a session, a thread or a time: completed again on every update
  error_id    VARCHAR NOT NULL,  -- the row of errors it was merged into
  record_id   BIGINT NOT NULL    -- its row of error_records
);
