// The floor: DuckDB scanning the same files directly, with the columns named
// up front, for the same three questions as the obs commands. obs loads every
// record of every file (and parses tracebacks, usage and prices) before it
// answers; a query that reads only the columns it needs, straight from the
// files, is what obs cannot beat without a cache of its loaded tables.
// Usage: node duckdb-raw.mjs <thread|errors|llm> <logs dir> [thread_ts]
import { DuckDBInstance } from '@duckdb/node-api';

const [task, dir, thread] = process.argv.slice(2);
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;
const llm = `read_json(${q(`${dir}/llm_io_2*.jsonl`)}, format='newline_delimited', columns={
  event_type: 'VARCHAR', model: 'VARCHAR', status: 'VARCHAR', stage: 'VARCHAR', session_key: 'VARCHAR',
  thread_ts: 'VARCHAR', prompt_tokens: 'BIGINT', completion_tokens: 'BIGINT', error: 'VARCHAR',
  latency_ms: 'DOUBLE', trace_id: 'VARCHAR', created_at: 'VARCHAR'})`;
const app = `read_json(${q(`${dir}/app.jsonl`)}, format='newline_delimited', columns={
  ts: 'VARCHAR', level: 'VARCHAR', logger: 'VARCHAR', message: 'VARCHAR', stage: 'VARCHAR',
  thread_ts: 'VARCHAR', trace_id: 'VARCHAR', exc: 'VARCHAR'})`;
// Session logs are Python logging lines (`asctime LEVEL {json}`), not JSON
// lines: read them as one text column and parse the JSON after the prefix.
const sessions = `(SELECT substr(line, 1, 23) AS ts, split_part(line, ' ', 3) AS level,
  substr(line, strpos(line, '{'))::JSON AS j
  FROM read_csv(${q(`${dir}/timeboxing_session_2*.log`)}, columns={'line': 'VARCHAR'}, header=false,
    delim='\x01', quote='', escape='', auto_detect=false))`;

const sql = {
  thread: `
    SELECT 'llm_io' AS src, created_at AS ts, model AS what FROM ${llm} WHERE thread_ts = $t
    UNION ALL SELECT 'app', ts, message FROM ${app} WHERE thread_ts = $t
    UNION ALL SELECT 'session_log', ts, json_extract_string(j, '$.event') FROM ${sessions} WHERE json_extract_string(j, '$.thread_ts') = $t
    ORDER BY ts`,
  errors: `
    SELECT type, count(*) AS n FROM (
      SELECT regexp_extract(exc, '\\n([^\\n:]+):[^\\n]*$', 1) AS type FROM ${app}
        WHERE stage = 'plan' AND (exc IS NOT NULL OR level IN ('error', 'critical'))
      UNION ALL SELECT split_part(error, ':', 1) FROM ${llm} WHERE stage = 'plan' AND status = 'error'
      UNION ALL SELECT json_extract_string(j, '$.error_type') FROM ${sessions}
        WHERE level = 'ERROR' AND json_extract_string(j, '$.stage') = 'plan'
    ) GROUP BY type ORDER BY n DESC`,
  llm: `
    SELECT model, count(*) AS calls, count(*) FILTER (WHERE status = 'error') AS errors,
      sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens,
      quantile_cont(latency_ms, 0.5) AS latency_p50_ms
    FROM ${llm} GROUP BY model ORDER BY calls DESC`,
}[task];
if (!sql || !dir) {
  process.stderr.write('usage: node duckdb-raw.mjs <thread|errors|llm> <logs dir> [thread_ts]\n');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
const reader = await conn.runAndReadAll(sql, task === 'thread' ? { t: thread } : {});
const rows = reader.getRowObjectsJson();
process.stdout.write(JSON.stringify(rows) + '\n');
