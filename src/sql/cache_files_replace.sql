-- Before the accounting of the files a run looked at (memory.main.stored_files)
-- is written to the files' table: their old lines go, and so do those of
-- files the cache no longer holds (gone, or an entry that could not be
-- examined and is not there any more). The lines of files the run passed
-- over, as the cache read them, stay.
DELETE FROM files
WHERE path IN (SELECT path FROM memory.main.stored_files)
   OR path NOT IN (SELECT display FROM cache_files);
