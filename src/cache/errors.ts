/**
 * The cache's error sightings (cache_observations) and the occurrences made
 * of them (errors, error_records), brought up to date without merging every
 * sighting again.
 *
 * Two sightings can only merge, or compete for one occurrence, when they are
 * connected through their messages (mergeKeys) and lie within a merge window
 * of each other. So what a run changes (sightings read now, the sightings of
 * files gone or read again whole, cached sightings whose context is still
 * open and is completed again) reaches only the sightings connected to it
 * through messages, and of those only the ones that no gap of
 * INDEPENDENT_GAP_MICROS sets apart. Those are merged again, as a load of
 * every file would merge them; every other occurrence stays as it is. A set
 * of connected sightings with one of no time is merged again whole: such a
 * sighting may join an occurrence of any time.
 */
import { LIST, VARCHAR } from '@duckdb/node-api';
import type { Database } from '../db/database.js';
import { sqlFile } from '../db/sql-files.js';
import type { Observation } from '../load/errors/extract.js';
import { INDEPENDENT_GAP_MICROS, mergeKeys } from '../load/errors/merge.js';
import { completeContext, isOpen, mergeAndStore } from '../load/errors/store.js';

export interface ErrorChange {
  /** Files whose cached sightings go: gone, changed, or read again whole. */
  gone: readonly string[];
  /** The sightings read in this run, by file (its absolute path), in the order read. */
  fresh: ReadonlyArray<{ abs: string; observations: readonly Observation[] }>;
}

interface Sighting {
  abs: string;
  seq: number;
  ts: number | null;
  keys: string[];
  /** Held in full: read now, reopened, or to be merged again. */
  observation?: Observation;
  /** Where a cached sighting was stored. */
  stored?: { errorId: string; recordId: number };
  /** Its file's cached sightings go. */
  gone: boolean;
  /** Read now, gone, or reopened: the sightings it can meet are merged again. */
  changed: boolean;
  redo: boolean;
}

/** What the counts were, for a test or a profile: how much of the cache an update touched. */
export interface ErrorUpdate {
  cached: number;
  fresh: number;
  merged: number;
}

const idOf = (abs: string, seq: number): string => `${abs}\u0000${seq}`;

/** A table of this run's own values in the memory catalog, for the statements of cache_errors_*.sql. */
async function fillTable(db: Database, table: string, columns: string, rows: ReadonlyArray<ReadonlyArray<string | number | boolean>>): Promise<void> {
  await db.exec(`CREATE OR REPLACE TABLE memory.main.${table} (${columns})`);
  const a = await db.appender(table, 'memory');
  for (const row of rows) {
    for (const v of row) {
      if (typeof v === 'number') a.appendBigInt(BigInt(v));
      else if (typeof v === 'boolean') a.appendBoolean(v);
      else a.appendVarchar(v);
    }
    a.endRow();
  }
  a.closeSync();
}

function parsed(r: Record<string, unknown>): Sighting {
  const observation = JSON.parse(String(r['observation'])) as Observation;
  return {
    abs: String(r['abs']),
    seq: Number(r['seq']),
    ts: observation.ts,
    keys: mergeKeys(observation),
    observation,
    stored: { errorId: String(r['error_id']), recordId: Number(r['record_id']) },
    gone: false,
    changed: true,
    redo: true,
  };
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

/**
 * Marks what must be merged again among the sightings of one connected set:
 * every one of them when one has no time, else each run of sightings (in
 * time order, no gap wider than INDEPENDENT_GAP_MICROS) that holds a change.
 */
function markRedo(set: Sighting[]): void {
  if (set.some((s) => s.ts === null)) {
    for (const s of set) s.redo = true;
    return;
  }
  set.sort((a, b) => a.ts! - b.ts!);
  let start = 0;
  for (let i = 1; i <= set.length; i++) {
    if (i < set.length && set[i]!.ts! - set[i - 1]!.ts! <= INDEPENDENT_GAP_MICROS) continue;
    const run = set.slice(start, i);
    if (run.some((s) => s.changed)) for (const s of run) s.redo = true;
    start = i;
  }
}

/**
 * Stores this run's sightings and merges again what they (and the files gone)
 * can reach. On an empty cache that is everything: the same as storeErrors.
 */
export async function storeCachedErrors(db: Database, change: ErrorChange): Promise<ErrorUpdate> {
  const gone = new Set(change.gone);
  const stay = change.fresh.filter((f) => f.observations.length > 0 && !gone.has(f.abs)).map((f) => f.abs);
  await fillTable(db, 'error_files', 'abs VARCHAR, gone BOOLEAN', [...[...gone].map((abs) => [abs, true]), ...stay.map((abs) => [abs, false])]);
  try {
    return await update(db, change);
  } finally {
    await db.exec('DROP TABLE IF EXISTS memory.main.error_files; DROP TABLE IF EXISTS memory.main.touched_keys; DROP TABLE IF EXISTS memory.main.redo_sightings');
  }
}

async function update(db: Database, change: ErrorChange): Promise<ErrorUpdate> {
  // 1. Cached sightings still open: completed again, with what this run brings.
  const open = await db.query(sqlFile('cache_errors_open.sql'));
  const reopened = open.rows.map(parsed);

  // 2. This run's sightings, numbered after the cached ones of their file.
  const next = await db.query('SELECT abs, max(seq) + 1 AS next FROM cache_observations JOIN memory.error_files USING (abs) WHERE NOT gone GROUP BY abs');
  const nextSeq = new Map(next.rows.map((r) => [String(r['abs']), Number(r['next'])]));
  const fresh: Sighting[] = [];
  for (const f of change.fresh) {
    let seq = nextSeq.get(f.abs) ?? 0;
    for (const o of f.observations) fresh.push({ abs: f.abs, seq: seq++, ts: null, keys: [], observation: o, gone: false, changed: true, redo: true });
  }
  const full = [...fresh, ...reopened];
  if (full.length === 0 && change.gone.length === 0) return { cached: 0, fresh: 0, merged: 0 };
  await completeContext(db, full.map((s) => s.observation!));
  for (const s of full) {
    s.ts = s.observation!.ts;
    s.keys = mergeKeys(s.observation!);
  }

  // 3. The messages connected to a change.
  const messages = new Messages();
  const lists = await db.query(sqlFile('cache_errors_keys.sql'));
  const touchedRoots = new Set<string>();
  for (const r of lists.rows) messages.join(r['keys'] as string[]);
  for (const s of full) messages.join(s.keys);
  for (const r of lists.rows) if (r['gone'] === true) touchedRoots.add(messages.root((r['keys'] as string[])[0]!));
  for (const s of full) touchedRoots.add(messages.root(s.keys[0]!));
  const touched = [...messages.keys()].filter((k) => touchedRoots.has(messages.root(k)));
  await fillTable(db, 'touched_keys', 'key VARCHAR', touched.map((k) => [k]));

  // 4. The cached sightings connected to a change: what is merged again among them.
  const byId = new Map(reopened.map((s) => [idOf(s.abs, s.seq), s]));
  const connected = await db.query(sqlFile('cache_errors_connected.sql'));
  const sets = new Map<string, Sighting[]>();
  const place = (s: Sighting): void => {
    const root = messages.root(s.keys[0]!);
    const set = sets.get(root);
    if (set === undefined) sets.set(root, [s]);
    else set.push(s);
  };
  for (const r of connected.rows) {
    const again = byId.get(idOf(String(r['abs']), Number(r['seq'])));
    if (again !== undefined) {
      place(again);
      continue;
    }
    const gone = r['gone'] === true;
    place({
      abs: String(r['abs']),
      seq: Number(r['seq']),
      ts: typeof r['ts_us'] === 'number' ? r['ts_us'] : null,
      keys: r['keys'] as string[],
      stored: { errorId: String(r['error_id']), recordId: Number(r['record_id']) },
      gone,
      changed: gone,
      redo: false,
    });
  }
  for (const s of fresh) place(s);
  for (const set of sets.values()) markRedo(set);
  // An occurrence is merged again whole (its sightings always share a run; this is a guard).
  const redoIds = new Set<string>();
  for (const set of sets.values()) for (const s of set) if (s.redo && s.stored) redoIds.add(s.stored.errorId);
  const cached: Sighting[] = [];
  for (const set of sets.values()) {
    for (const s of set) {
      if (s.stored && redoIds.has(s.stored.errorId)) s.redo = true;
      if (s.redo && s.stored) cached.push(s);
    }
  }

  // 5. Out with the occurrences merged again, and in with the sightings they are made of.
  await fillTable(
    db,
    'redo_sightings',
    'abs VARCHAR, seq BIGINT, error_id VARCHAR, record_id BIGINT',
    cached.map((s) => [s.abs, s.seq, s.stored!.errorId, s.stored!.recordId]),
  );
  const wanted = await db.query(sqlFile('cache_errors_redo.sql'));
  const loaded = new Map(wanted.rows.map((r) => [idOf(String(r['abs']), Number(r['seq'])), r]));
  const again: Sighting[] = [];
  for (const s of cached) {
    if (s.gone) continue;
    if (s.observation === undefined) {
      const r = loaded.get(idOf(s.abs, s.seq));
      if (r === undefined) throw new Error(`the cache lost an error sighting of ${s.abs}: delete the cache file, or run with --no-cache`);
      s.observation = JSON.parse(String(r['observation'])) as Observation;
    }
    again.push(s);
  }
  await db.exec(sqlFile('cache_errors_drop.sql'));

  // 6. Merged as one load of every file would merge them: in the order read, file by file.
  const merging = [...again, ...fresh].sort((a, b) => (a.abs < b.abs ? -1 : a.abs > b.abs ? 1 : a.seq - b.seq));
  const stored = await mergeAndStore(db, merging.map((s) => s.observation!));
  const a = await db.appender('cache_observations');
  for (const [i, s] of merging.entries()) {
    const o = s.observation!;
    a.appendVarchar(s.abs);
    a.appendBigInt(BigInt(s.seq));
    a.appendVarchar(JSON.stringify(o));
    a.appendList(s.keys, LIST(VARCHAR));
    if (o.ts === null) a.appendNull();
    else a.appendDouble(o.ts);
    a.appendBoolean(isOpen(o));
    a.appendVarchar(stored.errorIds[i]!);
    a.appendBigInt(BigInt(stored.recordIds[i]!));
    a.endRow();
  }
  a.closeSync();
  return { cached: connected.rows.length, fresh: fresh.length, merged: merging.length };
}
