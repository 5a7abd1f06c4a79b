-- Which error sightings are merged again, and in which batch.
--
-- memory.touched_keys (key, root) names every message of every set of
-- sightings connected through their messages to a change, with the set it is
-- in (root); a sighting's own message, the first of its keys, finds it. A run
-- is a stretch of one set's sightings, in time order, with no gap wider than
-- $gap µs between neighbours; a set with a sighting of no time is one run. A
-- run with a change in it (a sighting just found, or a kept one replaced) is
-- merged again whole, and so is a run that shares an occurrence with one.
-- Runs go into batches of about $batch sightings, never split.
CREATE OR REPLACE TABLE memory.main.error_runs AS
WITH s AS (
  SELECT f.abs, f.seq, f.ts_us, t.root, true AS staged, false AS replaced, NULL::VARCHAR AS error_id, NULL::BIGINT AS record_id
  FROM memory.main.error_sightings f
  JOIN memory.main.touched_keys t ON f.keys[1] = t.key
  UNION ALL
  SELECT k.abs, k.seq, k.ts_us, t.root, false, k.open OR k.abs IN (SELECT abs FROM memory.main.error_files WHERE gone), k.error_id, k.record_id
  FROM kept_sightings k
  JOIN memory.main.touched_keys t ON k.keys[1] = t.key
),
stepped AS (
  SELECT *,
    bool_or(ts_us IS NULL) OVER (PARTITION BY root) AS untimed,
    CASE WHEN ts_us - lag(ts_us) OVER (PARTITION BY root ORDER BY ts_us, abs, seq) > $gap THEN 1 ELSE 0 END AS step
  FROM s
),
runs AS (
  SELECT *,
    CASE WHEN untimed THEN 0 ELSE sum(step) OVER (PARTITION BY root ORDER BY ts_us, abs, seq ROWS UNBOUNDED PRECEDING) END AS run
  FROM stepped
),
changed AS (
  SELECT *, bool_or(staged OR replaced) OVER (PARTITION BY root, run) AS redo FROM runs
),
guarded AS (
  SELECT *,
    bool_or(redo OR error_id IN (SELECT error_id FROM changed WHERE redo AND error_id IS NOT NULL)) OVER (PARTITION BY root, run) AS again
  FROM changed
)
SELECT abs, seq, staged, replaced, error_id, record_id, root, run FROM guarded WHERE again;

-- The sightings to merge (those just found, and the kept ones not replaced), by batch.
CREATE OR REPLACE TABLE memory.main.error_batches AS
WITH sizes AS (
  SELECT root, run, count(*) FILTER (WHERE staged OR NOT replaced) AS n
  FROM memory.main.error_runs
  GROUP BY root, run
),
numbered AS (
  SELECT root, run, floor((sum(n) OVER (ORDER BY root, run ROWS UNBOUNDED PRECEDING) - n) / $batch)::BIGINT AS batch
  FROM sizes
)
SELECT b.batch, r.abs, r.seq, r.staged
FROM memory.main.error_runs r
JOIN numbered b USING (root, run)
WHERE r.staged OR NOT r.replaced;
