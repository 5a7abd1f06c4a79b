/**
 * The terminal view of `obs trace`: a header, then one line per span (start
 * offset, duration, a bar on the trace's time axis, the span as a tree) with
 * its records below it, each marked on the axis with ◆, then the errors.
 */
import path from 'node:path';
import type { Row } from './render.js';
import type { Palette } from './color.js';

export interface TraceRecord {
  ts: string | null;
  offset_ms: number | null;
  kind: string;
  level: string | null;
  text: string | null;
  span_id: string | null;
  stage: string | null;
  format: string | null;
  source_file: string;
  source_line: number;
  /** How the record was put on its span: its own span id, or its time; null when outside every span. */
  placed_by: 'span_id' | 'time' | null;
}

export interface TraceSpan {
  span_id: string | null;
  parent_span_id: string | null;
  name: string;
  kind: string;
  service: string | null;
  start: string | null;
  offset_ms: number | null;
  duration_ms: number | null;
  status: string;
  status_message: string | null;
  attributes: Record<string, unknown>;
  events: unknown[];
  source_file: string;
  source_line: number;
  records: TraceRecord[];
  children: TraceSpan[];
}

export interface TraceDoc {
  trace_id: string;
  start: string | null;
  end: string | null;
  duration_ms: number | null;
  services: string[];
  sessions: string[];
  counts: { spans: number; failed_spans: number; records: number; errors: number };
  spans: TraceSpan[];
  unplaced: TraceRecord[];
  errors: Row[];
  warnings: string[];
}

interface View {
  color: Palette;
  width: number;
}

function ms(v: number | null): string {
  if (v === null) return '-';
  if (v < 1) return `${v.toFixed(2)}ms`;
  if (v < 1000) return `${v < 10 ? v.toFixed(1) : Math.round(v)}ms`;
  return `${(v / 1000).toFixed(2)}s`;
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, Math.max(1, n - 1))}…` : s);
const first = (s: string | null): string => (s ?? '').split('\n', 1)[0] ?? '';

/** A bar of `width` cells for [offset, offset + duration] on [0, total]; at least one cell. */
export function bar(offset: number | null, duration: number | null, total: number, width: number): string {
  if (offset === null || total <= 0) return ' '.repeat(width);
  const from = Math.min(width - 1, Math.floor((offset / total) * width));
  const to = Math.max(from + 1, Math.min(width, Math.ceil(((offset + (duration ?? 0)) / total) * width)));
  return ' '.repeat(from) + '█'.repeat(to - from) + ' '.repeat(width - to);
}

/** A marker ◆ at the record's place on the axis. */
function tick(offset: number | null, total: number, width: number): string {
  if (offset === null || total <= 0) return ' '.repeat(width);
  const at = Math.min(width - 1, Math.max(0, Math.floor((offset / total) * width)));
  return ' '.repeat(at) + '◆' + ' '.repeat(width - at - 1);
}

export function renderTrace(out: { write(s: string): unknown }, doc: TraceDoc, v: View): void {
  const c = v.color;
  const total = doc.duration_ms ?? 0;
  const barWidth = Math.max(12, Math.min(40, Math.floor(v.width / 5)));
  const lines: string[] = [];
  const day = (doc.start ?? '').slice(0, 10);
  lines.push(`${c.bold('trace')} ${doc.trace_id}  ·  ${doc.services.join(', ') || 'no spans'}  ·  ${ms(doc.duration_ms)} from ${(doc.start ?? '').slice(11, 23)} UTC on ${day}`);
  const counts = doc.counts;
  lines.push(
    `${counts.spans} spans${counts.failed_spans > 0 ? c.red(` (${counts.failed_spans} failed)`) : ''}, ${counts.records} records, ${counts.errors} errors` +
      (doc.sessions.length > 0 ? `  ·  session ${doc.sessions.join(', ')}` : ''),
  );
  lines.push('');
  lines.push(c.dim(`${'offset'.padStart(8)}  ${'duration'.padStart(8)}  ${'0'.padEnd(barWidth - ms(total).length)}${ms(total)}  span`));
  const textRoom = Math.max(20, v.width - 8 - 2 - 8 - 2 - barWidth - 2);

  const record = (r: TraceRecord, indent: string): void => {
    const level = r.level ?? '';
    const lvl = level === 'error' || level === 'fatal' ? c.red(level.padEnd(5)) : level === 'warn' ? c.yellow(level.padEnd(5)) : level.padEnd(5);
    const where = `${path.basename(r.source_file)}:${r.source_line}`;
    const mark = r.placed_by === 'time' ? c.dim('~') : ' ';
    lines.push(
      `${(r.offset_ms === null ? '' : `+${ms(r.offset_ms)}`).padStart(8)}  ${''.padStart(8)}  ${c.dim(tick(r.offset_ms, total, barWidth))}  ` +
        `${indent}${mark}${lvl} ${clip(first(r.text), Math.max(10, textRoom - indent.length - 8 - where.length))}  ${c.dim(where)}`,
    );
  };
  const walk = (list: TraceSpan[], prefix: string, depth: number): void => {
    list.forEach((s, i) => {
      const last = i === list.length - 1;
      const branch = depth === 0 ? '' : last ? '└─ ' : '├─ ';
      const failed = s.status === 'error';
      const name = `${prefix}${branch}${failed ? c.red(s.name) : c.bold(s.name)}`;
      const detail = c.dim(` ${s.kind}${s.service ? `, ${s.service}` : ''}`);
      const why = failed && s.status_message ? c.red(`  ✗ ${clip(first(s.status_message), Math.max(10, textRoom - s.name.length - 20))}`) : failed ? c.red('  ✗') : '';
      const b = bar(s.offset_ms, s.duration_ms, total, barWidth);
      lines.push(`${ms(s.offset_ms).padStart(8)}  ${ms(s.duration_ms).padStart(8)}  ${failed ? c.red(b) : c.cyan(b)}  ${name}${detail}${why}`);
      const childPrefix = depth === 0 ? '' : `${prefix}${last ? '   ' : '│  '}`;
      for (const r of s.records) record(r, `${childPrefix}${s.children.length > 0 ? '│  ' : '   '}`);
      walk(s.children, childPrefix, depth + 1);
    });
  };
  walk(doc.spans, '', 0);
  if (doc.unplaced.length > 0) {
    lines.push(c.dim(`${''.padStart(20)}${doc.spans.length > 0 ? 'outside every span:' : 'records:'}`));
    for (const r of doc.unplaced) record(r, '');
  }
  if (doc.spans.some(function any(s: TraceSpan): boolean {
    return s.records.some((r) => r.placed_by === 'time') || s.children.some(any);
  })) {
    lines.push(c.dim(`${''.padStart(20)}~ placed by time: the record carries no span id of this trace`));
  }
  lines.push('');
  lines.push(c.bold(`Errors (${doc.errors.length})`));
  if (doc.errors.length === 0) lines.push('  none');
  for (const e of doc.errors) {
    const frames = (e['frames'] as Array<{ file?: string; line?: number; function?: string }> | null) ?? [];
    const inner = frames[frames.length - 1];
    lines.push(`  ${String(e['ts'] ?? '').slice(11, 23)}  ${c.red(String(e['error_type'] ?? e['level'] ?? ''))}: ${clip(first(String(e['message'] ?? '')), v.width - 40)}`);
    if (inner) lines.push(c.dim(`      at ${inner.function ?? '?'} (${inner.file ?? '?'}:${inner.line ?? '?'})`));
  }
  out.write(`${lines.join('\n')}\n`);
}
