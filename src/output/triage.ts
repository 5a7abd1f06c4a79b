/**
 * The views of `obs triage`: a terminal summary (coloured only when the
 * colour decision allows), a markdown report for a CI step summary, and
 * GitHub workflow annotations (`::error file=...,line=...,title=...::message`).
 * The JSON document is the TriageDoc itself.
 */
import type { OutStream } from '../context.js';
import { mdCell, mdTableLines } from './markdown.js';
import type { LoadTotals } from '../load/totals.js';
import type { Palette } from './color.js';

export const TRIAGE_SCHEMA = 1;

export interface TriageGroup {
  rank: number;
  fingerprint: string;
  severity: 'error' | 'warning';
  kind: string;
  language: string | null;
  error_type: string | null;
  message: string;
  /** Occurrences: one failure written to several files counts once. */
  count: number;
  /** Places the occurrences were seen (lines of files). */
  sightings: number;
  first_seen: { file: string; line: number; ts: string | null };
  /** The innermost frame in the repository, relative to its root; null when no frame is in it. */
  location: { file: string; line: number | null; function: string | null } | null;
  files: string[];
  /** The first test that failed with it (pytest's node id, node:test's suite > test names), or null. */
  test: string | null;
  tests: string[];
  traceback: string | null;
}

export interface TriageDoc {
  schema: typeof TRIAGE_SCHEMA;
  root: string;
  root_from: 'flag' | 'GITHUB_WORKSPACE' | 'git' | 'cwd';
  /** The paths given, and what was read of them (obs sources' totals without untimed and index targets). */
  inputs: { paths: string[] } & Omit<LoadTotals, 'untimed' | 'missing_index_targets'>;
  summary: { errors: number; warnings: number; occurrences: number; new: number; known_hidden: number };
  fail_on: 'error' | 'warning' | 'never';
  /** Whether --fail-on's threshold was met (the exit code is then 1). */
  failed: boolean;
  groups: TriageGroup[];
  /** The baseline compared against: its file, how many fingerprints it holds, and those of this run it hid. */
  baseline: { file: string; fingerprints: number; hidden: string[] } | null;
  warnings: string[];
}

/** `3 error groups`, `1 warning group`. */
function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The exception line: `Type: first line of the message`. */
export function headline(g: TriageGroup): string {
  const first = g.message.split('\n', 1)[0] ?? '';
  if (g.error_type === null) return first === '' ? '(no message)' : first;
  return first === '' ? g.error_type : `${g.error_type}: ${first}`;
}

function place(l: NonNullable<TriageGroup['location']>): string {
  return l.line === null ? l.file : `${l.file}:${l.line}`;
}

/** `13 occurrences in 4 files read; 9 known groups hidden (baseline base.json)`. */
function readLine(doc: TriageDoc): string {
  const s = doc.summary;
  const parts = [`${counted(s.occurrences, 'occurrence')} in ${counted(doc.inputs.loaded, 'file')} read`];
  if (doc.baseline !== null) parts.push(`${s.known_hidden} known group${s.known_hidden === 1 ? '' : 's'} hidden (baseline ${doc.baseline.file})`);
  return parts.join('; ');
}

function groupsLine(doc: TriageDoc): string {
  return `${counted(doc.summary.errors, 'error group')}, ${counted(doc.summary.warnings, 'warning group')}`;
}

function problems(doc: TriageDoc): string | null {
  const parts: string[] = [];
  if (doc.inputs.rejected > 0) parts.push(`${counted(doc.inputs.rejected, 'line')} rejected`);
  if (doc.inputs.unreadable > 0) parts.push(`${counted(doc.inputs.unreadable, 'file')} unreadable`);
  return parts.length === 0 ? null : `${parts.join(', ')}: the answer may be incomplete (obs sources --issues lists them)`;
}

// ---------------------------------------------------------------------------
// Terminal

const MESSAGE_LINES = 3;

/** `root`: the repository root as shown (relative to the working directory when inside it). */
export function renderTriageText(out: OutStream, doc: TriageDoc, c: Palette, root: string = doc.root): void {
  const lines: string[] = [];
  lines.push(c.bold(`obs triage: ${groupsLine(doc)}; ${readLine(doc)}`));
  lines.push(c.dim(`repository ${root} (from ${doc.root_from === 'flag' ? '--repo-root' : doc.root_from})`));
  const trouble = problems(doc);
  if (trouble !== null) lines.push(c.yellow(trouble));
  if (doc.groups.length === 0) {
    lines.push('', doc.baseline === null ? 'No error or warning found.' : 'No new error or warning: every group is in the baseline.');
  }
  for (const g of doc.groups) {
    const sev = g.severity === 'error' ? c.red(g.severity) : c.yellow(g.severity);
    const message = g.message.split('\n').map((l) => l.trimEnd());
    const shown = message.slice(0, MESSAGE_LINES);
    lines.push('');
    lines.push(`${c.bold(`${g.rank}.`)} ${sev}  ×${g.count}  ${c.bold(g.error_type ?? '(no type)')}${shown[0] ? `: ${shown[0]}` : ''}`);
    for (const more of shown.slice(1)) lines.push(more === '' ? '' : `     ${more}`);
    if (message.length > MESSAGE_LINES) lines.push(c.dim(`     … ${message.length - MESSAGE_LINES} more line(s) of message`));
    const where = g.location === null ? c.dim('no frame in the repository') : `${c.cyan(place(g.location))}${g.location.function ? ` in ${g.location.function}` : ''}`;
    lines.push(`   at ${where}`);
    if (g.tests.length > 0) lines.push(`   test ${g.tests.join(', ')}`);
    lines.push(c.dim(`   seen in ${g.files.join(', ')}`));
    lines.push(c.dim(`   first ${g.first_seen.file}:${g.first_seen.line}${g.first_seen.ts ? ` at ${g.first_seen.ts}` : ''} · fingerprint ${g.fingerprint}`));
  }
  out.write(`${lines.join('\n')}\n`);
}

// ---------------------------------------------------------------------------
// Markdown

/** Inline code whose fence is longer than any run of backticks inside it. */
export function mdCode(s: string): string {
  const text = s.replace(/\s*\n\s*/g, ' ');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced block whose fence is longer than any run of backticks in the text. */
function mdFence(text: string, info: string): string[] {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${info}`, ...text.split('\n'), fence];
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export function renderTriageMarkdown(doc: TriageDoc): string {
  const out: string[] = [];
  const para = (...lines: string[]): void => {
    out.push(...lines, '');
  };
  para(`## obs triage: ${groupsLine(doc)}`);
  para(mdCell(`${readLine(doc)}; grouped by fingerprint, errors first, then by count, then by first seen.`));
  const trouble = problems(doc);
  if (trouble !== null) para(`> **Warning:** ${mdCell(trouble)}.`);
  if (doc.groups.length === 0) {
    para(doc.baseline === null ? 'No error or warning found.' : 'No new error or warning: every group is in the baseline.');
    return `${out.join('\n').trimEnd()}\n`;
  }
  para(
    ...mdTableLines(
      ['#', 'severity', 'count', 'error', 'location', 'test'],
      [true, false, true, false, false, false],
      doc.groups.map((g) => [
        String(g.rank),
        g.severity,
        String(g.count),
        mdCell(clip(headline(g), 120)),
        g.location === null ? '–' : mdCell(place(g.location)),
        `${g.test === null ? '–' : mdCell(g.test)}${g.tests.length > 1 ? ` (+${g.tests.length - 1})` : ''}`,
      ]),
    ),
  );
  for (const g of doc.groups) {
    para(`### ${g.rank}. ${mdCell(clip(headline(g), 200))}`);
    const items = [
      `- **${g.severity}**, ${g.count === 1 ? 'once' : `${g.count} times`}${g.sightings > g.count ? ` (seen in ${g.sightings} places)` : ''}`,
      `- location: ${g.location === null ? 'no frame in the repository' : `${mdCode(place(g.location))}${g.location.function ? ` in ${mdCode(g.location.function)}` : ''}`}`,
    ];
    if (g.tests.length > 0) items.push(`- test: ${g.tests.map(mdCode).join(', ')}`);
    items.push(`- seen in: ${g.files.map(mdCode).join(', ')}`);
    items.push(`- first seen: ${mdCode(`${g.first_seen.file}:${g.first_seen.line}`)}${g.first_seen.ts ? ` at ${g.first_seen.ts}` : ''}; fingerprint ${mdCode(g.fingerprint)}`);
    para(...items);
    // An error logged without a traceback shows its message as logged.
    const summary = g.traceback === null ? 'Message' : 'Traceback';
    para(`<details><summary>${summary}</summary>`, '', ...mdFence(g.traceback ?? g.message, 'text'), '', '</details>');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

// ---------------------------------------------------------------------------
// GitHub workflow annotations

/** An annotation's message: `%`, CR and LF escaped as the runner reads them. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** An annotation's property value (file, title): as data, and `:` and `,` too. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One `::error` or `::warning` line per group, at its innermost frame in the repository when it has one. */
export function renderTriageGithub(doc: TriageDoc): string {
  const lines: string[] = [];
  for (const g of doc.groups) {
    const props: string[] = [];
    if (g.location !== null) {
      props.push(`file=${escapeProperty(g.location.file)}`);
      if (g.location.line !== null) props.push(`line=${g.location.line}`);
    }
    props.push(`title=${escapeProperty(`${g.error_type ?? (g.severity === 'error' ? 'Error' : 'Warning')}${g.count > 1 ? ` (${g.count} times)` : ''}`)}`);
    const message = [g.error_type === null ? g.message : g.message === '' ? g.error_type : `${g.error_type}: ${g.message}`];
    if (g.tests.length > 0) message.push(`test: ${g.tests.join(', ')}`);
    message.push(`seen in: ${g.files.join(', ')}`);
    lines.push(`::${g.severity} ${props.join(',')}::${escapeData(message.join('\n'))}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
