/**
 * `obs sources`: every file found, its kind, line accounting (read, loaded,
 * rejected, repaired) and time range, and the first rejected lines with
 * file:line. `--issues` lists every rejected or repaired line.
 */
import { Command } from 'commander';
import type { Context } from '../context.js';
import type { ExitCode } from '../errors.js';
import type { Column, Row } from '../output/render.js';
import { sqlFile } from '../db/sql-files.js';
import { formatIsoMicros } from '../time/time.js';
import type { CacheUse, FileReport } from '../load/load.js';
import { loadTotals } from '../load/totals.js';
import { output, readCommand, withSources } from './shared/command.js';
import type { CommonOptions } from './shared/options.js';
import { redactorOf } from '../redact/redactor.js';

export interface SourcesOptions extends CommonOptions {
  issues?: boolean;
}

/** Rejected and repaired lines shown per file without --issues. */
const ISSUES_SHOWN = 5;

const FILE_COLUMNS: Column[] = [
  { key: 'path', flex: true },
  { key: 'kind' },
  { key: 'status' },
  { key: 'lines', align: 'right' },
  { key: 'records', align: 'right' },
  { key: 'rejected', align: 'right' },
  { key: 'repaired', align: 'right' },
  { key: 'formats', text: (v) => Object.entries((v ?? {}) as Record<string, number>).map(([k, n]) => `${k} ${n}`).join(', ') },
  { key: 'first_ts' },
  { key: 'last_ts' },
  { key: 'note' },
];

const ISSUE_COLUMNS: Column[] = [
  { key: 'source_file' },
  { key: 'source_line', align: 'right' },
  { key: 'problem' },
  { key: 'reason' },
  { key: 'excerpt', flex: true },
];

export function fileRow(f: FileReport): Row {
  return {
    path: f.path,
    kind: f.kind,
    status: f.status,
    size_bytes: f.sizeBytes,
    lines: f.lines,
    records: f.records,
    rejected: f.rejected,
    repaired: f.repaired,
    blank: f.blank,
    untimed: f.untimed,
    formats: f.formats,
    first_ts: f.firstTs === null ? null : formatIsoMicros(f.firstTs),
    last_ts: f.lastTs === null ? null : formatIsoMicros(f.lastTs),
    note: f.note,
    issues: f.issues.slice(0, ISSUES_SHOWN).map((i) => ({ line: i.line, problem: i.problem, reason: i.reason, excerpt: i.excerpt })),
  };
}

function cacheJson(c: CacheUse | null): Row | null {
  if (c === null) return null;
  return { file: c.file, state: c.state, unchanged: c.unchanged, read_on: c.readOn, read_whole: c.readWhole, dropped: c.dropped };
}

/** The cache's part, in words: `cache: ~/.cache/obs/logs-….duckdb: updated: 1,702 files unchanged, 1 read on, ...`. */
function cacheLine(c: CacheUse): string {
  if (c.state === 'busy' || c.state === 'unusable') return `cache: ${c.file}: ${c.state === 'busy' ? 'in use by another run' : 'not a cache obs can read'}; every file was read without it`;
  const parts = [`${c.unchanged} file(s) unchanged`, `${c.readOn} read on from where they stopped`, `${c.readWhole} read whole`];
  if (c.dropped > 0) parts.push(`${c.dropped} changed or gone (their rows removed)`);
  return `cache: ${c.file}: ${c.state}: ${parts.join(', ')}`;
}

export async function runSources(ctx: Context, o: SourcesOptions): Promise<ExitCode> {
  // The notes would repeat what the listing shows.
  return withSources(ctx, { ...o, notes: false, everyFile: true }, async (s) => {
    if (o.issues === true) {
      const { rows, columns } = await s.db.query(sqlFile('line_issues.sql'));
      output(ctx, s, { noun: 'issues', columns: ISSUE_COLUMNS, rows, fields: columns });
      return;
    }
    const files = s.load.files;
    const { lines, records, rejected, repaired, unreadable } = loadTotals(s.load);
    output(ctx, s, {
      noun: 'files',
      columns: FILE_COLUMNS,
      rows: files.map(fileRow),
      meta: {
        totals: { files: s.load.sums.files, lines, records, rejected, repaired, unreadable },
        passed_over: s.load.ignored.map((i) => ({ path: i.display, reason: i.reason })),
        missing_index_targets: s.load.missingTargets.map((m) => ({ index: m.index, line: m.line, log_path: m.logPath })),
        cache: cacheJson(s.load.cache ?? null),
      },
    });
    if (s.format === 'table') {
      const lines: string[] = [];
      for (const f of files) {
        for (const i of f.issues.slice(0, ISSUES_SHOWN)) lines.push(`${f.path}:${i.line}: ${i.problem}: ${i.reason}: ${i.excerpt}`);
        if (f.issues.length > ISSUES_SHOWN) lines.push(`${f.path}: … ${f.issues.length - ISSUES_SHOWN} more (obs sources --issues)`);
      }
      for (const m of s.load.missingTargets) lines.push(`${m.index}:${m.line}: missing: the index names ${m.logPath}, which is not there`);
      for (const i of s.load.ignored) lines.push(`${i.display}: passed over: ${i.reason}`);
      const cache = s.load.cache;
      if (cache !== undefined && cache !== null) lines.push(cacheLine(cache));
      if (lines.length > 0) ctx.stdout.write(`\n${redactorOf(ctx).text(lines.join('\n'))}\n`);
    }
  });
}

export function sourcesCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  return readCommand({
    name: 'sources',
    summary: 'list the files found: kind, lines read / loaded / rejected, time range',
    description:
      'List every file found under --logs: its kind, lines read, records loaded, lines rejected or repaired, ' +
      'its time range, and the first bad lines with file:line. Exit code 4 when any line was rejected.',
    filters: false,
    own: (cmd) => cmd.option('--issues', 'list every rejected or repaired line instead'),
    examples: ['obs sources --logs ./logs', 'obs sources --issues', "obs sources --json | jq '.files[] | select(.rejected > 0) | .path'"],
  }).action((opts: SourcesOptions) => run(runSources(ctx, opts)));
}
