// What obs's first cached run is measured against: DuckDB building tables of
// the same files in a database file (CREATE TABLE ... AS SELECT ... FROM
// read_json/read_csv with explicit columns, the LLM calls with their prompt
// and response excerpts), then answering the same question from the tables.
// The database file is replaced on every run.
// Usage: node duckdb-ctas.mjs <thread|errors|llm> <logs dir> <database file> [thread_ts]
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { answer, question, sources } from './duckdb-sql.mjs';

// Loaded as obs loads it (src/db/duckdb.ts): the build's bundle of its 180 files, with require.
const { DuckDBInstance } = createRequire(import.meta.url)('../../dist/vendor/duckdb-node-api.cjs');

const [task, dir, file, thread] = process.argv.slice(2);
if (!dir || !file || !question(task, sources(dir))) {
  process.stderr.write('usage: node duckdb-ctas.mjs <thread|errors|llm> <logs dir> <database file> [thread_ts]\n');
  process.exit(2);
}
for (const f of [file, `${file}.wal`]) rmSync(f, { force: true });
const conn = await (await DuckDBInstance.create(file)).connect();
const from = sources(dir, { full: true });
for (const [table, relation] of Object.entries(from)) await conn.run(`CREATE TABLE ${table} AS SELECT * FROM ${relation}`);
await conn.run('CHECKPOINT');
await answer(conn, task, { llm: 'llm', app: 'app', sessions: 'sessions' }, thread);
