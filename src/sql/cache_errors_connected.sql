-- The cached error sightings connected through their messages to a change
-- (memory.touched_keys: every message of every connected set, so a sighting's
-- own message, the first of its keys, is enough to find it).
SELECT abs, seq, ts_us, keys, error_id, record_id,
       abs IN (SELECT abs FROM memory.error_files WHERE gone) AS gone
FROM cache_observations
WHERE keys[1] IN (SELECT key FROM memory.touched_keys);
