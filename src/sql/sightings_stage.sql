-- The error sightings found while the files are read, as they are found
-- (the loader appends them): merged into occurrences once every file is read.
CREATE OR REPLACE TABLE memory.main.error_sightings (
  abs         VARCHAR NOT NULL,
  seq         BIGINT NOT NULL,   -- its order in the file
  observation VARCHAR NOT NULL,  -- the sighting (Observation) as JSON
  keys        VARCHAR[] NOT NULL, -- the messages it can meet others through (its own first)
  ts_us       DOUBLE,
  open        BOOLEAN NOT NULL   -- lacking a session, a thread or a time
);
