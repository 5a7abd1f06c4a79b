/**
 * Finds the errors in loaded records as they pass the sink: tracebacks in a
 * text record's continuation lines or in a JSON field (`exc`, `exception`,
 * `err.stack`, ...), error-level records without one, failed LLM calls, and
 * crash dumps. Each place an error was seen becomes one observation; merging
 * observations of the same failure into one occurrence happens after loading.
 */
import path from 'node:path';
import { asText, getPath, type JsonObject } from '../../sources/fields.js';
import type { Correlation, EventRow, LlmCallRow } from '../../sources/types.js';
import { CORRELATION_COLUMNS, idsInLine } from '../../sources/fields.js';
import { parseTracebacks, type ChainLink, type Frame, type Language } from '../../tracebacks/index.js';
import { zonedToUtcMicros } from '../../time/zone.js';

export type ContextFrom = 'record' | 'line' | 'reference' | 'nearby' | 'merged' | 'none';
export type ErrorKind = 'exception' | 'crash' | 'log';

/** What a sighting and an occurrence of an error both say about it. */
export interface ErrorFields {
  level: string | null;
  kind: ErrorKind;
  language: Language | null;
  errorType: string | null;
  message: string;
  frames: Frame[];
  chain: ChainLink[];
  /** The traceback or stack as logged. */
  traceback: string | null;
  logger: string | null;
  contextFrom: ContextFrom;
  /** The test that failed (pytest's node id, node:test's name path), when a test runner reported it. */
  testId: string | null;
}

export interface Observation extends Correlation, ErrorFields {
  ts: number | null;
  sourceFile: string;
  sourceLine: number;
  sourceKind: string;
  /** Where the time came from: the record, a record naming this crash file, or the crash file's name. */
  tsFrom: 'record' | 'reference' | 'file_name' | null;
}

/** JSON fields that hold a traceback or stack, first match wins. */
const TRACEBACK_FIELDS = ['exc', 'exc_info', 'exception', 'exc_text', 'stack', 'stack_trace', 'stacktrace', 'traceback', 'err.stack', 'error.stack', 'error.stack_trace', 'exception.stacktrace'];
/** JSON fields that name the error's type when there is no traceback. */
const TYPE_FIELDS = ['error_type', 'exc_type', 'exception_type', 'errorType', 'err.type', 'err.name', 'error.type', 'error.kind', 'error.name', 'exception.type'];
/** JSON fields that carry the error's message when there is no traceback. */
const MESSAGE_FIELDS = ['error', 'error_message', 'errorMessage', 'err.message', 'error.message', 'exception.message', 'exc_value'];
/** A raw record worth parsing again: it has one of the fields above with a value. */
const ERROR_FIELD_HINT = /"(?:exc|exc_info|exception|exc_text|stack|stack_trace|stacktrace|traceback|err|error|error_type|exc_type|exception_type|errorType|error_message|errorMessage)"\s*:\s*(?!null|false|""|\[\])/;
/** `LLMTimeoutError: message`, `urllib.error.HTTPError: message` inside an error string. */
const TYPED_MESSAGE = /^([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit|Warning|Group|Failure|Fault|Timeout))(?:: ([\s\S]*))?$/;
const SEVERE = new Set(['error', 'fatal']);
const REPORTS_ERRORS = new Set(['warn', 'error', 'fatal']);
const FAILED_STATUS = new Set(['error', 'failed', 'failure', 'exception', 'fail']);
/** `faulthandler_20261121_221836_7824.log`, `crash-2026-11-21T22-18-36.txt`: a time stamp in a file name. */
const NAME_STAMP = /(\d{4})-?(\d{2})-?(\d{2})[_T-](\d{2})-?(\d{2})-?(\d{2})/;

function parseObject(text: string): JsonObject | null {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : null;
  } catch {
    return null;
  }
}

function firstString(obj: JsonObject, fields: readonly string[]): string | null {
  for (const f of fields) {
    const v = getPath(obj, f);
    if (typeof v === 'string' && v.trim() !== '') return v;
  }
  return null;
}

/** Splits `Type: message` when the prefix is an exception type. */
export function splitTypedMessage(text: string): { type: string | null; message: string } {
  const m = TYPED_MESSAGE.exec(text.trim());
  if (!m) return { type: null, message: text };
  return { type: m[1] ?? null, message: m[2] ?? '' };
}

export function timeFromFileName(file: string, tz: string): number | null {
  const m = NAME_STAMP.exec(path.basename(file));
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  return zonedToUtcMicros(y, mo, d, h, mi, s, 0, tz);
}

/** Fields left out of a record's one-line description: ids, time, level, logger. */
const NOT_DESCRIBED = new Set([...CORRELATION_COLUMNS, 'agent_id', 'ts', 'time', 'timestamp', 'created_at', 'level', 'levelname', 'logger', 'name']);

/**
 * What an error-level record without an exception says: its message, or for a
 * record that is only fields (a JSON message) its scalar fields as key=value,
 * so the same record written as text and as JSON reads the same.
 */
function describeRecord(firstLine: string, obj: JsonObject | null, event: string | null): string {
  let fields = obj;
  const trimmed = firstLine.trim();
  if (trimmed.startsWith('{')) {
    fields = parseObject(trimmed);
    if (fields === null) return firstLine;
  } else if (trimmed !== '') {
    return firstLine;
  }
  if (fields === null) return event ?? '';
  const parts = Object.entries(fields)
    .filter(([k, v]) => !NOT_DESCRIBED.has(k) && v !== null && typeof v !== 'object' && k !== 'message' && k !== 'msg')
    .map(([k, v]) => `${k}=${String(v)}`);
  return parts.length > 0 ? parts.join(' ') : (event ?? '');
}

function correlationOf(row: Correlation): Correlation {
  const out: Correlation = {};
  for (const c of CORRELATION_COLUMNS) out[c] = row[c] ?? null;
  return out;
}

/** Which source gave the ids that matter most: the session, else the trace, else the stage. */
function contextFrom(own: Correlation, fromLine: Correlation): ContextFrom {
  for (const c of ['session_key', 'thread_ts', 'trace_id', 'stage'] as const) {
    if (own[c]) return 'record';
    if (fromLine[c]) return 'line';
  }
  return 'none';
}

export class ErrorCollector {
  /** The sightings found, when no emit was given. */
  readonly observations: Observation[] = [];
  private readonly emit: (o: Observation) => void;

  /** Each sighting goes to emit as it is found (the loader stages them in DuckDB), else to observations. */
  constructor(
    private readonly tz: string,
    emit?: (o: Observation) => void,
  ) {
    this.emit = emit ?? ((o) => void this.observations.push(o));
  }

  /** Looks at one loaded event for errors. */
  fromEvent(row: EventRow, file: string, kind: string): void {
    if (row.errors !== undefined) {
      this.reported(row, file, kind);
      return;
    }
    const message = row.message ?? '';
    const severe = row.level !== null && SEVERE.has(row.level);
    // Only records that may hold an error are parsed again.
    const obj = row.raw !== null && (severe || ERROR_FIELD_HINT.test(row.raw)) ? parseObject(row.raw) : null;
    const tracebackText = (obj && firstString(obj, TRACEBACK_FIELDS)) ?? null;
    const inField = tracebackText ? parseTracebacks(tracebackText) : [];
    // A formatter that puts the traceback in a field and in the message too gives it once.
    const inText = parseTracebacks(message).filter((t) => !inField.some((f) => f.type === t.type && f.message === t.message));
    const hasTraceback = inField.length + inText.length > 0;

    // No traceback: an error only if the record says so. Most records stop here.
    const level = row.level;
    const status = obj ? asText(getPath(obj, 'status'))?.toLowerCase() ?? null : null;
    const typeField = obj ? firstString(obj, TYPE_FIELDS) : null;
    const messageField = obj ? firstString(obj, MESSAGE_FIELDS) : null;
    const failed = severe || row.event === 'exception';
    const reportsError = messageField !== null && (level === 'warn' || (status !== null && FAILED_STATUS.has(status)) || typeField !== null);
    if (!hasTraceback && !failed && !reportsError) return;

    const firstLine = message.split('\n', 1)[0] ?? '';
    const base = this.base(row, file, kind, firstLine);

    if (hasTraceback) {
      for (const p of [...inField, ...inText]) {
        // A traceback printed on its own after an unrelated line (an uncaught exception
        // after an INFO line) is placed at its own first line; one the record reported
        // (logger.exception) at the record's line.
        const standalone = inText.includes(p) && p.startLine > 0 && !REPORTS_ERRORS.has(row.level ?? '');
        const crash = p.kind === 'crash';
        let ts = row.ts;
        let tsFrom = base.tsFrom;
        if (ts === null && crash) {
          ts = timeFromFileName(file, this.tz);
          tsFrom = ts === null ? null : 'file_name';
        }
        this.emit({
          ...base,
          ts,
          tsFrom,
          level: crash ? (p.type === 'Fatal Python error' ? 'fatal' : (row.level ?? 'warn')) : (row.level ?? 'error'),
          kind: p.kind,
          language: p.language,
          errorType: p.type,
          message: p.message,
          frames: p.frames,
          chain: p.chain,
          traceback: p.text,
          sourceLine: standalone ? row.sourceLine + p.startLine : row.sourceLine,
          testId: null,
        });
      }
      return;
    }

    let errorType = typeField;
    let text = messageField ?? describeRecord(firstLine, obj, row.event);
    if (messageField !== null) {
      const split = splitTypedMessage(messageField);
      if (split.type !== null && (errorType === null || errorType.split('.').pop() === split.type.split('.').pop())) {
        errorType = errorType ?? split.type;
        text = split.message;
      }
    }
    this.emit({
      ...base,
      level: level ?? 'error',
      kind: errorType !== null ? 'exception' : 'log',
      language: null,
      errorType,
      message: text,
      frames: [],
      chain: [],
      traceback: null,
      testId: null,
    });
  }

  /** What every sighting in a record shares: its ids (its own, or written in its first line), time and place. */
  private base(row: EventRow, file: string, kind: string, firstLine: string) {
    const own = correlationOf(row);
    // Ids a text line names in its words count as the line's, not the record's own fields.
    for (const c of row.idsFromText ?? []) delete own[c as keyof Correlation];
    const fromLine = idsInLine(firstLine);
    const merged: Correlation = { ...own };
    for (const c of CORRELATION_COLUMNS) if (!merged[c] && fromLine[c]) merged[c] = fromLine[c];
    return {
      ...merged,
      ts: row.ts,
      sourceFile: file,
      sourceLine: row.sourceLine,
      sourceKind: kind,
      logger: row.logger,
      contextFrom: contextFrom(own, fromLine),
      tsFrom: (row.ts === null ? null : 'record') as Observation['tsFrom'],
    };
  }

  /** The errors a source read from the record itself (a test runner's report), each a sighting at the record's line. */
  private reported(row: EventRow, file: string, kind: string): void {
    const base = this.base(row, file, kind, (row.message ?? '').split('\n', 1)[0] ?? '');
    for (const e of row.errors ?? []) {
      this.emit({
        ...base,
        sourceLine: row.sourceLine + e.startLine,
        level: e.level,
        kind: e.kind,
        language: e.language,
        errorType: e.type,
        message: e.message,
        frames: e.frames,
        chain: e.chain,
        traceback: e.text,
        testId: e.testId,
      });
    }
  }

  /** A failed LLM call from the audit log. */
  fromLlmCall(row: LlmCallRow, file: string, kind: string): void {
    const status = row.status?.toLowerCase() ?? null;
    if (row.error === null && (status === null || !FAILED_STATUS.has(status))) return;
    const { type, message } = splitTypedMessage(row.error ?? `LLM call failed (status ${row.status ?? 'unknown'})`);
    const own = correlationOf(row);
    this.emit({
      ...own,
      ts: row.ts,
      sourceFile: file,
      sourceLine: row.sourceLine,
      sourceKind: kind,
      level: 'error',
      kind: type !== null ? 'exception' : 'log',
      language: null,
      errorType: type,
      message,
      frames: [],
      chain: [],
      traceback: null,
      logger: row.agent,
      contextFrom: contextFrom(own, {}),
      tsFrom: row.ts === null ? null : 'record',
      testId: null,
    });
  }
}
