-- Each set of messages error sightings can meet others through, once, and
-- whether a sighting with it changed: just found, or kept but replaced (its
-- file's sightings go, or its context is completed again).
SELECT keys, bool_or(changed) AS changed
FROM (
  SELECT keys, true AS changed FROM memory.main.error_sightings
  UNION ALL
  SELECT keys, open OR abs IN (SELECT abs FROM memory.main.error_files WHERE gone) FROM kept_sightings
)
GROUP BY keys;
