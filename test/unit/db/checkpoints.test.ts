/**
 * A Database has DuckDB's automatic checkpoints off while it holds its
 * tables in memory (what that saves is measured by npm run bench). A cache
 * file attached for writing must be checkpointed as usual, or its
 * write-ahead log would keep every row written, and its row groups hold
 * CACHE_ROW_GROUP_SIZE rows, however many runs wrote them.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_ROW_GROUP_SIZE, Database } from '../../../src/db/database.js';

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'obs-checkpoints-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Appends 24 MB (240,000 rows of 100 characters), committed every 20,000 rows as the loader's appenders are. */
async function fill(db: Database, table: string, catalog?: string): Promise<void> {
  await db.exec(`CREATE TABLE ${catalog === undefined ? '' : `${catalog}.`}${table} (n BIGINT, pad VARCHAR)`);
  const a = await db.appender(table, catalog);
  const pad = 'x'.repeat(100);
  for (let i = 0; i < 240_000; i++) {
    a.appendBigInt(7n);
    a.appendVarchar(pad);
    a.endRow();
    if (i % 20_000 === 19_999) a.flushSync();
  }
  a.closeSync();
}

/** How DuckDB stores column n of the table's first row group: a checkpoint to a file compresses a column of one value to Constant. */
async function storage(db: Database, table: string): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT DISTINCT compression FROM pragma_storage_info('${table}') WHERE column_name = 'n' AND row_group_id = 0 AND segment_type = 'BIGINT' ORDER BY 1`,
  );
  return rows.map((r) => String(r['compression']));
}

/** One run on a cache file: attached for writing, appended to, checkpointed; the rows of each row group of table t. */
async function cacheRun(file: string, append: (db: Database) => Promise<void>): Promise<number[]> {
  const db = await Database.open({ loadedTables: false });
  try {
    await db.attachCache(file, 'write');
    await append(db);
    await db.exec('CHECKPOINT cache');
    const { rows } = await db.query(
      "SELECT row_group_id, sum(count) AS n FROM pragma_storage_info('cache.t') WHERE column_id = 0 AND segment_type = 'BIGINT' GROUP BY ALL ORDER BY 1",
    );
    return rows.map((r) => Number(r['n']));
  } finally {
    db.close();
  }
}

describe('Database checkpoints', () => {
  it('checkpoints a cache file attached for writing: its write-ahead log does not keep every row', async () => {
    const db = await Database.open({ loadedTables: false });
    const file = path.join(dir, 'cache.duckdb');
    try {
      await db.attachCache(file, 'write');
      await fill(db, 't', 'cache');
      const wal = (() => {
        try {
          return statSync(`${file}.wal`).size;
        } catch {
          return 0;
        }
      })();
      // 24 MB were committed; without checkpoints the log would hold them all.
      expect(wal).toBeLessThan(16 * 1024 * 1024);
      expect(await storage(db, 'cache.t')).toEqual(['Constant']);
    } finally {
      db.close();
    }
  });

  it('writes row groups of CACHE_ROW_GROUP_SIZE rows, also when a later run appends to the file', async () => {
    const file = path.join(dir, 'row-groups.duckdb');
    const total = (sizes: number[]): number => sizes.reduce((x, y) => x + y, 0);
    const first = await cacheRun(file, (db) => fill(db, 't', 'cache'));
    expect(total(first)).toBe(240_000);
    expect(Math.max(...first)).toBe(CACHE_ROW_GROUP_SIZE);
    // Another run attaches the file and appends: DuckDB does not keep the size in the file, so attaching with its
    // default would fill the last row group up to 122,880 rows and write the file's row groups again at the checkpoint.
    const second = await cacheRun(file, async (db) => {
      const a = await db.appender('t', 'cache');
      for (let i = 0; i < 50_000; i++) {
        a.appendBigInt(8n);
        a.appendVarchar('y');
        a.endRow();
      }
      a.closeSync();
    });
    expect(total(second)).toBe(290_000);
    expect(Math.max(...second)).toBe(CACHE_ROW_GROUP_SIZE);
  });
});
