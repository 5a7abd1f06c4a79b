/**
 * Logs read while another process writes them: test/helpers/append-log.mjs
 * appends numbered records (JSON lines mixed with Python logging lines, and
 * session-log lines) to two files, cutting every line into several write()
 * calls, while the built CLI reads the folder again and again. Every run must
 * see, in each file, exactly records 1..k in order, one line each: no gap, no
 * record twice, no line counted twice, and a half-written last line neither
 * loaded nor rejected (it is left out, and `obs sources` says the file is
 * still being written); k never goes down from one run to the next. A last
 * line cut by a crash, in a file no longer written, is still rejected.
 * `obs events --follow` prints each record once.
 *
 * Each run goes through `VARIANTS`, the ways obs may be run on the same
 * files (a cache kept between runs would be one more): what a run sees must
 * not depend on it.
 */
import { execa, type ResultPromise } from 'execa';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BIN, CACHE_HOME, ROOT, obs } from '../helpers/cli.js';

type Row = Record<string, unknown>;

const WRITER = `${ROOT}test/helpers/append-log.mjs`;
const JSONL = 'app.jsonl';
const SESSION = 'timeboxing_session_20260302_090000_C0FFFFFFFFF_1772442000.000100_4242.log';
const TIMEOUT = 180_000;

/** Ways to run obs on the same files; each adds arguments and environment to every run. */
const VARIANTS: Array<{ name: string; args: string[]; env: Record<string, string> }> = [
  { name: 'through the cache', args: [], env: {} },
  { name: 'without the cache', args: ['--no-cache'], env: {} },
];

const temps: string[] = [];
const processes: ResultPromise[] = [];
afterEach(() => {
  for (const p of processes.splice(0)) p.kill('SIGKILL');
});
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** A folder with logs/ holding the two files, empty. */
function workdir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'obs-appending-'));
  temps.push(dir);
  mkdirSync(path.join(dir, 'logs'));
  for (const name of [JSONL, SESSION]) writeFileSync(path.join(dir, 'logs', name), '');
  return dir;
}

/** Starts a writer; count 0 writes until stopped. */
function writer(dir: string, name: string, shape: 'jsonl' | 'session', count: number, seed: number): ResultPromise {
  const p = execa(process.execPath, [WRITER, path.join(dir, 'logs', name), shape, String(count), String(seed)], { reject: false });
  processes.push(p);
  return p;
}

/** Stops a writer after the record under way; how many it wrote. */
async function stop(p: ResultPromise): Promise<number> {
  p.kill('SIGTERM');
  const r = await p;
  expect(r.exitCode).toBe(0);
  return Number(String(r.stdout).trim());
}

const tick = (message: unknown): number | null => {
  const m = /^tick (\d+)$/.exec(String(message));
  return m ? Number(m[1]) : null;
};

/** Records per file, checked to be 1..k, one line each, none rejected; k per file. */
function checkRecords(rows: Row[], context: string): Map<string, number> {
  const byFile = new Map<string, Row[]>();
  for (const r of rows) {
    const file = path.basename(String(r['source_file']));
    byFile.set(file, [...(byFile.get(file) ?? []), r]);
  }
  const k = new Map<string, number>();
  for (const name of [JSONL, SESSION]) {
    const got = (byFile.get(name) ?? []).sort((a, b) => Number(a['source_line']) - Number(b['source_line']));
    const n = got.length;
    expect(got.filter((r) => r['parse_error'] !== null), `${context}: ${name}: rejected rows`).toEqual([]);
    expect(
      got.map((r) => [r['source_line'], tick(r['message'])]),
      `${context}: ${name}: records 1..${n}, each on its own line`,
    ).toEqual(Array.from({ length: n }, (_, i) => [i + 1, i + 1]));
    k.set(name, n);
  }
  expect([...byFile.keys()].sort(), `${context}: files`).toEqual([...k.keys()].filter((f) => (k.get(f) ?? 0) > 0).sort());
  return k;
}

/** What `obs sources --json` says of the two files, checked: lines = records, none rejected or blank. */
function checkSources(data: { files: Row[] }, context: string): Map<string, number> {
  const k = new Map<string, number>();
  for (const name of [JSONL, SESSION]) {
    const f = data.files.find((x) => path.basename(String(x['path'])) === name);
    expect(f, `${context}: ${name} listed`).toBeDefined();
    expect({ status: f?.['status'], rejected: f?.['rejected'], blank: f?.['blank'], records: f?.['records'] }, `${context}: ${name}`).toEqual({
      status: 'loaded',
      rejected: 0,
      blank: 0,
      records: f?.['lines'],
    });
    const note = f?.['note'];
    if (note !== null) expect(String(note), `${context}: ${name}: note`).toMatch(/^still being written: its last line \(\d+ bytes so far, no line end yet;/);
    k.set(name, Number(f?.['lines']));
  }
  return k;
}

describe.each(VARIANTS)('logs read while they are written ($name)', ({ args, env }) => {
  it(
    'every run sees records 1..k of each file, k never decreases, and a half-written line is left out, not rejected',
    async () => {
      const dir = workdir();
      const writers = [writer(dir, JSONL, 'jsonl', 0, 11), writer(dir, SESSION, 'session', 0, 12)];
      const seen = new Map<string, number>([
        [JSONL, 0],
        [SESSION, 0],
      ]);
      let partial = 0;
      const grew = (k: Map<string, number>, context: string): void => {
        for (const [name, n] of k) {
          expect(n, `${context}: ${name}: records seen before: ${seen.get(name)}`).toBeGreaterThanOrEqual(seen.get(name) ?? 0);
          seen.set(name, n);
        }
        if ([...k.values()].some((n) => n > 0)) partial++;
      };
      // Runs while both files grow.
      for (let run = 1; run <= 8; run++) {
        if (run % 2 === 1) {
          const r = await obs(['events', '--logs', 'logs', '--ndjson', ...args], { cwd: dir, env });
          const context = `run ${run} (events)`;
          expect(r.exitCode, `${context}: exit code; stderr:\n${r.stderr}`).toBe(0);
          expect(r.stderr, context).not.toMatch(/rejected|warning|error/);
          const rows = r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Row);
          grew(checkRecords(rows, context), context);
        } else {
          const r = await obs(['sources', '--logs', 'logs', '--json', ...args], { cwd: dir, env });
          const context = `run ${run} (sources)`;
          expect(r.exitCode, `${context}: exit code; stderr:\n${r.stderr}`).toBe(0);
          grew(checkSources(JSON.parse(r.stdout) as { files: Row[] }, context), context);
        }
      }
      expect(partial, 'runs that found records while the files were written').toBeGreaterThan(0);

      // Once the writers stop, everything they wrote is read.
      const written = new Map([
        [JSONL, await stop(writers[0] as ResultPromise)],
        [SESSION, await stop(writers[1] as ResultPromise)],
      ]);
      const r = await obs(['events', '--logs', 'logs', '--ndjson', ...args], { cwd: dir, env });
      expect(r.exitCode).toBe(0);
      const final = checkRecords(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Row), 'after the writers stopped');
      expect(final).toEqual(written);
      for (const [name, n] of final) expect(n).toBeGreaterThanOrEqual(seen.get(name) ?? 0);
    },
    TIMEOUT,
  );

  it(
    'a last line cut by a crash, in a file no longer written, is still rejected',
    async () => {
      const dir = workdir();
      const file = path.join(dir, 'logs', JSONL);
      appendFileSync(file, '{"ts":"2026-03-02T09:00:00.001Z","level":"info","message":"tick 1"}\n{"ts":"2026-03-02T09:00:00.002Z","level":"info","mess');
      // Last written a minute ago.
      const past = new Date(Date.now() - 60_000);
      utimesSync(file, past, past);
      const r = await obs(['sources', '--logs', `logs/${JSONL}`, '--json', ...args], { cwd: dir, env });
      expect(r.exitCode).toBe(4);
      const [f] = (JSON.parse(r.stdout) as { files: Row[] }).files;
      expect(f).toMatchObject({ lines: 2, records: 1, rejected: 1, note: null });
      expect((f?.['issues'] as Row[])[0]).toMatchObject({ line: 2, problem: 'rejected', reason: expect.stringMatching(/the last line has no line end/) });
    },
    TIMEOUT,
  );

  it(
    'obs events --follow prints each record once, in order, while lines are written in pieces',
    async () => {
      const dir = workdir();
      const follow = execa(process.execPath, [BIN, 'events', '--follow', '--logs', 'logs', '--ndjson', ...args], {
        cwd: dir,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', XDG_CACHE_HOME: CACHE_HOME, NO_COLOR: '1', TZ: 'UTC', OBS_FOLLOW_INTERVAL: '100ms', ...env },
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        buffer: false,
      });
      processes.push(follow);
      let stdout = '';
      let stderr = '';
      follow.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      follow.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      const waitFor = async (what: string, test: () => boolean): Promise<void> => {
        const until = Date.now() + 90_000;
        while (!test()) {
          if (Date.now() > until) throw new Error(`timed out waiting for ${what}\nstdout:\n${stdout.slice(-2000)}\nstderr:\n${stderr}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      await waitFor('the "following" note', () => /note: following \d+ files?/.test(stderr));

      const N = 300;
      const writers = [writer(dir, JSONL, 'jsonl', N, 21), writer(dir, SESSION, 'session', N, 22)];
      for (const w of writers) expect(Number(String((await w).stdout).trim())).toBe(N);
      const complete = (): string[] => stdout.slice(0, stdout.lastIndexOf('\n') + 1).split('\n').filter((l) => l !== '');
      await waitFor(`${2 * N} records`, () => complete().length >= 2 * N);
      // A while longer: anything printed twice would come now.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      follow.kill('SIGINT');
      expect((await follow).exitCode).toBe(0);

      const rows = complete().map((l) => JSON.parse(l) as Row);
      for (const name of [JSONL, SESSION]) {
        const printed = rows.filter((r) => path.basename(String(r['source_file'])) === name).map((r) => [r['source_line'], tick(r['message'])]);
        expect(printed, `${name}: each record once, in order`).toEqual(Array.from({ length: N }, (_, i) => [i + 1, i + 1]));
      }
      expect(rows).toHaveLength(2 * N);
      expect(stderr).not.toMatch(/rejected|warning/);
    },
    TIMEOUT,
  );
});
