-- Before the files to be read on from where they stopped (memory.read_files)
-- are read, and their entries written again as each is read: their old
-- entries go.
DELETE FROM cache_files WHERE abs IN (SELECT abs FROM memory.read_files);
DROP TABLE memory.read_files;
