/**
 * Database.lockDown on its own, without the checks obs sql makes before a
 * statement runs: DuckDB itself refuses files, the network, extensions and
 * any change to its configuration.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../src/db/database.js';

let db: Database;
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'obs-lockdown-'));
  writeFileSync(path.join(dir, 'secret.txt'), 'not loaded\n');
  db = await Database.open();
  await db.lockDown();
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Database.lockDown', () => {
  it('refuses to write a file', async () => {
    const target = path.join(dir, 'out.csv');
    await expect(db.exec(`COPY (SELECT 1 AS a) TO '${target}'`)).rejects.toThrow(/Permission Error/);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses to read a file, by a table function or by name', async () => {
    await expect(db.query(`SELECT * FROM read_text('${path.join(dir, 'secret.txt')}')`)).rejects.toThrow(/Permission Error/);
    await expect(db.query(`SELECT * FROM '${path.join(dir, 'secret.csv')}'`)).rejects.toThrow(/Permission Error/);
  });

  it('refuses to reach the network', async () => {
    await expect(db.query("SELECT * FROM read_csv('http://127.0.0.1:9/data.csv')")).rejects.toThrow(/Permission Error/);
  });

  it('loads no extension on demand', async () => {
    await expect(db.query("SELECT '127.0.0.1'::INET AS ip")).rejects.toThrow(/not in the catalog, but it exists in the inet extension/);
  });

  it('keeps its configuration: nothing above can be turned back on', async () => {
    for (const setting of [
      'SET enable_external_access = true',
      'SET autoload_known_extensions = true',
      'SET autoinstall_known_extensions = true',
      "SET temp_directory = '.tmp'",
      'SET lock_configuration = false',
    ]) {
      await expect(db.exec(setting)).rejects.toThrow(/configuration has been locked/);
    }
  });

  it('names no directory of the user', async () => {
    const { rows } = await db.query(
      "SELECT current_setting('secret_directory') AS secrets, current_setting('temp_directory') AS temp, current_setting('allowed_directories') AS allowed",
    );
    expect(rows).toEqual([{ secrets: '', temp: '', allowed: [] }]);
  });

  it('still answers queries over the loaded tables', async () => {
    const { rows } = await db.query('SELECT count(*) AS n FROM events');
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('locks a database that has spilled to its temporary directory, and keeps spilling there', async () => {
    // A load larger than the memory limit spills; DuckDB refuses to set the directory again once it is used.
    const spill = path.join(dir, 'tmp');
    const big = await Database.open({ tempDir: spill });
    try {
      await big.exec("SET memory_limit = '100MB'");
      await big.exec("CREATE TABLE t AS SELECT range AS i, repeat('x', 100) || range::VARCHAR AS s FROM range(2000000)");
      const used = await big.query('SELECT count(*) AS n FROM duckdb_temporary_files()');
      expect(used.rows[0]?.['n']).toBeGreaterThan(0);
      await big.lockDown();
      const { rows } = await big.query("SELECT current_setting('temp_directory') AS temp, (SELECT count(*) FROM t) AS n");
      expect(rows).toEqual([{ temp: spill, n: 2_000_000 }]);
      await expect(big.exec(`SET temp_directory = '${dir}'`)).rejects.toThrow(/configuration has been locked/);
    } finally {
      big.close();
    }
  });
});
