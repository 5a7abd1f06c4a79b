-- The error sightings whose session, thread or time is still unknown: those
-- just found (memory.error_sightings) and those kept from earlier runs in
-- files whose sightings stay (memory.error_files). Their context is completed
-- again, with everything this run loaded.
SELECT abs, seq, observation, true AS staged
FROM memory.main.error_sightings
WHERE open
UNION ALL
SELECT abs, seq, observation::VARCHAR, false
FROM kept_sightings
WHERE open AND abs NOT IN (SELECT abs FROM memory.main.error_files WHERE gone)
ORDER BY abs, seq;
