/**
 * `obs trace <trace_id>`: one trace as a waterfall: its spans as a tree with
 * start offsets and duration bars, and the log records, LLM calls and errors
 * of the trace placed on the span they belong to (by span id, else by time
 * within the deepest span running then).
 */
import { Command } from 'commander';
import type { Context } from '../context.js';
import type { Database, Row } from '../db/database.js';
import { TRACEPARENT } from '../sources/fields.js';
import { SqlParams } from '../db/params.js';
import { sqlFile } from '../db/sql-files.js';
import { usageError, type ExitCode } from '../errors.js';
import type { Column } from '../output/render.js';
import { renderTrace, type TraceDoc, type TraceRecord, type TraceSpan } from '../output/trace.js';
import { formatIsoMicros } from '../time/time.js';
import { readCommand, writeJsonDocument, writeRows } from './shared/command.js';
import { documentFields } from './shared/field-flags.js';
import { exitFor, openSources, type CommonOptions } from './shared/options.js';
import { parseJsonFields } from './shared/query.js';
import { selectSubject, subjectErrors } from './shared/subject.js';
import { redactorOf } from '../redact/redactor.js';

const TRACE_ID = /^[0-9a-f]{32}$/;

/** The line formats' columns: one row per span, then the records placed on it. */
const FLAT_COLUMNS: Column[] = ['type', 'depth', 'span_id', 'parent_span_id', 'name', 'service', 'start', 'ts', 'offset_ms', 'duration_ms', 'status', 'kind', 'level', 'text', 'span_id_placed', 'source_file', 'source_line'].map((key) => ({ key }));

/** The span tree depth first, each span followed by its records, then the records outside every span (span_id_placed null). */
export function flatten(doc: TraceDoc): Row[] {
  const rows: Row[] = [];
  const walk = (list: TraceSpan[], depth: number): void => {
    for (const sp of list) {
      const { children, records, ...rest } = sp;
      rows.push({ type: 'span', depth, ...rest });
      for (const r of records) rows.push({ type: 'record', span_id_placed: sp.span_id, ...r });
      walk(children, depth + 1);
    }
  };
  walk(doc.spans, 0);
  for (const r of doc.unplaced) rows.push({ type: 'record', span_id_placed: null, ...r });
  return rows;
}

/** The trace id a user gave: a full id, a traceparent header value, or a unique prefix of at least 8 digits. */
async function resolveTraceId(db: Database, given: string): Promise<string> {
  const t = given.trim().toLowerCase();
  const tp = TRACEPARENT.exec(t);
  if (tp && tp[0] === t) return tp[1] as string;
  if (TRACE_ID.test(t)) return t;
  if (!/^[0-9a-f]{8,31}$/.test(t)) {
    throw usageError(`"${given}" is not a trace id`, {
      help: 'give the 32 hex digits of a W3C trace id, a traceparent value (00-<trace>-<span>-01), or its first 8 or more digits',
    });
  }
  const params = new SqlParams();
  const p = params.add(`${t}%`);
  const { rows } = await db.query(
    `SELECT DISTINCT trace_id FROM (SELECT trace_id FROM spans UNION ALL SELECT trace_id FROM events UNION ALL SELECT trace_id FROM llm_calls) ` +
      `WHERE trace_id LIKE ${p} ORDER BY trace_id LIMIT 6`,
    params.values,
  );
  if (rows.length === 1) return String(rows[0]?.['trace_id']);
  if (rows.length === 0) throw usageError(`no trace id starts with ${t} in the loaded logs`, { help: 'obs query --thread <ts> lists the traces of a thread' });
  throw usageError(`${t} is the start of several trace ids: ${rows.map((r) => String(r['trace_id'])).join(', ')}`, { help: 'give more digits' });
}

/** Spans as a tree; a span whose parent was not loaded is a root. Records go to their span by id, else to the deepest span running at their time. */
export function buildWaterfall(spanRows: Row[], recordRows: Row[]): { roots: TraceSpan[]; unplaced: TraceRecord[]; startUs: number | null; endUs: number | null } {
  const times = [
    ...spanRows.flatMap((s) => [s['start_us'], s['end_us']]),
    ...recordRows.map((r) => r['ts_us']),
  ].filter((t): t is number => typeof t === 'number');
  // reduce, not Math.min(...times): a trace of 10^5 spans would overflow the stack.
  const startUs = times.length > 0 ? times.reduce((a, b) => Math.min(a, b)) : null;
  const endUs = times.length > 0 ? times.reduce((a, b) => Math.max(a, b)) : null;
  const offset = (us: unknown): number | null => (typeof us === 'number' && startUs !== null ? (us - startUs) / 1000 : null);

  const spans = new Map<string, TraceSpan>();
  const all: TraceSpan[] = parseJsonFields(spanRows, ['attributes', 'events']).map((s) => ({
    span_id: (s['span_id'] as string | null) ?? null,
    parent_span_id: (s['parent_span_id'] as string | null) ?? null,
    name: String(s['name']),
    kind: String(s['kind']),
    service: (s['service'] as string | null) ?? null,
    start: typeof s['start_us'] === 'number' ? formatIsoMicros(s['start_us']) : null,
    offset_ms: offset(s['start_us']),
    duration_ms: typeof s['duration_ms'] === 'number' ? s['duration_ms'] : null,
    status: String(s['status']),
    status_message: (s['status_message'] as string | null) ?? null,
    attributes: s['attributes'] as Record<string, unknown>,
    events: s['events'] as unknown[],
    source_file: String(s['source_file']),
    source_line: Number(s['source_line']),
    records: [],
    children: [],
  }));
  for (const s of all) if (s.span_id !== null) spans.set(s.span_id, s);
  const roots: TraceSpan[] = [];
  for (const s of all) {
    const parent = s.parent_span_id === null ? undefined : spans.get(s.parent_span_id);
    if (parent !== undefined && parent !== s) parent.children.push(s);
    else roots.push(s);
  }

  // A child may outlive its parent (work after the response): every span is a candidate, the deepest wins.
  const depthOf = new Map<TraceSpan, number>();
  const measure = (list: TraceSpan[], depth: number): void => {
    for (const s of list) {
      depthOf.set(s, depth);
      measure(s.children, depth + 1);
    }
  };
  measure(roots, 0);
  /** The deepest span (then the latest started) whose [start, start + duration] holds the offset. */
  const during = (at: number): TraceSpan | null => {
    let best: TraceSpan | null = null;
    for (const s of all) {
      if (s.offset_ms === null || s.duration_ms === null || at < s.offset_ms || at > s.offset_ms + s.duration_ms) continue;
      const d = depthOf.get(s) ?? 0;
      const bd = best === null ? -1 : (depthOf.get(best) ?? 0);
      if (best === null || d > bd || (d === bd && (s.offset_ms ?? 0) > (best.offset_ms ?? 0))) best = s;
    }
    return best;
  };
  const unplaced: TraceRecord[] = [];
  for (const r of recordRows) {
    const rec: TraceRecord = {
      ts: typeof r['ts_us'] === 'number' ? formatIsoMicros(r['ts_us']) : null,
      offset_ms: offset(r['ts_us']),
      kind: String(r['kind']),
      level: (r['level'] as string | null) ?? null,
      text: (r['text'] as string | null) ?? null,
      span_id: (r['span_id'] as string | null) ?? null,
      stage: (r['stage'] as string | null) ?? null,
      format: (r['format'] as string | null) ?? null,
      source_file: String(r['source_file']),
      source_line: Number(r['source_line']),
      placed_by: 'span_id',
    };
    let span = rec.span_id === null ? undefined : spans.get(rec.span_id);
    if (span === undefined && rec.offset_ms !== null) {
      span = during(rec.offset_ms) ?? undefined;
      rec.placed_by = 'time';
    }
    if (span === undefined) {
      rec.placed_by = null;
      unplaced.push(rec);
    } else span.records.push(rec);
  }
  return { roots, unplaced, startUs, endUs };
}

export async function runTrace(ctx: Context, id: string, o: CommonOptions): Promise<ExitCode> {
  const s = await openSources(ctx, o);
  try {
    const traceId = await resolveTraceId(s.db, id);
    await selectSubject(s.db, { kind: 'trace', value: traceId });
    const spanRows = (await s.db.query(sqlFile('trace_spans.sql'))).rows;
    const recordRows = (await s.db.query(sqlFile('trace_records.sql'))).rows;
    if (spanRows.length === 0 && recordRows.length === 0) {
      throw usageError(`no span or record carries trace ${traceId} in the loaded logs`, {
        help: 'check --logs (OTLP span files are read from *.jsonl); obs query --thread <ts> lists the traces of a thread',
      });
    }
    if (spanRows.length === 0) s.report.note(`no span of trace ${traceId} is loaded: its records are listed in time order`);
    const errors = await subjectErrors(s.db);
    const w = buildWaterfall(spanRows, recordRows);
    const sessions = (await s.db.query('SELECT DISTINCT session_key FROM (SELECT session_key FROM subject_events UNION ALL SELECT session_key FROM subject_spans UNION ALL SELECT session_key FROM subject_llm_calls) WHERE session_key IS NOT NULL ORDER BY 1')).rows.map((r) => String(r['session_key']));
    const services = [...new Set(spanRows.map((r) => r['service']).filter((x): x is string => typeof x === 'string'))].sort();
    const doc: TraceDoc = {
      trace_id: traceId,
      start: w.startUs === null ? null : formatIsoMicros(w.startUs),
      end: w.endUs === null ? null : formatIsoMicros(w.endUs),
      duration_ms: w.startUs === null || w.endUs === null ? null : (w.endUs - w.startUs) / 1000,
      services,
      sessions,
      counts: { spans: spanRows.length, failed_spans: spanRows.filter((r) => r['status'] === 'error').length, records: recordRows.length, errors: errors.length },
      spans: w.roots,
      unplaced: w.unplaced,
      errors,
      warnings: s.report.warnings,
    };
    const shown = redactorOf(ctx).value(doc);
    if (s.format === 'json') writeJsonDocument(ctx, shown as unknown as Record<string, unknown>, s.fields, 'the obs trace document');
    else if (s.format === 'table') renderTrace(ctx.stdout, shown, { color: s.color, width: ctx.stdout.columns ?? 100 });
    else writeRows(ctx, s, { noun: 'spans', columns: FLAT_COLUMNS, rows: flatten(shown) });
    return exitFor(s.load);
  } finally {
    s.db.close();
  }
}

/** The top-level fields of `obs trace --json`. */
const DOC_FIELDS: ReadonlyArray<keyof TraceDoc> = ['trace_id', 'start', 'end', 'duration_ms', 'services', 'sessions', 'counts', 'spans', 'unplaced', 'errors', 'warnings'];

export function traceCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  const cmd = readCommand({
    name: 'trace',
    summary: 'one trace as a waterfall: spans, durations, and the records, LLM calls and errors placed on them',
    description:
      'Draw one trace: its OpenTelemetry spans as a tree with start offsets, duration bars and status, and every log ' +
      'record and LLM call of the trace placed on the span it belongs to (by its span id, else within the deepest span ' +
      'running at its time), then the errors of the trace. The id may be the 32 hex digits, a traceparent value, or a ' +
      'unique prefix of 8 or more digits. --json gives the span tree with its records; --ndjson one line per span and record.',
    filters: false,
    examples: [
      'obs trace a79b034cab0d9b2deb6173cf62266e44',
      'obs trace a79b034c --logs ./logs',
      "obs trace 00-a79b034cab0d9b2deb6173cf62266e44-31f59d71c0428e69-01 --json | jq '.spans[0].children[].name'",
    ],
  })
    .argument('<trace_id>', 'the trace: 32 hex digits, a traceparent value, or a unique prefix')
    .action((id: string, opts: CommonOptions) => run(runTrace(ctx, id, opts)));
  return documentFields(cmd, DOC_FIELDS);
}
