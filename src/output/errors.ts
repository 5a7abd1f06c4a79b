/**
 * Errors on a terminal as blocks rather than table rows: a header line, the
 * traceback as logged (or the frames when only those are known), and every
 * place the error was seen.
 */
import path from 'node:path';
import type { OutStream } from '../context.js';
import type { ChainLink, Frame } from '../tracebacks/index.js';
import type { Row } from './render.js';
import type { Palette } from './color.js';

export interface SeenRow {
  source_file: string;
  source_line: number;
  source_kind?: string;
  ts?: string | null;
}

function text(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

function indent(block: string, by = '  '): string {
  return block
    .split('\n')
    .map((l) => (l === '' ? l : `${by}${l}`))
    .join('\n');
}

export function frameLine(f: Frame): string {
  const where = `${f.file}${f.line === null ? '' : `:${f.line}`}${f.column === undefined ? '' : `:${f.column}`}`;
  const repeated = f.repeated ? `  [repeated ${f.repeated} more times]` : '';
  return `${f.function ?? '?'} (${where})${repeated}`;
}

function header(r: Row, c: Palette): string {
  const parts = [
    c.bold(text(r['error_id'])),
    text(r['ts']) || '(no time)',
    text(r['level']),
    c.red(text(r['error_type']) || '(no type)'),
  ];
  if (r['session_key']) parts.push(`session ${text(r['session_key'])}`);
  if (r['stage']) parts.push(`stage ${text(r['stage'])}`);
  if (r['trace_id']) parts.push(`trace ${text(r['trace_id'])}`);
  return parts.filter((p) => p !== '').join('  ');
}

function seenLine(seen: SeenRow[], full: boolean): string {
  const places = seen.map((s) => `${full ? s.source_file : path.basename(s.source_file)}:${s.source_line}`);
  return `seen in ${seen.length} place${seen.length === 1 ? '' : 's'}: ${places.join(', ')}`;
}

/** `--traceback`: each error with its traceback. */
export function renderTracebacks(out: OutStream, rows: Row[], c: Palette): void {
  for (const [i, r] of rows.entries()) {
    if (i > 0) out.write('\n');
    out.write(`${header(r, c)}\n`);
    const tb = text(r['traceback']);
    if (tb !== '') out.write(`${indent(tb)}\n`);
    else out.write(`${indent(text(r['message']))}\n`);
    const seen = (r['seen_in'] as SeenRow[] | null) ?? [];
    out.write(`${indent(c.dim(seenLine(seen, false)))}\n`);
  }
}

function chainLines(chain: ChainLink[]): string[] {
  return chain.map((l) => {
    const pad = '  '.repeat(l.depth);
    const inner = l.frames[l.frames.length - 1];
    const at = inner ? ` at ${frameLine(inner)}` : '';
    const label = l.type === null ? l.message : `${l.type}: ${l.message.split('\n', 1)[0]}`;
    return `${pad}${l.relation}: ${label}${at}`;
  });
}

/** `obs errors show`: one error whole. */
export function renderErrorDetail(out: OutStream, r: Row, sightings: Row[], c: Palette): void {
  const lines: string[] = [header(r, c), ''];
  lines.push(`${c.bold('message')}  ${text(r['message'])}`);
  const fields: Array<[string, unknown]> = [
    ['kind', r['kind']],
    ['language', r['language']],
    ['thread', r['thread_ts']],
    ['channel', r['channel_id']],
    ['span', r['span_id']],
    ['request', r['request_id']],
    ['run', r['run_id']],
    ['logger', r['logger']],
    ['context from', r['context_from']],
    ['fingerprint', r['fingerprint']],
    ['last seen', r['last_ts']],
  ];
  for (const [k, v] of fields) if (v !== null && v !== undefined && v !== '') lines.push(`${c.bold(k)}  ${text(v)}`);
  const frames = (r['frames'] as Frame[] | null) ?? [];
  if (frames.length > 0) {
    lines.push('', c.bold(`frames (${frames.length}, innermost last)`));
    for (const f of frames) {
      lines.push(`  ${frameLine(f)}`);
      if (f.code) lines.push(`      ${f.code}`);
    }
  }
  const chain = (r['chain'] as ChainLink[] | null) ?? [];
  if (chain.length > 0) {
    lines.push('', c.bold(`chain (${chain.length}, nearest first)`));
    for (const l of chainLines(chain)) lines.push(`  ${l}`);
  }
  lines.push('', c.bold(`seen in (${sightings.length})`));
  for (const s of sightings) {
    const ctx = s['context_from'] === 'record' ? '' : `  [context: ${text(s['context_from'])}]`;
    lines.push(`  ${text(s['ts']) || '(no time)'}  ${text(s['source_file'])}:${text(s['source_line'])}  ${text(s['source_kind'])}${ctx}`);
  }
  const tb = text(r['traceback']);
  if (tb !== '') lines.push('', c.bold('traceback'), indent(tb));
  out.write(`${lines.join('\n')}\n`);
}
