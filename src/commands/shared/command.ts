/**
 * What every read command does around its own query: build the commander
 * command with the shared flags and examples, open the sources, render rows
 * with the shared document fields, close the database, and pick the exit code.
 */
import { Command } from 'commander';
import type { Context, OutStream } from '../../context.js';
import type { ExitCode } from '../../errors.js';
import { checkFields, pick } from '../../output/fields.js';
import { isColumnFormat, isStreamFormat, render, rowWriter, type Column, type Row } from '../../output/render.js';
import { redactorOf } from '../../redact/redactor.js';
import { addFilterOptions, addInputOptions, addOutputOptions, exitFor, openSources, openSourcesAhead, type CommonOptions, type Loaded, type SourcesAhead } from './options.js';
import { HeldStream } from '../../output/held.js';
import type { StreamedPage } from './query.js';

export interface CommandSpec {
  name: string;
  summary: string;
  description: string;
  examples: string[];
  /** Adds the command's own flags (shown first in --help). */
  own?: (cmd: Command) => void;
  /** Whether the shared record filters apply (every command but sources). */
  filters?: boolean;
}

export function readCommand(spec: CommandSpec): Command {
  const cmd = new Command(spec.name).summary(spec.summary).description(spec.description);
  spec.own?.(cmd);
  if (spec.filters !== false) addFilterOptions(cmd);
  addOutputOptions(cmd);
  addInputOptions(cmd);
  cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}`);
  return cmd;
}

/**
 * Opens the sources, runs the body, closes the database; exit 4 when input
 * was rejected or unreadable.
 *
 * When the cache can answer as it is, the body runs while the walk of the
 * logs is still under way, and what it writes is held (HeldStream) until the
 * walk agrees with the cache: then shown, after what the load has to say. If
 * the walk finds a change, what it wrote is dropped, and the body runs again
 * on the logs loaded as usual. `ahead: false` for a body that does more than
 * write (obs export writes files). A body run ahead must not read s.load: it
 * is known once the walk agrees (exitFor reads it then).
 */
export async function withSources<O extends CommonOptions>(ctx: Context, o: O, body: (s: Loaded) => Promise<void>, opts: { ahead?: boolean } = {}): Promise<ExitCode> {
  if (opts.ahead === false) return answered(await openSources(ctx, o), body);
  const opened = await openSourcesAhead(ctx, o);
  return opened.kind === 'ahead' ? answeredAhead(ctx, opened, body) : answered(opened.s, body);
}

async function answered(s: Loaded, body: (s: Loaded) => Promise<void>): Promise<ExitCode> {
  try {
    await body(s);
    return exitFor(s.load);
  } finally {
    s.db.close();
  }
}

async function answeredAhead(ctx: Context, ahead: SourcesAhead, body: (s: Loaded) => Promise<void>): Promise<ExitCode> {
  const real = { stdout: ctx.stdout, stderr: ctx.stderr };
  const held = { stdout: new HeldStream(real.stdout), stderr: new HeldStream(real.stderr) };
  // What the body writes while the walk goes on is held; its answer is shown as soon as the walk agrees.
  const agrees = ahead.agrees.then(
    (yes) => {
      if (yes) held.stdout.release();
      else held.stdout.drop();
      return yes;
    },
    (err: unknown) => {
      held.stdout.drop();
      throw err;
    },
  );
  agrees.catch(() => undefined);
  ctx.stdout = held.stdout;
  ctx.stderr = held.stderr;
  let failure: { err: unknown } | null = null;
  try {
    await body(ahead.s);
  } catch (err) {
    failure = { err };
  } finally {
    ctx.stdout = real.stdout;
    ctx.stderr = real.stderr;
  }
  try {
    // The walk's files are stat-ed here too, now that the body is done (an error of the walk shows in agrees).
    await ahead.help().catch(() => undefined);
    if (await agrees) {
      // What the load says comes first on stderr, then what the body said.
      const s = await ahead.loaded();
      held.stderr.release();
      if (failure !== null) throw failure.err;
      return exitFor(s.load);
    }
  } finally {
    held.stderr.drop();
    ahead.s.db.close();
  }
  // The logs changed since the cache was written: what was written is dropped, and the body runs on them.
  return answered(await ahead.fallback(), body);
}

export interface Output {
  noun: string;
  columns: Column[];
  rows: Row[];
  /** Top-level fields of the JSON document besides window and count. */
  meta?: Record<string, unknown>;
  /** Said on stderr when there are no rows, e.g. "no events matched". */
  empty?: string;
  /** The limit cut the rows. */
  truncated?: boolean;
  /** Rows shown below the others in the table view only (a total). */
  footer?: Row[];
  /**
   * Every field a row can have (the query's columns), so that --json a,b is
   * checked even when no row matched. The columns and the first row's keys
   * are always valid.
   */
  fields?: readonly string[];
  /** Prints the rows itself, instead of the table (obs errors --traceback). */
  view?: (out: OutStream, rows: Row[]) => void;
}

/** The rows and columns the chosen fields leave: JSON rows with only those keys, CSV columns in that order. */
export function selectFields(s: Pick<Loaded, 'fields' | 'format'>, out: Pick<Output, 'columns' | 'rows' | 'fields' | 'footer'>, what: string): { columns: Column[]; rows: Row[]; footer?: Row[] } {
  const keep = { columns: out.columns, rows: out.rows, ...(out.footer === undefined ? {} : { footer: out.footer }) };
  if (s.fields === null) return keep;
  const first = Object.keys(out.rows[0] ?? {});
  const rowKeys = out.fields ?? (out.rows.length > 0 ? first : out.columns.map((c) => c.key));
  // Columns computed for people (source as file:line, details) exist only in the column formats.
  const columnKeys = isColumnFormat(s.format) ? out.columns.map((c) => c.key) : [];
  checkFields(s.fields, [...rowKeys, ...first, ...columnKeys], what, `--${s.format}`);
  const fields = s.fields;
  if (isColumnFormat(s.format)) {
    return { ...keep, columns: fields.map((f) => out.columns.find((c) => c.key === f) ?? { key: f }) };
  }
  return { columns: keep.columns, rows: out.rows.map((r) => pick(r, fields)) };
}

/**
 * A command's one JSON document (obs query, trace, report, metrics, errors
 * show): whole, or with only the chosen top-level fields.
 */
export function writeJsonDocument(ctx: Context, doc: Record<string, unknown>, fields: readonly string[] | null, what: string): void {
  if (fields !== null) checkFields(fields, Object.keys(doc), what, '--json');
  ctx.stdout.write(`${JSON.stringify(redactorOf(ctx).value(fields === null ? doc : pick(doc, fields)), null, 2)}\n`);
}

/** Rows without a document around them: the line formats of a document command (its timeline, spans, points). */
export function writeRows(ctx: Context, s: Pick<Loaded, 'fields' | 'format' | 'color'>, out: Pick<Output, 'noun' | 'columns' | 'rows'>): void {
  const chosen = selectFields(s, out, out.noun);
  const rows = redactorOf(ctx).value(chosen.rows);
  render(ctx.stdout, { format: s.format, noun: out.noun, columns: chosen.columns, rows, meta: {}, color: s.color, width: ctx.stdout.columns });
}

/** A listing whose rows come a chunk at a time (streamPage). */
export interface StreamOutput extends Omit<Output, 'rows' | 'truncated' | 'footer' | 'fields'> {
  page: StreamedPage;
  /** What each chunk of rows becomes before it is shown: JSON columns parsed, a source column for people. */
  map?: (rows: Row[]) => Row[];
}

/**
 * output for a listing that may be larger than memory: in the stream formats
 * (JSON, NDJSON, TSV, CSV) each chunk is written as it comes, waiting for a
 * slow reader, and the bytes are those output gives; a table, markdown, a
 * view of its own or a collector gets every row at once.
 */
export async function outputStream(ctx: Context, s: Loaded, given: StreamOutput): Promise<void> {
  const map = given.map ?? ((rows: Row[]): Row[] => rows);
  const { page, ...rest } = given;
  if (s.collect !== undefined || given.view !== undefined || !isStreamFormat(s.format)) {
    const rows: Row[] = [];
    for await (const chunk of page.chunks) for (const r of map(chunk)) rows.push(r);
    output(ctx, s, { ...rest, rows, fields: page.columns, truncated: page.truncated });
    return;
  }
  const redact = redactorOf(ctx);
  const shown = (chunk: Row[]): { columns: Column[]; rows: Row[] } =>
    selectFields(s, { columns: given.columns, rows: redact.value(map(chunk)), fields: page.columns }, given.noun);
  const chunks = page.chunks[Symbol.asyncIterator]();
  let next = await chunks.next();
  // The first chunk's rows check the chosen fields (as output does) before anything is written.
  const first = shown(next.done === true ? [] : next.value);
  noteRows(s, given, page.count, page.truncated);
  const writer = rowWriter(ctx.stdout, {
    format: s.format,
    noun: given.noun,
    columns: first.columns,
    meta: { window: s.window, count: page.count, truncated: page.truncated, ...redact.value(given.meta) },
    color: s.color,
    width: ctx.stdout.columns,
  });
  let rows = first.rows;
  while (next.done !== true) {
    if (!writer.rows(rows)) await drained(ctx.stdout);
    next = await chunks.next();
    if (next.done !== true) rows = shown(next.value).rows;
  }
  writer.end();
}

/** What stderr says of a listing's rows: none matched, or the limit cut them. */
function noteRows(s: Loaded, out: Pick<Output, 'noun' | 'empty'>, count: number, truncated: boolean): void {
  if (count === 0 && out.empty) s.report.note(out.empty);
  if (truncated) s.report.note(`showing the first ${s.limit} ${out.noun.replace('_', ' ')}; raise --limit for more`);
}

/** Resolves once a stream that refused a write (it returned false) has room again. */
function drained(out: OutStream): Promise<void> {
  return new Promise((resolve) => (out.once === undefined ? resolve() : out.once('drain', () => resolve())));
}

export function output(ctx: Context, s: Loaded, given: Output): void {
  // Secrets leave here as [REDACTED:kind]; the query and its counts saw the stored values.
  const redact = redactorOf(ctx);
  const out = { ...given, rows: redact.value(given.rows), ...(given.footer === undefined ? {} : { footer: redact.value(given.footer) }) };
  if (s.collect) return s.collect(out);
  const chosen = selectFields(s, out, out.noun);
  noteRows(s, out, out.rows.length, out.truncated === true);
  if (out.view) return out.view(ctx.stdout, out.rows);
  const truncated = out.truncated === undefined ? {} : { truncated: out.truncated };
  render(ctx.stdout, {
    format: s.format,
    noun: out.noun,
    columns: chosen.columns,
    rows: chosen.rows,
    meta: { window: s.window, count: out.rows.length, ...truncated, ...redact.value(out.meta) },
    color: s.color,
    width: ctx.stdout.columns,
    ...(chosen.footer === undefined ? {} : { footer: chosen.footer }),
  });
}
