/**
 * The subject of `obs query` and `obs trace`: the rows one selector (a thread,
 * session, run, request, trace or field value) matches in every table, then
 * query_subject.sql adds what shares their trace ids and the errors seen in
 * them. Leaves the subject_* temp tables for the caller's queries.
 */
import type { Database, Row } from '../../db/database.js';
import { SqlParams } from '../../db/params.js';
import { sqlFile } from '../../db/sql-files.js';
import { fieldEquals, fieldResolver, type TableSpec } from '../../filters/filters.js';
import { parseJsonFields } from './query.js';
import { ERROR_JSON_COLUMNS, ERRORS, EVENTS, LLM_CALLS, SPANS } from './tables.js';

export type SelectorKind = 'thread' | 'session' | 'run' | 'request' | 'trace' | 'key';

export interface Selector {
  kind: SelectorKind;
  value: string;
  /** A channel read from a Slack permalink. */
  channel?: string;
  keys?: Array<{ field: string; value: string }>;
}

export const COLUMN_OF: Record<Exclude<SelectorKind, 'key'>, string> = {
  thread: 'thread_ts',
  session: 'session_key',
  run: 'run_id',
  request: 'request_id',
  trace: 'trace_id',
};

/** Whether a table without a raw record has the field as a column. */
function knownField(table: TableSpec, field: string): boolean {
  try {
    fieldResolver(table)(field, field.split('.'));
    return true;
  } catch {
    return false;
  }
}

/** The selector as a condition on one table; FALSE when the table cannot hold the field (errors are then found through their sightings). */
function condition(sel: Selector, table: TableSpec, params: SqlParams): string {
  if (sel.kind === 'key') {
    const conds: string[] = [];
    for (const k of sel.keys ?? []) {
      if (table.raw === undefined && !knownField(table, k.field)) return 'FALSE';
      conds.push(fieldEquals(table, k.field, k.value, params));
    }
    return conds.map((c) => `(${c})`).join(' AND ');
  }
  const col = COLUMN_OF[sel.kind];
  const conds = [`${col} = ${params.add(sel.value)}`];
  if (sel.channel !== undefined) conds.push(`(channel_id IS NULL OR channel_id = ${params.add(sel.channel)})`);
  return conds.join(' AND ');
}

export async function selectSubject(db: Database, sel: Selector): Promise<void> {
  for (const [temp, table] of [
    ['selected_events', EVENTS],
    ['selected_llm_calls', LLM_CALLS],
    ['selected_errors', ERRORS],
    ['selected_spans', SPANS],
  ] as const) {
    const params = new SqlParams();
    await db.exec(`CREATE TEMP TABLE ${temp} AS SELECT * FROM ${table.name} WHERE ${condition(sel, table, params)}`, params.values);
  }
  await db.exec(sqlFile('query_subject_traces.sql'));
  const traces = (await db.query('SELECT trace_id FROM subject_traces ORDER BY trace_id')).rows.map((r) => String(r['trace_id']));
  await db.execScript(sqlFile('query_subject.sql'), { traces: JSON.stringify(traces) });
}

/** The subject's errors as `obs errors` gives them, each with how it was found (via). */
export async function subjectErrors(db: Database): Promise<Row[]> {
  const { rows } = await db.query(
    `WITH filtered AS (SELECT * FROM subject_errors) SELECT q.*, f.via FROM (${sqlFile('errors.sql')}) q ` +
      'JOIN filtered f USING (error_id) ORDER BY q.ts NULLS LAST, q.source_file, q.source_line',
  );
  return parseJsonFields(rows, ERROR_JSON_COLUMNS);
}
