/**
 * `obs query` on a terminal: a header, the timeline, LLM usage, the errors
 * with their innermost frames, a sparkline per metric series, and the
 * exemplars that lead back to the subject's traces.
 */
import path from 'node:path';
import type { OutStream } from '../context.js';
import type { ExemplarDoc, MetricsDoc, SeriesDoc } from '../prometheus/collect.js';
import type { Frame } from '../tracebacks/index.js';
import { levelColor, type Palette } from './color.js';
import { frameLine } from './errors.js';
import { formatUsd, render, type Column, type Row } from './render.js';
import { onGrid, shortNumber, sparkline } from './sparkline.js';

export interface QueryView {
  color: Palette;
  width: number;
  verbose: boolean;
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const firstLine = (s: string): string => s.split('\n', 1)[0] ?? '';

function clip(s: string, width: number): string {
  return s.length > width ? `${s.slice(0, Math.max(1, width - 1))}…` : s;
}

/** `22:18:19.698` from an ISO time. */
function clock(iso: unknown): string {
  const s = text(iso);
  return s.length >= 23 ? s.slice(11, 23) : s || '(no time)';
}

function seconds(ms: unknown): string {
  if (typeof ms !== 'number') return '-';
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

function tokens(v: unknown): string {
  return typeof v === 'number' ? v.toLocaleString('en-US') : '-';
}

/** Renders rows as a table into a string (no colour codes when colour is off). */
function table(columns: Column[], rows: Row[], color: Palette, width: number): string {
  let out = '';
  render({ write: (s: string) => ((out += s), true) }, { format: 'table', noun: 'rows', columns, rows, meta: {}, color, width });
  return out.replace(/^/gm, '  ').replace(/^ +$/gm, '');
}

function header(doc: Record<string, unknown>, c: Palette): string[] {
  const sel = doc['selector'] as { kind: string; value: string };
  const sessions = (doc['sessions'] as Row[]) ?? [];
  const lines: string[] = [];
  const ids = [`${c.bold(sel.kind)} ${sel.value}`];
  const s0 = sessions[0];
  if (sessions.length === 1 && s0) {
    if (sel.kind !== 'session') ids.push(`session ${text(s0['session_key'])}`);
    if (sel.kind !== 'thread' && s0['thread_ts']) ids.push(`thread ${text(s0['thread_ts'])}`);
    if (s0['channel_id']) ids.push(`channel ${text(s0['channel_id'])}`);
    if (s0['user_id']) ids.push(`user ${text(s0['user_id'])}`);
  } else if (sessions.length > 1) {
    ids.push(`${sessions.length} sessions: ${sessions.map((s) => text(s['session_key'])).join(', ')}`);
  }
  lines.push(ids.join('  ·  '));
  const w = doc['window'] as Record<string, unknown> | null;
  if (w) {
    const day = text(w['first_record']).slice(0, 10);
    lines.push(
      `${seconds(w['duration_ms'])} from ${clock(w['first_record'])} to ${clock(w['last_record'])} UTC on ${day}` +
        `  ·  metrics window ±${text(w['pad_seconds'])}s: ${clock(w['from'])} to ${clock(w['to'])}`,
    );
  }
  const stages = (doc['stages'] as string[]) ?? [];
  const counts = doc['counts'] as Record<string, number>;
  const found = `${counts['events']} events, ${counts['llm_calls']} LLM calls, ${counts['errors']} errors${counts['spans'] ? `, ${counts['spans']} spans` : ''}`;
  const viaTrace = counts['via_trace'] ? ` (${counts['via_trace']} found through shared trace ids)` : '';
  lines.push(`${stages.length > 0 ? `stages ${stages.join(' → ')}  ·  ` : ''}${found}${viaTrace}`);
  const s1 = sessions[0];
  if (sessions.length === 1 && s1?.['last_event']) lines.push(`last event ${text(s1['last_event'])}`);
  return lines;
}

/** A file name short enough for a timeline column: the start and the end of long ones. */
function shortName(file: string): string {
  const base = path.basename(file);
  return base.length <= 28 ? base : `${base.slice(0, 15)}…${base.slice(-12)}`;
}

interface Line {
  key: string;
  row: Row;
  copies: Row[];
}

/** Fields that say who and where, not what happened: left out of a one-line summary. */
const CONTEXT_KEYS = new Set([
  'ts', 'timestamp', 'time', '@timestamp', 'asctime', 'level', 'levelname', 'severity', 'logger', 'name', 'msg', 'message',
  'event', 'type', 'session_key', 'session', 'thread_ts', 'channel_id', 'channel', 'trace_id', 'span_id', 'agent_id',
  'agent', 'planned_date', 'stage', 'pid', 'hostname', 'service', 'version', 'user_id', 'request_id', 'run_id',
]);

function jsonObject(v: unknown): Record<string, unknown> | null {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  if (typeof v === 'string' && v.startsWith('{')) {
    try {
      return jsonObject(JSON.parse(v));
    } catch {
      return null;
    }
  }
  return null;
}

/** `name k=v k=v` from a structured record: its event or type, then the fields that say what happened. */
function describe(name: string, obj: Record<string, unknown>): string {
  const title = name || text(obj['event'] ?? obj['type']);
  const fields = Object.entries(obj)
    .filter(([k, v]) => !CONTEXT_KEYS.has(k) && v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k}=${String(v)}`);
  return [title, ...fields].filter((p) => p !== '').join(' ');
}

function summary(r: Row): string {
  switch (r['kind']) {
    case 'llm_call': {
      const tok = r['total_tokens'] === null ? '' : `  ${tokens(r['prompt_tokens'])}+${tokens(r['completion_tokens'])} tok`;
      const lat = typeof r['latency_ms'] === 'number' ? `  ${seconds(r['latency_ms'])}` : '';
      const err = r['status'] === 'error' && r['message'] ? `  ${firstLine(text(r['message']))}` : '';
      return `LLM ${text(r['model'])} ${text(r['call_label'])} ${text(r['status'])}${tok}${lat}${err}`;
    }
    case 'error':
      return `${text(r['error_type']) || 'error'}: ${firstLine(text(r['message']))}`;
    default: {
      const ev = text(r['event']);
      // A JSON message (a record logged as a JSON string) or a record with no message: its fields.
      const inMessage = jsonObject(r['message']);
      if (inMessage) return describe(ev, inMessage);
      const msg = firstLine(text(r['message']));
      if (msg === '') {
        const raw = jsonObject(r['raw']);
        return raw ? describe(ev, raw) : ev;
      }
      return ev && !msg.includes(ev) ? `${ev}  ${msg}` : msg;
    }
  }
}

/** One line per record; a record written the same instant to several files with the same text is one line with "+N". */
function timelineLines(rows: Row[], verbose: boolean): { lines: Line[]; hidden: number } {
  const lines: Line[] = [];
  let hidden = 0;
  for (const r of rows) {
    if (!verbose && (r['level'] === 'debug' || r['level'] === 'trace')) {
      hidden++;
      continue;
    }
    const key = `${text(r['ts'])}|${text(r['kind'])}|${text(r['event']) || firstLine(text(r['message']))}`;
    const same = verbose ? undefined : lines.slice(-6).find((l) => l.key === key);
    if (same) same.copies.push(r);
    else lines.push({ key, row: r, copies: [] });
  }
  return { lines, hidden };
}

function timeline(doc: Record<string, unknown>, v: QueryView): string[] {
  const rows = (doc['timeline'] as Row[]) ?? [];
  const c = v.color;
  const { lines, hidden } = timelineLines(rows, v.verbose);
  const out = [c.bold(`Timeline (${rows.length} records${hidden > 0 ? `; ${hidden} debug hidden, -v shows them` : ''})`)];
  for (const { row: r, copies } of lines) {
    const where = `${shortName(text(r['source_file']))}:${text(r['source_line'])}${copies.length > 0 ? ` +${copies.length}` : ''}`;
    const errs = (r['error_ids'] as string[] | null) ?? [];
    const mark = errs.length > 0 && r['kind'] !== 'error' ? c.red(` ✗ ${errs.map((e) => e.slice(0, 8)).join(',')}`) : '';
    const lvl = text(r['level']);
    const stage = text(r['stage']).padEnd(8);
    const lead = `  ${clock(r['ts'])}  ${levelColor(c, lvl)}${' '.repeat(Math.max(0, 5 - lvl.length))}  ${stage}  `;
    const tail = `  ${c.dim(where)}`;
    const room = Math.max(20, v.width - 2 - 12 - 2 - 5 - 2 - 8 - 2 - where.length - 2 - (mark === '' ? 0 : errs.length * 9 + 2));
    const body = clip(summary(r), room);
    out.push(`${lead}${r['kind'] === 'error' ? c.red(body) : body}${mark}${tail}`);
  }
  if (rows.length === 0) out.push('  (no records)');
  return out;
}

function llm(doc: Record<string, unknown>, v: QueryView): string[] {
  const l = doc['llm'] as Record<string, unknown>;
  const c = v.color;
  if (!l || l['calls'] === 0) return [c.bold('LLM calls'), '  none'];
  const lat = l['latency_ms'] as Record<string, number> | null;
  const latText = lat ? `  ·  latency p50 ${seconds(lat['p50'])} p95 ${seconds(lat['p95'])} max ${seconds(lat['max'])}` : '  ·  latency not logged';
  const out = [
    c.bold(`LLM calls: ${text(l['calls'])}${l['errors'] ? c.red(` (${text(l['errors'])} failed)`) : ''}`) +
      `  ·  tokens ${tokens(l['prompt_tokens'])} prompt + ${tokens(l['completion_tokens'])} completion = ${tokens(l['total_tokens'])}` +
      `  ·  cost ${formatUsd(l['cost_usd'])}${l['cost_unknown_calls'] ? ` (+ ${text(l['cost_unknown_calls'])} ${l['cost_unknown_calls'] === 1 ? 'call' : 'calls'} of unknown cost)` : ''}${latText}`,
  ];
  const cols = (first: string): Column[] => [
    { key: first },
    { key: 'calls', align: 'right' },
    { key: 'errors', align: 'right' },
    { key: 'prompt_tokens', header: 'prompt', align: 'right' },
    { key: 'completion_tokens', header: 'completion', align: 'right' },
    { key: 'total_tokens', header: 'total', align: 'right' },
    { key: 'cost_usd', header: 'cost', align: 'right', text: (x) => formatUsd(x) },
    { key: 'p50', align: 'right' },
    { key: 'p95', align: 'right' },
  ];
  const shape = (rows: Row[]): Row[] =>
    rows.map((r) => {
      const lt = r['latency_ms'] as Record<string, number> | null;
      return { ...r, p50: lt ? seconds(lt['p50']) : '-', p95: lt ? seconds(lt['p95']) : '-' };
    });
  out.push(table(cols('model'), shape(l['by_model'] as Row[]), c, v.width).trimEnd());
  out.push(table(cols('stage'), shape(l['by_stage'] as Row[]), c, v.width).trimEnd());
  return out;
}

function errors(doc: Record<string, unknown>, v: QueryView): string[] {
  const all = (doc['errors'] as Row[]) ?? [];
  const c = v.color;
  // Error-level records without a traceback are many and terse: counted here, listed by obs errors --kind log.
  const rows = v.verbose ? all : all.filter((r) => r['kind'] !== 'log');
  const logs = all.length - rows.length;
  const out = [c.bold(`Errors (${all.length}${logs > 0 ? `: ${rows.length} with a type or traceback, ${logs} error-level records` : ''})`)];
  if (all.length === 0) out.push('  none');
  for (const r of rows) {
    const stage = r['stage'] ? `  ${text(r['stage'])}` : '';
    out.push(`  ${clock(r['ts'])}${stage}  ${c.red(text(r['error_type']) || text(r['level']))}: ${clip(firstLine(text(r['message'])), v.width - 40)}`);
    const frames = ((r['frames'] as Frame[] | null) ?? []).slice(-2).reverse();
    for (const f of frames) out.push(`      at ${clip(frameLine(f), v.width - 10)}`);
    const seen = Number(r['seen_count'] ?? 1);
    out.push(c.dim(`      id ${text(r['error_id'])}  ·  seen in ${seen} place${seen === 1 ? '' : 's'}  ·  obs errors show ${text(r['error_id']).slice(0, 12)}`));
  }
  if (logs > 0) {
    const sel = doc['selector'] as { kind: string; value: string };
    const flag = sel.kind === 'key' ? '' : ` --${sel.kind} ${sel.value}`;
    out.push(c.dim(`  + ${logs} error-level records without a traceback (-v lists them; so does obs errors${flag} --kind log)`));
  }
  return out;
}

function traces(doc: Record<string, unknown>, v: QueryView): string[] {
  const all = (doc['traces'] as Row[]) ?? [];
  const c = v.color;
  if (all.length === 0) return [];
  const spans = all.reduce((n, t) => n + Number(t['spans'] ?? 0), 0);
  const out = [c.bold(`Traces: ${all.length}`) + (spans > 0 ? `  ·  ${spans} spans` : '  ·  no spans loaded for them')];
  for (const t of all) {
    const failed = Number(t['failed_spans'] ?? 0);
    const what = t['root'] ? `${text(t['root'])}` : '(no span)';
    const services = (t['services'] as string[]).join(', ');
    out.push(
      `  ${clock(t['start'])}  ${text(t['trace_id'])}  ${seconds(t['duration_ms']).padStart(6)}  ${String(t['spans']).padStart(3)} spans ` +
        `${String(t['records']).padStart(3)} records  ${what}${services ? c.dim(` (${services})`) : ''}`,
    );
    if (failed > 0) {
      const why = firstLine(((t['failures'] as string[]) ?? [])[0] ?? '');
      out.push(c.red(`      ${failed} span${failed === 1 ? '' : 's'} failed${why ? `: ${clip(why, v.width - 24)}` : ''}`));
    }
  }
  out.push(c.dim(`  obs trace <trace_id> draws one as a waterfall with its records`));
  return out;
}

/** Labels that tell series apart first, so a clipped line still says what it is. */
const LABEL_ORDER = ['alertname', 'stage', 'model', 'status', 'type', 'error_type', 'component', 'tool', 'call_label', 'agent'];

function labelText(labels: Record<string, string>): string {
  const rank = (k: string): number => {
    const i = LABEL_ORDER.indexOf(k);
    return i === -1 ? LABEL_ORDER.length : i;
  };
  const entries = Object.entries(labels)
    .filter(([k]) => k !== '__name__' && k !== 'alertstate')
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  return entries.length === 0 ? '(all series summed)' : entries.map(([k, val]) => `${k}=${val}`).join(' ');
}

function metrics(doc: Record<string, unknown>, v: QueryView): string[] {
  const m = doc['metrics'] as MetricsDoc;
  const c = v.color;
  if (!m.queried) return [c.bold('Metrics'), `  not queried${m.url === null ? ': no Prometheus configured (--prometheus <url>)' : ''}`];
  const out = [c.bold(`Metrics from ${m.url}`) + `  ·  step ${text(m.step_seconds)}s  ·  rate interval ${text(m.rate_interval_seconds)}s`];
  if (m.error) out.push(c.red(`  failed: ${m.error}`));
  const related = m.series.filter((s) => s.match !== 'other');
  const others = m.series.length - related.length;
  const flat = (s: SeriesDoc): boolean => s.min === 0 && s.max === 0;
  const shown = v.verbose ? related : related.filter((s) => !flat(s));
  const zero = related.length - shown.length;
  const spark = Math.max(10, Math.min(40, v.width - 60));
  const w = doc['window'] as Record<string, unknown> | null;
  const grid = (s: SeriesDoc): Array<number | null> =>
    w && m.step_seconds
      ? onGrid(s.points, Date.parse(String(w['from'])) / 1000, Date.parse(String(w['to'])) / 1000, m.step_seconds)
      : s.points.map((p) => p[1]);
  let current = '';
  for (const s of shown) {
    if (s.name !== current) {
      current = s.name;
      out.push(`  ${c.bold(s.name)}`);
    }
    const line = sparkline(grid(s), spark).padEnd(spark);
    const range = `${`max ${shortNumber(s.max)}`.padEnd(10)} ${`last ${shortNumber(s.last)}`.padEnd(10)}`;
    const room = Math.max(20, v.width - 4 - spark - 2 - 21 - 2);
    out.push(`    ${s.match === 'thread' ? c.cyan(line) : line}  ${range}  ${clip(labelText(s.labels), room)}`);
  }
  if (m.series.length === 0 && !m.error) out.push('  no series in the window');
  const hidden = [
    zero > 0 ? `${zero} series at 0 throughout (-v shows them)` : '',
    others > 0 ? `${others} series of other stages, models, ... (--json has them)` : '',
  ].filter((h) => h !== '');
  if (hidden.length > 0) out.push(c.dim(`  not shown: ${hidden.join('; ')}`));
  out.push(...exemplars(doc, m, v));
  return out;
}

/** Exemplar lines shown without -v. */
const EXEMPLAR_LINES = 10;

/** The exemplars: how many, and one line for each of the subject's traces (nothing when there are none). */
function exemplars(doc: Record<string, unknown>, m: MetricsDoc, v: QueryView): string[] {
  const c = v.color;
  const all = m.exemplars;
  if (all.length === 0 && !m.exemplars_error) return [];
  const out: string[] = [];
  const kind = (doc['selector'] as { kind: string }).kind;
  const whose = kind === 'trace' ? 'of this trace' : kind === 'key' ? "from these records' traces" : `from the ${kind}'s traces`;
  const mine = all.filter((e) => e.in_subject);
  if (all.length > 0) out.push(`  ${c.bold('exemplars')}  ${all.length} in the window, ${mine.length} ${whose}`);
  if (m.exemplars_error) out.push(c.dim(`  exemplars not read: ${clip(m.exemplars_error, v.width - 22)}`));
  const shown = v.verbose ? mine : mine.slice(0, EXEMPLAR_LINES);
  const line = (e: ExemplarDoc): string => {
    const lead = `    ${clock(e.ts)}  ${e.metric}  ${shortNumber(e.value)}  trace ${text(e.trace_id)}`;
    const room = v.width - lead.length - 2;
    return room >= 12 && Object.keys(e.series_labels).length > 0 ? `${lead}  ${c.dim(clip(labelText(e.series_labels), room))}` : lead;
  };
  out.push(...shown.map(line));
  if (shown.length < mine.length) out.push(c.dim(`    + ${mine.length - shown.length} more (-v shows them; --json has every exemplar)`));
  if (mine.length > 0) out.push(c.dim('    obs trace <trace_id> follows one'));
  return out;
}

export function renderQuery(out: OutStream, doc: Record<string, unknown>, v: QueryView): void {
  const sections = [header(doc, v.color), timeline(doc, v), llm(doc, v), errors(doc, v), traces(doc, v), metrics(doc, v)].filter((x) => x.length > 0);
  out.write(`${sections.map((s) => s.join('\n')).join('\n\n')}\n`);
}
