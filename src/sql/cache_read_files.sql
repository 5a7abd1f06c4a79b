-- Before the entries of the files just read (memory.read_files) are written
-- again: their old entries go, and the sightings of the files read whole.
DELETE FROM cache_files WHERE abs IN (SELECT abs FROM memory.read_files);
DELETE FROM cache_observations WHERE abs IN (SELECT abs FROM memory.read_files WHERE whole);
DROP TABLE memory.read_files;
