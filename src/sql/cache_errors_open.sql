-- The cached error sightings still lacking a session, a thread or a time, in
-- files whose sightings stay (memory.error_files): their context is completed
-- again on every update, with what the run brings.
SELECT abs, seq, observation::VARCHAR AS observation, error_id, record_id
FROM cache_observations
WHERE open AND abs NOT IN (SELECT abs FROM memory.error_files WHERE gone)
ORDER BY abs, seq;
