/**
 * LLM calls rolled up by one or more keys: the figures `obs llm --by` prints
 * and `obs report` summarises. The keys come from a fixed list; nothing the
 * user types reaches SQL text.
 */
import type { Database, Row } from '../../db/database.js';
import type { SqlParams } from '../../db/params.js';
import { sqlFile } from '../../db/sql-files.js';
import { usageError } from '../../errors.js';
import { filteredCte } from './query.js';
import { LLM_CALLS } from './tables.js';

/** --by keys and the SQL expression each groups on. */
export const GROUP_KEYS: Record<string, string> = {
  model: 'model',
  stage: 'stage',
  call_label: 'call_label',
  session: 'session_key',
  agent: 'agent',
  status: 'status',
  function: 'function',
  channel: 'channel_id',
  hour: "strftime(date_trunc('hour', ts), '%Y-%m-%dT%H:00Z')",
  day: "strftime(date_trunc('day', ts), '%Y-%m-%d')",
};

export function parseGroupKeys(text: string): string[] {
  const keys = text.split(',').map((k) => k.trim()).filter((k) => k !== '');
  for (const k of keys) {
    if (!(k in GROUP_KEYS)) {
      throw usageError(`cannot group LLM calls by "${k}"`, { help: `use --by with one or more of: ${Object.keys(GROUP_KEYS).join(', ')}` });
    }
  }
  if (keys.length === 0) throw usageError('--by needs a key', { help: 'for example: --by model or --by stage,model' });
  return keys;
}

/**
 * The calls under `conds` grouped by `keys` (validated by parseGroupKeys):
 * busiest group first, or in time order when a key is hour or day. With no
 * keys, one row of totals (calls 0 when nothing matched).
 */
export async function rollupLlmCalls(db: Database, conds: string[], params: SqlParams, keys: string[]): Promise<Row[]> {
  return (await rollup(db, conds, params, keys, false)).groups;
}

/**
 * The groups as rollupLlmCalls gives them, and the totals over every call
 * under `conds` (the row of no keys), from one pass over the calls.
 */
export async function rollupWithTotals(db: Database, conds: string[], params: SqlParams, keys: string[]): Promise<{ groups: Row[]; totals: Row }> {
  const { groups, totals } = await rollup(db, conds, params, keys, true);
  return { groups, totals: totals ?? {} };
}

async function rollup(db: Database, conds: string[], params: SqlParams, keys: string[], withTotals: boolean): Promise<{ groups: Row[]; totals: Row | undefined }> {
  const time = keys.includes('hour') || keys.includes('day');
  const ordered = keys.map((k) => `${k} NULLS LAST`);
  const both = withTotals && keys.length > 0;
  const sql = sqlFile('llm_rollup.sql')
    .replaceAll('{{keys}}', keys.map((k) => `${GROUP_KEYS[k]} AS ${k},`).join(' '))
    .replaceAll('{{total}}', both ? `, grouping(${keys.join(', ')}) <> 0 AS is_total` : '')
    .replaceAll('{{grouping}}', both ? `GROUPING SETS ((${keys.join(', ')}), ())` : 'ALL')
    .replaceAll('{{order}}', (time ? ordered : ['calls DESC', ...ordered]).join(', '));
  const { rows } = await db.query(`${filteredCte(LLM_CALLS, conds)} ${sql}`, params.values);
  if (!withTotals) return { groups: rows, totals: undefined };
  if (!both) return { groups: [], totals: rows[0] };
  const groups: Row[] = [];
  let totals: Row | undefined;
  for (const { is_total: isTotal, ...row } of rows) {
    if (isTotal !== true) groups.push(row);
    else totals = Object.fromEntries(Object.entries(row).filter(([k]) => !keys.includes(k)));
  }
  return { groups, totals };
}

/** The prices that computed the costs of the calls under `conds`: model, table, rates, calls and cost (sql/llm_prices.sql). */
export async function pricesApplied(db: Database, conds: string[], params: SqlParams): Promise<Row[]> {
  const { rows } = await db.query(`${filteredCte(LLM_CALLS, conds)} ${sqlFile('llm_prices.sql')}`, params.values);
  return rows;
}

/** Why the calls under `conds` have no known cost: each reason with its number of calls, most first. */
export async function unknownCostReasons(db: Database, conds: string[], params: SqlParams): Promise<Array<{ reason: string; calls: number }>> {
  const sql = `${filteredCte(LLM_CALLS, conds)}
    SELECT cost_detail->>'reason' AS reason, CAST(count(*) AS INTEGER) AS calls
    FROM filtered WHERE cost_source = 'unknown' GROUP BY ALL ORDER BY calls DESC, reason`;
  const { rows } = await db.query(sql, params.values);
  return rows as Array<{ reason: string; calls: number }>;
}
