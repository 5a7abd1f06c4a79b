-- How many errors (occurrences) the caller's "filtered" holds, and how many fingerprints.
SELECT
  CAST(count(*) AS INTEGER) AS count,
  CAST(count(DISTINCT fingerprint) AS INTEGER) AS fingerprints
FROM filtered
