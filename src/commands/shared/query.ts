/**
 * Runs a query file from src/sql over the rows of one table that pass the
 * caller's bound conditions (the file reads them as "filtered"), in order,
 * and says whether the limit cut the result.
 */
import type { Database, Row } from '../../db/database.js';
import type { SqlParams } from '../../db/params.js';
import { sqlFile } from '../../db/sql-files.js';
import { EXIT, isOutOfMemory, ObsError } from '../../errors.js';
import { whereClause, type TableSpec } from '../../filters/filters.js';

export interface Page {
  rows: Row[];
  /** The query's columns, known even when no row matched. */
  columns: string[];
  truncated: boolean;
}

/** `WITH filtered AS (...)` over a trusted table name and bound conditions. */
export function filteredCte(table: TableSpec, conds: string[]): string {
  return `WITH filtered AS (SELECT * FROM ${table.name} ${whereClause(conds)})`;
}

/** A listing's query: a file of src/sql over the rows of one table that pass bound conditions, in an order. */
export interface PageQuery {
  file: string;
  table: TableSpec;
  conds: string[];
  params: SqlParams;
  /** An ORDER BY over the file's columns. */
  orderBy: string;
}

export async function selectPage(db: Database, query: PageQuery, limit: number | null): Promise<Page> {
  const { file, table, conds, params, orderBy } = query;
  const limitSql = limit === null ? '' : `LIMIT ${params.add(limit + 1)}`;
  const sql = `${filteredCte(table, conds)} SELECT * FROM (${sqlFile(file)}) AS q ORDER BY ${orderBy} ${limitSql}`;
  const { rows, columns } = await db.query(sql, params.values);
  const truncated = limit !== null && rows.length > limit;
  return { rows: truncated ? rows.slice(0, limit ?? 0) : rows, columns, truncated };
}

/** A page whose rows come a chunk at a time (streamPage). */
export interface StreamedPage {
  /** The query's columns. */
  columns: string[];
  /** The rows the chunks hold: those that matched, up to the limit. */
  count: number;
  truncated: boolean;
  chunks: AsyncIterable<Row[]>;
}

/** Rows fetched per statement when a streamed page is fetched by row id. */
export const FETCH_CHUNK = 2048;

/**
 * selectPage's rows a chunk at a time, for an answer too large to hold. The
 * count comes first, from the same filter, so a document can say it before
 * its rows. DuckDB sorts the whole rows; when it runs out of memory doing so
 * (at 1 GB of logs it cannot sort every LLM call with its raw record within
 * its limit: "failed to pin block"), the sort sees only the order columns and
 * row ids instead, and the rows are fetched by id a chunk at a time (fetchedPage).
 */
export async function streamPage(db: Database, query: PageQuery, limit: number | null): Promise<StreamedPage> {
  const { file, table, conds, params, orderBy } = query;
  const counted = await db.query(`${filteredCte(table, conds)} SELECT count(*) AS n FROM (${sqlFile(file)}) AS q`, params.values);
  const matched = Number(counted.rows[0]?.['n'] ?? 0);
  const truncated = limit !== null && matched > limit;
  const count = truncated ? (limit ?? 0) : matched;
  const limitSql = limit === null ? '' : `LIMIT ${params.add(limit)}`;
  const sql = `${filteredCte(table, conds)} SELECT * FROM (${sqlFile(file)}) AS q ORDER BY ${orderBy} ${limitSql}`;
  try {
    const { columns, chunks } = await db.stream(sql, params.values);
    // The sort is done by the time the first chunk comes, and nothing has been written yet.
    const rows = chunks[Symbol.asyncIterator]();
    const first = await rows.next();
    // A stream that ends at once although rows matched is a sort that failed without an error.
    if (first.done !== true || count === 0) {
      async function* all(): AsyncGenerator<Row[]> {
        let given = 0;
        for (let next = first; next.done !== true; next = await rows.next()) {
          given += next.value.length;
          yield next.value;
        }
        if (given !== count) throw cutShort(`the listing ended after ${given} of its ${count} rows`, 'DuckDB stopped handing over rows without an error');
      }
      return { columns, count, truncated, chunks: all() };
    }
  } catch (err) {
    if (!isOutOfMemory(err)) throw err;
  }
  return { ...(await fetchedPage(db, query, limitSql)), count, truncated };
}

/**
 * streamPage's rows when DuckDB cannot sort them whole: the order columns
 * (as the query file gives them) and the row ids of the table that holds the
 * rows are sorted, with the row id breaking ties, then each chunk of ids
 * fetches its rows, in that order. The two sides of the positional join are
 * the same table under the same filter, which DuckDB reads in the same order.
 * A chunk whose rows lie close together in the table (an audit log in time
 * order) is fetched in milliseconds; rows scattered across many files take
 * longer, as each fetch reads the table's ids again.
 */
export async function fetchedPage(db: Database, query: PageQuery, limitSql: string): Promise<Pick<StreamedPage, 'columns' | 'chunks'>> {
  const { file, table, conds, params, orderBy } = query;
  const source = db.rowSource(table.name);
  const where = whereClause(conds);
  const ids = (await db.column(
    `WITH filtered AS (SELECT * FROM ${source} ${where}), ids AS (SELECT rowid AS row_id FROM ${source} ${where}) ` +
      `SELECT CAST(ids.row_id AS DOUBLE) FROM ids POSITIONAL JOIN (${sqlFile(file)}) AS q ORDER BY ${qualified(orderBy, 'q')}, ids.row_id ${limitSql}`,
    params.values,
  )) as number[];
  const fetch = async (from: number): Promise<{ columns: string[]; rows: Row[] }> => {
    const chunk = ids.slice(from, from + FETCH_CHUNK);
    const fetched = await db.query(
      `WITH ids AS (SELECT unnest(l) AS id, generate_subscripts(l, 1) AS pos FROM (SELECT CAST($ids AS BIGINT[]) AS l)), ` +
        `filtered AS (SELECT t.* FROM ${source} AS t JOIN ids ON t.rowid = ids.id ORDER BY ids.pos) ` +
        `SELECT * FROM (${sqlFile(file)}) AS q`,
      { ids: JSON.stringify(chunk) },
    );
    if (fetched.rows.length !== chunk.length) throw cutShort(`${chunk.length} rows of ${table.name} were sought by id and ${fetched.rows.length} found`, 'the table changed while it was listed');
    return fetched;
  };
  // The first chunk is fetched now: it names the columns even when no row matched.
  const first = await fetch(0);
  async function* rest(): AsyncGenerator<Row[]> {
    for (let from = FETCH_CHUNK; from < ids.length; from += FETCH_CHUNK) yield (await fetch(from)).rows;
  }
  async function* chunks(): AsyncGenerator<Row[]> {
    yield first.rows;
    yield* db.fetching(rest());
  }
  return { columns: first.columns, chunks: chunks() };
}

/** A listing that could not be given whole: an error (exit 70), never a shorter answer that looks complete. */
function cutShort(message: string, reason: string): ObsError {
  return new ObsError(EXIT.INTERNAL, message, {
    reason,
    help: 'run it again; if it recurs, narrow the listing (--since, --limit, a filter) and report it',
  });
}

/** "ts NULLS LAST, source_file" as "q.ts NULLS LAST, q.source_file": an ORDER BY over one relation of a join. */
function qualified(orderBy: string, relation: string): string {
  return orderBy
    .split(',')
    .map((term) => `${relation}.${term.trim()}`)
    .join(', ');
}

/** Parses the raw JSON column of each row so JSON output nests it as an object. */
export function parseRaw(rows: Row[]): Row[] {
  return rows.map((r) => {
    if (typeof r['raw'] !== 'string') return r;
    try {
      return { ...r, raw: JSON.parse(r['raw']) };
    } catch {
      return r;
    }
  });
}

/** Parses JSON columns that DuckDB returns as text (frames, chain, ...) so JSON output nests them. */
export function parseJsonFields(rows: Row[], keys: readonly string[]): Row[] {
  return rows.map((r) => {
    const out = { ...r };
    for (const k of keys) if (typeof out[k] === 'string') out[k] = JSON.parse(out[k] as string);
    return out;
  });
}
