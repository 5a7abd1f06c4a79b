/**
 * Error sightings on their way to occurrences, through DuckDB rather than
 * JavaScript's memory: the loader stages each sighting as it is found
 * (SightingStage), and once every file is read, mergeSightings merges them a
 * batch at a time, so memory holds one batch, not every sighting of the logs.
 *
 * What may be merged apart: two sightings can only merge, or compete for one
 * occurrence, when they are connected through their messages (mergeKeys) and
 * lie within a merge window of each other. So the sightings fall into runs:
 * the sightings of one connected set, in time order, with no gap of
 * INDEPENDENT_GAP_MICROS between neighbours (a set with a sighting of no time
 * is one run, since such a sighting may join an occurrence of any time).
 * Merging run by run gives what merging everything at once gives.
 *
 * The cache keeps every sighting with its occurrence (kept_sightings). An
 * update merges again only the runs a change reaches: a sighting just found, or a
 * kept one replaced (its file is gone or read again whole, or its session or
 * time is still unknown and is completed again). Every other occurrence
 * stays as it is.
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import { duckdb } from '../../db/duckdb.js';
import type { Database, Row } from '../../db/database.js';
import { sqlFile } from '../../db/sql-files.js';
import type { Observation } from './extract.js';
import { INDEPENDENT_GAP_MICROS, mergeKeys } from './merge.js';
import { completeContext, isOpen, Merger } from './store.js';

/** Sightings merged at a time (whole runs: a run larger than this is one batch). */
export const MERGE_BATCH = 5_000;
/** Sightings, or characters of them, staged between flushes of the appender. */
const STAGE_FLUSH_ROWS = 5_000;
const STAGE_FLUSH_CHARS = 16 * 1024 * 1024;

const KEYS_TYPE = duckdb.LIST(duckdb.VARCHAR);

function appendSighting(a: DuckDBAppender, abs: string, seq: number, o: Observation, keys: string[] = mergeKeys(o)): number {
  const json = JSON.stringify(o);
  a.appendVarchar(abs);
  a.appendBigInt(BigInt(seq));
  a.appendVarchar(json);
  a.appendList(keys, KEYS_TYPE);
  if (o.ts === null) a.appendNull();
  else a.appendDouble(o.ts);
  a.appendBoolean(isOpen(o));
  return json.length;
}

/** The sightings found while the files are read, appended to memory.error_sightings as they are found. */
export class SightingStage {
  private abs = '';
  private rows = 0;
  private chars = 0;

  private constructor(
    private readonly appender: DuckDBAppender,
    private seq: number,
  ) {}

  /** After the sightings the cache keeps, when it keeps some: each file's new sightings follow its old ones. */
  static async open(db: Database, kept: boolean): Promise<SightingStage> {
    await db.exec(sqlFile('sightings_stage.sql'));
    const first = kept ? Number((await db.query('SELECT coalesce(max(seq) + 1, 0) AS n FROM kept_sightings')).rows[0]?.['n'] ?? 0) : 0;
    return new SightingStage(await db.appender('error_sightings', 'memory'), first);
  }

  /** The file whose sightings come next (its absolute path). */
  startFile(abs: string): void {
    this.abs = abs;
  }

  add(o: Observation): void {
    this.chars += appendSighting(this.appender, this.abs, this.seq++, o);
    this.appender.endRow();
    if (++this.rows < STAGE_FLUSH_ROWS && this.chars < STAGE_FLUSH_CHARS) return;
    this.appender.flushSync();
    this.rows = 0;
    this.chars = 0;
  }

  close(): void {
    this.appender.closeSync();
  }
}

/** Union-find over messages: which sightings are connected. */
class Messages {
  private readonly parent = new Map<string, string>();

  root(key: string): string {
    let r = key;
    let up = this.parent.get(r);
    if (up === undefined) {
      this.parent.set(key, key);
      return key;
    }
    while (up !== r) {
      r = up!;
      up = this.parent.get(r);
    }
    for (let k = key; k !== r; ) {
      const next = this.parent.get(k)!;
      this.parent.set(k, r);
      k = next;
    }
    return r;
  }

  join(keys: readonly string[]): void {
    const first = this.root(keys[0]!);
    for (const k of keys.slice(1)) {
      const r = this.root(k);
      if (r !== first) this.parent.set(r, first);
    }
  }

  keys(): IterableIterator<string> {
    return this.parent.keys();
  }
}

export interface MergeOptions {
  /** Keep every sighting with its occurrence for the next run (the cache), or merge the staged ones and forget them. */
  keep: boolean;
  /** Files whose kept sightings go: gone, changed, or read again whole. */
  gone: readonly string[];
  /** Sightings merged at a time (MERGE_BATCH). */
  batch?: number;
}

/** How much was merged: for a test, or a look at what an update cost. */
export interface MergeCounts {
  /** Sightings merged (just found, and kept ones merged again). */
  merged: number;
  /** Of them, kept ones. */
  again: number;
  batches: number;
}

const TEMP_TABLES = ['error_files', 'error_sightings', 'touched_keys', 'error_runs', 'error_batches', 'error_merging'];

/** Merges the staged sightings into occurrences, with the kept ones they can reach (see the top of this file). */
export async function mergeSightings(db: Database, opts: MergeOptions): Promise<MergeCounts> {
  // Read without the cache: nothing is kept, and the kept table is empty while the merge runs.
  if (!opts.keep) await db.exec(sqlFile('sightings_kept.sql'));
  try {
    await db.fillTable('error_files', 'abs VARCHAR, gone BOOLEAN', opts.gone.map((abs) => [abs, true]));
    return await merge(db, opts.keep, opts.batch ?? MERGE_BATCH);
  } finally {
    for (const t of TEMP_TABLES) await db.exec(`DROP TABLE IF EXISTS memory.main.${t}`);
    if (!opts.keep) await db.exec('DROP TABLE kept_sightings');
  }
}

async function merge(db: Database, keep: boolean, batchSize: number): Promise<MergeCounts> {
  // 1. Sightings whose session, thread or time is unknown: completed with everything loaded, and staged again.
  const open = await db.query(sqlFile('sightings_open.sql'));
  if (open.rows.length > 0) {
    const list = open.rows.map((r) => ({ abs: String(r['abs']), seq: Number(r['seq']), o: JSON.parse(String(r['observation'])) as Observation }));
    await completeContext(db, list.map((x) => x.o));
    await db.exec('DELETE FROM memory.main.error_sightings WHERE open');
    const a = await db.appender('error_sightings', 'memory');
    for (const x of list) {
      appendSighting(a, x.abs, x.seq, x.o);
      a.endRow();
    }
    a.closeSync();
  }

  // 2. The sets of messages connected to a change. Each step gives back what it freed before the next (Database.releaseMemory),
  // and the steps that group and sort every sighting try to do so in less room than DuckDB's usual (Database.tight).
  const lists = await db.tight(() => db.query(sqlFile('sightings_keys.sql')));
  await db.releaseMemory();
  const messages = new Messages();
  for (const r of lists.rows) messages.join(r['keys'] as string[]);
  const touched = new Set(lists.rows.filter((r) => r['changed'] === true).map((r) => messages.root((r['keys'] as string[])[0]!)));
  if (touched.size === 0) return { merged: 0, again: 0, batches: 0 };
  const keys = [...messages.keys()].flatMap((k) => {
    const root = messages.root(k);
    return touched.has(root) ? [[k, root]] : [];
  });
  await db.fillTable('touched_keys', 'key VARCHAR, root VARCHAR', keys);

  // 3. The runs a change reaches, in batches; the kept sightings in them are taken out to be merged again.
  await db.execScript(sqlFile('sightings_runs.sql'), { gap: INDEPENDENT_GAP_MICROS, batch: batchSize }, { release: true, tight: true });
  const counts = await db.query(
    'SELECT count(*) AS merged, count(*) FILTER (WHERE NOT staged) AS again, coalesce(max(batch) + 1, 0) AS batches FROM memory.main.error_batches',
  );
  const c = counts.rows[0] ?? {};
  const result: MergeCounts = { merged: Number(c['merged'] ?? 0), again: Number(c['again'] ?? 0), batches: Number(c['batches'] ?? 0) };
  await db.execScript(sqlFile('sightings_redo.sql'), {}, { release: true, tight: true });

  // 4. Batch by batch: merged, stored, and kept.
  const merger = await Merger.start(db);
  // A batch reads its sightings and appends rows: DuckDB needs no room to sort or join, as while files are read.
  // The batches are fetched as a listing's chunks are, so that their results' native memory is freed as it piles up
  // (V8 does not see it, and lets it wait).
  async function* batches(): AsyncGenerator<Row[]> {
    for (let batch = 0; batch < result.batches; batch++) {
      yield (await db.query('SELECT abs, seq, observation, keys FROM memory.main.error_merging WHERE batch = $batch ORDER BY abs, seq', { batch })).rows;
    }
  }
  await db.appending(async () => {
    for await (const rows of db.fetching(batches())) {
      const observations = rows.map((r) => JSON.parse(String(r['observation'])) as Observation);
      const stored = await merger.merge(observations);
      if (keep) {
        const a = await db.appender('kept_sightings');
        for (const [i, r] of rows.entries()) {
          appendSighting(a, String(r['abs']), Number(r['seq']), observations[i]!, r['keys'] as string[]);
          a.appendVarchar(stored.errorIds[i]!);
          a.appendBigInt(BigInt(stored.recordIds[i]!));
          a.endRow();
        }
        a.closeSync();
      }
      await db.releaseMemory();
    }
  });
  return result;
}
