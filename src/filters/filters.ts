/**
 * The filters every command shares (--session, --thread, --channel, --stage,
 * --request, --run, --key, --where and the time window), compiled to one SQL
 * condition with bound parameters for a given table.
 */
import type { SqlParams } from '../db/params.js';
import { usageError } from '../errors.js';
import { LEVELS, normalizeLevel } from '../sources/fields.js';
import { compileWhere, jsonPathFor, type FieldRef, type FieldType } from './where.js';

export interface RecordFilters {
  session?: string;
  thread?: string;
  channel?: string;
  stage?: string;
  request?: string;
  run?: string;
  /** `field=value` pairs from --key. */
  keys: string[];
  where?: string;
  /** Window in epoch microseconds; null is open. */
  from: number | null;
  to: number | null;
  /** Zone for times written without one in --where. */
  tz?: string;
}

export interface TableSpec {
  /** Trusted table name. */
  name: string;
  /** Known columns and their types; every other field is looked up in raw. */
  columns: Record<string, FieldType>;
  /** The JSON column holding the record as logged, if any. */
  raw?: string;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Field names users may write for a column (aliases such as session → session_key). */
const FIELD_ALIASES: Record<string, string> = {
  session: 'session_key',
  thread: 'thread_ts',
  channel: 'channel_id',
  request: 'request_id',
  run: 'run_id',
  trace: 'trace_id',
  time: 'ts',
  timestamp: 'ts',
};

export function fieldResolver(table: TableSpec): (name: string, path: readonly string[]) => FieldRef {
  return (name, path) => {
    const col = path.length === 1 ? (FIELD_ALIASES[name] ?? name) : name;
    const type = path.length === 1 ? table.columns[col] : undefined;
    if (type !== undefined) return { kind: 'column', sql: quote(col), type };
    if (table.raw === undefined) {
      throw usageError(`unknown field "${name}" for ${table.name}`, {
        help: `the fields are: ${Object.keys(table.columns).join(', ')}`,
      });
    }
    return { kind: 'json', column: quote(table.raw), path: [...path] };
  };
}

/** Splits `field=value` from --key. */
export function parseKeyFilter(text: string): { field: string; value: string } {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw usageError(`--key expects <field>=<value>, got "${text}"`, {
      help: 'for example: --key request_id=req_137884e73c80',
    });
  }
  return { field: text.slice(0, eq).trim(), value: text.slice(eq + 1) };
}

/** A field equal to a text value: a column, or a field of the raw JSON record. */
export function fieldEquals(table: TableSpec, field: string, value: string, params: SqlParams): string {
  const ref = fieldResolver(table)(field, field.split('.'));
  if (ref.kind === 'column') return `CAST(${ref.sql} AS VARCHAR) = ${params.add(value)}`;
  return `json_extract_string(${ref.column}, ${params.add(jsonPathFor(ref.path))}) = ${params.add(value)}`;
}

/** Conditions on the record tables (events, llm_calls), ANDed. */
export function recordConditions(f: RecordFilters, table: TableSpec, params: SqlParams): string[] {
  const conds: string[] = [];
  const eq = (col: string, v: string | undefined): void => {
    if (v !== undefined) conds.push(`${quote(col)} = ${params.add(v)}`);
  };
  eq('session_key', f.session);
  eq('thread_ts', f.thread);
  eq('channel_id', f.channel);
  eq('stage', f.stage);
  eq('request_id', f.request);
  eq('run_id', f.run);
  for (const k of f.keys) {
    const { field, value } = parseKeyFilter(k);
    conds.push(fieldEquals(table, field, value, params));
  }
  if (f.from !== null) conds.push(`ts >= make_timestamptz(${params.add(Math.trunc(f.from))}::BIGINT)`);
  if (f.to !== null) conds.push(`ts <= make_timestamptz(${params.add(Math.trunc(f.to))}::BIGINT)`);
  if (f.where !== undefined) conds.push(compileWhere(f.where, fieldResolver(table), params, { tz: f.tz }));
  return conds;
}

export function whereClause(conds: string[]): string {
  return conds.length === 0 ? '' : `WHERE ${conds.map((c) => `(${c})`).join(' AND ')}`;
}

/** True when any record filter is given. */
export function hasAnyFilter(f: RecordFilters): boolean {
  return (
    [f.session, f.thread, f.channel, f.stage, f.request, f.run, f.where].some((v) => v !== undefined) ||
    f.keys.length > 0 ||
    f.from !== null ||
    f.to !== null
  );
}

/** True when a filter narrows records by something other than session, thread, channel, stage or time. */
export function hasRecordOnlyFilters(f: RecordFilters): boolean {
  return f.request !== undefined || f.run !== undefined || f.keys.length > 0;
}

export function isGlob(value: string): boolean {
  return /[*?[]/.test(value);
}

/** `col = value`, or `col GLOB value` when the value has wildcards. */
export function matchText(col: string, value: string, params: SqlParams): string {
  return isGlob(value) ? `${quote(col)} GLOB ${params.add(value)}` : `${quote(col)} = ${params.add(value)}`;
}

/** The levels at or above one (--level warn → warn, error, fatal); a usage error for an unknown one. */
export function levelsAtLeast(level: string): string[] {
  const norm = normalizeLevel(level) ?? '';
  const i = (LEVELS as readonly string[]).indexOf(norm);
  if (i === -1) {
    throw usageError(`unknown level "${level}"`, { help: `use one of ${LEVELS.join(', ')} (warning and critical are accepted too)` });
  }
  return LEVELS.slice(i);
}

/** `level` among the wanted levels; a level obs does not know (kept as written) ranks as info, so nothing vanishes. */
export function levelCondition(wanted: string[], params: SqlParams): string {
  const known = params.addList(LEVELS);
  const want = params.addList(wanted);
  return `level IS NOT NULL AND list_contains(${want}, CASE WHEN list_contains(${known}, level) THEN level ELSE 'info' END)`;
}
