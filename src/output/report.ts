/**
 * `obs report` for people: on a terminal (compact sections, sparklines for
 * the hourly series) and as GitHub-flavoured markdown (headings and tables,
 * for a CI step summary or a chat post). Both read the document the JSON
 * output prints; neither ever writes an escape code of its own (the terminal
 * colours come from the palette, off with NO_COLOR or in a pipe).
 */
import type { OutStream } from '../context.js';
import type { FiredAlert } from '../prometheus/alerts.js';
import { render, type Column, type Row } from './render.js';
import { mdCell, mdTableLines } from './markdown.js';
import { sparkline } from './sparkline.js';
import type { LoadTotals } from '../load/totals.js';
import type { Palette } from './color.js';

export interface RunFigures {
  sessions: number;
  runs: number;
  ok: number;
  failed: number;
  unfinished: number;
  success_rate: number | null;
  avg_duration_ms: number | null;
  p95_duration_ms: number | null;
}

export interface LineIssue {
  source_file: string;
  source_line: number;
  problem: string;
  reason: string;
}

export interface ReportDoc {
  window: { from: string; to: string; tz: string };
  definitions: Record<string, string>;
  inputs: LoadTotals & { issues: LineIssue[] };
  sessions: {
    count: number;
    with_errors: number;
    with_failed_runs: number;
    runs: RunFigures;
    by_stage: Array<{ stage: string | null } & RunFigures>;
    by_agent: Array<{ agent: string } & RunFigures>;
  };
  errors: { count: number; fingerprints: number; top: Row[] };
  llm: { by_model: Row[]; total: Row | null; prices?: Row[] };
  busiest_sessions: { ranked_by: string[]; sessions: Row[] };
  per_hour: {
    hours: string[];
    records: number[];
    errors: number[];
    llm_calls: number[];
    llm_errors: number[];
    runs: number[];
    failed_runs: number[];
    error_rate: Array<number | null>;
  };
  alerts: { url: string; query: string; count: number; firing: FiredAlert[] } | null;
  alerts_reason: string | null;
  warnings: string[];
}

// ---------------------------------------------------------------------------
// Values for people

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function count(v: unknown): string {
  const n = num(v);
  return n === null ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

/** `1 run`, `2 runs`, `1,234 records`. */
export function counted(n: number, noun: string): string {
  return `${count(n)} ${n === 1 ? noun : `${noun}s`}`;
}

export function percent(v: unknown): string {
  const n = num(v);
  return n === null ? '–' : `${(n * 100).toFixed(1)}%`;
}

/** Milliseconds: `234 ms`, `1.57 s`, `47.3 s`, `2m05s`, `3h20m`. */
export function duration(v: unknown): string {
  const ms = num(v);
  if (ms === null) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

/** US dollars to 4 decimals; a cost nobody knows is "unknown", never $0. */
export function usd(v: unknown): string {
  const n = num(v);
  return n === null ? 'unknown' : `$${n.toFixed(4)}`;
}

/** `2026-11-21 22:18:31` from an ISO time (UTC). */
export function when(v: unknown): string {
  if (typeof v !== 'string' || v.length < 19) return '–';
  return `${v.slice(0, 10)} ${v.slice(11, 19)}`;
}

/** Error messages are cut to this many characters (the terminal cuts them to its width). */
const MESSAGE_CHARS = 160;
const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const firstLine = (s: string): string => s.trim().split('\n', 1)[0] ?? '';
const list = (v: unknown): string => (Array.isArray(v) ? v.map(text).join(', ') : text(v));
const labelText = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

// ---------------------------------------------------------------------------
// The LLM table: its columns depend on what the roll-up returns

interface Cell {
  header: string;
  right: boolean;
  text: (r: Row) => string;
}

const has = (rows: Row[], key: string): boolean => rows.some((r) => key in r);
const anyNonZero = (rows: Row[], key: string): boolean => rows.some((r) => num(r[key]) !== null && r[key] !== 0);

/** Costs of a row: "12 logged, 3 computed" (the calls whose cost is known, and how). */
function costFrom(r: Row): string {
  const parts = [
    [num(r['cost_logged_calls']), 'logged'],
    [num(r['cost_computed_calls']), 'computed'],
  ] as const;
  const shown = parts.filter(([n]) => n !== null && n > 0).map(([n, what]) => `${n} ${what}`);
  return shown.length > 0 ? shown.join(', ') : 'none';
}

/**
 * The columns of the LLM table for these rows: the figures every roll-up has,
 * the cache and reasoning tokens when some row has any, cost and its basis and
 * the extra latency percentiles when the roll-up returns them.
 */
export function llmColumns(rows: Row[]): Cell[] {
  const cells: Cell[] = [
    { header: 'model', right: false, text: (r) => text(r['model']) || '(no model)' },
    { header: 'calls', right: true, text: (r) => count(r['calls']) },
    { header: 'errors', right: true, text: (r) => count(r['errors']) },
    { header: 'prompt', right: true, text: (r) => count(r['prompt_tokens']) },
    { header: 'completion', right: true, text: (r) => count(r['completion_tokens']) },
    { header: 'total tokens', right: true, text: (r) => count(r['total_tokens']) },
  ];
  const tokenDetail: Array<[string, string]> = [
    ['cached_tokens', 'cached'],
    ['cache_read_tokens', 'cache read'],
    ['cache_write_tokens', 'cache write'],
    ['reasoning_tokens', 'reasoning'],
  ];
  for (const [key, header] of tokenDetail) {
    if (anyNonZero(rows, key)) cells.push({ header, right: true, text: (r) => count(r[key]) });
  }
  if (has(rows, 'cost_usd')) cells.push({ header: 'cost', right: true, text: (r) => usd(r['cost_usd']) });
  if (has(rows, 'cost_logged_calls') || has(rows, 'cost_computed_calls')) cells.push({ header: 'cost from', right: false, text: costFrom });
  for (const p of ['50', '90', '95', '99']) {
    const key = `latency_p${p}_ms`;
    if (has(rows, key)) cells.push({ header: `p${p}`, right: true, text: (r) => duration(r[key]) });
  }
  return cells;
}

/** "3 calls without a known cost (gpt-4.1 2, o3 1)", or null when every cost is known or cost is not reported. */
export function unknownCostNote(byModel: Row[], total: Row | null): string | null {
  const unknown = num(total?.['cost_unknown_calls']);
  if (unknown === null || unknown <= 0) return null;
  const per = byModel
    .filter((r) => (num(r['cost_unknown_calls']) ?? 0) > 0)
    .map((r) => `${text(r['model']) || '(no model)'} ${count(r['cost_unknown_calls'])}`);
  return `${count(unknown)} call${unknown === 1 ? '' : 's'} without a known cost (${per.join(', ')}): not in the cost figures`;
}

/**
 * When the per-model costs as printed (to $0.0001) do not add up to the total
 * as printed, says what the total is made of, so a reader checking the column
 * by hand knows why.
 */
export function costRoundingNote(byModel: Row[], total: Row | null): string | null {
  const exact = num(total?.['cost_usd']);
  if (exact === null) return null;
  const shown = byModel.reduce((sum, r) => sum + Math.round((num(r['cost_usd']) ?? 0) * 1e4), 0);
  if (shown === Math.round(exact * 1e4)) return null;
  return `costs are rounded to $0.0001 per line; the total adds up the unrounded costs, $${exact.toFixed(6)}`;
}

// ---------------------------------------------------------------------------
// Sections as tables: one shape for both renderers

interface Table {
  cells: Cell[];
  rows: Row[];
  /** Rows after the others, set apart (the totals). */
  footer?: Row[];
}

function runCells(first: string): Cell[] {
  return [
    { header: first, right: false, text: (r) => text(r[first]) || `(no ${first})` },
    { header: 'sessions', right: true, text: (r) => count(r['sessions']) },
    { header: 'runs', right: true, text: (r) => count(r['runs']) },
    { header: 'ok', right: true, text: (r) => count(r['ok']) },
    { header: 'failed', right: true, text: (r) => count(r['failed']) },
    { header: 'unfinished', right: true, text: (r) => count(r['unfinished']) },
    { header: 'success', right: true, text: (r) => percent(r['success_rate']) },
    { header: 'avg', right: true, text: (r) => duration(r['avg_duration_ms']) },
    { header: 'p95', right: true, text: (r) => duration(r['p95_duration_ms']) },
  ];
}

function stageTable(doc: ReportDoc): Table {
  return { cells: runCells('stage'), rows: doc.sessions.by_stage as unknown as Row[], footer: [{ ...doc.sessions.runs, stage: 'all stages' }] };
}

function agentTable(doc: ReportDoc): Table {
  return { cells: runCells('agent'), rows: doc.sessions.by_agent as unknown as Row[] };
}

function errorTable(doc: ReportDoc): Table {
  return {
    cells: [
      { header: 'count', right: true, text: (r) => count(r['count']) },
      { header: 'type', right: false, text: (r) => text(r['error_type']) || `(${text(r['kind']) || 'no type'})` },
      { header: 'message', right: false, text: (r) => clip(firstLine(text(r['example_message'])), MESSAGE_CHARS) },
      { header: 'sessions', right: true, text: (r) => count(r['session_count']) },
      { header: 'stages', right: false, text: (r) => list(r['stages']) },
      { header: 'first seen', right: false, text: (r) => when(r['first_seen']) },
      { header: 'last seen', right: false, text: (r) => when(r['last_seen']) },
      { header: 'fingerprint', right: false, text: (r) => text(r['fingerprint']) },
    ],
    rows: doc.errors.top,
  };
}

/** The prices behind the computed costs: tokens × these rates give each model's cost. */
function pricesTable(doc: ReportDoc): Table {
  const rate = (v: unknown): string => (typeof v === 'number' ? `$${v}` : '');
  return {
    cells: [
      { header: 'model', right: false, text: (r) => text(r['model']) },
      { header: 'priced as', right: false, text: (r) => [r['provider'], r['priced_as']].filter((x) => x !== null && x !== undefined).join(' ') },
      { header: 'price table', right: false, text: (r) => text(r['price_table']) },
      { header: 'since', right: false, text: (r) => text(r['since']) },
      { header: 'input', right: true, text: (r) => rate(r['input_usd_per_mtok']) },
      { header: 'cache read', right: true, text: (r) => rate(r['cache_read_usd_per_mtok']) },
      { header: 'cache write', right: true, text: (r) => rate(r['cache_write_usd_per_mtok']) },
      { header: 'output', right: true, text: (r) => rate(r['output_usd_per_mtok']) },
      { header: 'calls', right: true, text: (r) => count(r['calls']) },
      { header: 'cost', right: true, text: (r) => usd(r['cost_usd']) },
    ],
    rows: doc.llm.prices ?? [],
  };
}

function llmTable(doc: ReportDoc): Table {
  const all = doc.llm.total ? [...doc.llm.by_model, doc.llm.total] : doc.llm.by_model;
  return { cells: llmColumns(all), rows: doc.llm.by_model, footer: doc.llm.total ? [{ ...doc.llm.total, model: 'total' }] : [] };
}

function busiestTable(doc: ReportDoc): Table {
  return {
    cells: [
      { header: 'session', right: false, text: (r) => text(r['session_key']) },
      { header: 'thread', right: false, text: (r) => text(r['thread_ts']) },
      { header: 'first seen', right: false, text: (r) => when(r['first_ts']) },
      { header: 'duration', right: true, text: (r) => duration(r['duration_ms']) },
      { header: 'runs', right: true, text: (r) => count(r['runs']) },
      { header: 'failed', right: true, text: (r) => count(r['failed_runs']) },
      { header: 'errors', right: true, text: (r) => count(r['error_count']) },
      { header: 'LLM calls', right: true, text: (r) => count(r['llm_call_count']) },
      { header: 'tokens', right: true, text: (r) => count(r['total_tokens']) },
    ],
    rows: doc.busiest_sessions.sessions,
  };
}

function alertTable(firing: FiredAlert[]): Table {
  return {
    cells: [
      { header: 'alert', right: false, text: (r) => text(r['alertname']) },
      { header: 'severity', right: false, text: (r) => text(r['severity']) || '–' },
      { header: 'labels', right: false, text: (r) => labelText(r['labels'] as Record<string, string>) },
      { header: 'first firing', right: false, text: (r) => when(r['first_firing']) },
      { header: 'last firing', right: false, text: (r) => when(r['last_firing']) },
      { header: 'fired for', right: true, text: (r) => (r['firing_seconds'] === null ? 'unknown' : duration(Number(r['firing_seconds']) * 1000)) },
      { header: 'periods', right: true, text: (r) => count((r['periods'] as unknown[]).length) },
    ],
    rows: firing as unknown as Row[],
  };
}

interface HourRow extends Row {
  hour: string;
}

function hourRows(doc: ReportDoc): HourRow[] {
  const h = doc.per_hour;
  return h.hours.map((hour, i) => ({
    hour,
    records: h.records[i],
    errors: h.errors[i],
    llm_calls: h.llm_calls[i],
    llm_errors: h.llm_errors[i],
    runs: h.runs[i],
    failed_runs: h.failed_runs[i],
    error_rate: h.error_rate[i],
  }));
}

const quiet = (r: Row): boolean => ['records', 'errors', 'llm_calls', 'runs'].every((k) => r[k] === 0);

function hourTable(rows: HourRow[]): Table {
  return {
    cells: [
      { header: 'hour (UTC)', right: false, text: (r) => `${text(r['hour']).slice(0, 10)} ${text(r['hour']).slice(11, 16)}` },
      { header: 'records', right: true, text: (r) => count(r['records']) },
      { header: 'errors', right: true, text: (r) => count(r['errors']) },
      { header: 'LLM calls', right: true, text: (r) => count(r['llm_calls']) },
      { header: 'LLM errors', right: true, text: (r) => count(r['llm_errors']) },
      { header: 'runs', right: true, text: (r) => count(r['runs']) },
      { header: 'failed runs', right: true, text: (r) => count(r['failed_runs']) },
      { header: 'run error rate', right: true, text: (r) => percent(r['error_rate']) },
    ],
    rows,
  };
}

function inputsTable(doc: ReportDoc): Table {
  const i = doc.inputs;
  return {
    cells: [
      { header: 'files read', right: true, text: () => count(i.loaded) },
      { header: 'skipped', right: true, text: () => count(i.skipped) },
      { header: 'unreadable', right: true, text: () => count(i.unreadable) },
      { header: 'lines', right: true, text: () => count(i.lines) },
      { header: 'records', right: true, text: () => count(i.records) },
      { header: 'untimed', right: true, text: () => count(i.untimed) },
      { header: 'rejected', right: true, text: () => count(i.rejected) },
      { header: 'repaired', right: true, text: () => count(i.repaired) },
    ],
    rows: [{}],
  };
}

function issueTable(issues: LineIssue[]): Table {
  return {
    cells: [
      { header: 'line', right: false, text: (r) => `${text(r['source_file'])}:${text(r['source_line'])}` },
      { header: 'problem', right: false, text: (r) => text(r['problem']) },
      { header: 'reason', right: false, text: (r) => text(r['reason']) },
    ],
    rows: issues as unknown as Row[],
  };
}

// ---------------------------------------------------------------------------
// Summary lines, shared

function windowText(doc: ReportDoc): string {
  const ms = Date.parse(doc.window.to) - Date.parse(doc.window.from);
  return `${when(doc.window.from)} to ${when(doc.window.to)} UTC (${duration(ms)})`;
}

function inputsLine(doc: ReportDoc): string {
  const i = doc.inputs;
  const bad = [
    i.rejected > 0 ? `${counted(i.rejected, 'line')} rejected` : '',
    i.repaired > 0 ? `${count(i.repaired)} repaired` : '',
    i.unreadable > 0 ? `${counted(i.unreadable, 'file')} unreadable` : '',
  ].filter((x) => x !== '');
  return (
    `${count(i.loaded)} files read, ${count(i.lines)} lines, ${count(i.records)} records` +
    (bad.length > 0 ? `; ${bad.join(', ')}` : '; no line rejected')
  );
}

/** What went wrong reading the input, for the warning at the top. */
function problemsLine(doc: ReportDoc): string {
  const i = doc.inputs;
  return [
    i.rejected > 0 ? `${counted(i.rejected, 'input line')} rejected (kept as events with parse_error, but without a time: in no figure of the window)` : '',
    i.repaired > 0 ? `${counted(i.repaired, 'line')} repaired (invalid UTF-8 or NUL bytes)` : '',
    i.unreadable > 0 ? `${counted(i.unreadable, 'file')} could not be read` : '',
  ]
    .filter((x) => x !== '')
    .join('; ');
}

function runsLine(doc: ReportDoc): string {
  const r = doc.sessions.runs;
  if (r.runs === 0) return '0 runs';
  return (
    `${counted(r.runs, 'run')}: ${count(r.ok)} ok, ${count(r.failed)} failed, ${count(r.unfinished)} unfinished; ` +
    `success ${percent(r.success_rate)}, avg ${duration(r.avg_duration_ms)}, p95 ${duration(r.p95_duration_ms)}`
  );
}

function sessionsLine(doc: ReportDoc): string {
  const s = doc.sessions;
  return `${counted(s.count, 'session')} (${count(s.with_errors)} with errors, ${count(s.with_failed_runs)} with a failed run)`;
}

function llmLine(doc: ReportDoc): string {
  const t = doc.llm.total;
  if (!t) return 'no LLM call';
  const cost = 'cost_usd' in t ? `, cost ${usd(t['cost_usd'])}` : '';
  return `${counted(Number(t['calls']), 'LLM call')} (${count(t['errors'])} failed), ${counted(Number(t['total_tokens']), 'token')}${cost}`;
}

function errorsLine(doc: ReportDoc): string {
  return `${counted(doc.errors.count, 'error')} with ${counted(doc.errors.fingerprints, 'fingerprint')}`;
}

function alertsLine(doc: ReportDoc): string {
  if (doc.alerts === null) return `alerts not queried: ${doc.alerts_reason ?? 'no Prometheus'}`;
  const names = [...new Set(doc.alerts.firing.map((a) => a.alertname))];
  return doc.alerts.count === 0 ? 'no alert fired' : `${count(doc.alerts.count)} alert series fired (${names.join(', ')})`;
}

// ---------------------------------------------------------------------------
// Markdown

function mdTable(t: Table): string[] {
  return mdTableLines(
    t.cells.map((c) => mdCell(c.header)),
    t.cells.map((c) => c.right),
    [...t.rows.map((r) => t.cells.map((c) => mdCell(c.text(r)))), ...(t.footer ?? []).map((r) => t.cells.map((c) => `**${mdCell(c.text(r))}**`))],
  );
}

export function renderReportMarkdown(doc: ReportDoc): string {
  const out: string[] = [];
  const para = (...lines: string[]): void => {
    out.push(...lines, '');
  };
  para(`# obs report: ${mdCell(windowText(doc))}`);
  para(
    `- ${mdCell(sessionsLine(doc))}`,
    `- ${mdCell(runsLine(doc))}`,
    `- ${mdCell(errorsLine(doc))}`,
    `- ${mdCell(llmLine(doc))}`,
    `- ${mdCell(alertsLine(doc))}`,
    `- ${mdCell(`inputs: ${inputsLine(doc)}`)}`,
  );
  if (doc.inputs.rejected > 0 || doc.inputs.unreadable > 0) {
    para(`> **Warning:** ${mdCell(problemsLine(doc))}. \`obs sources --issues\` lists every such line; the first are under Inputs.`);
  }

  para('## Sessions and runs');
  para(mdCell(`${sessionsLine(doc)}. ${runsLine(doc)}.`));
  if (doc.sessions.runs.runs > 0) {
    para(...mdTable(stageTable(doc)));
    if (doc.sessions.by_agent.length > 0) para(...mdTable(agentTable(doc)));
  }

  para('## Top errors');
  if (doc.errors.count === 0) para('No error in the window.');
  else {
    const shown = doc.errors.top.length;
    para(mdCell(`${errorsLine(doc)}; ${shown === doc.errors.fingerprints ? 'all of them' : `the ${shown} most frequent`}, most frequent first:`));
    para(...mdTable(errorTable(doc)));
  }

  para('## LLM usage and cost by model');
  if (doc.llm.total === null) para('No LLM call in the window.');
  else {
    para(...mdTable(llmTable(doc)));
    for (const note of [unknownCostNote(doc.llm.by_model, doc.llm.total), costRoundingNote(doc.llm.by_model, doc.llm.total)]) {
      if (note !== null) para(`Note: ${mdCell(note)}.`);
    }
    if ((doc.llm.prices ?? []).length > 0) {
      para(
        'Prices applied, in USD per million tokens. Input not read from or written to the cache is priced at the input rate, ' +
          'cache reads and writes at theirs, output (reasoning included) at the output rate:',
      );
      para(...mdTable(pricesTable(doc)));
    }
  }

  para('## Busiest sessions');
  if (doc.busiest_sessions.sessions.length === 0) para('No session in the window.');
  else {
    para(mdCell(`By LLM tokens, then LLM calls, then records; figures of the whole session.`));
    para(...mdTable(busiestTable(doc)));
  }

  para('## Per hour');
  const hours = hourRows(doc);
  const active = hours.filter((r) => !quiet(r));
  if (active.length === 0) para(`Nothing happened in the ${hours.length} hours of the window.`);
  else {
    para(...mdTable(hourTable(active)));
    if (active.length < hours.length) para(`${hours.length - active.length} of ${hours.length} hours without records, errors, LLM calls or runs are left out.`);
  }

  para('## Alerts');
  if (doc.alerts === null) para(mdCell(`Not queried: ${doc.alerts_reason ?? 'no Prometheus'}.`));
  else if (doc.alerts.firing.length === 0) para(mdCell(`No alert fired (${doc.alerts.query} at ${doc.alerts.url}).`));
  else {
    para(mdCell(`From ${doc.alerts.url}: the samples of ${doc.alerts.query}.`));
    para(...mdTable(alertTable(doc.alerts.firing)));
  }

  para('## Inputs');
  para(...mdTable(inputsTable(doc)));
  if (doc.inputs.issues.length > 0) para(...mdTable(issueTable(doc.inputs.issues)));
  return `${out.join('\n').trimEnd()}\n`;
}

// ---------------------------------------------------------------------------
// Terminal

export interface TerminalView {
  color: Palette;
  /** The terminal's width; unknown in a pipe, where nothing is cut. */
  width?: number;
}

/** Sparklines take what the terminal leaves them, up to one character per hour. */
const SPARK_ROOM = 120;

function termTable(t: Table, v: TerminalView, flex?: string): string[] {
  const columns: Column[] = t.cells.map((c, i) => ({ key: `c${i}`, header: c.header, align: c.right ? 'right' : 'left', flex: c.header === flex }));
  const toRow = (r: Row): Row => Object.fromEntries(t.cells.map((c, i) => [`c${i}`, c.text(r)]));
  const rows = [...t.rows.map(toRow), ...(t.footer ?? []).map(toRow)];
  let s = '';
  const width = v.width === undefined ? undefined : v.width - 2;
  render({ write: (x: string) => ((s += x), true) }, { format: 'table', noun: 'rows', columns, rows, meta: {}, color: v.color, width });
  return s
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `  ${l}`);
}

function hourSparks(doc: ReportDoc, v: TerminalView): string[] {
  const h = doc.per_hour;
  const width = Math.max(10, Math.min(h.hours.length, (v.width ?? SPARK_ROOM) - 50));
  const oneDay = h.hours[0]?.slice(0, 10) === h.hours[h.hours.length - 1]?.slice(0, 10);
  /** `22:00`, or `2026-11-21 22:00` when the window spans days. */
  const hourText = (hour: string): string => (oneDay ? hour.slice(11, 16) : `${hour.slice(0, 10)} ${hour.slice(11, 16)}`);
  const peak = (values: Array<number | null>, show: (n: number) => string): string => {
    let at = -1;
    values.forEach((x, i) => {
      if (x !== null && (at === -1 || x > (values[at] ?? -Infinity))) at = i;
    });
    const top = at === -1 ? null : values[at];
    if (top === null || top === undefined) return 'no run finished';
    return top === 0 ? 'max 0' : `max ${show(top)} at ${hourText(h.hours[at] ?? '')}`;
  };
  const summary = (values: number[]): string => `total ${count(values.reduce((a, b) => a + b, 0))}, ${peak(values, count)}`;
  // Failures in red when there were any; the rest in cyan.
  const series: Array<[string, Array<number | null>, string, boolean]> = [
    ['records', h.records, summary(h.records), false],
    ['errors', h.errors, summary(h.errors), true],
    ['LLM calls', h.llm_calls, summary(h.llm_calls), false],
    ['LLM errors', h.llm_errors, summary(h.llm_errors), true],
    ['runs', h.runs, summary(h.runs), false],
    ['failed runs', h.failed_runs, summary(h.failed_runs), true],
    ['run error rate', h.error_rate, peak(h.error_rate, percent), true],
  ];
  const per = h.hours.length > width ? `, about ${(h.hours.length / width).toFixed(1)} hours per character` : ', one character per hour';
  const lines = [v.color.dim(`  ${''.padEnd(15)}${h.hours.length} hours from ${when(h.hours[0])} UTC${per}`)];
  for (const [label, values, text, failures] of series) {
    const line = sparkline(values, width).padEnd(width);
    const hot = failures && values.some((x) => x !== null && x > 0);
    lines.push(`  ${label.padEnd(15)}${hot ? v.color.red(line) : v.color.cyan(line)}  ${text}`);
  }
  return lines;
}

export function renderReport(out: OutStream, doc: ReportDoc, v: TerminalView): void {
  const c = v.color;
  const sections: string[][] = [];
  const head = [`${c.bold('obs report')}  ${windowText(doc)}`, `inputs: ${inputsLine(doc)}`];
  if (doc.inputs.rejected > 0 || doc.inputs.unreadable > 0) {
    for (const i of doc.inputs.issues) head.push(c.yellow(`  ${i.source_file}:${i.source_line}: ${i.problem}: ${i.reason}`));
  }
  sections.push(head);

  const runs = [c.bold(`Sessions: ${sessionsLine(doc)}`), `  ${runsLine(doc)}`];
  if (doc.sessions.runs.runs > 0) {
    runs.push(...termTable(stageTable(doc), v));
    if (doc.sessions.by_agent.length > 0) runs.push('', ...termTable(agentTable(doc), v));
  }
  sections.push(runs);

  const errs = [c.bold(`Top errors: ${errorsLine(doc)}`)];
  if (doc.errors.top.length > 0) errs.push(...termTable(errorTable(doc), v, 'message'));
  sections.push(errs);

  const llm = [c.bold(`LLM usage by model: ${llmLine(doc)}`)];
  if (doc.llm.total !== null) {
    llm.push(...termTable(llmTable(doc), v));
    const unknown = unknownCostNote(doc.llm.by_model, doc.llm.total);
    if (unknown !== null) llm.push(c.yellow(`  ${unknown}`));
    const rounding = costRoundingNote(doc.llm.by_model, doc.llm.total);
    if (rounding !== null) llm.push(c.dim(`  ${rounding}`));
  }
  sections.push(llm);

  const busy = [c.bold('Busiest sessions') + c.dim(' (by LLM tokens, then LLM calls, then records)')];
  if (doc.busiest_sessions.sessions.length > 0) busy.push(...termTable(busiestTable(doc), v));
  else busy.push('  none');
  sections.push(busy);

  sections.push([c.bold('Per hour'), ...hourSparks(doc, v)]);

  const alerts = [c.bold('Alerts'), `  ${alertsLine(doc)}`];
  if (doc.alerts !== null && doc.alerts.firing.length > 0) alerts.push(...termTable(alertTable(doc.alerts.firing), v, 'labels'));
  sections.push(alerts);

  out.write(`${sections.map((s) => s.join('\n')).join('\n\n')}\n`);
}
