/**
 * Runs a query file from src/sql over the rows of one table that pass the
 * caller's bound conditions (the file reads them as "filtered"), in order,
 * and says whether the limit cut the result.
 */
import type { Database, Row } from '../../db/database.js';
import type { SqlParams } from '../../db/params.js';
import { sqlFile } from '../../db/sql-files.js';
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

export async function selectPage(
  db: Database,
  file: string,
  table: TableSpec,
  conds: string[],
  params: SqlParams,
  orderBy: string,
  limit: number | null,
): Promise<Page> {
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

/**
 * selectPage's rows a chunk at a time, for an answer too large to hold: the
 * count comes first, from the same filter, so a document can say it before
 * its rows.
 */
export async function streamPage(
  db: Database,
  file: string,
  table: TableSpec,
  conds: string[],
  params: SqlParams,
  orderBy: string,
  limit: number | null,
): Promise<StreamedPage> {
  const counted = await db.query(`${filteredCte(table, conds)} SELECT count(*) AS n FROM (${sqlFile(file)}) AS q`, params.values);
  const matched = Number(counted.rows[0]?.['n'] ?? 0);
  const limitSql = limit === null ? '' : `LIMIT ${params.add(limit)}`;
  const sql = `${filteredCte(table, conds)} SELECT * FROM (${sqlFile(file)}) AS q ORDER BY ${orderBy} ${limitSql}`;
  const { columns, chunks } = await db.stream(sql, params.values);
  const truncated = limit !== null && matched > limit;
  return { columns, count: truncated ? (limit ?? 0) : matched, truncated, chunks };
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
