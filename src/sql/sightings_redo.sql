-- The kept sightings merged again join those just found; their occurrences,
-- rows and kept entries go, and so do the kept entries of files whose
-- sightings go. Then every sighting to merge, in batch order (and in the
-- order read within a batch).
INSERT INTO memory.main.error_sightings
SELECT k.abs, k.seq, k.observation::VARCHAR, k.keys, k.ts_us, k.open
FROM kept_sightings k
JOIN memory.main.error_batches b ON k.abs = b.abs AND k.seq = b.seq AND NOT b.staged;

DELETE FROM errors WHERE error_id IN (SELECT error_id FROM memory.main.error_runs WHERE NOT staged);
DELETE FROM error_records WHERE record_id IN (SELECT record_id FROM memory.main.error_runs WHERE NOT staged);
DELETE FROM kept_sightings k USING memory.main.error_runs r WHERE NOT r.staged AND k.abs = r.abs AND k.seq = r.seq;
DELETE FROM kept_sightings WHERE abs IN (SELECT abs FROM memory.main.error_files WHERE gone);

CREATE OR REPLACE TABLE memory.main.error_merging AS
SELECT b.batch, s.abs, s.seq, s.observation, s.keys
FROM memory.main.error_sightings s
JOIN memory.main.error_batches b USING (abs, seq)
ORDER BY b.batch, s.abs, s.seq;

DROP TABLE memory.main.error_sightings;
