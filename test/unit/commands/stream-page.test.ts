/**
 * streamPage on real DuckDB: a listing comes a chunk at a time in its order,
 * and when DuckDB runs out of memory sorting the whole rows, the rows are
 * sorted by their order columns and ids and fetched by id instead, with the
 * same rows in the same order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database, LOADED_TABLES, sqlString, type Row } from '../../../src/db/database.js';
import { SqlParams } from '../../../src/db/params.js';
import { sqlFile } from '../../../src/db/sql-files.js';
import { FETCH_CHUNK, fetchedPage, selectPage, streamPage, type PageQuery, type StreamedPage } from '../../../src/commands/shared/query.js';
import { LLM_CALLS } from '../../../src/commands/shared/tables.js';

const ORDER = 'ts NULLS LAST, source_file, source_line';

/** `obs llm`'s listing under the conditions given. */
const listing = (conds: string[], params: SqlParams): PageQuery => ({ file: 'llm_calls.sql', table: LLM_CALLS, conds, params, orderBy: ORDER });

let db: Database;
let dir: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'obs-stream-page-'));
  db = await Database.open({ tempDir: join(dir, 'spill') });
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The loaded tables moved to a cache file and seen through views of it, as a warm run sees them. */
async function intoCacheFile(): Promise<void> {
  await db.exec(`ATTACH ${sqlString(join(dir, 'cache.duckdb'))} AS cache`);
  await db.execScript(sqlFile('sessions.sql'), { touched_only: false });
  for (const table of LOADED_TABLES) await db.exec(`CREATE TABLE cache.main.${table} AS FROM memory.main.${table}`);
  await db.exec('CHECKPOINT cache');
  await db.useCache();
}

/**
 * n LLM calls with a raw record of `width` characters, inserted out of time
 * order: call i is at (i × 7919 mod 100003) µs, so neighbours in the table are
 * far apart in time and calls share a millisecond; seven files.
 */
async function calls(n: number, width: number): Promise<void> {
  await db.exec(
    "INSERT INTO llm_calls (ts, source_file, source_line, model, cost_source, cost_detail, raw) SELECT TIMESTAMPTZ '2026-03-02 09:00:00+00' + " +
      "to_microseconds((i * 7919) % 100003), 'llm_io-' || (i % 7) || '.jsonl', i + 1, 'm' || (i % 3), 'unknown', '{}', " +
      'json_object(\'call\', i, \'prompt\', repeat(chr(97 + (i % 26)::INTEGER), $width)) FROM range($n) AS t(i)',
    { n, width },
  );
}

async function rowsOf(page: Pick<StreamedPage, 'chunks'>): Promise<{ rows: Row[]; chunks: number }> {
  const rows: Row[] = [];
  let chunks = 0;
  for await (const chunk of page.chunks) {
    chunks++;
    rows.push(...chunk);
  }
  return { rows, chunks };
}

/** The listing as one query gives it (selectPage, with room to sort). */
async function expected(limit: number | null): Promise<Row[]> {
  return (await selectPage(db, listing([], new SqlParams()), limit)).rows;
}

const keys = (rows: Row[]): string[] => rows.map((r) => `${String(r['ts'])} ${String(r['source_file'])}:${String(r['source_line'])}`);

describe('streamPage', () => {
  it("gives a query's rows in its order, with the count before them", async () => {
    await calls(3000, 50);
    const page = await streamPage(db, listing([], new SqlParams()), null);
    expect(page).toMatchObject({ count: 3000, truncated: false });
    expect((await rowsOf(page)).rows).toEqual(await expected(null));
  });

  it('fetches the rows by id when DuckDB runs out of memory sorting them whole: every row, once, in the same order', async () => {
    await calls(5 * FETCH_CHUNK + 17, 8000);
    await intoCacheFile();
    const want = await expected(null);
    await db.exec("SET memory_limit = '64MB'");
    // The whole rows do not fit: this is the case the fallback is for.
    await expect(db.query(`SELECT *, raw::VARCHAR AS text FROM llm_calls ORDER BY ${ORDER}`)).rejects.toThrow(/^Out of Memory Error/);
    const page = await streamPage(db, listing([], new SqlParams()), null);
    expect(page).toMatchObject({ count: want.length, truncated: false });
    const got = await rowsOf(page);
    expect(got.chunks).toBe(6);
    expect(keys(got.rows)).toEqual(keys(want));
    expect(got.rows).toEqual(want);
  });
});

describe('fetchedPage', () => {
  it("keeps the query file's order where it differs from the table's (calls within a millisecond in other files)", async () => {
    await calls(FETCH_CHUNK + 500, 20);
    const page = await fetchedPage(db, listing([], new SqlParams()), '');
    const got = (await rowsOf(page)).rows;
    const want = await expected(null);
    expect(keys(got)).toEqual(keys(want));
    expect(page.columns).toEqual(Object.keys(want[0]!));
    // The file order decides within a millisecond: some pair of neighbours is out of time order in the table.
    const micros = (
      await db.query("SELECT epoch_us(ts) AS us FROM llm_calls ORDER BY strftime(ts, '%Y-%m-%dT%H:%M:%S.%g'), source_file, source_line")
    ).rows.map((r) => Number(r['us']));
    expect(micros.some((us, i) => i > 0 && us < micros[i - 1]!)).toBe(true);
  });

  it('takes the filter and the limit, and names the columns when nothing matched', async () => {
    await calls(FETCH_CHUNK * 2, 20);
    const params = new SqlParams();
    const cond = `model = ${params.add('m1')}`;
    const limitSql = `LIMIT ${params.add(FETCH_CHUNK + 3)}`;
    const got = (await rowsOf(await fetchedPage(db, listing([cond], params), limitSql))).rows;
    const all = (await selectPage(db, listing(["model = 'm1'"], new SqlParams()), null)).rows;
    expect(got).toEqual(all.slice(0, FETCH_CHUNK + 3));

    const none = new SqlParams();
    const empty = await fetchedPage(db, listing([`model = ${none.add('nobody')}`], none), '');
    expect((await rowsOf(empty)).rows).toEqual([]);
    expect(empty.columns).toContain('raw');
  });
});
