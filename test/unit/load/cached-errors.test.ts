/**
 * Error sightings are merged a batch of runs at a time, and the cache brings
 * its errors up to date by merging again only the runs a change reaches
 * (src/load/errors/sightings.ts). Whatever the batches and the changes, the
 * errors must be those that merging every sighting at once gives: the same
 * occurrences (every column) and the same sightings in each. Checked on
 * seeded random histories of files read on, read again whole and removed,
 * with sightings that share messages, chains, sessions and bursts in time,
 * and sightings with no session or no time.
 */
import { describe, expect, it } from 'vitest';
import { Database } from '../../../src/db/database.js';
import { sqlFile } from '../../../src/db/sql-files.js';
import type { Observation } from '../../../src/load/errors/extract.js';
import { mergeSightings, SightingStage } from '../../../src/load/errors/sightings.js';
import { completeContext, Merger } from '../../../src/load/errors/store.js';
import { Prng } from '../../fuzz/prng.js';

const T0 = Date.UTC(2026, 10, 21, 22, 0, 0) * 1000;
const SECOND = 1_000_000;
const MESSAGES = ['Rate limit reached for gpt-4.1', 'Expecting value: line 1 column 1 (char 0)', "'start'", 'connection reset by peer'];
const TYPES = ['RateLimitError', 'JSONDecodeError', 'KeyError', null];
const SESSIONS = ['C0AA6HC1RJL:1795299499.694654', 'C07PLN4R2KD:1795299510.264323', 'C09ZR4K8LWD:1795299520.000001'];
const FILES = ['/logs/app.log', '/logs/app.jsonl', '/logs/llm_io_1.jsonl', '/logs/session_a.log', '/logs/session_b.log'];

function sighting(r: Prng, file: string, line: number, burst: number, untimed: number): Observation {
  const m = r.int(0, MESSAGES.length - 1);
  const session = r.chance(0.15) ? null : r.pick(SESSIONS);
  const ts = r.chance(untimed) ? null : burst + r.int(0, 3 * SECOND);
  const chained = r.chance(0.1);
  return {
    ts,
    sourceFile: file.slice(1),
    sourceLine: line,
    sourceKind: 'text',
    level: 'error',
    kind: TYPES[m] === null ? 'log' : 'exception',
    language: 'python',
    errorType: r.chance(0.2) ? null : TYPES[m]!,
    message: MESSAGES[m]!,
    frames: r.chance(0.5) ? [{ file: '/app/agent.py', line: 10 + m, function: 'run', code: null }] : [],
    chain: chained ? [{ type: 'ValueError', message: MESSAGES[(m + 1) % MESSAGES.length]! } as Observation['chain'][number]] : [],
    traceback: null,
    logger: 'agent',
    contextFrom: session === null ? 'none' : 'record',
    tsFrom: ts === null ? null : 'record',
    testId: null,
    session_key: session,
    thread_ts: session === null ? null : session.split(':')[1]!,
  };
}

/** A database as a load leaves it before the errors are stored: the tables, and the link tables error_context.sql reads. */
async function database(kept: boolean): Promise<Database> {
  const db = await Database.open();
  if (kept) await db.exec(sqlFile('sightings_kept.sql'));
  await db.exec(sqlFile('link.sql'));
  return db;
}

/** The sightings of the files read, staged as the loader stages them. */
async function stage(db: Database, kept: boolean, fresh: ReadonlyArray<{ abs: string; observations: Observation[] }>): Promise<void> {
  const s = await SightingStage.open(db, kept);
  for (const f of fresh) {
    s.startFile(f.abs);
    for (const o of f.observations) s.add(o);
  }
  s.close();
}

/** Every sighting merged at once, in memory: what the batches and the updates must give. */
async function mergedAtOnce(list: Observation[]): Promise<{ errors: unknown[]; records: unknown[] }> {
  const db = await database(false);
  await completeContext(db, list);
  await (await Merger.start(db)).merge(list);
  const out = await errorsOf(db);
  db.close();
  return out;
}

async function errorsOf(db: Database): Promise<{ errors: unknown[]; records: unknown[] }> {
  const errors = (await db.query('SELECT * FROM errors ORDER BY error_id')).rows;
  const records = (await db.query('SELECT * EXCLUDE (record_id) FROM error_records ORDER BY source_file, source_line, error_id, message')).rows;
  return { errors, records };
}

const copy = (list: readonly Observation[]): Observation[] => list.map((o) => structuredClone(o));

describe('the errors a cache keeps up to date', () => {
  it('are those that merging every sighting at once gives, whatever the batches', { timeout: 120_000 }, async () => {
    for (let seed = 101; seed <= 106; seed++) {
      const r = new Prng(seed);
      const untimed = seed % 2 === 0 ? 0.03 : 0;
      let clock = T0;
      const fresh = FILES.map((abs) => ({
        abs,
        observations: Array.from({ length: r.int(5, 30) }, (_, i) => {
          clock += r.chance(0.3) ? r.int(10, 60) * SECOND : r.int(0, 2 * SECOND);
          return sighting(r, abs, i + 1, clock, untimed);
        }),
      }));
      const expected = await mergedAtOnce(fresh.flatMap((f) => copy(f.observations)));
      for (const batch of [1, 7, 20_000]) {
        const db = await database(false);
        await stage(db, false, fresh.map((f) => ({ abs: f.abs, observations: copy(f.observations) })));
        const counts = await mergeSightings(db, { keep: false, gone: [], batch });
        expect(await errorsOf(db), `seed ${seed}, batch ${batch}`).toEqual(expected);
        if (batch === 1 && untimed === 0) expect(counts.batches, `seed ${seed}`).toBeGreaterThan(5);
        // Nothing is kept, and nothing is left behind.
        const left = await db.query("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name IN ('kept_sightings', 'error_sightings', 'error_runs', 'error_merging')");
        expect(left.rows[0]?.['n']).toBe(0);
        db.close();
      }
    }
  });

  it('are those that merging every sighting again gives, whatever the files do', { timeout: 120_000 }, async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const r = new Prng(seed);
      // A sighting with no time makes its whole set merged again: half the histories have none.
      const untimed = seed % 2 === 0 ? 0.03 : 0;
      const db = await database(true);
      // What each file holds now: its sightings, in order.
      const files = new Map<string, Observation[]>();
      const lines = new Map<string, number>();
      let clock = T0;
      let changedSome = 0;
      for (let step = 0; step < 8; step++) {
        const gone: string[] = [];
        const fresh: Array<{ abs: string; observations: Observation[] }> = [];
        for (const f of FILES) {
          const what = step === 0 ? 'new' : r.pick(['same', 'same', 'grow', 'grow', 'rewrite', 'remove']);
          if (what === 'same') continue;
          if (what === 'remove') {
            if (!files.has(f)) continue;
            files.delete(f);
            gone.push(f);
            continue;
          }
          const whole = what !== 'grow' || !files.has(f);
          if (whole && files.has(f)) gone.push(f);
          const list = whole ? [] : files.get(f)!;
          if (whole) lines.set(f, 0);
          const added: Observation[] = [];
          for (let n = r.int(0, 12); n > 0; n--) {
            // Bursts a few seconds long, mostly close together, sometimes far apart.
            clock += r.chance(0.3) ? r.int(10, 60) * SECOND : r.int(0, 2 * SECOND);
            const line = (lines.get(f) ?? 0) + 1;
            lines.set(f, line);
            added.push(sighting(r, f, line, clock, untimed));
          }
          files.set(f, [...list, ...added]);
          fresh.push({ abs: f, observations: copy(added) });
        }
        // The cache: what it held, brought up to date, in batches of a few sightings.
        const held = (await db.query('SELECT abs, observation::VARCHAR AS o FROM kept_sightings ORDER BY abs, seq')).rows;
        await stage(db, true, fresh.map((f) => ({ abs: f.abs, observations: copy(f.observations) })));
        const update = await mergeSightings(db, { keep: true, gone, batch: 5 });
        const total = [...files.values()].reduce((n, l) => n + l.length, 0);
        if (update.merged < total) changedSome++;

        // Merging every sighting again, from what the cache held and what was read.
        const all = new Map<string, Observation[]>();
        for (const h of held) {
          const abs = String(h['abs']);
          if (gone.includes(abs)) continue;
          all.set(abs, [...(all.get(abs) ?? []), JSON.parse(String(h['o'])) as Observation]);
        }
        for (const f of fresh) all.set(f.abs, [...(all.get(f.abs) ?? []), ...copy(f.observations)]);
        const expected = await mergedAtOnce([...all.keys()].sort().flatMap((abs) => all.get(abs)!));
        expect(await errorsOf(db), `seed ${seed}, step ${step}`).toEqual(expected);

        // Every sighting of every file is kept, once, with the occurrence it is in.
        const kept = await db.query(
          'SELECT count(*) AS n, count(DISTINCT (abs, seq)) AS d, count(*) FILTER (WHERE error_id NOT IN (SELECT error_id FROM errors)) AS orphans FROM kept_sightings',
        );
        expect(kept.rows[0], `seed ${seed}, step ${step}`).toEqual({ n: total, d: total, orphans: 0 });
      }
      db.close();
      // Without sightings of no time (which make their whole set merged again), some updates
      // left part of the cache as it was: the test covers what it is for.
      if (untimed === 0) expect(changedSome, `seed ${seed}`).toBeGreaterThan(0);
    }
  });
});
