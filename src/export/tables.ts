/**
 * The tables `obs export --parquet` writes, how each is partitioned, and what
 * reading an export back does with each: the layout both sides agree on.
 *
 *   <dir>/<table>/day=YYYY-MM-DD/source=<kind>/data_<uuid>.parquet   record tables
 *   <dir>/<table>/data_<uuid>.parquet                                small tables
 *
 * `day` is the UTC date of `ts`; a record without a time is in DuckDB's (and
 * Hive's) partition for NULL, `day=__HIVE_DEFAULT_PARTITION__`, which Hive,
 * Spark, Trino and DuckDB read back as NULL. The partition columns are added
 * to the rows (never a table column), so every file holds every column of its
 * table and reads back without the folder names.
 */

export interface ExportTable {
  name: string;
  /** SQL of the `source` partition value over the table's columns; absent: the table is not partitioned. */
  source?: string;
  /**
   * What reading the export back does with the table's files: `load` inserts
   * the rows; `derived` and `listing` leave them out, with `note` saying why.
   */
  read: 'load' | 'derived' | 'listing';
  note?: string;
  /**
   * Columns added after exports were first written, each with the SQL that
   * works it out from the columns an older export has (fixed text, never
   * user input), so such an export reads back whole.
   */
  added?: Record<string, { from: readonly string[]; sql: string }>;
}

/** The partition value of records without a time, as DuckDB writes it (Hive's name for NULL). */
export const NULL_PARTITION = '__HIVE_DEFAULT_PARTITION__';

export const EXPORT_TABLES: readonly ExportTable[] = [
  { name: 'events', source: 'source_kind', read: 'load' },
  {
    name: 'llm_calls',
    source: "'llm_io'",
    read: 'load',
    added: { price_table: { from: ['cost_source', 'cost_detail'], sql: "CASE WHEN cost_source = 'computed' THEN cost_detail->>'table' END" } },
  },
  { name: 'spans', source: "'otlp'", read: 'load' },
  { name: 'errors', source: 'source_kind', read: 'load' },
  { name: 'error_records', source: 'source_kind', read: 'load' },
  { name: 'session_index', read: 'load' },
  { name: 'line_issues', read: 'load' },
  {
    name: 'sessions',
    read: 'derived',
    note: 'sessions is derived: obs rebuilds it from the events, llm_calls, errors and session_index it loads, so this file is not read',
  },
  {
    name: 'files',
    read: 'listing',
    note: 'the list of log files the export was made from; not read (the files table and obs sources list the files read now)',
  },
];

export function exportTable(name: string): ExportTable | undefined {
  return EXPORT_TABLES.find((t) => t.name === name);
}
