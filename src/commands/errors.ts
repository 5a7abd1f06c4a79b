/**
 * `obs errors`: every failure once, with the places it was seen; grouped by
 * fingerprint with --group; full tracebacks with --traceback; exit 1 with
 * --fail when any matched. `obs errors show <id>` prints one error whole.
 */
import { Command } from 'commander';
import path from 'node:path';
import type { Context } from '../context.js';
import { SqlParams } from '../db/params.js';
import { sqlFile } from '../db/sql-files.js';
import { EXIT, usageError, type ExitCode } from '../errors.js';
import { isGlob, levelCondition, levelsAtLeast, recordConditions } from '../filters/filters.js';
import { renderErrorDetail, renderTracebacks } from '../output/errors.js';
import { isColumnFormat, type Column, type Row } from '../output/render.js';
import { output, outputStream, readCommand, withSources, writeJsonDocument, writeRows } from './shared/command.js';
import { documentFields } from './shared/field-flags.js';
import type { CommonOptions, Loaded } from './shared/options.js';
import { filteredCte, parseJsonFields, selectPage, streamPage } from './shared/query.js';
import { ERROR_JSON_COLUMNS, ERRORS } from './shared/tables.js';
import { addFollowOption, follower } from '../follow/follow.js';
import { ERROR_IDENTITY } from '../follow/identity.js';
import { redactorOf } from '../redact/redactor.js';

export interface ErrorsOptions extends CommonOptions {
  type?: string;
  contains?: string;
  source?: string;
  kind?: string;
  level?: string;
  group?: boolean;
  traceback?: boolean;
  fail?: boolean;
}

const KINDS = ['exception', 'crash', 'log'] as const;

const COLUMNS: Column[] = [
  { key: 'ts' },
  { key: 'level', level: true },
  { key: 'session_key', header: 'session' },
  { key: 'stage' },
  { key: 'error_type', header: 'type' },
  { key: 'message', flex: true },
  { key: 'seen_count', header: 'seen', align: 'right' },
  { key: 'source' },
  { key: 'error_id', header: 'id' },
];

const GROUP_COLUMNS: Column[] = [
  { key: 'count', align: 'right' },
  { key: 'error_type', header: 'type' },
  { key: 'example_message', header: 'message', flex: true },
  { key: 'session_count', header: 'sessions', align: 'right' },
  { key: 'stages' },
  { key: 'first_seen' },
  { key: 'last_seen' },
  { key: 'fingerprint' },
];

/** JSON columns come back from DuckDB as text. */
const parseJsonColumns = (rows: Row[]): Row[] => parseJsonFields(rows, ERROR_JSON_COLUMNS);

function parseKinds(text: string): string[] {
  if (text.trim() === 'all') return [...KINDS];
  const kinds = text.split(',').map((k) => k.trim()).filter((k) => k !== '');
  for (const k of kinds) {
    if (!(KINDS as readonly string[]).includes(k)) {
      throw usageError(`unknown error kind "${k}"`, { help: `use all, or one or more of ${KINDS.join(', ')}, separated by commas` });
    }
  }
  return kinds;
}

/** The conditions of `obs errors`: the shared filters plus its own, all but the kind. */
function conditions(s: Loaded, o: ErrorsOptions, params: SqlParams): string[] {
  const conds = recordConditions(s.filters, ERRORS, params);
  if (o.type !== undefined) {
    // KeyError matches builtins.KeyError and sqlite3.IntegrityError matches IntegrityError.
    const p = params.add(o.type);
    const op = isGlob(o.type) ? 'GLOB' : '=';
    conds.push(`(error_type ${op} ${p} OR regexp_extract(error_type, '[^.]+$') ${op} ${p})`);
  }
  if (o.contains !== undefined) {
    const p = params.add(o.contains);
    conds.push(`(contains(coalesce(message, ''), ${p}) OR contains(coalesce(traceback, ''), ${p}))`);
  }
  if (o.source !== undefined) {
    // Seen in a file (path or name) or a source kind matching the value.
    const p = params.add(o.source);
    const op = isGlob(o.source) ? 'GLOB' : '=';
    conds.push(
      `error_id IN (SELECT error_id FROM error_records WHERE source_file ${op} ${p} ` +
        `OR regexp_extract(source_file, '[^/\\\\]+$') ${op} ${p} OR source_kind ${op} ${p})`,
    );
  }
  if (o.level !== undefined) conds.push(levelCondition(levelsAtLeast(o.level), params));
  return conds;
}

export async function runErrors(ctx: Context, o: ErrorsOptions): Promise<ExitCode> {
  if (o.kind !== undefined) parseKinds(o.kind);
  if (o.level !== undefined) levelsAtLeast(o.level);
  let matched = 0;
  const code = await (o.follow ? follower(ERROR_IDENTITY) : withSources)(ctx, o, async (s) => {
    const params = new SqlParams();
    const conds = conditions(s, o, params);
    if (o.kind !== undefined) conds.push(`list_contains(${params.addList(parseKinds(o.kind))}, kind)`);
    if (o.group) {
      const page = await selectPage(s.db, { file: 'errors_group.sql', table: ERRORS, conds, params, orderBy: 'count DESC, last_seen DESC NULLS LAST, fingerprint' }, s.limit);
      matched = page.rows.length;
      output(ctx, s, { noun: 'groups', columns: GROUP_COLUMNS, rows: page.rows, fields: page.columns, empty: 'no errors matched', truncated: page.truncated });
      return;
    }
    const page = await streamPage(s.db, { file: 'errors.sql', table: ERRORS, conds, params, orderBy: 'ts NULLS LAST, source_file, source_line' }, s.limit);
    matched = page.count;
    if (o.traceback && s.format === 'table') {
      await outputStream(ctx, s, { noun: 'errors', columns: COLUMNS, page, map: parseJsonColumns, empty: 'no errors matched', view: (out, r) => renderTracebacks(out, r, s.color) });
      return;
    }
    // In the column formats the source is the file (its name on a terminal) and line.
    const map = (chunk: Row[]): Row[] =>
      isColumnFormat(s.format)
        ? parseJsonColumns(chunk).map((r) => {
            const file = String(r['source_file']);
            return { ...r, source: `${s.format === 'table' ? path.basename(file) : file}:${r['source_line']}` };
          })
        : parseJsonColumns(chunk);
    await outputStream(ctx, s, { noun: 'errors', columns: COLUMNS, page, map, empty: 'no errors matched' });
  });
  if (o.fail && matched > 0) {
    if (!o.quiet) ctx.stderr.write(`note: ${matched} error${matched === 1 ? '' : 's'} matched; exit 1 (--fail)\n`);
    return EXIT.FOUND;
  }
  return code;
}

/** An error id, a fingerprint, or a unique prefix of an id (at least 4 characters). */
async function findError(s: Loaded, ref: string): Promise<{ row: Row; others: number }> {
  const params = new SqlParams();
  const p = params.add(ref);
  const sql =
    `${filteredCte(ERRORS, [])} SELECT * FROM (${sqlFile('errors.sql')}) AS q ` +
    `WHERE error_id = ${p} OR fingerprint = ${p} OR (length(${p}) >= 4 AND starts_with(error_id, ${p})) ` +
    `ORDER BY (error_id = ${p}) DESC, ts DESC NULLS LAST`;
  const { rows } = await s.db.query(sql, params.values);
  const exact = rows.find((r) => r['error_id'] === ref);
  if (exact) return { row: parseJsonColumns([exact])[0]!, others: 0 };
  const ids = new Set(rows.map((r) => r['error_id']));
  const byPrint = rows.filter((r) => r['fingerprint'] === ref);
  if (byPrint.length > 0) return { row: parseJsonColumns([byPrint[0]!])[0]!, others: byPrint.length - 1 };
  if (ids.size === 1) return { row: parseJsonColumns([rows[0]!])[0]!, others: 0 };
  if (ids.size > 1) {
    throw usageError(`"${ref}" is the start of ${ids.size} error ids`, { help: 'give more characters of the id' });
  }
  throw usageError(`no error with id or fingerprint "${ref}"`, {
    help: 'list the ids with obs errors (the id column) or obs errors --group (fingerprint)',
  });
}

export async function runErrorsShow(ctx: Context, ref: string, o: CommonOptions): Promise<ExitCode> {
  return withSources(ctx, o, async (s) => {
    const { row: matched, others } = await findError(s, ref);
    if (others > 0) {
      s.report.note(`fingerprint ${ref} matches ${others + 1} errors; showing the latest (obs errors --where "fingerprint = '${ref}'" lists them)`);
    }
    const found = await s.db.query(sqlFile('error_sightings.sql'), { error_id: String(matched['error_id']) });
    const { row, sightings } = redactorOf(ctx).value({ row: matched, sightings: found.rows });
    if (s.format === 'json') {
      writeJsonDocument(ctx, { error: row, sightings }, s.fields, 'the obs errors show document');
    } else if (s.format === 'ndjson') {
      writeRows(ctx, s, { noun: 'error', columns: [], rows: [{ ...row, sightings }] });
    } else if (s.format === 'table') {
      renderErrorDetail(ctx.stdout, row, sightings, s.color);
    } else {
      output(ctx, s, {
        noun: 'sightings',
        columns: ['ts', 'source_file', 'source_line', 'source_kind', 'level', 'error_type', 'message', 'context_from'].map((key) => ({ key })),
        rows: sightings,
      });
    }
  });
}

/** The options of a subcommand and its parent, where one the subcommand only defaulted takes the parent's value. */
function givenAtEitherLevel(self: Command): CommonOptions {
  const given = Object.entries(self.opts()).filter(([k]) => self.getOptionValueSource(k) !== 'default');
  return { ...(self.parent?.opts() ?? {}), ...Object.fromEntries(given) } as CommonOptions;
}

export function errorsCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  const cmd = readCommand({
    name: 'errors',
    summary: 'errors and tracebacks, each failure once, with every place it was seen',
    description:
      'List errors: Python and Node tracebacks (in text logs, JSON fields and crash files), error-level ' +
      'records and failed LLM calls. One failure written to several files is one row; seen_in lists the places.',
    own: (c) =>
      addFollowOption(c)
        .option('--type <glob>', 'exception type, wildcards allowed (KeyError, *Timeout*); the module may be left out')
        .option('--contains <text>', 'errors whose message or traceback contains this text (case-sensitive)')
        .option('--source <glob>', 'errors seen in this file (path or name, wildcards allowed) or source kind')
        .option('--kind <kinds>', `only these kinds, comma-separated: ${KINDS.join(', ')} (default: all)`)
        .option('--level <level>', 'this level or more severe (warn, error, fatal)')
        .option('--group', 'one row per fingerprint: count, first and last seen, sessions, stages, an example')
        .option('--traceback', 'print each error with its full traceback (terminal output)')
        .option('--fail', 'exit 1 when any error matched (for CI)'),
    examples: [
      'obs errors --stage plan --since 1h',
      'obs errors --group',
      "obs errors --type 'LLM*Error' --traceback",
      "obs errors --thread 1795299499.694654 --json | jq '.errors[0].frames'",
      'obs errors --group -o markdown >> "$GITHUB_STEP_SUMMARY"',
      'obs errors --kind exception,crash --since 30m --fail',
      "obs errors --follow --ndjson | jq -c '{ts, error_type, message, session_key}'",
      'obs errors show 3956eb88039d',
    ],
  }).action((opts: ErrorsOptions) => run(runErrors(ctx, opts)));
  const show = documentFields(readCommand({
    name: 'show',
    summary: 'one error whole: frames, chain, every place it was seen, the traceback',
    description: 'Print one error by its id (or a unique start of it) or by fingerprint (the latest error with it).',
    filters: false,
    examples: ['obs errors show 3956eb88039d', 'obs errors show 3956eb88039d --json | jq .sightings'],
    }),
    ['error', 'sightings'],
  )
    .argument('<id>', 'error id, a unique start of one, or a fingerprint')
    // `errors` parses the shared flags wherever they stand (obs errors --no-color show ID --json): a flag given at
    // either level counts, and the subcommand's defaults do not override what was given to `errors`.
    .action((id: string, _opts: CommonOptions, self: Command) => run(runErrorsShow(ctx, id, givenAtEitherLevel(self))));
  cmd.addCommand(show);
  return cmd;
}
