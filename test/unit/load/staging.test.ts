/**
 * Rows bound for the cache file are staged in memory and copied a batch at a
 * time (src/load/staging.ts): the cache's tables hold what a load into memory
 * holds, row for row and in the same order, whether a batch leaves a partial
 * row group for the next or copies it; nothing staged is left behind, and
 * DuckDB's automatic checkpoints come back, after a load and after a failure.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadCached } from '../../../src/cache/cache.js';
import { CACHE_ROW_GROUP_SIZE, Database } from '../../../src/db/database.js';
import { sqlFile } from '../../../src/db/sql-files.js';
import { FormatSet } from '../../../src/formats/formats.js';
import { PriceBook } from '../../../src/llm/prices.js';
import { loadSources, type LoadOptions } from '../../../src/load/load.js';
import { APPENDED_TABLES, CacheStaging, type StageSizes } from '../../../src/load/staging.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../fixtures');
const dir = mkdtempSync(path.join(tmpdir(), 'obs-staging-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** More events than two row groups hold, with errors, a bad line and a traceback among them; and the LLM audit logs. */
function logs(): string[] {
  const folder = path.join(dir, 'logs');
  mkdirSync(folder, { recursive: true });
  const rows = 2 * CACHE_ROW_GROUP_SIZE + 5_000;
  const line = (i: number): string =>
    i === 20_001
      ? '{"ts": "2026-11-21T08:00:00Z", "level": "error", "cut'
      : JSON.stringify({
          ts: new Date(Date.UTC(2026, 10, 21, 8) + i * 1000).toISOString(),
          level: i % 997 === 0 ? 'error' : 'info',
          event: i % 997 === 0 ? 'plan_failed' : 'step',
          session_key: `C1:${1 + (i % 7)}.5`,
          message: `step ${i}`,
          ...(i % 4_999 === 0 ? { exc_info: 'Traceback (most recent call last):\n  File "a.py", line 1, in <module>\nValueError: bad plan' } : {}),
        });
  writeFileSync(path.join(folder, 'app.jsonl'), Array.from({ length: rows }, (_, i) => line(i)).join('\n') + '\n');
  return [folder, path.join(FIXTURES, 'llm/logs')];
}

const SPECS = logs();

function options(staging?: StageSizes, parseThread?: LoadOptions['parseThread']): LoadOptions {
  return { tz: 'UTC', cwd: dir, formats: FormatSet.create([]), prices: new PriceBook([]), staging, parseThread, stillWritingMs: 0 };
}

const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));

/** The tables the loader appends to, each row as JSON in the table's own order (rowid). */
async function appended(db: Database, catalog: 'memory' | 'cache'): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of APPENDED_TABLES) out[t] = (await db.query(`SELECT * FROM ${catalog}.main.${t} ORDER BY rowid`)).rows.map(json);
  return out;
}

/**
 * Rows a table in memory stores but no longer has: deleted rows keep their
 * blocks until a checkpoint, and in memory nothing checkpoints.
 */
async function stored(db: Database, table: string): Promise<number> {
  const kept = await db.query(`SELECT coalesce(sum(count), 0) AS n FROM pragma_storage_info('memory.main.${table}') WHERE column_path = '[0]'`);
  const has = await db.query(`SELECT count(*) AS n FROM memory.main.${table}`);
  return Number(kept.rows[0]?.['n']) - Number(has.rows[0]?.['n']);
}

async function inMemory(specs = SPECS): Promise<Record<string, string[]>> {
  const db = await Database.open();
  try {
    await loadSources(db, specs, options());
    return await appended(db, 'memory');
  } finally {
    db.close();
  }
}

/** Builds a cache with these stage sizes: its appended tables, the statements run, and what was left in memory. */
async function throughCache(staging: StageSizes, specs = SPECS, parseThread?: LoadOptions['parseThread']) {
  const file = path.join(dir, `cache-${Math.random().toString(36).slice(2)}.duckdb`);
  const statements: string[] = [];
  const exec = Database.prototype.exec;
  vi.spyOn(Database.prototype, 'exec').mockImplementation(function (this: Database, sql, params) {
    statements.push(sql);
    return exec.call(this, sql, params);
  });
  // After each batch copied, the rows each staging table stores beyond those it has; and the batches copied while reading.
  const storedNotStaged: number[] = [];
  let batches = 0;
  const open = vi.spyOn(CacheStaging, 'open');
  const breath = CacheStaging.prototype.breath;
  vi.spyOn(CacheStaging.prototype, 'breath').mockImplementation(async function (this: CacheStaging) {
    const before = statements.length;
    await breath.call(this);
    const db = open.mock.calls[0]?.[0];
    if (db === undefined || !statements.slice(before).some((s) => s.startsWith('INSERT INTO cache.main.'))) return;
    batches++;
    for (const t of APPENDED_TABLES) for (const n of [0, 1]) storedNotStaged.push(await stored(db, `staged_${t}_${n}`));
  });
  const held = vi.spyOn(Database.prototype, 'holdCheckpoints');
  const released = vi.spyOn(Database.prototype, 'releaseCheckpoints');
  const { db } = await loadCached({ file, tempDir: path.join(dir, 'tmp') }, specs, options(staging, parseThread), 'key');
  try {
    const left = (await db.query("SELECT table_name AS t FROM duckdb_tables() WHERE table_name LIKE 'staged_%'")).rows;
    const checkpoints = { held: held.mock.calls.length, released: released.mock.calls.length };
    return { tables: await appended(db, 'cache'), statements, left, checkpoints, storedNotStaged, batches };
  } finally {
    db.close();
  }
}

describe('rows staged on their way into the cache file', () => {
  const expected = inMemory();

  it('reach the cache in whole row groups, the rest waiting for the next batch, as a load into memory has them', async () => {
    const built = await throughCache({ stageChars: 256 * 1024, restChars: 1024 * 1024 * 1024 });
    const want = await expected;
    expect(want['events']?.length).toBe(2 * CACHE_ROW_GROUP_SIZE + 5_000);
    expect(want['line_issues']?.length).toBe(1);
    expect(want['llm_calls']?.length).toBeGreaterThan(0);
    // No staging table keeps the blocks of rows it copied.
    expect(built.storedNotStaged.length).toBeGreaterThanOrEqual(2 * 2 * APPENDED_TABLES.length);
    expect(built.storedNotStaged.filter((n) => n !== 0)).toEqual([]);
    expect(built.tables).toEqual(want);
    // Batches copied whole row groups of events and carried the rest over.
    const partOfBatch = built.statements.filter((s) => /INSERT INTO cache\.main\.events .* LIMIT \d+; INSERT INTO memory\.main\.staged_events_\d SELECT .* OFFSET \d+/.test(s));
    expect(partOfBatch.length).toBeGreaterThanOrEqual(2);
    for (const s of partOfBatch) expect(Number(/LIMIT (\d+)/.exec(s)?.[1]) % CACHE_ROW_GROUP_SIZE).toBe(0);
    // Only the build's own, at its end.
    expect(built.statements.filter((s) => s === 'CHECKPOINT cache')).toEqual(['CHECKPOINT cache']);
    expect(built.left).toEqual([]);
    expect(built.checkpoints).toEqual({ held: 1, released: 1 });
  });

  it('copy a partial row group with its batch when the rest holds too much text, and checkpoint after it', async () => {
    const built = await throughCache({ stageChars: 256 * 1024, restChars: 0 });
    expect(built.tables).toEqual(await expected);
    expect(built.statements.some((s) => s.includes('OFFSET'))).toBe(false);
    // One after each batch of at least two, and the build's own.
    expect(built.statements.filter((s) => s === 'CHECKPOINT cache').length).toBeGreaterThanOrEqual(3);
    expect(built.left).toEqual([]);
    expect(built.checkpoints).toEqual({ held: 1, released: 1 });
  });

  it('are copied while a folder of small files is read on the parsing thread, each file one chunk', async () => {
    const folder = path.join(dir, 'small');
    mkdirSync(folder, { recursive: true });
    for (let f = 0; f < 300; f++) {
      const line = (i: number): string => JSON.stringify({ ts: new Date(Date.UTC(2026, 10, 21, 8, f) + i * 1000).toISOString(), level: 'info', event: 'step', session_key: `C1:${f}.5`, message: `file ${f} step ${i}` });
      writeFileSync(path.join(folder, `session-${f}.jsonl`), Array.from({ length: 120 }, (_, i) => line(i)).join('\n') + '\n');
    }
    const built = await throughCache({ stageChars: 256 * 1024, restChars: 1024 * 1024 * 1024 }, [folder], 'always');
    const want = await inMemory([folder]);
    expect(want['events']).toHaveLength(300 * 120);
    expect(built.tables).toEqual(want);
    expect(built.batches).toBeGreaterThanOrEqual(2);
    expect(built.storedNotStaged.filter((n) => n !== 0)).toEqual([]);
  });

  it('are all copied by the default sizes too, in one batch at this size', async () => {
    const built = await throughCache({ stageChars: 64 * 1024 * 1024, restChars: 32 * 1024 * 1024 });
    expect(built.tables).toEqual(await expected);
    expect(built.statements.some((s) => s.includes('OFFSET'))).toBe(false);
  });

  it('after a failure: nothing staged is left, nothing of it reached the cache, and checkpoints are back', async () => {
    const db = await Database.open();
    try {
      await db.attachCache(path.join(dir, 'abandoned.duckdb'), 'write');
      await db.exec(sqlFile('schema.sql'));
      const staging = await CacheStaging.open(db);
      // Held: the '1TB' Database.holdCheckpoints sets, as DuckDB shows it.
      expect((await db.query("SELECT current_setting('checkpoint_threshold') AS v")).rows[0]?.['v']).toBe('931.3 GiB');
      const a = staging.appender('line_issues');
      for (const v of ['app.jsonl', 1n, 'rejected', 'invalid JSON', '{"cut']) {
        if (typeof v === 'bigint') a.appendBigInt(v);
        else a.appendVarchar(v);
      }
      a.endRow();
      a.flushSync();
      expect((await db.query('SELECT count(*) AS n FROM memory.main.staged_line_issues_0')).rows[0]?.['n']).toBe(1);
      await staging.abandon();
      expect((await db.query("SELECT table_name AS t FROM duckdb_tables() WHERE table_name LIKE 'staged_%'")).rows).toEqual([]);
      expect((await db.query('SELECT count(*) AS n FROM cache.main.line_issues')).rows[0]?.['n']).toBe(0);
      expect((await db.query("SELECT current_setting('checkpoint_threshold') AS v")).rows[0]?.['v']).toBe(await defaultThreshold());
    } finally {
      db.close();
    }
  });

  it('a load that fails is abandoned and fails with its own error', async () => {
    const abandon = vi.spyOn(CacheStaging.prototype, 'abandon');
    vi.spyOn(CacheStaging.prototype, 'finish').mockRejectedValue(new Error('No space left on device'));
    const file = path.join(dir, 'failing.duckdb');
    await expect(loadCached({ file, tempDir: path.join(dir, 'tmp') }, SPECS, options(), 'key')).rejects.toThrow('No space left on device');
    expect(abandon).toHaveBeenCalledTimes(1);
  });
});

/** DuckDB's own checkpoint threshold, as a fresh database reports it. */
async function defaultThreshold(): Promise<unknown> {
  const db = await Database.open();
  try {
    await db.exec('RESET checkpoint_threshold');
    return (await db.query("SELECT current_setting('checkpoint_threshold') AS v")).rows[0]?.['v'];
  } finally {
    db.close();
  }
}
