// The DuckDB side of the benchmark: the three sources of a generated corpus
// read with explicit columns, and the three questions over them. Used by
// duckdb-raw.mjs (straight from the files) and duckdb-ctas.mjs (from tables
// built first).

const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

/**
 * The sources as relations over the files. With `full`, the LLM calls keep
 * their request and response excerpts (the bulk of the bytes), as obs's
 * tables keep each record's text.
 */
export function sources(dir, { full = false } = {}) {
  const excerpts = full ? `, request_excerpt: 'JSON', response_excerpt: 'JSON', request_options: 'JSON'` : '';
  return {
    llm: `read_json(${q(`${dir}/llm_io_2*.jsonl`)}, format='newline_delimited', columns={
      event_type: 'VARCHAR', model: 'VARCHAR', status: 'VARCHAR', stage: 'VARCHAR', session_key: 'VARCHAR',
      thread_ts: 'VARCHAR', prompt_tokens: 'BIGINT', completion_tokens: 'BIGINT', error: 'VARCHAR',
      latency_ms: 'DOUBLE', trace_id: 'VARCHAR', created_at: 'VARCHAR'${excerpts}})`,
    app: `read_json(${q(`${dir}/app.jsonl`)}, format='newline_delimited', columns={
      ts: 'VARCHAR', level: 'VARCHAR', logger: 'VARCHAR', message: 'VARCHAR', stage: 'VARCHAR',
      thread_ts: 'VARCHAR', trace_id: 'VARCHAR', exc: 'VARCHAR'})`,
    // Session logs are Python logging lines (`asctime LEVEL {json}`), not JSON
    // lines: read them as one text column and parse the JSON after the prefix.
    sessions: `(SELECT substr(line, 1, 23) AS ts, split_part(line, ' ', 3) AS level,
      substr(line, strpos(line, '{'))::JSON AS j
      FROM read_csv(${q(`${dir}/timeboxing_session_2*.log`)}, columns={'line': 'VARCHAR'}, header=false,
        delim='\x01', quote='', escape='', auto_detect=false))`,
  };
}

/** The SQL of one task over relations named llm, app and sessions; thread binds $t. */
export function question(task, { llm, app, sessions }) {
  return {
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
}

/** Runs one task's question and prints its rows as JSON. */
export async function answer(conn, task, relations, thread) {
  const reader = await conn.runAndReadAll(question(task, relations), task === 'thread' ? { t: thread } : {});
  process.stdout.write(JSON.stringify(reader.getRowObjectsJson()) + '\n');
}
