/**
 * The alias table: which field names, in any JSON record, carry the time, the
 * level, the message and each correlation id. Parsers look fields up here
 * instead of hard-coding names per file, so a new logger's spelling is one
 * line in this table.
 */

export type JsonObject = Record<string, unknown>;

/** Correlation columns shared by every record table. */
export const CORRELATION_COLUMNS = [
  'session_key',
  'thread_ts',
  'channel_id',
  'stage',
  'trace_id',
  'span_id',
  'request_id',
  'run_id',
  'workflow_id',
  'category',
] as const;
export type CorrelationColumn = (typeof CORRELATION_COLUMNS)[number];
export type Correlation = Partial<Record<CorrelationColumn, string | null>>;

/**
 * Field names, first match wins. A dotted name is looked up as a literal key
 * first (`log.level` in flattened ECS records), then as a nested path.
 */
export const ALIASES = {
  ts: ['ts', 'time', 'timestamp', '@timestamp', 'created_at', 'createdAt', 'datetime', 'asctime', '@t'],
  level: ['level', 'levelname', 'severity', 'log.level', 'lvl', 'loglevel', 'severity_text', '@l'],
  message: ['message', 'msg', '@message', '@m'],
  event: ['event', 'event_type', 'event_name', 'eventName'],
  logger: ['logger', 'logger_name', 'log.logger', 'name'],
  session_key: ['session_key', 'session_id', 'sessionId', 'sessionKey', 'session.id'],
  thread_ts: ['thread_ts', 'threadTs'],
  channel_id: ['channel_id', 'channelId', 'channel'],
  stage: ['stage'],
  trace_id: ['trace_id', 'traceId', 'trace.id', 'otelTraceID', 'dd.trace_id'],
  span_id: ['span_id', 'spanId', 'span.id', 'otelSpanID', 'dd.span_id'],
  request_id: ['request_id', 'requestId', 'req_id', 'reqId', 'x_request_id'],
  run_id: ['run_id', 'runId'],
  workflow_id: ['workflow_id', 'workflowId'],
  category: ['category'],
} as const satisfies Record<string, readonly string[]>;

export type AliasedField = keyof typeof ALIASES;

/** The parts of each dotted name looked up so far. */
const PATHS = new Map<string, string[]>();

/** Looks up a field by literal key, then by nested path. */
export function getPath(obj: JsonObject, name: string): unknown {
  // Most names have no dot and most lookups miss: one property load answers them.
  if (!name.includes('.')) return obj[name];
  if (name in obj) return obj[name];
  let parts = PATHS.get(name);
  if (parts === undefined) {
    parts = name.split('.');
    if (PATHS.size < 10_000) PATHS.set(name, parts);
  }
  let cur: unknown = obj;
  for (const part of parts) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as JsonObject)[part];
  }
  return cur;
}

/** The first present, non-null value among a field's aliases. */
export function pick(obj: JsonObject, field: AliasedField): unknown {
  for (const name of ALIASES[field]) {
    const v = getPath(obj, name);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

/** A scalar as an identifier string; objects and arrays are not identifiers. */
export function asId(v: unknown): string | null {
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return String(v);
  return null;
}

/**
 * How deep a value read from a record is followed: deeper arrays and objects
 * are written as "…". JSON.parse reads any depth, but JSON.stringify and
 * recursive readers run out of stack somewhere below 10,000 levels.
 */
export const MAX_DEPTH = 100;
export const TOO_DEEP = '…';

/** The value with the arrays and objects below `depth` levels replaced by "…". */
export function cutDeep(v: unknown, depth = MAX_DEPTH): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (depth <= 0) return TOO_DEEP;
  if (Array.isArray(v)) return v.map((x) => cutDeep(x, depth - 1));
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v as JsonObject)) out[k] = cutDeep(x, depth - 1);
  return out;
}

/** JSON text of a value; one nested too deep for JSON.stringify is cut at MAX_DEPTH levels. */
export function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return JSON.stringify(cutDeep(v));
  }
}

/** A string field, or a compact JSON rendering of a non-string value. */
export function asText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return jsonText(v);
}

/** Whole numbers (or whole-number strings) as integers; anything else, and numbers beyond 2^53 (1e20 is no count), null. */
export function asInt(v: unknown): number | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) return Number(v);
  return null;
}

/** Finite numbers (or numeric strings); anything else null. */
export function asNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];

const LEVEL_NAMES: Record<string, Level> = {
  trace: 'trace',
  verbose: 'trace',
  debug: 'debug',
  info: 'info',
  information: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  exception: 'error',
  critical: 'fatal',
  crit: 'fatal',
  fatal: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  panic: 'fatal',
};

/**
 * Normalises a level to trace|debug|info|warn|error|fatal: Python names
 * (WARNING, CRITICAL), pino/bunyan numbers (10..60), syslog names. Unknown
 * values are kept lowercased, so nothing is hidden.
 */
export function normalizeLevel(v: unknown): string | null {
  if (typeof v === 'number') {
    if (v >= 60) return 'fatal';
    if (v >= 50) return 'error';
    if (v >= 40) return 'warn';
    if (v >= 30) return 'info';
    if (v >= 20) return 'debug';
    return 'trace';
  }
  if (typeof v !== 'string' || v === '') return null;
  const lower = v.toLowerCase();
  return LEVEL_NAMES[lower] ?? lower;
}

/** A W3C traceparent value, `00-<trace id>-<span id>-<flags>`: trace id and span id. */
export const TRACEPARENT = /\b00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}\b/;

/** Correlation ids written in a text line: `session=...`, `trace_id=...`, `in stage plan`. */
const LINE_IDS = /\b(session_key|session_id|session|thread_ts|channel_id|channel|stage|trace_id|request_id|req_id|run_id|workflow_id)[=:]\s?([^\s,;)"'\]]+)/g;
const LINE_KEY: Record<string, CorrelationColumn> = {
  session_key: 'session_key',
  session_id: 'session_key',
  session: 'session_key',
  thread_ts: 'thread_ts',
  channel_id: 'channel_id',
  channel: 'channel_id',
  stage: 'stage',
  trace_id: 'trace_id',
  request_id: 'request_id',
  req_id: 'request_id',
  run_id: 'run_id',
  workflow_id: 'workflow_id',
};

/** The ids a text line names, for the fields the record itself left empty. */
export function idsInLine(line: string): Correlation {
  const out: Correlation = {};
  for (const m of line.matchAll(LINE_IDS)) {
    const col = LINE_KEY[m[1] ?? ''];
    if (col !== undefined && out[col] === undefined) out[col] = m[2] ?? null;
  }
  const stage = /\bin stage ([\w-]+)/.exec(line);
  if (stage && out.stage === undefined) out.stage = stage[1] ?? null;
  return out;
}

