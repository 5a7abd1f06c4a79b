/**
 * The cache brings its errors up to date by merging again only the sightings
 * a run's changes can reach (src/cache/errors.ts). Whatever the changes, the
 * errors it keeps must be those that merging every sighting again gives: the
 * same occurrences (every column) and the same sightings in each. Checked on
 * seeded random histories of files read on, read again whole and removed,
 * with sightings that share messages, chains, sessions and bursts in time,
 * and sightings with no session or no time.
 */
import { describe, expect, it } from 'vitest';
import { Database } from '../../../src/db/database.js';
import { sqlFile } from '../../../src/db/sql-files.js';
import { storeCachedErrors, type ErrorChange } from '../../../src/cache/errors.js';
import type { Observation } from '../../../src/load/errors/extract.js';
import { storeErrors } from '../../../src/load/errors/store.js';
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
async function database(): Promise<Database> {
  const db = await Database.open();
  await db.exec(sqlFile('cache_schema.sql'));
  await db.exec(sqlFile('link.sql'));
  return db;
}

async function errorsOf(db: Database): Promise<{ errors: unknown[]; records: unknown[] }> {
  const errors = (await db.query('SELECT * FROM errors ORDER BY error_id')).rows;
  const records = (await db.query('SELECT * EXCLUDE (record_id) FROM error_records ORDER BY source_file, source_line, error_id, message')).rows;
  return { errors, records };
}

const copy = (list: readonly Observation[]): Observation[] => list.map((o) => structuredClone(o));

describe('the errors a cache keeps up to date', () => {
  it('are those that merging every sighting again gives, whatever the files do', { timeout: 120_000 }, async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const r = new Prng(seed);
      // A sighting with no time makes its whole set merged again: half the histories have none.
      const untimed = seed % 2 === 0 ? 0.03 : 0;
      const db = await database();
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
        // The cache: what it held, brought up to date.
        const change: ErrorChange = { gone, fresh };
        const held = (await db.query('SELECT abs, observation::VARCHAR AS o FROM cache_observations ORDER BY abs, seq')).rows;
        const update = await storeCachedErrors(db, change);
        if (update.merged < update.cached + update.fresh) changedSome++;

        // Merging every sighting again, from what the cache held and what was read.
        const all = new Map<string, Observation[]>();
        for (const h of held) {
          const abs = String(h['abs']);
          if (gone.includes(abs)) continue;
          all.set(abs, [...(all.get(abs) ?? []), JSON.parse(String(h['o'])) as Observation]);
        }
        for (const f of fresh) all.set(f.abs, [...(all.get(f.abs) ?? []), ...copy(f.observations)]);
        const again = await database();
        await storeErrors(again, [...all.keys()].sort().flatMap((abs) => all.get(abs)!));
        expect(await errorsOf(db), `seed ${seed}, step ${step}`).toEqual(await errorsOf(again));
        again.close();

        // Every sighting of every file is kept, once, with the occurrence it is in.
        const kept = await db.query(
          'SELECT count(*) AS n, count(DISTINCT (abs, seq)) AS d, count(*) FILTER (WHERE error_id NOT IN (SELECT error_id FROM errors)) AS orphans FROM cache_observations',
        );
        const total = [...files.values()].reduce((n, l) => n + l.length, 0);
        expect(kept.rows[0], `seed ${seed}, step ${step}`).toEqual({ n: total, d: total, orphans: 0 });
      }
      db.close();
      // Some updates left part of the cache as it was: the test covers what it is for.
      expect(changedSome, `seed ${seed}`).toBeGreaterThan(0);
    }
  });
});
