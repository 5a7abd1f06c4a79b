-- The first rejected or repaired lines, for the inputs of `obs report`.
SELECT source_file, CAST(source_line AS INTEGER) AS source_line, problem, reason
FROM line_issues
ORDER BY problem = 'repaired', source_file, source_line
LIMIT $limit
