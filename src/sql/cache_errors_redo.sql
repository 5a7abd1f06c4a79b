-- The cached error sightings merged again (memory.redo_sightings) that are
-- not held already: those that stay, with their context complete.
SELECT c.abs, c.seq, c.observation::VARCHAR AS observation
FROM cache_observations c
JOIN memory.redo_sightings r USING (abs, seq)
WHERE NOT c.open AND c.abs NOT IN (SELECT abs FROM memory.error_files WHERE gone);
