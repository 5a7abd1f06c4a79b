/**
 * Database.releaseMemory on a real DuckDB: what a statement freed goes back
 * to the system, and the memory limit stays as it was (the usual one, or the
 * lower one while appending). DatabaseSink asks for it only after a flush.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../src/db/database.js';
import { DatabaseSink, FLUSH_ROWS } from '../../../src/load/sink.js';
import { ErrorCollector } from '../../../src/load/errors/extract.js';
import { newReport } from '../../../src/load/load.js';

const MB = 1024 * 1024;
const rss = (): number => process.memoryUsage().rss;

let db: Database;
beforeAll(async () => {
  db = await Database.open();
});
afterAll(() => db.close());

async function limit(): Promise<string> {
  return String((await db.query("SELECT current_setting('memory_limit') AS l")).rows[0]?.['l']);
}

describe('Database.releaseMemory', () => {
  it('gives back what a dropped table and its grouping freed, under the same limit', async () => {
    const before = await limit();
    await db.exec("CREATE TABLE memory.main.wide AS SELECT range AS i, repeat('x', 200) || range AS s FROM range(1500000)");
    await db.exec('CREATE TABLE memory.main.grouped AS SELECT s, count(*) AS n FROM memory.main.wide GROUP BY s');
    await db.exec('DROP TABLE memory.main.grouped; DROP TABLE memory.main.wide');
    const held = rss();
    // DuckDB's allocator keeps the freed pages while nothing prompts it: waiting gives none back.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(rss()).toBeGreaterThan(held - 50 * MB);
    await db.releaseMemory();
    expect(rss()).toBeLessThan(held - 150 * MB);
    expect(await limit()).toBe(before);
  });

  it('keeps the lower limit while appending', async () => {
    const usual = await limit();
    await db.appending(async () => {
      const lower = await limit();
      expect(lower).not.toBe(usual);
      await db.releaseMemory();
      expect(await limit()).toBe(lower);
    });
    expect(await limit()).toBe(usual);
  });
});

describe('DatabaseSink.releaseMemory', () => {
  it('asks the database only when rows were flushed since it last did', async () => {
    let asked = 0;
    const counting = Object.create(db) as Database;
    counting.releaseMemory = async () => {
      asked += 1;
      await db.releaseMemory();
    };
    const sink = await DatabaseSink.create(counting, new ErrorCollector('UTC', () => {}));
    try {
      await sink.releaseMemory();
      expect(asked).toBe(0);
      const file = sink.forFile('logs/a.log', 'text', {}, newReport('logs/a.log', 'text', 'loaded', 0, null), () => {});
      const row = (i: number) => ({ ts: null, sourceLine: i + 1, level: 'info', event: null, message: `line ${i}`, logger: null, raw: null });
      for (let i = 0; i < FLUSH_ROWS; i++) file.event(row(i));
      await sink.releaseMemory();
      expect(asked).toBe(1);
      await sink.releaseMemory();
      expect(asked).toBe(1);
    } finally {
      await sink.finish();
    }
  });
});
