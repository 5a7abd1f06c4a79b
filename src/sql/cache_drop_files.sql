-- The rows of cached files that changed or are gone (memory.dropped_files),
-- before the changed ones are read again. Their error sightings go with the
-- errors brought up to date (cache_errors_drop.sql).
DELETE FROM events WHERE source_file IN (SELECT display FROM memory.dropped_files);
DELETE FROM llm_calls WHERE source_file IN (SELECT display FROM memory.dropped_files);
DELETE FROM spans WHERE source_file IN (SELECT display FROM memory.dropped_files);
DELETE FROM line_issues WHERE source_file IN (SELECT display FROM memory.dropped_files);
DELETE FROM session_index WHERE source_file IN (SELECT display FROM memory.dropped_files);
DELETE FROM cache_files WHERE abs IN (SELECT abs FROM memory.dropped_files);
DROP TABLE memory.dropped_files;
