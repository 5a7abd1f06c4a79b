/**
 * The formats in effect (the config file's first, then the built-in ones),
 * compiled once: which format claims a JSON record or a text line, and how a
 * claimed record's fields become an event's columns.
 */
import { ALIASES, CORRELATION_COLUMNS, asId, asText, getPath, idsInLine, normalizeLevel, TRACEPARENT, type CorrelationColumn, type JsonObject } from '../sources/fields.js';
import type { Correlation } from '../sources/types.js';
import { inTimeRange, parseClfTime, parseLogTime, parseTimestampValue } from '../time/time.js';
import { BUILTIN_FORMATS } from './builtin.js';
import type { FieldRole, FormatDefinition, FormatInput } from './definition.js';
import { parseLogfmt } from './logfmt.js';

type Requirement = { names: string[]; type: 'any' | 'string' | 'number' | 'object' };

type Role = FieldRole;
const ROLES = Object.keys(ALIASES) as Role[];

export interface Format {
  def: FormatDefinition;
  /** For each role, the format's own field names, then the common ones. */
  names: Record<Role, readonly string[]>;
  /** From the config file rather than built in. */
  user: boolean;
  regex: RegExp | null;
  require: Requirement[];
}

/** The fields a record's columns are read from, before mapping. */
export interface Claimed {
  format: Format;
  fields: JsonObject;
}

/** The columns one record yields (without its place in the file). */
export interface RecordColumns extends Correlation {
  ts: number | null;
  level: string | null;
  event: string | null;
  message: string | null;
  logger: string | null;
  /** Columns read from the words of a text line rather than from a field. */
  idsFromText?: CorrelationColumn[];
}

const STANDARD_GROUPS = new Set(['ts', 'level', 'logger', 'message']);
const TRACEPARENT_FIELDS = ['traceparent', 'headers.traceparent', 'http.request.header.traceparent', 'req.headers.traceparent'];
const ZERO_TRACE = /^0+$/;

function compile(def: FormatDefinition, user: boolean): Format {
  const names = {} as Record<Role, readonly string[]>;
  for (const role of ROLES) {
    const own = def.fields[role];
    names[role] = [...(own === undefined ? [] : Array.isArray(own) ? own : [own]), ...ALIASES[role]];
  }
  return {
    def,
    names,
    user,
    regex: def.pattern === undefined ? null : new RegExp(def.pattern),
    require: Object.entries(def.require).map(([names, type]) => ({ names: names.split('|'), type })),
  };
}

function holds(v: unknown, type: Requirement['type']): boolean {
  if (v === undefined || v === null) return false;
  switch (type) {
    case 'any':
      return true;
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number';
    case 'object':
      return typeof v === 'object' && !Array.isArray(v);
  }
}

function meets(fields: JsonObject, req: readonly Requirement[]): boolean {
  return req.every((r) => r.names.some((n) => holds(getPath(fields, n), r.type)));
}

/**
 * A built-in format with the schema's defaults (definition.ts) filled in,
 * without loading the schema's library at every start: a test checks that
 * this gives what the schema gives for each built-in format.
 */
export function withDefaults(f: FormatInput): FormatDefinition {
  return {
    description: '',
    require: {},
    fields: {},
    time: 'auto',
    levels: {},
    multiline: false,
    ...f,
    samples: (f.samples ?? []).map((s) => ({ expect: {}, ...s })),
  };
}

export class FormatSet {
  private constructor(
    /** The config file's formats, as given to create (the parsing thread builds its own set from them). */
    readonly userFormats: readonly FormatDefinition[],
    readonly all: readonly Format[],
    private readonly jsonFormats: readonly Format[],
    private readonly textFormats: readonly Format[],
  ) {}

  /** Config formats first; one with a built-in's name replaces it. */
  static create(userFormats: readonly FormatDefinition[] = []): FormatSet {
    const names = new Set(userFormats.map((f) => f.name));
    const builtin = BUILTIN_FORMATS.map(withDefaults).filter((f) => !names.has(f.name));
    const all = [...userFormats.map((f) => compile(f, true)), ...builtin.map((f) => compile(f, false))];
    return new FormatSet(
      userFormats,
      all,
      all.filter((f) => f.def.type === 'json'),
      all.filter((f) => f.def.type !== 'json'),
    );
  }

  get(name: string): Format | undefined {
    return this.all.find((f) => f.def.name === name);
  }

  /** The JSON format with the most requirements the record meets; the generic one when none has any. */
  claimJson(obj: JsonObject): Format {
    let best: Format | undefined;
    for (const f of this.jsonFormats) {
      if (!meets(obj, f.require)) continue;
      if (best === undefined || f.require.length > best.require.length || (f.user && !best.user && f.require.length === best.require.length)) best = f;
    }
    return best ?? (this.get('json') as Format);
  }

  /** The first text format (regex or logfmt) that reads the line, with its fields. */
  claimText(line: string): Claimed | null {
    for (const f of this.textFormats) {
      const fields = readText(f, line);
      if (fields !== null) return { format: f, fields };
    }
    return null;
  }
}

/** A text line's fields under one format, or null when the format does not read it. */
export function readText(f: Format, line: string): JsonObject | null {
  if (f.regex !== null) {
    const m = f.regex.exec(line);
    if (!m) return null;
    const fields: JsonObject = {};
    for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) fields[k] = v;
    if (fields['message'] === undefined && f.def.fields.message === undefined) fields['message'] = line;
    return meets(fields, f.require) ? fields : null;
  }
  if (f.def.type === 'logfmt') {
    const pairs = parseLogfmt(line);
    return pairs !== null && meets(pairs, f.require) ? pairs : null;
  }
  return null;
}

/** The first value among the format's names for a role, then the common names. */
function lookup(fields: JsonObject, f: Format, role: FieldRole): unknown {
  for (const n of f.names[role]) {
    const v = getPath(fields, n);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

export function timeOf(v: unknown, f: Format, tz: string): number | null {
  if (v === undefined) return null;
  const unit = f.def.time;
  if (unit === 'clf') return typeof v === 'string' ? parseClfTime(v) : null;
  if (unit !== 'auto') {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(n)) return parseTimestampValue(v, tz);
    const scale = { epoch_s: 1e6, epoch_ms: 1e3, epoch_us: 1, epoch_ns: 1e-3 }[unit];
    const micros = Math.trunc(n * scale);
    // 1e308 ms is no time: out of range for DuckDB and for printing.
    return inTimeRange(micros) ? micros : null;
  }
  return typeof v === 'string' ? parseLogTime(v, tz) : parseTimestampValue(v, tz);
}

/** W3C trace context in a `traceparent` field or written in the message. */
function traceparentOf(fields: JsonObject, message: string | null): { trace: string; span: string } | null {
  for (const name of TRACEPARENT_FIELDS) {
    const v = getPath(fields, name);
    const m = typeof v === 'string' ? TRACEPARENT.exec(v) : null;
    if (m && !ZERO_TRACE.test(m[1] ?? '')) return { trace: m[1] as string, span: m[2] as string };
  }
  const m = message !== null && message.includes('00-') ? TRACEPARENT.exec(message) : null;
  if (m && !ZERO_TRACE.test(m[1] ?? '')) return { trace: m[1] as string, span: m[2] as string };
  return null;
}

/** A claimed record's columns: the format's field names first, then the common ones; the file's ids fill the gaps. */
export function columnsOf(fields: JsonObject, f: Format, tz: string, defaults: Correlation): RecordColumns {
  const rawLevel = lookup(fields, f, 'level');
  const mapped = rawLevel === undefined ? undefined : f.def.levels[String(rawLevel)];
  const out: RecordColumns = {
    ts: timeOf(lookup(fields, f, 'ts'), f, tz),
    level: mapped ?? normalizeLevel(rawLevel) ?? f.def.default_level ?? null,
    event: asText(lookup(fields, f, 'event')),
    message: asText(lookup(fields, f, 'message')),
    logger: asText(lookup(fields, f, 'logger')),
  };
  // A text line names its ids in its words (`trace_id=...`, `session=...`, `in stage plan`).
  const said = f.def.type === 'regex' && out.message !== null ? idsInLine(out.message.split('\n', 1)[0] ?? '') : {};
  for (const col of CORRELATION_COLUMNS) {
    const own = asId(lookup(fields, f, col));
    if (own === null && said[col]) (out.idsFromText ??= []).push(col);
    out[col] = own ?? said[col] ?? defaults[col] ?? null;
  }
  if (out.trace_id === null || out.trace_id === undefined) {
    const tp = traceparentOf(fields, out.message);
    if (tp !== null) {
      out.trace_id = tp.trace;
      out.span_id = out.span_id ?? tp.span;
    }
  }
  return out;
}

/** The fields worth keeping as the record's JSON: those a text format read beyond time, level, logger and message. */
export function extraFields(fields: JsonObject, f: Format): JsonObject | null {
  if (f.def.type === 'logfmt') return fields;
  const keys = Object.keys(fields).filter((k) => !STANDARD_GROUPS.has(k));
  return keys.length === 0 ? null : fields;
}
