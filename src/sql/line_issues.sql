-- Every rejected or repaired line, for `obs sources --issues`.
SELECT source_file, CAST(source_line AS INTEGER) AS source_line, problem, reason, excerpt
FROM line_issues
ORDER BY source_file, source_line
