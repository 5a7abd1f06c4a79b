// The floor: DuckDB scanning the same files directly, with the columns named
// up front, for the same three questions as the obs commands. obs loads every
// record of every file (and parses tracebacks, usage and prices) before it
// answers; a query that reads only the columns it needs, straight from the
// files, is what obs cannot beat without a cache of its loaded tables.
// Usage: node duckdb-raw.mjs <thread|errors|llm> <logs dir> [thread_ts]
import { createRequire } from 'node:module';
import { answer, question, sources } from './duckdb-sql.mjs';

// Loaded as obs loads it (src/db/duckdb.ts): the build's bundle of its 180 files, with require.
const { DuckDBInstance } = createRequire(import.meta.url)('../../dist/vendor/duckdb-node-api.cjs');

const [task, dir, thread] = process.argv.slice(2);
if (!dir || !question(task, sources(dir))) {
  process.stderr.write('usage: node duckdb-raw.mjs <thread|errors|llm> <logs dir> [thread_ts]\n');
  process.exit(2);
}
const conn = await (await DuckDBInstance.create(':memory:')).connect();
await answer(conn, task, sources(dir), thread);
