/**
 * `obs sql`: one read-only SQL query over the loaded tables. Anything but a
 * read is refused before it runs, and the database is locked (no file or
 * network access, configuration frozen) once the logs are loaded.
 */
import { Command } from 'commander';
import type { Context } from '../context.js';
import type { Database } from '../db/database.js';
import { SqlParams } from '../db/params.js';
import { sqlFile } from '../db/sql-files.js';
import { usageError, type ExitCode } from '../errors.js';
import { hasAnyFilter, recordConditions, type RecordFilters } from '../filters/filters.js';
import { output, readCommand, withSources } from './shared/command.js';
import type { CommonOptions } from './shared/options.js';
import { EVENTS, LLM_CALLS } from './shared/tables.js';

export interface SqlOptions extends CommonOptions {
  schema?: boolean;
}

const READ_ONLY = new Set(['SELECT', 'EXPLAIN']);
const HELP = 'obs sql runs one read-only query, for example: obs sql "select model, count(*) from llm_calls group by model"';

/**
 * Narrows events and llm_calls to the filtered records, keeps the session
 * index entries of the sessions left, then rebuilds sessions from them.
 */
async function applyFilters(db: Database, f: RecordFilters): Promise<void> {
  for (const table of [EVENTS, LLM_CALLS]) {
    const params = new SqlParams();
    const conds = recordConditions(f, table, params);
    await db.exec(`DELETE FROM ${table.name} WHERE NOT coalesce(${conds.map((c) => `(${c})`).join(' AND ')}, false)`, params.values);
  }
  await db.exec(sqlFile('narrow_session_index.sql'));
  await db.exec(sqlFile('sessions.sql'));
}

async function checkReadOnly(db: Database, query: string): Promise<void> {
  let types: string[];
  try {
    types = await db.statementTypes(query);
  } catch (err) {
    const reason = (err as Error).message.replace(/^Failed to extract statements: /, '');
    if (reason.startsWith('Permission Error')) {
      throw usageError('obs sql reads only the loaded tables: file and network access are off', { reason, help: HELP });
    }
    throw usageError('the query does not parse', { reason, help: 'obs sql --schema lists the tables and columns' });
  }
  if (types.length !== 1) {
    throw usageError(`expected one SQL statement, got ${types.length}`, { help: HELP });
  }
  const type = types[0] ?? 'UNKNOWN';
  if (!READ_ONLY.has(type)) {
    throw usageError(`obs sql is read-only: ${type} statements are refused`, { help: HELP });
  }
}

export async function runSql(ctx: Context, query: string | undefined, o: SqlOptions): Promise<ExitCode> {
  if (o.schema !== true && (query === undefined || query.trim() === '')) {
    throw usageError('no query given', { help: `${HELP}; obs sql --schema lists the tables` });
  }
  return withSources(ctx, o, async (s) => {
    if (hasAnyFilter(s.filters)) await applyFilters(s.db, s.filters);
    await s.db.lockDown();
    const text = o.schema === true ? sqlFile('schema_list.sql') : (query as string);
    if (o.schema !== true) await checkReadOnly(s.db, text);
    let result;
    try {
      result = await s.db.query(text);
    } catch (err) {
      throw usageError('the query failed', { reason: (err as Error).message, help: 'obs sql --schema lists the tables and columns' });
    }
    const truncated = s.limit !== null && result.rows.length > s.limit;
    const types = result.types;
    output(ctx, s, {
      noun: 'rows',
      columns: result.columns.map((key) => ({ key })),
      rows: truncated ? result.rows.slice(0, s.limit ?? 0) : result.rows,
      fields: result.columns,
      meta: { columns: result.columns.map((name, i) => ({ name, type: types[i] })) },
      truncated,
    });
  });
}

export function sqlCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  return readCommand({
    name: 'sql',
    summary: 'run a read-only SQL query over the loaded tables',
    description:
      'Run one read-only SQL query (DuckDB dialect) over the tables events, llm_calls, sessions, ' +
      'session_index, files and line_issues. Filters narrow events and llm_calls (and the sessions built from them) first.',
    own: (cmd) => cmd.argument('[query]', 'the SQL query').option('--schema', 'list the tables and their columns'),
    examples: [
      'obs sql --schema',
      'obs sql "select model, count(*) as calls, sum(total_tokens) as tokens from llm_calls group by model"',
      'obs sql --thread 1795299499.694654 "select level, count(*) from events group by level" --json',
    ],
  }).action((query: string | undefined, opts: SqlOptions) => run(runSql(ctx, query, opts)));
}
