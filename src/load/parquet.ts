/**
 * Reads back what `obs export --parquet` wrote: each Parquet file's rows go
 * into the table named by the folder above its partition folders
 * (`<dir>/events/day=.../source=.../x.parquet` → events), by column name.
 * Each file is one file of kind `parquet` in the load's accounting, its rows
 * the records. A file that is not part of an obs export is listed as
 * skipped, one that claims to be but cannot be loaded as unreadable, each
 * with a note that names what was expected.
 */
import path from 'node:path';
import type { Database } from '../db/database.js';
import { EXPORT_TABLES, exportTable, NULL_PARTITION } from '../export/tables.js';
import type { FileReport } from './load.js';

export const PARQUET_KIND = 'parquet';

/** Parquet files are known by name: the loader reads them here, not as lines. */
export function isParquetName(file: string): boolean {
  // The last letters only: a regular expression scans the whole path for its end.
  return file.length >= 8 && file.slice(-8).toLowerCase() === '.parquet';
}

/** A Hive partition folder: `day=2026-11-21`, `source=llm_io`. */
const PARTITION_DIR = /^[^=]+=/;

/** The table a file belongs to: the first folder above it that is not a partition folder. */
export function tableOfPath(file: string): string {
  let dir = path.dirname(file);
  while (PARTITION_DIR.test(path.basename(dir)) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.basename(dir);
}

/** The values of the partition folders above a file, the nearest first to win; null for Hive's NULL partition. */
function partitionValues(file: string): Map<string, string | null> {
  const values = new Map<string, string | null>();
  for (const dir of path.dirname(file).split(path.sep)) {
    const at = dir.indexOf('=');
    if (at <= 0) continue;
    const raw = dir.slice(at + 1);
    let value: string | null = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // not percent-encoded: as written
    }
    values.set(dir.slice(0, at), raw === NULL_PARTITION ? null : value);
  }
  return values;
}

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

interface TableColumn {
  name: string;
  /** NOT NULL without a default: a file must have it. */
  required: boolean;
}

async function tableColumns(db: Database, table: string): Promise<TableColumn[]> {
  const { rows } = await db.query(
    `SELECT column_name, is_nullable, column_default FROM duckdb_columns()
     WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $table ORDER BY column_index`,
    { table },
  );
  return rows.map((r) => ({ name: String(r['column_name']), required: r['is_nullable'] === false && r['column_default'] === null }));
}

const list = (names: readonly string[]): string => names.join(', ');

/** Why a file cannot be loaded, for its note: DuckDB's message on one line. */
function reasonOf(err: unknown): string {
  // Without the statement DuckDB quotes after its message (LINE 1: ...), which names no file.
  return (err as Error).message.split(/\n\s*LINE \d+:/)[0]!.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Loads one file into its table, or says why not in its report. The path is
 * bound as a parameter; only table and column names from DuckDB's catalog
 * (checked against the export's table list) are written into the SQL.
 */
async function loadFile(db: Database, abs: string, report: FileReport): Promise<void> {
  report.kind = PARQUET_KIND;
  const tableName = tableOfPath(abs);
  const table = exportTable(tableName);
  if (table === undefined) {
    report.status = 'skipped';
    report.note =
      `not part of an obs export: an export holds <dir>/<table>/[day=.../source=.../]<file>.parquet with <table> one of ` +
      `${list(EXPORT_TABLES.map((t) => t.name))}, and this file is under "${tableName}"`;
    return;
  }
  if (table.read !== 'load') {
    report.status = 'skipped';
    report.note = table.note ?? null;
    return;
  }
  const columns = await tableColumns(db, table.name);
  const source = 'read_parquet($path, hive_partitioning = false)';
  let inFile: Set<string>;
  try {
    const described = await db.query(`DESCRIBE SELECT * FROM ${source}`, { path: abs });
    inFile = new Set(described.rows.map((r) => String(r['column_name'])));
  } catch (err) {
    report.status = 'unreadable';
    report.note = `not a Parquet file obs can read: ${reasonOf(err)}`;
    return;
  }
  // A column the file lacks may be named by a partition folder (a table partitioned by
  // source_kind by another tool): obs takes only those from the folder names, itself. DuckDB's
  // hive_partitioning would also let any folder above the file that reads like a column
  // (session_key=...) replace the column the file holds.
  const folders = partitionValues(abs);
  const fromFolders = columns.filter((c) => !inFile.has(c.name) && folders.has(c.name)).map((c) => c.name);
  const fileColumns = new Set([...inFile, ...fromFolders]);
  const lacking = columns.filter((c) => c.required && !fileColumns.has(c.name)).map((c) => c.name);
  if (lacking.length > 0) {
    report.status = 'unreadable';
    report.note = `not an obs export of ${table.name}: it has no column ${list(lacking)}, which ${table.name} requires (its folder says it holds ${table.name} rows)`;
    return;
  }
  // A column an older export lacks is worked out from the columns it has, where obs knows how: its SQL by name.
  const worked = new Map<string, string>();
  for (const c of columns) {
    const added = table.added?.[c.name];
    if (!fileColumns.has(c.name) && added !== undefined && added.from.every((f) => inFile.has(f))) worked.set(c.name, added.sql);
  }
  const taken = columns.filter((c) => fileColumns.has(c.name) || worked.has(c.name)).map((c) => c.name);
  const filled = columns.filter((c) => !fileColumns.has(c.name) && !worked.has(c.name)).map((c) => c.name);
  const names = taken.map(ident).join(', ');
  // Folder values are bound parameters, cast to the column's type by the insert; NULL for Hive's NULL partition.
  const params: Record<string, string | null> = { path: abs };
  const values = taken
    .map((c) => {
      if (inFile.has(c)) return ident(c);
      const sql = worked.get(c);
      if (sql !== undefined) return `${sql} AS ${ident(c)}`;
      const key = `folder_${fromFolders.indexOf(c)}`;
      params[key] = folders.get(c) ?? null;
      return `$${key}::VARCHAR AS ${ident(c)}`;
    })
    .join(', ');
  // The rows' time: ts, or when the session index entry was written.
  const time = ['ts', 'created_at'].find((c) => inFile.has(c) && columns.some((t) => t.name === c));
  try {
    const stats = await db.query(
      time !== undefined
        ? `SELECT count(*) AS n, count(*) FILTER (WHERE ${ident(time)} IS NULL) AS untimed, epoch_us(min(${ident(time)})) AS first_us, epoch_us(max(${ident(time)})) AS last_us FROM ${source}`
        : `SELECT count(*) AS n FROM ${source}`,
      { path: abs },
    );
    await db.exec(`INSERT INTO ${ident(table.name)} (${names}) SELECT ${values} FROM ${source}`, params);
    const s = stats.rows[0] ?? {};
    report.records = Number(s['n'] ?? 0);
    report.untimed = Number(s['untimed'] ?? 0);
    report.firstTs = typeof s['first_us'] === 'number' ? s['first_us'] : null;
    report.lastTs = typeof s['last_us'] === 'number' ? s['last_us'] : null;
  } catch (err) {
    report.status = 'unreadable';
    report.note = `cannot be loaded into ${table.name}: ${reasonOf(err)}`;
    return;
  }
  const notes = [`rows of ${table.name}`];
  if (filled.length > 0) notes.push(`columns not in the file, left empty: ${list(filled)}`);
  const ignored = [...inFile].filter((c) => !columns.some((t) => t.name === c));
  if (ignored.length > 0) notes.push(`columns obs does not know, not read: ${list(ignored)}`);
  report.note = notes.join('; ');
}

/**
 * Loads the Parquet files among the planned files (those the loader marked
 * with the `parquet` kind), after the log files, before the loader links
 * records and stores errors. Each file's report says what became of it.
 */
export async function loadParquetFiles(db: Database, files: ReadonlyArray<{ file: { abs: string }; report: FileReport }>): Promise<void> {
  for (const f of files) {
    if (f.report.kind !== PARQUET_KIND || f.report.status !== 'loaded') continue;
    await loadFile(db, f.file.abs, f.report);
  }
}
