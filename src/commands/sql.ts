/**
 * `obs sql`: one read-only SQL query over the loaded tables. Anything but a
 * query of the loaded data is refused before it runs, by DuckDB's own parser
 * and binder (checkReadOnly), and the database is locked once the logs are
 * loaded (Database.lockDown: no file, network or extension, configuration
 * frozen), so that the refusal does not rest on these checks alone.
 */
import { Command } from 'commander';
import { homedir } from 'node:os';
import type { Context } from '../context.js';
import type { Database } from '../db/database.js';
import { SqlParams } from '../db/params.js';
import { explainedCandidates, leadingKeyword, TABLE_FUNCTIONS, tableFunctions } from '../db/read-only.js';
import { sqlFile } from '../db/sql-files.js';
import { usageError, type ExitCode, type ObsError } from '../errors.js';
import { hasAnyFilter, recordConditions, type RecordFilters } from '../filters/filters.js';
import { output, readCommand, withSources } from './shared/command.js';
import type { CommonOptions } from './shared/options.js';
import { EVENTS, LLM_CALLS } from './shared/tables.js';

export interface SqlOptions extends CommonOptions {
  schema?: boolean;
}

const HELP = 'obs sql runs one read-only query, for example: obs sql "select model, count(*) from llm_calls group by model"';
const FILES_HELP = 'query the tables obs loaded (obs sql --schema lists them); to read other log files, pass them with --logs';
const QUERIES =
  'obs sql runs one query (SELECT, FROM, WITH, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE, or EXPLAIN of a query) over the loaded tables: ' +
  'nothing that writes, changes settings, or reaches files, the network or extensions';
/** First words of a query, as leadingKeyword gives them. */
const QUERY_WORDS = new Set(['SELECT', 'FROM', 'WITH', 'VALUES', 'TABLE', 'DESCRIBE', 'SHOW', 'SUMMARIZE', 'PIVOT', 'UNPIVOT']);

/**
 * Narrows events and llm_calls to the filtered records, keeps the session
 * index entries of the sessions left, then rebuilds sessions from them.
 */
async function applyFilters(db: Database, f: RecordFilters): Promise<void> {
  for (const table of [EVENTS, LLM_CALLS]) {
    const params = new SqlParams();
    const conds = recordConditions(f, table, params);
    await db.keepOnly(table.name, conds.map((c) => `(${c})`).join(' AND '), params.values);
  }
  await db.keepOnly('session_index', sqlFile('narrow_session_index.sql'));
  if (db.cached) await db.exec('DROP VIEW sessions');
  await db.execScript(sqlFile('sessions.sql'), { touched_only: false });
}

/** DuckDB's error message as shown: without the extraction prefix, the home directory written ~. */
function duckdbReason(err: unknown): string {
  const text = (err as Error).message.replace(/^Failed to extract statements: /, '');
  const home = homedir();
  return home.length > 1 ? text.split(home).join('~') : text;
}

/**
 * The refusal for what DuckDB itself refused once locked: a file or URL
 * (Permission Error), or a function of an extension it may not load. Null for
 * any other error.
 */
function lockedOut(err: unknown): ObsError | null {
  const reason = duckdbReason(err);
  if (reason.startsWith('Permission Error')) {
    return usageError('obs sql reads only the loaded tables: file and network access are off', { reason, help: FILES_HELP });
  }
  if (/^Extension Autoloading Error|but it exists in the \w+ extension/.test(reason)) {
    return usageError('obs sql reads only the loaded tables: DuckDB extensions are not loaded', {
      // DuckDB's own advice (INSTALL, LOAD) is what obs sql refuses: keep the first line only.
      reason: reason.split('\n', 1)[0],
      help: FILES_HELP,
    });
  }
  return null;
}

/** DuckDB's statement type of a query bound against the loaded tables' schema alone (empty, in memory, locked); null when it does not bind. */
async function statementTypeOnSchema(query: string): Promise<string | null> {
  const { Database } = await import('../db/database.js');
  const scratch = await Database.open();
  try {
    await scratch.lockDown();
    return await scratch.statementType(query);
  } catch {
    return null;
  } finally {
    scratch.close();
  }
}

function invalid(err: unknown): ObsError {
  return lockedOut(err) ?? usageError('the query does not parse', { reason: duckdbReason(err), help: 'obs sql --schema lists the tables and columns' });
}

/** Refuses a table function outside TABLE_FUNCTIONS (read_csv, glob, enable_logging, query, ...). */
function checkTableFunctions(tree: unknown): void {
  const refused = tableFunctions(tree).find((name) => !TABLE_FUNCTIONS.has(name));
  if (refused === undefined) return;
  throw usageError(`obs sql reads only the loaded tables: the table function ${refused === '' ? '(unnamed)' : refused} is refused`, {
    reason: `obs sql calls only table functions that read the loaded tables or DuckDB's catalog and change nothing: ${[...TABLE_FUNCTIONS].join(', ')}`,
    help: FILES_HELP,
  });
}

/**
 * Refuses anything but one query, before it runs. Each test is DuckDB's own:
 * its parser splits the text into statements and says whether the statement
 * is a query (a PRAGMA, which DuckDB binds as a SELECT, is not), its syntax
 * tree names the table functions called, and its binder gives the statement
 * type. Underneath, the database is locked (see Database.lockDown), so a
 * statement that got past these still could not reach a file, the network or
 * an extension, nor change the configuration.
 */
async function checkReadOnly(db: Database, query: string): Promise<void> {
  const keyword = leadingKeyword(query);
  let count: number;
  try {
    count = await db.statementCount(query);
  } catch (err) {
    // DuckDB expands some statements (IMPORT DATABASE, some PRAGMAs) while it parses them, reading files for it: the lock stops them there.
    const locked = lockedOut(err);
    if (locked !== null && keyword !== null && keyword !== 'EXPLAIN' && !QUERY_WORDS.has(keyword)) {
      throw usageError(`obs sql is read-only: ${keyword} statements are refused`, { reason: locked.reason, help: HELP });
    }
    throw invalid(err);
  }
  if (count !== 1) {
    throw usageError(`obs sql runs one SQL statement, got ${count}`, {
      ...(keyword === 'PIVOT' ? { reason: 'DuckDB runs a PIVOT without IN (...) as two statements' } : {}),
      help: keyword === 'PIVOT' ? "name the values: PIVOT events ON level IN ('info', 'error') USING count(*)" : HELP,
    });
  }
  const tree = await db.querySyntax(query);
  if (tree !== null) {
    checkTableFunctions(tree);
    await expectType(db, query, 'SELECT', keyword);
    return;
  }
  if (keyword === 'EXPLAIN') {
    for (const candidate of explainedCandidates(query)) {
      const explained = await db.querySyntax(candidate);
      if (explained === null || explained.length !== 1) continue;
      checkTableFunctions(explained);
      await expectType(db, query, 'EXPLAIN', keyword);
      return;
    }
    const inner = explainedCandidates(query).map(leadingKeyword).find((k) => k !== null) ?? null;
    if (inner !== null && !QUERY_WORDS.has(inner)) {
      throw usageError(`obs sql is read-only: EXPLAIN ${inner} statements are refused`, {
        reason: `EXPLAIN ANALYZE runs the statement it explains; ${QUERIES}`,
        help: HELP,
      });
    }
    throw usageError('obs sql explains only a query written right after EXPLAIN, EXPLAIN ANALYZE or options such as (FORMAT json)', {
      reason: QUERIES,
      help: 'for example: obs sql "explain analyze select model, count(*) from llm_calls group by model"',
    });
  }
  // Not a query. Name it as written; DuckDB's type where the first word says nothing (WITH ... INSERT).
  let type: string | null = null;
  if (keyword === null || keyword === 'WITH') {
    try {
      type = await db.statementType(query);
    } catch {
      // The loaded tables are views of the cache, which DuckDB will not bind a write to: ask a locked, empty copy of the schema.
      type = db.cached ? await statementTypeOnSchema(query) : null;
    }
  }
  throw usageError(`obs sql is read-only: ${type ?? keyword ?? 'this'} statements are refused`, {
    reason: QUERIES,
    help: keyword === 'PRAGMA' ? 'for the tables and their columns: obs sql --schema, or obs sql "describe events"' : HELP,
  });
}

/** Binds the statement (without running it) and checks DuckDB's statement type. */
async function expectType(db: Database, query: string, expected: 'SELECT' | 'EXPLAIN', keyword: string | null): Promise<void> {
  let type: string;
  try {
    type = await db.statementType(query);
  } catch (err) {
    throw invalid(err);
  }
  if (type !== expected) {
    throw usageError(`obs sql is read-only: ${keyword ?? type} statements are refused`, { reason: `DuckDB binds it as ${type}; ${QUERIES}`, help: HELP });
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
      throw lockedOut(err) ?? usageError('the query failed', { reason: duckdbReason(err), help: 'obs sql --schema lists the tables and columns' });
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
