/**
 * Logs reached through a symbolic link (a common deployment layout, e.g.
 * logs -> /var/log/planner/current): each file is read once, and index
 * entries still find their session logs.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, obsJson } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'obs-symlink-'));
symlinkSync(`${FIXTURES}/generated/logs`, path.join(dir, 'logs'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a logs folder behind a symbolic link', () => {
  it('reads each file once and links index entries to their session logs', async () => {
    const sources = await obsJson<{ files: Array<Record<string, unknown>> }>(['sources', '--logs', 'logs'], { cwd: dir });
    expect(sources.exitCode).toBe(0);
    // 10 files in the folder, none read twice although the index names two of them.
    expect(sources.data.files).toHaveLength(10);
    const { data } = await obsJson<{ sessions: Array<Record<string, unknown>> }>(['sessions', '--logs', 'logs'], { cwd: dir });
    const a = data.sessions.find((s) => s['session_key'] === 'C0AAAAAAAAA:1772442000.100200');
    expect(a?.['user_id']).toBe('U0AAAAAAA01');
    expect(a?.['log_missing']).toBe(false);
    expect(String(a?.['log_file'])).toMatch(/timeboxing_session_20260302_090000_C0AAAAAAAAA_1772442000\.100200_4242\.log$/);
  });

  it('answers from the cache on the next run, naming the files by the link, and reads only a file that changed', async () => {
    const own = path.join(dir, 'own');
    mkdirSync(own);
    cpSync(`${FIXTURES}/generated/logs`, path.join(own, 'current'), { recursive: true });
    symlinkSync('current', path.join(own, 'logs'));
    const args = ['sources', '--logs', 'logs', '--cache', path.join(own, 'cache.duckdb')];
    type Sources = { cache: Record<string, unknown>; files: Array<{ path: string }> };
    const built = await obsJson<Sources>(args, { cwd: own });
    expect(built.data.cache).toMatchObject({ state: 'built', read_whole: 10 });
    const again = await obsJson<Sources>(args, { cwd: own });
    expect(again.data.cache).toMatchObject({ state: 'unchanged', unchanged: 10, read_whole: 0 });
    expect(again.data.files.map((f) => f.path)).toEqual(built.data.files.map((f) => f.path));
    expect(again.data.files.every((f) => f.path.startsWith('logs/'))).toBe(true);
    const at = new Date(Date.now() - 60_000);
    utimesSync(path.join(own, 'current', 'worker.jsonl'), at, at);
    const touched = await obsJson<Sources>(args, { cwd: own });
    expect(touched.data.cache).toMatchObject({ state: 'updated', unchanged: 9, read_whole: 1, dropped: 1 });
    expect(touched.data.files).toEqual(built.data.files);
  });
});
