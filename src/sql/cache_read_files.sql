-- Before the entries of the files just read (memory.read_files) are written
-- again: their old entries go.
DELETE FROM cache_files WHERE abs IN (SELECT abs FROM memory.read_files);
DROP TABLE memory.read_files;
