/**
 * `obs triage <paths...>`: what broke in a CI run. Reads the artifacts a
 * failed run left (test runner output, application logs, crash files, spans),
 * groups their errors and warnings by fingerprint, ranks the groups (errors
 * before warnings, then by occurrences, then by first seen), and places each
 * at its innermost frame in the repository. For a terminal, as JSON, as
 * markdown for a step summary, or as GitHub workflow annotations.
 * `--baseline` hides the groups an earlier run's JSON already had;
 * `--fail-on` turns the answer into an exit code.
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.js';
import type { Context } from '../context.js';
import type { Row } from '../db/database.js';
import { sqlFile } from '../db/sql-files.js';
import { EXIT, noInputError, ObsError, usageError, type ExitCode } from '../errors.js';
import { renderTriageGithub, renderTriageMarkdown, renderTriageText, TRIAGE_SCHEMA, type TriageDoc, type TriageGroup } from '../output/triage.js';
import { loadTotals } from '../load/totals.js';
import type { ChainLink, Frame } from '../tracebacks/index.js';
import { writeJsonDocument } from './shared/command.js';
import { documentFields } from './shared/field-flags.js';
import { addInputOptions, addRedactOption, exitFor, openSources, ownFormat, type Loaded } from './shared/options.js';
import { findRepoRoot, Repository } from './shared/repo.js';
import { redactorOf } from '../redact/redactor.js';

export const TRIAGE_FORMATS = ['text', 'json', 'markdown', 'github'] as const;
export type TriageFormat = (typeof TRIAGE_FORMATS)[number];
export const FAIL_ON = ['error', 'warning', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface TriageOptions {
  format?: TriageFormat;
  output?: TriageFormat;
  /** true, or the top-level fields to keep. */
  json?: boolean | string;
  failOn?: FailOn;
  baseline?: string;
  repoRoot?: string;
  tz?: string;
  config?: string;
  quiet?: boolean;
  /** false with --no-color. */
  color?: boolean;
  /** false with --no-progress. */
  progress?: boolean;
}

/** What --fail-on is when not given: report, never fail the step. */
export const DEFAULT_FAIL_ON: FailOn = 'never';

export interface Baseline {
  file: string;
  fingerprints: Set<string>;
}

/**
 * The fingerprints of an earlier `obs triage --format json`: its groups', and
 * those its own baseline hid (so a baseline made with a baseline still knows
 * them). Anything else is a usage error naming the file and what is wrong.
 */
export function readBaseline(file: string, cwd: string): Baseline {
  const help = 'give a file written by obs triage --format json (for example from the last run on the main branch)';
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw usageError(`cannot read the baseline ${file}`, { reason: e.code === 'ENOENT' ? 'no such file' : e.message, help });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw usageError(`the baseline ${file} is not JSON`, { reason: (err as Error).message, help });
  }
  const bad = (reason: string): never => {
    throw usageError(`the baseline ${file} is not an obs triage document`, { reason, help });
  };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return bad('it is not a JSON object');
  const d = doc as Record<string, unknown>;
  if (d['schema'] !== TRIAGE_SCHEMA) return bad(`"schema" is ${JSON.stringify(d['schema'] ?? null)}, expected ${TRIAGE_SCHEMA}`);
  const groups = d['groups'];
  if (!Array.isArray(groups)) return bad('it has no "groups" list');
  const fingerprints = new Set<string>();
  groups.forEach((g: unknown, i) => {
    const fp = g !== null && typeof g === 'object' ? (g as Record<string, unknown>)['fingerprint'] : undefined;
    if (typeof fp !== 'string' || fp === '') bad(`groups[${i}] has no "fingerprint" string`);
    fingerprints.add(fp as string);
  });
  const inner = d['baseline'];
  if (inner !== null && inner !== undefined) {
    const hidden = typeof inner === 'object' ? (inner as Record<string, unknown>)['hidden'] : undefined;
    if (!Array.isArray(hidden) || hidden.some((h) => typeof h !== 'string')) bad('"baseline.hidden" is not a list of fingerprints');
    for (const h of hidden as string[]) fingerprints.add(h);
  }
  return { file, fingerprints };
}

const parseJson = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : ((v as T | null) ?? fallback));

function group(r: Row, repo: Repository): TriageGroup {
  const frames = parseJson<Frame[]>(r['frames'], []);
  const chain = parseJson<ChainLink[]>(r['chain'], []);
  const tests = (r['tests'] as string[] | null) ?? [];
  return {
    rank: Number(r['rank']),
    fingerprint: String(r['fingerprint']),
    severity: r['severity'] === 'error' ? 'error' : 'warning',
    kind: String(r['kind']),
    language: (r['language'] as string | null) ?? null,
    error_type: (r['error_type'] as string | null) ?? null,
    message: (r['message'] as string | null) ?? '',
    count: Number(r['count']),
    sightings: Number(r['sightings']),
    first_seen: { file: String(r['first_file']), line: Number(r['first_line']), ts: (r['first_ts'] as string | null) ?? null },
    location: repo.innermost(frames, chain),
    files: (r['files'] as string[] | null) ?? [],
    test: tests[0] ?? null,
    tests,
    traceback: (r['traceback'] as string | null) ?? null,
  };
}

function inputs(s: Loaded, paths: string[]): TriageDoc['inputs'] {
  const { files, loaded, skipped, unreadable, lines, records, rejected, repaired, passed_over } = loadTotals(s.load);
  return { paths, files, loaded, skipped, unreadable, lines, records, rejected, repaired, passed_over };
}

/** Whether the groups meet --fail-on's threshold. */
export function meetsThreshold(groups: readonly Pick<TriageGroup, 'severity'>[], failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return groups.some((g) => failOn === 'warning' || g.severity === 'error');
}

export async function runTriage(ctx: Context, paths: string[], o: TriageOptions): Promise<ExitCode> {
  const { format, fields } = ownFormat<TriageFormat>(o, 'text');
  const failOn = o.failOn ?? DEFAULT_FAIL_ON;
  // Everything a user can get wrong fails before a log is read.
  const baseline = o.baseline === undefined ? null : readBaseline(o.baseline, ctx.cwd);
  const config = await loadConfig(ctx, o.config);
  const rootWarnings: string[] = [];
  const { root, from } = findRepoRoot(o.repoRoot, ctx.env, ctx.cwd, (m) => rootWarnings.push(m));
  const s = await openSources(ctx, { logs: paths, tz: o.tz, config: o.config, quiet: o.quiet, color: o.color, progress: o.progress }, config).catch(
    (err: unknown) => {
      // The paths are arguments here, not --logs: say so in the fix.
      if (!(err instanceof ObsError) || err.exitCode !== EXIT.NO_INPUT) throw err;
      throw noInputError(err.message, {
        ...(err.reason === undefined ? {} : { reason: err.reason }),
        ...(err.note === undefined ? {} : { note: err.note }),
        help: 'give the files and folders the CI run left, e.g. obs triage artifacts/ (folders are walked for log files)',
      });
    },
  );
  try {
    for (const w of rootWarnings) s.report.warn(w);
    const known = baseline === null ? [] : [...baseline.fingerprints];
    const { rows } = await s.db.query(sqlFile('triage_groups.sql'), { known: JSON.stringify(known) });
    const repo = new Repository(root);
    const groups = rows.filter((r) => r['known'] !== true).map((r) => group(r, repo));
    const hidden = rows.filter((r) => r['known'] === true).map((r) => String(r['fingerprint']));
    const failed = meetsThreshold(groups, failOn);
    const doc: TriageDoc = {
      schema: TRIAGE_SCHEMA,
      root,
      root_from: from,
      inputs: inputs(s, paths),
      summary: {
        errors: groups.filter((g) => g.severity === 'error').length,
        warnings: groups.filter((g) => g.severity === 'warning').length,
        occurrences: groups.reduce((n, g) => n + g.count, 0),
        new: groups.length,
        known_hidden: hidden.length,
      },
      fail_on: failOn,
      failed,
      groups,
      baseline: baseline === null ? null : { file: baseline.file, fingerprints: baseline.fingerprints.size, hidden },
      warnings: s.report.warnings,
    };
    if (groups.length === 0) {
      s.report.note(baseline === null ? 'no error or warning found' : `no new error or warning: the ${hidden.length} group(s) found are in the baseline`);
    } else if (hidden.length > 0) {
      s.report.note(`${hidden.length} known group(s) hidden: their fingerprints are in the baseline ${baseline?.file}`);
    }
    const shown = redactorOf(ctx).value(doc);
    if (format === 'json') writeJsonDocument(ctx, shown as unknown as Record<string, unknown>, fields, 'the obs triage document');
    else if (format === 'markdown') ctx.stdout.write(renderTriageMarkdown(shown));
    else if (format === 'github') ctx.stdout.write(renderTriageGithub(shown));
    else {
      const rel = path.relative(ctx.cwd, root);
      renderTriageText(ctx.stdout, shown, s.color, rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? root : rel);
    }
    if (failed) {
      const n = failOn === 'error' ? doc.summary.errors : groups.length;
      const what = failOn === 'error' ? 'error group' : 'error or warning group';
      s.report.note(`${n} ${baseline === null ? '' : 'new '}${what}${n === 1 ? '' : 's'}; exit 1 (--fail-on ${failOn})`);
      return EXIT.FOUND;
    }
    return exitFor(s.load);
  } finally {
    s.db.close();
  }
}

export function triageCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  const cmd = new Command('triage')
    .summary('what broke in a CI run: errors and warnings of its artifacts, grouped, ranked, placed in the repository')
    .description(
      'Read the files and folders a CI run left (pytest and node --test output, application logs, tracebacks, crash ' +
        'files, OTLP spans), group their errors and warnings by fingerprint, rank the groups (errors before warnings, then ' +
        'by occurrences, then by first seen), and show each at its innermost frame in the repository. As text, JSON, ' +
        'markdown for $GITHUB_STEP_SUMMARY, or GitHub workflow annotations. The repository root is --repo-root, else ' +
        '$GITHUB_WORKSPACE, else the git work tree of the working directory, else the working directory. ' +
        "Exit 1 when --fail-on's threshold is met (by default it never is), 4 when input lines were rejected.",
    )
    .argument('<paths...>', 'files and folders to read (folders are walked for log files)')
    .addOption(new Option('--format <format>', 'text (terminal), json, markdown (step summary) or github (annotations)').choices([...TRIAGE_FORMATS]))
    .addOption(new Option('-o, --output <format>', 'same as --format').choices([...TRIAGE_FORMATS]))
    .option('--json [fields]', 'one JSON document (same as --format json); with a,b only those top-level fields')
    .addOption(new Option('--fail-on <severity>', `exit 1 when a (new) group of this severity or worse is found (default ${DEFAULT_FAIL_ON})`).choices([...FAIL_ON]))
    .option('--baseline <file>', 'an earlier obs triage --format json: report only the groups whose fingerprint it does not hold')
    .option('--repo-root <dir>', 'the repository the run checked out (default $GITHUB_WORKSPACE, else the git work tree, else .)')
    .option('--no-pager', 'do not page long output on a terminal (also OBS_PAGER=cat)');
  addRedactOption(addInputOptions(cmd, { logs: false }))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  obs triage artifacts/\n' +
        '  obs triage artifacts/ --format markdown >> "$GITHUB_STEP_SUMMARY"\n' +
        '  obs triage artifacts/ --format github\n' +
        '  obs triage artifacts/ --fail-on error\n' +
        '  obs triage main-artifacts/ --format json > baseline.json && obs triage artifacts/ --baseline baseline.json --fail-on error\n' +
        "  obs triage pytest.txt logs/ --json | jq -r '.groups[] | \"\\(.count) \\(.error_type) \\(.location.file):\\(.location.line)\"'",
    )
    .action((paths: string[], opts: TriageOptions) => run(runTriage(ctx, paths, opts)));
  return documentFields(cmd, DOC_FIELDS);
}

/** The top-level fields of `obs triage --json`. */
const DOC_FIELDS: ReadonlyArray<keyof TriageDoc> = ['schema', 'root', 'root_from', 'inputs', 'summary', 'fail_on', 'failed', 'groups', 'baseline', 'warnings'];
