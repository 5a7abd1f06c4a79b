/**
 * OpenTelemetry OTLP/JSON, as the Collector's file exporter writes it: one
 * export request per line, `{"resourceSpans": [...]}` or
 * `{"resourceLogs": [...]}`. Ids are hex, 64-bit integers are strings, enums
 * are integers (or their names), unknown fields are ignored.
 *
 * Spans go to the spans table; span events go to events (an `exception`
 * event is an error with its stack); a span with status ERROR and no
 * exception event is an error-level event too; log records go to events.
 * Correlation ids come from the attributes: the common names (fields.ts),
 * the semantic-convention `session.id`, and any namespaced key whose last
 * part is one (`slack.thread_ts`, `planner.session_key`).
 */
import { ALIASES, CORRELATION_COLUMNS, MAX_DEPTH, TOO_DEEP, asId, getPath, normalizeLevel, type JsonObject } from '../fields.js';
import { jsonLinesParser } from '../jsonl/index.js';
import type { Correlation, EventRow, FileContext, RecordSink, SourceKind, SpanRow } from '../types.js';

const HEAD = /^\s*\{\s*"resource(Spans|Logs|Metrics)"/;
const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUSES = ['unset', 'ok', 'error'];
/** Attribute names that carry a correlation id besides the common names. */
const OTEL_NAMES: Partial<Record<(typeof CORRELATION_COLUMNS)[number], string[]>> = {
  session_key: ['session.id', 'session.key'],
  thread_ts: ['slack.thread_ts', 'messaging.slack.thread_ts'],
  channel_id: ['slack.channel', 'slack.channel_id'],
  request_id: ['http.request_id', 'http.request.header.x-request-id'],
};

/** An OTLP AnyValue as a plain JSON value; arrays and lists nested deeper than MAX_DEPTH are written as "…". */
export function anyValue(v: unknown, depth = MAX_DEPTH): unknown {
  if (v === null || typeof v !== 'object') return v ?? null;
  if (depth <= 0) return TOO_DEEP;
  const o = v as JsonObject;
  if ('stringValue' in o) return o['stringValue'];
  if ('boolValue' in o) return o['boolValue'];
  if ('intValue' in o) {
    const i = o['intValue'];
    const n = typeof i === 'string' ? Number(i) : i;
    return typeof n === 'number' && Number.isSafeInteger(n) ? n : String(i);
  }
  if ('doubleValue' in o) {
    const d = o['doubleValue'];
    return typeof d === 'string' ? Number(d) : d;
  }
  if ('bytesValue' in o) return o['bytesValue'];
  if ('arrayValue' in o) {
    const values = (o['arrayValue'] as JsonObject | null)?.['values'];
    return Array.isArray(values) ? values.map((x) => anyValue(x, depth - 1)) : [];
  }
  if ('kvlistValue' in o) return attributes((o['kvlistValue'] as JsonObject | null)?.['values'], depth - 1);
  return null;
}

/** A list of {key, value} as one object (keys kept literally, dots included). */
export function attributes(list: unknown, depth = MAX_DEPTH): JsonObject {
  const out: JsonObject = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (kv === null || typeof kv !== 'object') continue;
    const key = (kv as JsonObject)['key'];
    if (typeof key === 'string') out[key] = anyValue((kv as JsonObject)['value'], depth);
  }
  return out;
}

/** Correlation ids in attributes: exact names first, then a namespaced key ending in a common name. */
export function correlationFromAttributes(attrs: JsonObject, inherited: Correlation = {}): Correlation {
  const out: Correlation = {};
  const keys = Object.keys(attrs);
  for (const col of CORRELATION_COLUMNS) {
    let v: string | null = null;
    for (const name of [...ALIASES[col], ...(OTEL_NAMES[col] ?? [])]) {
      v = asId(attrs[name]);
      if (v !== null) break;
    }
    if (v === null) {
      const suffixes = (ALIASES[col] as readonly string[]).filter((n) => !n.includes('.'));
      const key = keys.find((k) => k.includes('.') && suffixes.includes(k.slice(k.lastIndexOf('.') + 1)));
      v = key === undefined ? null : asId(attrs[key]);
    }
    out[col] = v ?? inherited[col] ?? null;
  }
  return out;
}

/** Hex id, lower-cased; empty, all-zero or missing → null. */
function hexId(v: unknown): string | null {
  if (typeof v !== 'string' || v === '' || /^0+$/.test(v)) return null;
  return v.toLowerCase();
}

/** Nanoseconds since the epoch, a string or a number, exactly; null when missing or 0. */
function nanos(v: unknown): bigint | null {
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return BigInt(v) === 0n ? null : BigInt(v);
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return BigInt(Math.trunc(v));
  return null;
}

function nanosToMicros(v: unknown): number | null {
  const n = nanos(v);
  return n === null ? null : Number(n / 1000n);
}

function enumName(v: unknown, names: readonly string[], prefix: string): string {
  if (typeof v === 'number') return names[v] ?? String(v);
  if (typeof v === 'string') {
    const short = v.startsWith(prefix) ? v.slice(prefix.length).toLowerCase() : v.toLowerCase();
    return names.includes(short) ? short : v;
  }
  return names[0] as string;
}

/** OTLP severity number (1-24) → level; the text when there is no number. */
function severityLevel(number: unknown, text: unknown): string | null {
  if (typeof number === 'number' && number >= 1) {
    return number >= 21 ? 'fatal' : number >= 17 ? 'error' : number >= 13 ? 'warn' : number >= 9 ? 'info' : number >= 5 ? 'debug' : 'trace';
  }
  return normalizeLevel(text);
}

function list(obj: unknown, key: string): JsonObject[] {
  const v = obj !== null && typeof obj === 'object' ? (obj as JsonObject)[key] : undefined;
  return Array.isArray(v) ? (v.filter((x) => x !== null && typeof x === 'object') as JsonObject[]) : [];
}

interface Scope {
  service: string | null;
  scope: string | null;
  resource: JsonObject;
}

function scopeOf(resourceBlock: JsonObject, scopeBlock: JsonObject): Scope {
  const resource = attributes((resourceBlock['resource'] as JsonObject | undefined)?.['attributes']);
  const scope = (scopeBlock['scope'] as JsonObject | undefined)?.['name'];
  return { service: asId(resource['service.name']), scope: typeof scope === 'string' ? scope : null, resource };
}

/** Reads the spans of an export request; returns how many there were. */
function readSpans(doc: JsonObject, line: number, ctx: FileContext, sink: RecordSink): number {
  let count = 0;
  for (const rs of list(doc, 'resourceSpans')) {
    for (const ss of list(rs, 'scopeSpans')) {
      const where = scopeOf(rs, ss);
      for (const span of list(ss, 'spans')) {
        const attrs = attributes(span['attributes']);
        const startNs = nanos(span['startTimeUnixNano']);
        const endNs = nanos(span['endTimeUnixNano']);
        const start = startNs === null ? null : Number(startNs / 1000n);
        const end = endNs === null ? null : Number(endNs / 1000n);
        const status = (span['status'] ?? {}) as JsonObject;
        const statusName = enumName(status['code'], STATUSES, 'STATUS_CODE_');
        const statusMessage = typeof status['message'] === 'string' && status['message'] !== '' ? status['message'] : null;
        const traceId = hexId(span['traceId']);
        const spanId = hexId(span['spanId']);
        const correlation = correlationFromAttributes(attrs, ctx.defaults);
        correlation.trace_id = traceId;
        correlation.span_id = spanId;
        const events = list(span, 'events').map((e) => ({
          name: typeof e['name'] === 'string' ? e['name'] : '',
          ts: nanosToMicros(e['timeUnixNano']),
          attributes: attributes(e['attributes']),
        }));
        // Object.assign, not a spread followed by new properties: see newReport in src/load/load.ts.
        const row: SpanRow = Object.assign({
          ts: start,
          endTs: end,
          sourceLine: line,
          parentSpanId: hexId(span['parentSpanId']),
          name: typeof span['name'] === 'string' ? span['name'] : '',
          kind: enumName(span['kind'], KINDS, 'SPAN_KIND_'),
          service: where.service,
          scope: where.scope,
          durationMs: startNs !== null && endNs !== null && endNs >= startNs ? Number(endNs - startNs) / 1e6 : null,
          status: statusName,
          statusMessage,
          attributes: JSON.stringify(attrs),
          resource: JSON.stringify(where.resource),
          events: JSON.stringify(events.map((e) => ({ name: e.name, ts: e.ts === null ? null : new Date(e.ts / 1000).toISOString(), attributes: e.attributes }))),
          links: JSON.stringify(list(span, 'links').map((l) => ({ trace_id: hexId(l['traceId']), span_id: hexId(l['spanId']), attributes: attributes(l['attributes']) }))),
        }, correlation);
        sink.span(row);
        count++;
        for (const e of events) {
          const isException = e.name === 'exception';
          const type = isException ? asId(e.attributes['exception.type']) : null;
          const message = isException ? asId(e.attributes['exception.message']) : null;
          sink.event(Object.assign({
            ts: e.ts ?? start,
            sourceLine: line,
            level: isException ? 'error' : 'info',
            event: e.name,
            message: isException ? [type, message].filter(Boolean).join(': ') || null : null,
            logger: where.service,
            format: 'otlp_span_event',
            raw: JSON.stringify({ span: row.name, ...e.attributes }),
          }, correlation));
        }
        if (statusName === 'error' && !events.some((e) => e.name === 'exception')) {
          sink.event(Object.assign({
            ts: end ?? start,
            sourceLine: line,
            level: 'error',
            event: 'span_error',
            message: `${row.name} failed${statusMessage === null ? '' : `: ${statusMessage}`}`,
            logger: where.service,
            format: 'otlp_span_status',
            raw: JSON.stringify({ span: row.name, status: statusName, status_message: statusMessage }),
          }, correlation));
        }
      }
    }
  }
  return count;
}

/** Reads the log records of an export request; returns how many there were. */
function readLogs(doc: JsonObject, line: number, ctx: FileContext, sink: RecordSink): number {
  let count = 0;
  for (const rl of list(doc, 'resourceLogs')) {
    for (const sl of list(rl, 'scopeLogs')) {
      const where = scopeOf(rl, sl);
      for (const rec of list(sl, 'logRecords')) {
        const attrs = attributes(rec['attributes']);
        const body = anyValue(rec['body']);
        const fields: JsonObject = body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.assign({}, body as JsonObject, attrs) : attrs;
        const message = typeof body === 'string' ? body : body === null ? null : JSON.stringify(body);
        const event: EventRow = Object.assign(correlationFromAttributes(fields, ctx.defaults), {
          trace_id: hexId(rec['traceId']) ?? asId(getPath(fields, 'trace_id')),
          span_id: hexId(rec['spanId']) ?? asId(getPath(fields, 'span_id')),
          ts: nanosToMicros(rec['timeUnixNano']) ?? nanosToMicros(rec['observedTimeUnixNano']),
          sourceLine: line,
          level: severityLevel(rec['severityNumber'], rec['severityText']),
          event: typeof rec['eventName'] === 'string' && rec['eventName'] !== '' ? rec['eventName'] : null,
          message,
          logger: where.scope ?? where.service,
          format: 'otlp_log',
          raw: JSON.stringify({ service: where.service, ...fields }),
        });
        sink.event(event);
        count++;
      }
    }
  }
  return count;
}

export const otlpSource: SourceKind = {
  name: 'otlp',
  resumable: true,
  description: 'OpenTelemetry OTLP/JSON export: spans and log records (one export request per line)',
  detect: ({ head }) => head[0] !== undefined && HEAD.test(head[0]) && !/^\s*\{\s*"resourceMetrics"/.test(head[0]),
  parser(ctx, sink) {
    return jsonLinesParser(sink, (obj, _raw, line) => {
      const key = 'resourceSpans' in obj ? 'resourceSpans' : 'resourceLogs' in obj ? 'resourceLogs' : null;
      if (key === null) {
        if ('resourceMetrics' in obj) sink.reject(line, 'OTLP metrics are not loaded: obs reads metrics from Prometheus');
        else sink.reject(line, 'not an OTLP/JSON export request: expected "resourceSpans" or "resourceLogs"');
        return;
      }
      const read = key === 'resourceSpans' ? readSpans(obj, line.lineNo, ctx, sink) : readLogs(obj, line.lineNo, ctx, sink);
      if (read > 0) return;
      // A line with no span or log record in it is counted, as a blank line is, or rejected when it is malformed.
      if (Array.isArray(obj[key])) sink.blank(line);
      else sink.reject(line, `not an OTLP/JSON export request: "${key}" is not a list`);
    });
  },
};

/** OTLP metrics exports are recognised and passed over: metrics come from Prometheus. */
export const otlpMetricsSource: SourceKind = {
  name: 'otlp_metrics',
  description: 'OpenTelemetry OTLP/JSON metrics export',
  detect: ({ head }) => head[0] !== undefined && /^\s*\{\s*"resourceMetrics"/.test(head[0]),
  skipReason: 'OTLP metrics are not loaded: obs reads metrics from Prometheus (--prometheus)',
};
