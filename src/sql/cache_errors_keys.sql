-- Each set of messages cached error sightings can meet others through, once,
-- and whether one of them lies in a file whose sightings go.
SELECT keys, bool_or(abs IN (SELECT abs FROM memory.error_files WHERE gone)) AS gone
FROM cache_observations
GROUP BY keys;
