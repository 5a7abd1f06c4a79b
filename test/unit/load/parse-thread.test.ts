/**
 * Parsing on a thread of its own (src/load/parse-ahead.ts) loads exactly what
 * parsing beside the appender loads: every table, every file's accounting,
 * the progress told, with the config's formats and prices, through the cache
 * and reading a grown file on. The thread starts only for large loads, and a
 * thread that fails says so.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadCached } from '../../../src/cache/cache.js';
import { Database } from '../../../src/db/database.js';
import { FormatSet, withDefaults } from '../../../src/formats/formats.js';
import { PriceBook } from '../../../src/llm/prices.js';
import { loadSources, type LoadOptions, type LoadProgress } from '../../../src/load/load.js';
import { PARSE_THREAD_BYTES, ParseAhead, ThreadTasks, type ParseTask } from '../../../src/load/parse-ahead.js';
import type { PlaybackSink } from '../../../src/load/read-file.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../fixtures');
const dir = mkdtempSync(path.join(tmpdir(), 'obs-parse-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** A format of the config file's: read before the built-in ones, so its name in events.format shows the thread had it. */
const USER_FORMAT = withDefaults({ name: 'myapp', type: 'regex', pattern: '^(?<ts>\\S+Z) myapp (?<level>[A-Z]+) (?<message>.*)$' });
const PRICES = [{ model: 'ft:gpt-4o-mini:*', input: 0.3, cache_read: 0.15, output: 1.2 }];

function options(parseThread: LoadOptions['parseThread'], progress?: LoadProgress): LoadOptions {
  // A line without a line end is held as still being written by both loads, however far apart they run.
  return { tz: 'Europe/Berlin', cwd: dir, formats: FormatSet.create([USER_FORMAT]), prices: new PriceBook(PRICES), parseThread, progress, stillWritingMs: 600_000 };
}

const SETTINGS = { tz: 'UTC', userFormats: [], priceConfig: [], holdUnterminated: false, holdIfWrittenWithinMs: 0, progress: true };

/** As JSON, without what differs between two loads of the same files: how long ago a file was written, and the cache's file name. */
const json = (v: unknown): string =>
  JSON.stringify(v, (k, x: unknown) => (typeof x === 'bigint' ? x.toString() : k === 'file' && typeof x === 'string' ? '(cache file)' : x)).replace(/written \d+ ms before/g, 'written (some) ms before');

/** Every table of the database, each row as JSON, sorted (a table built by a GROUP BY has no order of its own). */
async function tables(db: Database): Promise<Record<string, string[]>> {
  const names = (await db.query("SELECT table_name AS t FROM duckdb_tables() WHERE database_name = 'memory' ORDER BY 1")).rows.map((r) => String(r['t']));
  const out: Record<string, string[]> = {};
  for (const t of names) out[t] = (await db.query(`SELECT * FROM memory.main."${t}"`)).rows.map(json).sort();
  return out;
}

/** Loads the specs in memory with the thread or without: the result, every table, and what progress was told. */
async function load(specs: string[], parseThread: LoadOptions['parseThread']) {
  const told = { files: [] as string[], bytes: 0, lines: 0 };
  const progress: LoadProgress = {
    total: () => {},
    fileStarted: (p) => told.files.push(p),
    read: (b, l) => {
      told.bytes += b;
      told.lines += l;
    },
    fileFinished: () => {},
    filesRead: () => {},
  };
  const db = await Database.open();
  try {
    const result = await loadSources(db, specs, options(parseThread, progress));
    return { result: json(result), tables: await tables(db), told };
  } finally {
    db.close();
  }
}

/** Logs with what the loader must get right whoever parses: bad lines, repairs, a cut gzip stream, the user's format, a multi-line traceback. */
function oddLogs(): string {
  const logs = path.join(dir, `odd-${Math.random().toString(36).slice(2)}`);
  mkdirSync(logs);
  writeFileSync(
    path.join(logs, 'app.jsonl'),
    [
      JSON.stringify({ ts: '2026-11-21T08:00:00Z', level: 'info', event: 'turn_start', session_key: 'C1:1.2' }),
      '{"ts": "2026-11-21T08:00:01Z", "level": "error", "cut',
      '',
      'plain text inside JSON lines',
      JSON.stringify({ ts: '2026-11-21T08:00:02Z', level: 'error', event: 'plan_failed', exc_info: 'Traceback (most recent call last):\n  File "a.py", line 1, in <module>\nValueError: bad plan' }),
    ].join('\n') + '\n',
  );
  writeFileSync(path.join(logs, 'repaired.log'), Buffer.concat([Buffer.from('2026-11-21T08:00:03Z myapp INFO caf'), Buffer.from([0xe9, 0x00]), Buffer.from('\n2026-11-21T08:00:04Z myapp ERROR boom\n')]));
  writeFileSync(
    path.join(logs, 'worker.log'),
    '2026-11-21 09:00:00,001 ERROR planner: step failed\nTraceback (most recent call last):\n  File "w.py", line 3, in run\n    plan()\nKeyError: \'slot\'\n2026-11-21 09:00:01,002 INFO planner: retry\n',
  );
  const gz = gzipSync('2026-11-21 09:00:00,001 INFO a: one\n'.repeat(2000));
  writeFileSync(path.join(logs, 'cut.log.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
  writeFileSync(path.join(logs, 'llm_io_20261121_080000_7.jsonl'), `${JSON.stringify({ event_type: 'LLMCall', ts: '2026-11-21T08:00:07Z', model: 'ft:gpt-4o-mini:acme', usage: { prompt_tokens: 1000, completion_tokens: 10 } })}\n`);
  writeFileSync(path.join(logs, 'still.jsonl'), `${JSON.stringify({ ts: '2026-11-21T08:00:05Z', message: 'done' })}\n{"ts": "2026-11-21T08:00:06Z", "mess`);
  return logs;
}

const FIXTURE_SETS = [
  ['the sample corpus', ['sample-corpus/logs', 'sample-corpus/traces', 'sample-corpus/tracebacks']],
  ['the LLM audit logs', ['llm/logs']],
  ['the generated logs', ['generated/logs']],
  ['the formats', ['formats/logs', 'formats/gunicorn', 'formats/mixed', 'formats/otel']],
  ['the edge cases', ['edge']],
  ['the tracebacks', ['tracebacks']],
  ['the triage artifacts', ['triage/artifacts']],
] as const;

describe('parsing on a thread of its own', () => {
  for (const [name, sets] of FIXTURE_SETS) {
    it(`loads ${name} exactly as parsing beside the appender does`, async () => {
      const specs = sets.map((s) => path.join(FIXTURES, s));
      const start = vi.spyOn(ParseAhead, 'start');
      const here = await load(specs, 'never');
      expect(start).not.toHaveBeenCalled();
      const there = await load(specs, 'always');
      expect(start.mock.results[0]?.value).toBeInstanceOf(ParseAhead);
      expect(Object.values(there.tables).flat().length).toBeGreaterThan(10);
      expect(there).toEqual(here);
    });
  }

  it('loads bad lines, repaired bytes, a cut gzip stream, the config format and a line still being written the same way', async () => {
    const specs = [oddLogs()];
    const here = await load(specs, 'never');
    const there = await load(specs, 'always');
    expect(there).toEqual(here);
    const result = JSON.parse(there.result) as { files: Array<{ path: string; status: string; rejected: number; repaired: number }> };
    const file = (name: string) => result.files.find((f) => f.path.endsWith(name));
    expect(file('app.jsonl')).toMatchObject({ status: 'loaded', rejected: 1 });
    expect(file('repaired.log')).toMatchObject({ status: 'loaded', repaired: 1 });
    expect(file('cut.log.gz')?.status).toBe('unreadable');
    expect(there.tables['events']?.some((r) => r.includes('"myapp"'))).toBe(true);
    expect(there.tables['error_records']?.some((r) => r.includes('KeyError'))).toBe(true);
  });

  it('builds the cache and reads a grown file on, as parsing beside the appender does', async () => {
    const results: string[][] = [];
    for (const parseThread of ['never', 'always'] as const) {
      const logs = oddLogs();
      const choice = { file: `${logs}.duckdb`, tempDir: path.join(dir, 'tmp') };
      const seen: string[] = [];
      for (const step of ['build', 'grow'] as const) {
        if (step === 'grow') appendFileSync(path.join(logs, 'llm_io_20261121_080000_7.jsonl'), `${JSON.stringify({ event_type: 'LLMCall', ts: '2026-11-21T08:01:00Z', model: 'ft:gpt-4o-mini:acme', status: 'error', error: 'LLMTimeoutError: slow' })}\n`);
        const { db, load: loaded } = await loadCached(choice, [logs], { ...options(parseThread), cwd: logs }, 'key');
        try {
          seen.push(json({ cache: loaded.cache, sums: loaded.sums, rejected: loaded.rejected, files: loaded.files }));
          seen.push(json((await db.query('SELECT source_file, source_line, level, message FROM events ORDER BY ALL')).rows));
          seen.push(json((await db.query('SELECT source_file, source_line, error_type, message FROM error_records ORDER BY ALL')).rows));
          seen.push(json((await db.query('SELECT source_line, model, cost_usd, error FROM llm_calls ORDER BY ALL')).rows));
        } finally {
          db.close();
        }
      }
      results.push(seen);
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[0]?.[4]).toContain('"readOn":1');
    expect(results[0]?.[6]).toContain('LLMTimeoutError');
    // The config's price for the fine-tuned model: 1,000 input tokens at $0.3 and 10 output at $1.2 per million.
    expect(results[0]?.[7]).toContain('"cost_usd":0.000312');
  });

  it('starts for a load of PARSE_THREAD_BYTES or more, runs ahead a few chunks at most, and not for a small one', async () => {
    const logs = path.join(dir, 'large');
    mkdirSync(logs);
    const line = (i: number): string => JSON.stringify({ ts: '2026-11-21T08:00:00Z', level: i % 1000 === 0 ? 'error' : 'info', event: 'step', i, pad: 'x'.repeat(400) });
    const count = Math.ceil(PARSE_THREAD_BYTES / 450) + 100;
    writeFileSync(path.join(logs, 'big.jsonl'), Array.from({ length: count }, (_, i) => line(i)).join('\n') + '\n');
    const start = vi.spyOn(ParseAhead, 'start');
    const small = await load([path.join(FIXTURES, 'llm/logs')], 'for large loads');
    expect(start).not.toHaveBeenCalled();
    const large = await load([logs], 'for large loads');
    expect(start).toHaveBeenCalledTimes(1);
    expect(small.tables['llm_calls']?.length).toBeGreaterThan(0);
    expect(large.tables['events']).toHaveLength(count);
    expect(large.told.lines).toBe(count);
    expect(await load([logs], 'never')).toEqual(large);
  });

  it('is told of its files a window at a time, and gives what it gives when told of them all at once', async () => {
    const logs = path.join(FIXTURES, 'generated/logs');
    const files: ParseTask[] = readdirSync(logs).map((name) => ({
      abs: path.join(logs, name),
      path: name,
      defaults: { session_key: `s-${name.length}` },
      kind: name.endsWith('.log') ? 'session_log' : name.includes('index') ? 'log_index' : name.startsWith('llm_io') ? 'llm_io' : 'jsonl',
    }));
    // Each file three times over: 30 tasks.
    const tasks = [...files, ...files, ...files];
    async function playAll(window: number) {
      let played = 0;
      const told: Array<{ task: number; played: number }> = [];
      const thread = ParseAhead.start(SETTINGS, { count: tasks.length, at: (i) => (told.push({ task: i, played }), tasks[i]!) }, window);
      expect(thread).toBeInstanceOf(ParseAhead);
      const got: string[][] = [];
      try {
        for (let i = 0; i < tasks.length; i++) {
          const calls: string[] = [];
          const record = (name: string) => (...args: unknown[]) => void calls.push(json([name, ...args]));
          const sink: PlaybackSink = {
            plainLine: record('plainLine'),
            line: record('line'),
            event: record('event'),
            llmCall: record('llmCall'),
            span: record('span'),
            indexEntry: record('indexEntry'),
            reject: record('reject'),
            blank: record('blank'),
          };
          const outcome = await thread!.playBack(i, sink, { sighting: record('sighting'), progress: record('progress'), breath: async () => {} });
          calls.push(json(['outcome', outcome]));
          got.push(calls);
          played++;
        }
      } finally {
        thread?.close();
      }
      return { got, told };
    }
    const all = await playAll(1024);
    expect(all.told.every((t) => t.played === 0)).toBe(true);
    const windowed = await playAll(4);
    expect(windowed.got).toEqual(all.got);
    expect(windowed.got.flat().filter((c) => c.startsWith('["event"')).length).toBeGreaterThan(100);
    // Told of each file once, in order, 4 at a time once fewer than 2 were left: never of more than 5 not yet played back.
    expect(windowed.told.map((t) => t.task)).toEqual(tasks.map((_, i) => i));
    for (const t of windowed.told) expect(t.task - t.played).toBeLessThan(6);
    expect(windowed.told.some((t) => t.task - t.played === 5)).toBe(true);
    expect(new Set(windowed.told.map((t) => t.played)).size).toBeGreaterThan(5);
  });

  it("keeps the tasks it has not begun when more arrive, and waits for more when it has none", async () => {
    const task = (n: number): ParseTask => ({ abs: `/logs/${n}.jsonl`, path: `${n}.jsonl`, defaults: {}, kind: 'jsonl' });
    const { port1, port2 } = new MessageChannel();
    try {
      const tasks = new ThreadTasks([task(0), task(1), task(2)], port1);
      expect((await tasks.next()).path).toBe('0.jsonl');
      port2.postMessage({ tasks: [task(3)] });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const next = [await tasks.next(), await tasks.next(), await tasks.next()];
      expect(next.map((t) => t.path)).toEqual(['1.jsonl', '2.jsonl', '3.jsonl']);
      const waiting = tasks.next();
      port2.postMessage({ tasks: [task(4), task(5)] });
      expect((await waiting).path).toBe('4.jsonl');
      expect((await tasks.next()).path).toBe('5.jsonl');
    } finally {
      port1.close();
    }
  });

  it('a thread that fails is an error that says so, not a load that lost files', async () => {
    const task = { abs: path.join(FIXTURES, 'llm/logs'), path: 'x', defaults: {}, kind: 'no_such_kind' };
    const thread = ParseAhead.start(SETTINGS, { count: 1, at: () => task });
    expect(thread).toBeInstanceOf(ParseAhead);
    const sink = { plainLine() {}, line() {}, event() {}, llmCall() {}, span() {}, indexEntry() {}, reject() {}, blank() {} };
    try {
      await expect(thread?.playBack(0, sink, { sighting() {}, progress: undefined, breath: async () => {} })).rejects.toThrow(/the parsing thread failed: .*no parser for the kind no_such_kind/);
    } finally {
      thread?.close();
    }
  });
});

