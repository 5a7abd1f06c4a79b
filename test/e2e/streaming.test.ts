/**
 * Listings larger than one DuckDB chunk (2,048 rows) are written a chunk at a
 * time: every row arrives once and in order, the document's count and
 * truncated are right, and a reader that stops reading for a while loses
 * nothing. The log holds 5,000 error records shaped like app.jsonl of
 * fixtures/generated (a structlog-style JSON line per record).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CACHE_HOME, ROOT, obs } from '../helpers/cli.js';

const N = 5000;
let dir = '';
let logs: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'obs-streaming-'));
  const start = Date.parse('2026-03-02T09:00:00.000Z');
  const lines = Array.from({ length: N }, (_, i) =>
    JSON.stringify({
      ts: new Date(start + i * 10_000).toISOString(),
      level: 'error',
      logger: 'planner.agent',
      message: `turn failed: step ${i} of the plan`,
      session_id: `C0AAAAAAAAA:1772442000.${String(100200 + (i % 7)).padStart(6, '0')}`,
      stage: i % 2 === 0 ? 'plan' : 'collect',
      request_id: `req-${i}`,
      category: 'turn',
    }),
  );
  writeFileSync(path.join(dir, 'app.jsonl'), `${lines.join('\n')}\n`);
  logs = ['--logs', dir, '--no-cache'];
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs obs and reads its stdout slowly: nothing for a while after the first chunk, so obs must wait for the pipe to drain. */
function slowRead(args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', NO_COLOR: '1', TZ: 'UTC', XDG_CACHE_HOME: CACHE_HOME },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let paused = false;
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      if (!paused) {
        paused = true;
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 1500);
      }
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code }));
  });
}

describe('listings written a chunk at a time', () => {
  it('errors --json: every error once, in time order, to a reader that pauses', async () => {
    const r = await slowRead(['errors', ...logs, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { count: number; truncated: boolean; errors: Array<Record<string, unknown>> };
    expect(doc.count).toBe(N);
    expect(doc.truncated).toBe(false);
    expect(doc.errors).toHaveLength(N);
    expect(doc.errors.map((e) => e['message'])).toEqual(Array.from({ length: N }, (_, i) => `turn failed: step ${i} of the plan`));
    expect(new Set(doc.errors.map((e) => e['error_id'])).size).toBe(N);
    expect(Object.keys(doc)).toEqual(['window', 'count', 'truncated', 'errors']);
  }, 60_000);

  it('--limit cuts a streamed listing: count and truncated say so, and the note on stderr', async () => {
    const r = await obs(['errors', ...logs, '--stage', 'plan', '--limit', '2100', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { count: number; truncated: boolean; errors: Array<Record<string, unknown>> };
    expect(doc.count).toBe(2100);
    expect(doc.truncated).toBe(true);
    expect(doc.errors).toHaveLength(2100);
    expect(doc.errors.every((e) => e['stage'] === 'plan')).toBe(true);
    expect(doc.errors.at(-1)?.['message']).toBe(`turn failed: step ${2 * 2099} of the plan`);
    expect(r.stderr).toContain('showing the first 2100 errors; raise --limit for more');

    const exact = await obs(['errors', ...logs, '--stage', 'plan', '--limit', String(N / 2), '--json']);
    const whole = JSON.parse(exact.stdout) as { count: number; truncated: boolean };
    expect([whole.count, whole.truncated]).toEqual([N / 2, false]);
    expect(exact.stderr).not.toContain('raise --limit');
  }, 60_000);

  it('--ndjson and --csv: one line per row, the CSV header once', async () => {
    const nd = await slowRead(['events', ...logs, '--ndjson']);
    expect(nd.code, nd.stderr).toBe(0);
    const lines = nd.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(N);
    expect(lines.map((l) => (JSON.parse(l) as Record<string, unknown>)['request_id'])).toEqual(Array.from({ length: N }, (_, i) => `req-${i}`));

    const csv = await obs(['errors', ...logs, '--csv', 'error_type,message']);
    expect(csv.exitCode, csv.stderr).toBe(0);
    const rows = csv.stdout.trimEnd().split('\n');
    expect(rows[0]).toBe('error_type,message');
    expect(rows).toHaveLength(N + 1);
    expect(rows.filter((l) => l === 'error_type,message')).toHaveLength(1);
  }, 60_000);

  it('no match: an empty list, count 0, and the note', async () => {
    const r = await obs(['errors', ...logs, '--stage', 'nowhere', '--json']);
    const doc = JSON.parse(r.stdout) as { count: number; errors: unknown[] };
    expect([doc.count, doc.errors]).toEqual([0, []]);
    expect(r.stderr).toContain('no errors matched');
  }, 60_000);
});
