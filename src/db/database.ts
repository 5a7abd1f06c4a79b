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

  /**
   * Statement types of a user's SQL (SELECT, COPY, ...), without running it.
   * Used to refuse anything but reads before the statement executes.
   */
  async statementTypes(sql: string): Promise<string[]> {
    const extracted = await this.connection.extractStatements(sql);
    const types: string[] = [];
    for (let i = 0; i < extracted.count; i++) {
      const prepared = await extracted.prepare(i);
      types.push(StatementType[prepared.statementType] ?? 'UNKNOWN');
    }
    return types;
  }

  /** Turns off file and network access and freezes the configuration. */
  async lockDown(): Promise<void> {
    await this.connection.run('SET enable_external_access = false');
    await this.connection.run('SET lock_configuration = true');
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
