/**
 * The in-process DuckDB database: open, create the schema, append rows, run
 * queries with bound parameters, and hand back JSON-safe rows (no bigint, ISO
 * times), so renderers never meet a DuckDB value type.
 */
import {
  DuckDBAppender,
  DuckDBConnection,
  DuckDBInstance,
  DuckDBTimestampTZValue,
  StatementType,
} from '@duckdb/node-api';
import { sqlFile } from './sql-files.js';
import type { SqlValue } from './params.js';

export type Row = Record<string, unknown>;

export interface QueryResult {
  columns: string[];
  types: string[];
  rows: Row[];
}

export class Database {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async open(): Promise<Database> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run(sqlFile('schema.sql'));
    return new Database(instance, connection);
  }

  async appender(table: string): Promise<DuckDBAppender> {
    return this.connection.createAppender(table);
  }

  async exec(sql: string, params?: Record<string, SqlValue>): Promise<void> {
    await this.connection.run(sql, params as never);
  }

  async query(sql: string, params?: Record<string, SqlValue>): Promise<QueryResult> {
    const reader = await this.connection.runAndReadAll(sql, params as never);
    const columns = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.toString());
    const rows = reader.getRowObjectsJS().map((r) => toJsonSafe(r) as Row);
    return { columns, types, rows };
  }

  /** How many statements DuckDB's parser finds in a user's SQL. Throws what the parser (or a PRAGMA it expands) throws. */
  async statementCount(sql: string): Promise<number> {
    return (await this.connection.extractStatements(sql)).count;
  }

  /**
   * DuckDB's statement type (SELECT, EXPLAIN, COPY, ...) of the first
   * statement of a user's SQL, from binding it without running it. Throws
   * what the binder throws (a Permission Error for a file it may not read).
   */
  async statementType(sql: string): Promise<string> {
    const prepared = await (await this.connection.extractStatements(sql)).prepare(0);
    return StatementType[prepared.statementType] ?? 'UNKNOWN';
  }

  /**
   * The syntax trees of a user's SQL as DuckDB's parser reads it, when every
   * statement is a query (SELECT, FROM, WITH, VALUES, TABLE, DESCRIBE, SHOW,
   * SUMMARIZE, a PIVOT with its values); null otherwise (any other statement,
   * a PRAGMA, an EXPLAIN, a syntax error). Parses only: nothing is bound or run.
   */
  async querySyntax(sql: string): Promise<unknown[] | null> {
    const reader = await this.connection.runAndReadAll('SELECT json_serialize_sql($sql::VARCHAR)::VARCHAR AS tree', { sql });
    const tree = JSON.parse(String(reader.getRowObjectsJS()[0]?.['tree'])) as { error?: boolean; statements?: unknown[] };
    return tree.error === false && Array.isArray(tree.statements) ? tree.statements : null;
  }

  /**
   * Locks the database for user SQL: no file or network access, no extension
   * installed or loaded on demand, no persistent secrets (nor the directory
   * they live in, which names the home directory), no temporary directory
   * (DuckDB would otherwise keep ./.tmp readable and writable with external
   * access off, and spill to it), then the configuration frozen so that no
   * statement can undo any of it.
   */
  async lockDown(): Promise<void> {
    for (const setting of [
      'SET autoinstall_known_extensions = false',
      'SET autoload_known_extensions = false',
      'SET allow_community_extensions = false',
      'SET allow_persistent_secrets = false',
      "SET secret_directory = ''",
      "SET temp_directory = ''",
      'SET enable_external_access = false',
      'SET lock_configuration = true',
    ]) {
      await this.connection.run(setting);
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

export function timestampValue(micros: number): DuckDBTimestampTZValue {
  return new DuckDBTimestampTZValue(BigInt(Math.trunc(micros)));
}

/**
 * Converts DuckDB's JS values into values JSON.stringify accepts: bigint to
 * number (or string beyond 2^53), Date to ISO 8601, nested lists and structs
 * recursively.
 */
export function toJsonSafe(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
  }
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(toJsonSafe);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) out[k] = toJsonSafe(val);
    return out;
  }
  return v;
}
