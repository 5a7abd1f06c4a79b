/**
 * `obs sql` reads the loaded tables and nothing else. Every statement that
 * writes, changes settings, or reaches a file, the network or an extension is
 * refused with exit 2, nothing on stdout, an `error: obs sql ...` line naming
 * what was refused, no file written and no byte of a file outside the loaded
 * logs shown. Queries still work once the database is locked.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_HOME, obs, obsJson, ROOT } from '../helpers/cli.js';

const LOGS = ['--logs', path.join(ROOT, 'fixtures/generated/logs')];
const TABLES = ['sessions', 'events', 'llm_calls', 'errors', 'error_records', 'spans', 'metric_samples', 'session_index', 'files', 'line_issues'];
/** In every file outside the loaded logs; must never be printed. */
const SECRET = 'NOT-LOADED-7f3a9c';

type Row = Record<string, unknown>;

let dir = '';
/** Where a write would land: must stay empty. */
let out = '';
/** HOME as obs sees it: must never be printed either. */
let home = '';
let server: Server;
let serverUrl = '';
let requests = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'obs-sql-locked-'));
  out = path.join(dir, 'out');
  home = path.join(dir, `home-${SECRET}`);
  mkdirSync(out);
  mkdirSync(home);
  writeFileSync(path.join(dir, 'secret.csv'), `name,value\n${SECRET},1\n`);
  writeFileSync(path.join(dir, 'secret.json'), `[{"name": "${SECRET}"}]\n`);
  writeFileSync(path.join(dir, 'secret.ndjson'), `{"name": "${SECRET}"}\n`);
  writeFileSync(path.join(dir, 'secret.txt'), `${SECRET}\n`);
  // IMPORT DATABASE would run these.
  mkdirSync(path.join(dir, 'export'));
  writeFileSync(path.join(dir, 'export', 'schema.sql'), 'CREATE TABLE leaked (name VARCHAR);\n');
  writeFileSync(path.join(dir, 'export', 'load.sql'), `INSERT INTO leaked VALUES ('${SECRET}');\n`);
  // DuckDB keeps its temporary directory (./.tmp) readable even with external access off, unless told otherwise.
  mkdirSync(path.join(dir, '.tmp'));
  writeFileSync(path.join(dir, '.tmp', 'spill.csv'), `name\n${SECRET}\n`);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`COPY (SELECT '${SECRET}' AS name) TO '${path.join(dir, 'secret.parquet')}' (FORMAT parquet)`);
  conn.closeSync();
  db.closeSync();
  // Any request here is a query that reached the network.
  server = createServer((_req, res) => {
    requests++;
    res.end(`name\n${SECRET}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  serverUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function sql(query: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  return obs(['sql', ...LOGS, query, '--json'], { cwd: dir, env: { HOME: home } });
}

function expectRefused(r: { stdout: string; stderr: string; exitCode: number }, message: RegExp): void {
  expect(r.exitCode).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^error: obs sql /m);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(/^help: /m);
  expect(r.stdout + r.stderr).not.toContain(SECRET);
}

const refused = (type: string): RegExp => new RegExp(`^error: obs sql is read-only: ${type} statements are refused$`, 'm');
const tableFunction = (name: string): RegExp => new RegExp(`^error: obs sql reads only the loaded tables: the table function ${name} is refused$`, 'm');
const FILES_OFF = /^error: obs sql reads only the loaded tables: file and network access are off$/m;
const NO_EXTENSIONS = /^error: obs sql reads only the loaded tables: DuckDB extensions are not loaded$/m;

describe('obs sql refuses what writes, and writes nothing', () => {
  // The out/ paths are relative to the working directory, the test's own folder.
  const cases: Array<[string, RegExp]> = [
    ["COPY (SELECT 1 AS a) TO 'out/copy.csv'", refused('COPY')],
    ["COPY events TO 'out/events.parquet' (FORMAT parquet)", refused('COPY')],
    ["EXPORT DATABASE 'out/export'", refused('EXPORT')],
    ["ATTACH 'out/attached.duckdb' AS other", refused('ATTACH')],
    ["ATTACH ':memory:' AS scratch", refused('ATTACH')],
    ['DETACH memory', refused('DETACH')],
    ['INSTALL httpfs', refused('INSTALL')],
    ["INSTALL httpfs FROM 'http://127.0.0.1:9/repo'", refused('INSTALL')],
    ['LOAD httpfs', refused('LOAD')],
    ["LOAD 'out/evil.duckdb_extension'", refused('LOAD')],
    ['CREATE TABLE copied AS SELECT * FROM events', refused('CREATE')],
    ['CREATE VIEW v AS SELECT 1', refused('CREATE')],
    ['CREATE MACRO twice(x) AS x * 2', refused('CREATE')],
    ['CREATE TEMP TABLE t AS SELECT 1 AS a', refused('CREATE')],
    ["CREATE SECRET s (TYPE s3, KEY_ID 'id', SECRET 'key')", refused('CREATE')],
    ["CREATE PERSISTENT SECRET s (TYPE s3, KEY_ID 'id', SECRET 'key')", refused('CREATE')],
    ['DROP TABLE events', refused('DROP')],
    ["INSERT INTO events (source_file, source_line, source_kind) VALUES ('a', 1, 'b')", refused('INSERT')],
    ["UPDATE events SET level = 'error'", refused('UPDATE')],
    ['DELETE FROM events', refused('DELETE')],
    ['ALTER TABLE events RENAME TO gone', refused('ALTER')],
    ["WITH x AS (SELECT 1) INSERT INTO events (source_file, source_line, source_kind) SELECT 'a', 1, 'b'", refused('INSERT')],
    ['SET threads = 1', refused('SET')],
    ['SET enable_external_access = true', refused('SET')],
    ['SET lock_configuration = false', refused('SET')],
    ["SET GLOBAL temp_directory = 'out'", refused('SET')],
    ['SET VARIABLE x = 1', refused('SET')],
    ['RESET threads', refused('RESET')],
    ['PRAGMA version', refused('PRAGMA')],
    ["PRAGMA table_info('events')", refused('PRAGMA')],
    ['PRAGMA enable_profiling', refused('PRAGMA')],
    ["PRAGMA profiling_output = 'out/profile.json'", refused('PRAGMA')],
    ['CALL pragma_version()', refused('CALL')],
    ['USE memory', refused('USE')],
    ['CHECKPOINT', refused('CHECKPOINT')],
    ['FORCE CHECKPOINT', refused('FORCE')],
    ['VACUUM', refused('VACUUM')],
    ['PREPARE p AS SELECT 1', refused('PREPARE')],
    ['BEGIN TRANSACTION', refused('BEGIN')],
    // EXPLAIN ANALYZE runs the statement it explains.
    ['EXPLAIN ANALYZE DELETE FROM events', refused('EXPLAIN DELETE')],
    ["EXPLAIN ANALYZE COPY (SELECT 1) TO 'out/explained.csv'", refused('EXPLAIN COPY')],
    ['EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1', refused('EXPLAIN CREATE')],
    ['EXPLAIN CREATE TABLE t AS SELECT 1', refused('EXPLAIN CREATE')],
    // Table functions that change DuckDB's state, run SQL out of sight of these checks, or write.
    ["SELECT * FROM enable_logging(storage = 'file', storage_config = {'path': 'out/logs'})", tableFunction('enable_logging')],
    ["SELECT * FROM enable_logging(storage = 'stdout')", tableFunction('enable_logging')],
    ['SELECT * FROM enable_profiling()', tableFunction('enable_profiling')],
    ['SELECT * FROM checkpoint()', tableFunction('checkpoint')],
    ["SELECT * FROM query('SELECT 1')", tableFunction('query')],
    ["SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))", tableFunction('json_execute_serialized_sql')],
  ];
  it.each(cases)('%s', async (query, message) => {
    const r = await sql(query);
    expectRefused(r, message);
    expect(readdirSync(out)).toEqual([]);
  });

  it('more than one statement, even when the first is a query', async () => {
    for (const query of ['SELECT 1; SELECT 2', 'SELECT 1; DROP TABLE events', "SELECT 1; COPY events TO 'out/x.csv'"]) {
      const r = await sql(query);
      expectRefused(r, /^error: obs sql runs one SQL statement, got 2$/m);
    }
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('obs sql refuses what reads outside the loaded data, and shows none of it', () => {
  const cases: Array<[string, RegExp]> = [
    ["SELECT * FROM read_csv('secret.csv')", tableFunction('read_csv')],
    ["SELECT * FROM read_csv_auto('secret.csv')", tableFunction('read_csv_auto')],
    ["SELECT * FROM read_json('secret.json')", tableFunction('read_json')],
    ["SELECT * FROM read_json_auto('secret.json')", tableFunction('read_json_auto')],
    ["SELECT * FROM read_ndjson('secret.ndjson')", tableFunction('read_ndjson')],
    ["SELECT * FROM read_json_objects('secret.json')", tableFunction('read_json_objects')],
    ["SELECT * FROM read_parquet('secret.parquet')", tableFunction('read_parquet')],
    ["SELECT * FROM parquet_scan('secret.parquet')", tableFunction('parquet_scan')],
    ["SELECT * FROM parquet_metadata('secret.parquet')", tableFunction('parquet_metadata')],
    ["SELECT * FROM parquet_schema('secret.parquet')", tableFunction('parquet_schema')],
    ["SELECT * FROM read_text('secret.txt')", tableFunction('read_text')],
    ["SELECT * FROM read_blob('secret.txt')", tableFunction('read_blob')],
    ["SELECT * FROM glob('*')", tableFunction('glob')],
    ["SELECT * FROM sniff_csv('secret.csv')", tableFunction('sniff_csv')],
    ["SELECT * FROM read_duckdb('secret.parquet')", tableFunction('read_duckdb')],
    ["SELECT * FROM events WHERE EXISTS (SELECT * FROM read_text('secret.txt'))", tableFunction('read_text')],
    ["DESCRIBE SELECT * FROM read_csv('secret.csv')", tableFunction('read_csv')],
    ["EXPLAIN ANALYZE SELECT * FROM read_text('secret.txt')", tableFunction('read_text')],
    ["SELECT * FROM system.main.read_text('secret.txt')", tableFunction('read_text')],
    // Replacement scans: a file named in FROM. DuckDB's lock refuses these: no check of obs's sees a table function.
    ["SELECT * FROM 'secret.csv'", FILES_OFF],
    ["FROM 'secret.json'", FILES_OFF],
    ["SELECT count(*) FROM 'secret.parquet'", FILES_OFF],
    ["SUMMARIZE FROM 'secret.csv'", FILES_OFF],
    ["DESCRIBE 'secret.csv'", FILES_OFF],
    ["SELECT * FROM '.tmp/spill.csv'", FILES_OFF],
    ["SELECT * FROM 'out/../secret.csv'", FILES_OFF],
    // Reading files while parsing: the lock stops it there.
    ["COPY events FROM 'secret.csv'", refused('COPY')],
    ["IMPORT DATABASE 'export'", refused('IMPORT')],
    ["PRAGMA import_database('export')", refused('PRAGMA')],
    // Functions of extensions: none is loaded, or installed, on demand.
    ["SELECT * FROM read_xlsx('secret.csv')", tableFunction('read_xlsx')],
    ["SELECT '127.0.0.1'::INET AS ip", NO_EXTENSIONS],
    ['SELECT st_point(1, 2)', NO_EXTENSIONS],
  ];
  it.each(cases)('%s', async (query, message) => {
    expectRefused(await sql(query), message);
  });

  it('network URLs: refused, and no request leaves', async () => {
    const queries: Array<[string, RegExp]> = [
      [`SELECT * FROM '${serverUrl}/data.csv'`, FILES_OFF],
      [`SELECT * FROM read_csv('${serverUrl}/data.csv')`, tableFunction('read_csv')],
      [`SELECT * FROM read_text('${serverUrl}/data.txt')`, tableFunction('read_text')],
      [`SELECT * FROM read_parquet('${serverUrl}/data.parquet')`, tableFunction('read_parquet')],
      [`ATTACH '${serverUrl}/data.duckdb' AS remote`, refused('ATTACH')],
      ["SELECT * FROM 's3://bucket/data.parquet'", FILES_OFF],
      ["SELECT * FROM read_csv('s3://bucket/data.csv')", tableFunction('read_csv')],
    ];
    for (const [query, message] of queries) expectRefused(await sql(query), message);
    expect(requests).toBe(0);
  });

  it('no environment: no getenv, and neither the home directory nor the working directory in any setting', async () => {
    const getenv = await sql("SELECT getenv('HOME') AS home");
    expect(getenv.exitCode).toBe(2);
    expect(getenv.stdout).toBe('');
    expect(getenv.stderr).toMatch(/getenv does not exist/);
    expect(getenv.stderr).not.toContain(home);
    const settings = await sql('SELECT name, value FROM duckdb_settings()');
    expect(settings.exitCode).toBe(0);
    const rows = (JSON.parse(settings.stdout) as { rows: Row[] }).rows;
    expect(rows.length).toBeGreaterThan(50);
    for (const r of rows) {
      expect(String(r['value'])).not.toContain(home);
      expect(String(r['value'])).not.toContain(dir);
    }
    const values = Object.fromEntries(rows.map((r) => [r['name'], r['value']]));
    // The only paths DuckDB may touch are obs's own: the cache file it reads and the directory it spills to.
    const own = `${CACHE_HOME}/obs`;
    expect(values).toMatchObject({
      enable_external_access: 'false',
      lock_configuration: 'true',
      autoload_known_extensions: 'false',
      autoinstall_known_extensions: 'false',
      allow_persistent_secrets: 'false',
      secret_directory: '',
    });
    // DuckDB spills to a folder of this process's own.
    expect(values['temp_directory']).toMatch(new RegExp(`^${own}/tmp/\\d+$`));
    expect(values['allowed_directories']).toBe(`[${String(values['temp_directory'])}/]`);
    const allowed = String(values['allowed_paths']).replace(/^\[|\]$/g, '').split(', ');
    expect(allowed.length).toBeGreaterThan(0);
    for (const p of allowed) expect(p).toMatch(new RegExp(`^${own}/logs-[0-9a-f]{16}\\.duckdb(\\.wal(\\.\\w+)?)?$`));
  });
});

describe('obs sql still answers queries once the database is locked', () => {
  it('--schema lists every table', async () => {
    const { data, exitCode } = await obsJson<{ rows: Row[] }>(['sql', ...LOGS, '--schema'], { cwd: dir });
    expect(exitCode).toBe(0);
    expect([...new Set(data.rows.map((r) => r['table']))].sort()).toEqual([...TABLES].sort());
  });

  it('a query over every table', async () => {
    const query = `SELECT ${TABLES.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`;
    const { data, exitCode, stderr } = await obsJson<{ rows: Row[] }>(['sql', ...LOGS, query], { cwd: dir });
    expect(exitCode, stderr).toBe(0);
    const counts = data.rows[0] as Record<string, number>;
    expect(Object.keys(counts)).toEqual(TABLES);
    // fixtures/generated: 70 events, 12 LLM calls, 4 sessions, 3 index entries.
    expect(counts).toMatchObject({ events: 70, llm_calls: 12, sessions: 4, session_index: 3 });
    for (const t of ['files', 'errors', 'error_records']) expect(counts[t]).toBeGreaterThan(0);
  });

  it.each([
    ['SELECT model, count(*) AS n FROM llm_calls GROUP BY model ORDER BY model', 3],
    ['FROM events WHERE level = \'error\' LIMIT 2', 2],
    ['WITH m AS (SELECT DISTINCT model FROM llm_calls) SELECT count(*) AS n FROM m', 1],
    ['VALUES (1), (2)', 2],
    ['TABLE sessions', 4],
    ['DESCRIBE events', null],
    ['SHOW TABLES', TABLES.length],
    ['SUMMARIZE llm_calls', null],
    ["PIVOT llm_calls ON status IN ('ok', 'error') USING count(*) GROUP BY model", 3],
    ['SELECT * FROM range(3)', 3],
    ['SELECT unnest([1, 2, 3]) AS x', 3],
    ["SELECT count(*) AS n FROM duckdb_columns() WHERE table_name = 'events'", 1],
    ['EXPLAIN SELECT count(*) FROM events', null],
    ['EXPLAIN ANALYZE SELECT count(*) FROM events', null],
    ['EXPLAIN (FORMAT json) SELECT count(*) FROM events', null],
    ['select 1 as one; -- a trailing comment', 1],
  ])('%s', async (query, rows) => {
    const { data, exitCode, stderr } = await obsJson<{ rows: Row[] }>(['sql', ...LOGS, query], { cwd: dir });
    expect(exitCode, stderr).toBe(0);
    if (rows === null) expect(data.rows.length).toBeGreaterThan(0);
    else expect(data.rows).toHaveLength(rows);
  });
});
