/**
 * Which files a load lists (LoadResult.files). Through the cache, the
 * accounting of every file is in the cache's tables as soon as it is read,
 * so a load not asked for every file lists only those with something to say
 * (rejected or repaired lines, not loaded, a note), whether it built the
 * cache, brought it up to date or answered from it as it is; its sums count
 * every file. Without the cache, and when asked (obs sources), every file.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCached } from '../../../src/cache/cache.js';
import { Database } from '../../../src/db/database.js';
import { FormatSet } from '../../../src/formats/formats.js';
import { PriceBook } from '../../../src/llm/prices.js';
import { loadSources, type LoadOptions, type LoadResult } from '../../../src/load/load.js';

const dir = mkdtempSync(path.join(tmpdir(), 'obs-listed-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (i: number): string => JSON.stringify({ ts: `2026-03-02T09:00:${String(i).padStart(2, '0')}Z`, level: 'info', message: `step ${i}` });

/** Six JSON-lines logs, one of them with a line cut short, and a binary file with a log's name. */
function logs(): string {
  const logsDir = path.join(dir, `logs-${Math.random().toString(36).slice(2)}`);
  mkdirSync(logsDir);
  for (let f = 0; f < 6; f++) writeFileSync(path.join(logsDir, `worker-${f}.jsonl`), [line(f), line(f + 10)].join('\n') + '\n');
  appendFileSync(path.join(logsDir, 'worker-3.jsonl'), '{"ts":"2026-03-02T09:01:00Z","lev\n');
  writeFileSync(path.join(logsDir, 'core.log'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3]));
  return logsDir;
}

const options = (everyFile: boolean): LoadOptions => ({ tz: 'UTC', cwd: dir, formats: FormatSet.create(), prices: new PriceBook(), everyFile });

async function cached(logsDir: string, everyFile: boolean): Promise<LoadResult> {
  const choice = { file: path.join(logsDir, '..', `${path.basename(logsDir)}.duckdb`), tempDir: path.join(dir, 'tmp', String(process.pid)) };
  const { db, load } = await loadCached(choice, [logsDir], options(everyFile), 'key');
  db.close();
  return load;
}

const listed = (load: LoadResult): string[] => load.files.map((f) => path.basename(f.path)).sort();
const EVERY = ['core.log', ...[0, 1, 2, 3, 4, 5].map((f) => `worker-${f}.jsonl`)];

describe('the files a load lists', () => {
  it('through the cache, only those with something to say, whether built, brought up to date or as it is; every file counted', async () => {
    const logsDir = logs();
    const built = await cached(logsDir, false);
    expect(built.cache?.state).toBe('built');
    expect(listed(built)).toEqual(['core.log', 'worker-3.jsonl']);
    expect(built.files.find((f) => f.path.endsWith('worker-3.jsonl'))).toMatchObject({ status: 'loaded', lines: 3, records: 2, rejected: 1 });
    expect(built.files.find((f) => f.path.endsWith('worker-3.jsonl'))?.issues).toEqual([expect.objectContaining({ line: 3, problem: 'rejected' })]);
    expect(built.sums).toMatchObject({ files: 7, loaded: 6, skipped: 1, lines: 13, records: 12 });
    expect(built.rejected).toBe(1);

    appendFileSync(path.join(logsDir, 'worker-0.jsonl'), `${line(30)}\n`);
    const updated = await cached(logsDir, false);
    expect(updated.cache).toMatchObject({ state: 'updated', readOn: 0, readWhole: 1, unchanged: 5 });
    expect(listed(updated)).toEqual(['core.log', 'worker-3.jsonl']);
    expect(updated.sums).toMatchObject({ files: 7, loaded: 6, lines: 14, records: 13 });

    const unchanged = await cached(logsDir, false);
    expect(unchanged.cache?.state).toBe('unchanged');
    expect(listed(unchanged)).toEqual(['core.log', 'worker-3.jsonl']);
    expect(unchanged.sums).toEqual(updated.sums);
  });

  it('through the cache asked for every file, and without the cache, every file', async () => {
    const logsDir = logs();
    const built = await cached(logsDir, true);
    expect(built.cache?.state).toBe('built');
    expect(listed(built)).toEqual(EVERY);
    expect(listed(await cached(logsDir, true))).toEqual(EVERY);

    const db = await Database.open();
    try {
      const fresh = await loadSources(db, [logsDir], options(false));
      expect(listed(fresh)).toEqual(EVERY);
      expect(fresh.sums).toEqual(built.sums);
    } finally {
      db.close();
    }
  });
});
