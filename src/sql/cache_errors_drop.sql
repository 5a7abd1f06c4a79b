-- Before the error sightings merged again are stored again: their
-- occurrences, their rows and their cached entries go, and the cached
-- entries of files whose sightings go.
DELETE FROM errors WHERE error_id IN (SELECT error_id FROM memory.redo_sightings);
DELETE FROM error_records WHERE record_id IN (SELECT record_id FROM memory.redo_sightings);
DELETE FROM cache_observations c USING memory.redo_sightings r WHERE c.abs = r.abs AND c.seq = r.seq;
DELETE FROM cache_observations WHERE abs IN (SELECT abs FROM memory.error_files WHERE gone);
