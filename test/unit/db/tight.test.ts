/**
 * Database.tight on a real DuckDB: a statement runs under TIGHT_MEMORY_LIMIT,
 * and one that does not fit there runs again under the limit DuckDB had, once,
 * leaving its result once. Other errors are not run again. The limit is as
 * it was afterwards, the usual one or the lower one while appending.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database, TIGHT_MEMORY_LIMIT } from '../../../src/db/database.js';

const tempDir = mkdtempSync(path.join(tmpdir(), 'obs-tight-'));
// A database for each test: DuckDB keeps the memory of a dropped table in memory until a checkpoint, which obs's in-memory database does not run.
let db: Database;
beforeEach(async () => {
  db = await Database.open({ tempDir });
});
afterEach(() => db.close());
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

async function limit(): Promise<string> {
  return String((await db.query("SELECT current_setting('memory_limit') AS l")).rows[0]?.['l']);
}

/** DuckDB's own spelling of a limit (384MB reads back as 366.2 MiB), from a database of its own. */
async function spelled(value: string): Promise<string> {
  const other = await Database.open();
  try {
    await other.exec(`SET memory_limit = '${value}'`);
    return String((await other.query("SELECT current_setting('memory_limit') AS l")).rows[0]?.['l']);
  } finally {
    other.close();
  }
}

/**
 * One list of 1.3 million strings: an aggregate DuckDB cannot spill, about
 * 0.4 GB, more than TIGHT_MEMORY_LIMIT and less than MEMORY_LIMIT.
 */
const WIDE = "INSERT INTO memory.main.lists SELECT list(repeat('x', 100) || i) FROM range(1300000) r(i)";

describe('Database.tight', () => {
  it('runs a statement under the tight limit, and puts the limit back', async () => {
    const usual = await limit();
    const inside = await db.tight(() => db.query("SELECT current_setting('memory_limit') AS l"));
    expect(inside.rows[0]?.['l']).toBe(await spelled(TIGHT_MEMORY_LIMIT));
    expect(inside.rows[0]?.['l']).not.toBe(usual);
    expect(await limit()).toBe(usual);
  });

  it('runs a statement that does not fit again under the usual limit, once, and its rows are there once', async () => {
    await db.exec('CREATE OR REPLACE TABLE memory.main.lists (l VARCHAR[])');
    const usual = await limit();
    const limits: string[] = [];
    const errors: string[] = [];
    await db.tight(async () => {
      limits.push(await limit());
      try {
        await db.exec(WIDE);
      } catch (err) {
        errors.push((err as Error).message);
        throw err;
      }
    });
    expect(limits).toEqual([await spelled(TIGHT_MEMORY_LIMIT), usual]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Out of Memory Error/);
    const { rows } = await db.query('SELECT count(*)::INTEGER AS n, max(len(l))::INTEGER AS items FROM memory.main.lists');
    expect(rows[0]).toEqual({ n: 1, items: 1_300_000 });
    expect(await limit()).toBe(usual);
  });

  it('runs again the statement of a script that does not fit, and the rest of the script after it', async () => {
    const script = [
      'CREATE OR REPLACE TABLE memory.main.small AS SELECT 7 AS n;',
      "CREATE OR REPLACE TABLE memory.main.lists AS SELECT list(repeat('x', 100) || i) AS l FROM range(1300000) r(i);",
      'CREATE OR REPLACE TABLE memory.main.sizes AS SELECT len(l) AS items, (SELECT n FROM memory.main.small) AS n FROM memory.main.lists;',
    ].join('\n');
    const usual = await limit();
    await db.execScript(script, {}, { release: true, tight: true });
    expect((await db.query('SELECT items::INTEGER AS items, n FROM memory.main.sizes')).rows).toEqual([{ items: 1_300_000, n: 7 }]);
    expect(await limit()).toBe(usual);
  });

  it('does not run again a statement that failed for another reason', async () => {
    let runs = 0;
    await expect(
      db.tight(async () => {
        runs++;
        await db.exec('SELECT * FROM memory.main.no_such_table');
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(runs).toBe(1);
  });

  it('puts back the lower limit while appending', async () => {
    await db.appending(async () => {
      const lower = await limit();
      await db.tight(() => db.query('SELECT 1'));
      expect(await limit()).toBe(lower);
    });
  });
});
