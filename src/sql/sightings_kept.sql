-- Each error sighting as it was merged, and where: when a run brings new
-- sightings, only those that could merge with them are merged again
-- (src/load/errors/sightings.ts). The cache keeps it; a read without the
-- cache has it only while the errors are merged.
CREATE TABLE kept_sightings (
  abs         VARCHAR NOT NULL,
  seq         BIGINT NOT NULL,   -- its order in the file
  observation JSON NOT NULL,
  keys        VARCHAR[] NOT NULL, -- the messages it can meet others through (its own first)
  ts_us       DOUBLE,            -- its time, once its context was completed
  open        BOOLEAN NOT NULL,  -- lacking a session, a thread or a time: completed again on every update
  error_id    VARCHAR NOT NULL,  -- the row of errors it was merged into
  record_id   BIGINT NOT NULL    -- its row of error_records
);
