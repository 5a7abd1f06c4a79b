/**
 * `obs export --parquet <dir>`: the loaded tables written as Parquet (zstd),
 * partitioned Hive-style by day and source (see tables.ts), so that DuckDB,
 * Trino or Spark query them where they are and obs reads them back.
 *
 * The tables are written into a hidden folder inside <dir> first and moved
 * into place once every table is written: a failed export leaves <dir> as it
 * was (a previous export there included). Secrets are redacted as in every
 * other output, by the same redactor, unless --no-redact.
 */
import type { DuckDBScalarFunction } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../db/database.js';
import { duckdb } from '../db/duckdb.js';
import { cantCreateError, ObsError, usageError } from '../errors.js';
import type { Redactor } from '../redact/redactor.js';
import { EXPORT_TABLES, type ExportTable } from './tables.js';

/** The folder a run writes into before moving the tables into place; a leftover one (a killed run) is removed by --overwrite. */
export const STAGING_PREFIX = '.obs-export-';

export interface ExportTarget {
  abs: string;
  /** As given on the command line. */
  shown: string;
  /** Entries of a previous export that --overwrite replaces. */
  replace: string[];
  /** The folder was there before: a failed export removes only what it created. */
  existed: boolean;
}

export interface TableSummary {
  table: string;
  rows: number;
  files: number;
  bytes: number;
  /** The partition columns, in folder order; empty for an unpartitioned table. */
  partitioned_by: string[];
  /** The table's folder, null when it had no rows (no folder is written). */
  path: string | null;
}

const EXPORT_NAMES = new Set(EXPORT_TABLES.map((t) => t.name));

function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.message.replace(/\s*\n\s*/g, ' ');
}

function cannotWrite(shown: string, err: unknown): ObsError {
  return cantCreateError(`cannot write the export to ${shown}`, {
    reason: ioReason(err),
    help: 'choose a folder you can write to (and with room for the export)',
  });
}

/**
 * Checks the target before any log is read: a new folder, an empty one, or
 * with --overwrite a previous export (nothing but the table folders obs
 * export writes). Anything else is refused (exit 2); a folder that cannot be
 * examined is exit 73.
 */
export async function checkTarget(dir: string, cwd: string, overwrite: boolean): Promise<ExportTarget> {
  if (dir === '') throw usageError('--parquet needs a folder', { help: 'for example: obs export --parquet ./export' });
  if (dir.includes('\0')) throw usageError('--parquet: a folder name cannot hold a NUL byte');
  const abs = path.resolve(cwd, dir);
  let isDir: boolean;
  try {
    isDir = (await stat(abs)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { abs, shown: dir, replace: [], existed: false };
    throw cannotWrite(dir, err);
  }
  if (!isDir) throw usageError(`--parquet ${dir} is a file, not a folder`, { help: 'name a new or empty folder' });
  let entries: string[];
  try {
    entries = (await readdir(abs)).sort();
  } catch (err) {
    throw cannotWrite(dir, err);
  }
  if (entries.length === 0) return { abs, shown: dir, replace: [], existed: true };
  const sample = (names: string[]): string => names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length} in all)` : '');
  if (!overwrite) {
    throw usageError(`${dir} is not empty`, {
      reason: `it holds ${sample(entries)}`,
      help: 'name a new or empty folder, or add --overwrite to replace a previous obs export there',
    });
  }
  const foreign = entries.filter((e) => !EXPORT_NAMES.has(e) && !e.startsWith(STAGING_PREFIX));
  if (foreign.length > 0) {
    throw usageError(`--overwrite replaces a previous obs export only, and ${dir} holds other files`, {
      reason: `not written by obs export: ${sample(foreign)}`,
      help: `an export holds only the folders ${[...EXPORT_NAMES].join(', ')}; name a new or empty folder`,
    });
  }
  return { abs, shown: dir, replace: entries, existed: true };
}

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Text that stays valid JSON once redacted: rewritten value by value when the text rules broke it. */
function redactJsonText(r: Redactor, text: string): string {
  const out = r.text(text);
  if (out === text) return text;
  try {
    JSON.parse(out);
    return out;
  } catch {
    // The text rules cut into the JSON (a header value to the end of the line): redact the parsed values instead.
  }
  try {
    return JSON.stringify(r.value(JSON.parse(text)));
  } catch {
    return JSON.stringify(out);
  }
}

/** obs_redact(text) and obs_redact_json(text): the output redactor as DuckDB functions, so rows are redacted as they are written. */
function registerRedaction(db: Database, r: Redactor): void {
  const fn = (name: string, redact: (s: string) => string): DuckDBScalarFunction =>
    duckdb.DuckDBScalarFunction.create({
      name,
      returnType: duckdb.VARCHAR,
      parameterTypes: [duckdb.VARCHAR],
      mainFunction: (_info, input, output) => {
        const column = input.getColumnVector(0);
        for (let i = 0; i < input.rowCount; i++) {
          const v = column.getItem(i);
          output.setItem(i, typeof v === 'string' ? redact(v) : null);
        }
        output.flush();
      },
    });
  db.connection.registerScalarFunction(fn('obs_redact', (s) => r.text(s)));
  db.connection.registerScalarFunction(fn('obs_redact_json', (s) => redactJsonText(r, s)));
}

/** The table's columns as written: every column, text redacted when redaction is on. */
async function selectList(db: Database, table: string, redact: boolean): Promise<string> {
  const { rows } = await db.query(
    `SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $table ORDER BY column_index`,
    { table },
  );
  return rows
    .map((r) => {
      const c = ident(String(r['column_name']));
      const type = String(r['data_type']);
      if (!redact) return c;
      if (type === 'VARCHAR') return `obs_redact(${c}) AS ${c}`;
      if (type === 'JSON') return `obs_redact_json(${c}::VARCHAR)::JSON AS ${c}`;
      if (type === 'VARCHAR[]') return `list_transform(${c}, lambda x: obs_redact(x)) AS ${c}`;
      return c;
    })
    .join(', ');
}

/**
 * Writes one table into its folder. The target is a bound parameter: DuckDB
 * takes COPY ... TO $path, so no path is ever written into the SQL.
 */
async function copyTable(db: Database, t: ExportTable, dir: string, redact: boolean): Promise<Omit<TableSummary, 'path'>> {
  const partitioned_by = t.source === undefined ? [] : ['day', 'source'];
  const count = await db.query(`SELECT count(*) AS n FROM ${ident(t.name)}`);
  if (Number(count.rows[0]?.['n'] ?? 0) === 0) return { table: t.name, rows: 0, files: 0, bytes: 0, partitioned_by };
  const columns = await selectList(db, t.name, redact);
  let result;
  if (t.source !== undefined) {
    // day and source are added to the rows, so every file keeps every column of the table.
    const query = `SELECT ${columns}, strftime(timezone('UTC', ts), '%Y-%m-%d') AS day, ${t.source} AS source FROM ${ident(t.name)}`;
    result = await db.query(
      `COPY (${query}) TO $path (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day, source), FILENAME_PATTERN 'data_{uuid}', RETURN_STATS)`,
      { path: dir },
    );
  } else {
    await mkdir(dir, { recursive: true });
    result = await db.query(`COPY (SELECT ${columns} FROM ${ident(t.name)}) TO $path (FORMAT parquet, COMPRESSION zstd, RETURN_STATS)`, {
      path: path.join(dir, `data_${randomUUID()}.parquet`),
    });
  }
  const rows = result.rows.reduce((n, r) => n + Number(r['count'] ?? 0), 0);
  const bytes = result.rows.reduce((n, r) => n + Number(r['file_size_bytes'] ?? 0), 0);
  return { table: t.name, rows, files: result.rows.length, bytes, partitioned_by };
}

/** DuckDB's errors of writing files (IO Error: a folder it cannot create, a full disk) are the target's fault; anything else is a bug. */
function isWriteError(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code !== undefined || /^(IO|Permission) Error/i.test((err as Error).message);
}

export async function writeExport(db: Database, target: ExportTarget, redactor: Redactor): Promise<TableSummary[]> {
  const staging = path.join(target.abs, `${STAGING_PREFIX}${randomUUID()}`);
  let done = false;
  try {
    await mkdir(staging, { recursive: true });
  } catch (err) {
    throw cannotWrite(target.shown, err);
  }
  try {
    if (redactor.on) registerRedaction(db, redactor);
    const written: Array<Omit<TableSummary, 'path'>> = [];
    for (const t of EXPORT_TABLES) written.push(await copyTable(db, t, path.join(staging, t.name), redactor.on));
    // Every table is written: the previous export (--overwrite) makes way, the new one moves in.
    for (const e of target.replace) await rm(path.join(target.abs, e), { recursive: true, force: true });
    for (const w of written) if (w.rows > 0) await rename(path.join(staging, w.table), path.join(target.abs, w.table));
    done = true;
    return written.map((w) => ({ ...w, path: w.rows > 0 ? path.join(target.shown, w.table) : null }));
  } catch (err) {
    if (isWriteError(err)) throw cannotWrite(target.shown, err);
    throw err;
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    // A folder this run created and could not fill is not left behind (rmdir: only when empty).
    if (!done && !target.existed) await rmdir(target.abs).catch(() => {});
  }
}
