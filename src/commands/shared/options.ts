/**
 * Options every command shares, and the step every command starts with:
 * read the configuration, resolve the time window, find and load the logs.
 */
import { Option, type Command } from 'commander';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../config.js';
import type { Context } from '../../context.js';
import type { Database } from '../../db/database.js';
import { EXIT, noInputError, usageError, type ExitCode } from '../../errors.js';
import type { RecordFilters } from '../../filters/filters.js';
import type { LoadOptions, LoadProgress, LoadResult } from '../../load/load.js';
import type { PendingDiscovery } from '../../load/discover.js';
import { sumFiles } from '../../load/totals.js';
import type { CacheChoice, OpenedCache } from '../../cache/cache.js';
import { palette, useColor, type Palette } from '../../output/color.js';
import { parseFieldList } from '../../output/fields.js';
import { withLoadProgress } from '../../output/progress.js';
import { FORMATS, type Format } from '../../output/render.js';
import { defaultTimeZone, formatIsoMicros, isValidTimeZone, parseInstant, resolveWindow, type TimeWindow } from '../../time/time.js';
import { reporter, type Reporter } from './report.js';
import { redactorOf } from '../../redact/redactor.js';
import { PriceBook } from '../../llm/prices.js';
import type { Output } from './command.js';

export interface CommonOptions {
  logs?: string[];
  tz?: string;
  config?: string;
  quiet?: boolean;
  color?: boolean;
  /** false with --no-pager. */
  pager?: boolean;
  /** false with --no-progress. */
  progress?: boolean;
  /** false: no notes on stderr, as with -q, but a progress bar still shows (obs sources, whose listing says it all). */
  notes?: boolean;
  output?: Format;
  /** true, or the fields to keep ("ts,level"). */
  json?: boolean | string;
  ndjson?: boolean | string;
  csv?: boolean | string;
  session?: string;
  thread?: string;
  channel?: string;
  stage?: string;
  request?: string;
  run?: string;
  key?: string[];
  where?: string;
  since?: string;
  until?: string;
  from?: string;
  to?: string;
  limit?: string;
  /** --follow (obs events, errors, llm): lines still being written are read once complete. */
  follow?: boolean;
  /** --cache <file>, or false with --no-cache. */
  cache?: string | false;
  /** Set by commands that list every file (obs sources): see LoadOptions.everyFile. */
  everyFile?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** How logs are read: --logs (unless the command takes its paths as arguments, as obs triage does), --tz, --config, -q, colour, progress. */
export function addInputOptions(cmd: Command, { logs = true }: { logs?: boolean } = {}): Command {
  if (logs) cmd.option('--logs <path>', 'log file, folder or glob to read (repeatable; default ./logs, or OBS_LOGS)', collect);
  return cmd
    .option('--tz <zone>', 'zone of timestamps written without one (default: this machine\'s zone, or OBS_TZ)')
    .option('--config <file>', 'config file (default ./obs.config.json)')
    .option('-q, --quiet', 'print no notes and no progress bar on stderr (warnings are still printed)')
    .option('--no-color', 'no colours (also NO_COLOR=1 or TERM=dumb)')
    .option('--no-progress', 'no progress bar on stderr while more than 50 MB of logs load')
    .option('--cache <file>', 'cache file for the loaded logs (default: one per set of logs under $XDG_CACHE_HOME/obs, or OBS_CACHE)')
    .option('--no-cache', 'read every log file afresh into memory, without reading or writing a cache (also OBS_CACHE=off)');
}

export function addFilterOptions(cmd: Command): Command {
  return cmd
    .option('--session <key>', 'only this session key')
    .option('--thread <ts>', 'only this Slack thread (thread_ts)')
    .option('--channel <id>', 'only this Slack channel')
    .option('--stage <name>', 'only this stage')
    .option('--request <id>', 'only this request id')
    .option('--run <id>', 'only this run id')
    .option('--key <field=value>', 'only records whose field has this value (repeatable)', collect)
    .option('--where <expr>', "typed condition on fields, e.g. \"duration_ms > 1000 and level = 'error'\"")
    .option('--since <when>', 'start: a duration back from now (1h, 30m, 2d) or a time')
    .option('--until <when>', 'end: a duration back from now or a time')
    .option('--from <time>', 'start: ISO 8601, Unix seconds or a Slack ts')
    .option('--to <time>', 'end: ISO 8601, Unix seconds or a Slack ts')
    .option('--limit <n>', 'at most n rows');
}

export function addOutputOptions(cmd: Command): Command {
  cmd.addOption(
    new Option('-o, --output <format>', `output format: ${FORMATS.join(', ')} (default: table on a terminal, tsv when piped)`).choices([...FORMATS]),
  );
  cmd.option('--json [fields]', 'one JSON document (-o json); with a,b only those fields');
  cmd.option('--ndjson [fields]', 'one JSON object per line (-o ndjson); with a,b only those fields');
  cmd.option('--csv [fields]', 'comma-separated values, RFC 4180 (-o csv); with a,b only those columns');
  cmd.option('--no-pager', 'do not page long output on a terminal (also OBS_PAGER=cat)');
  return addRedactOption(cmd);
}

/** --no-redact: secrets are printed as logged (obs warns on stderr). */
export function addRedactOption(cmd: Command): Command {
  return cmd.option('--no-redact', 'print secrets (tokens, keys, passwords) as logged instead of [REDACTED:kind]; a warning says so');
}

/** The config file's redaction rules join the built-in ones for the rest of the command. */
export function useConfigRedaction(ctx: Context, config: Config): void {
  ctx.redactor = redactorOf(ctx).with(config.redact);
}

export interface OutputChoice {
  format: Format;
  /** The fields asked for with --json a,b (--ndjson, --csv); null for every field. */
  fields: string[] | null;
}

/** The format and fields of -o, --json, --ndjson and --csv; a pipe gets tsv, a terminal a table. */
export function outputChoice(ctx: Context, o: Pick<CommonOptions, 'output' | 'json' | 'ndjson' | 'csv'>): OutputChoice {
  const flags: Array<[Format, boolean | string | undefined]> = [
    ['json', o.json],
    ['ndjson', o.ndjson],
    ['csv', o.csv],
  ];
  const chosen = [o.output, ...flags.filter(([, v]) => v !== undefined && v !== false).map(([f]) => f)].filter((x): x is Format => x !== undefined);
  if (new Set(chosen).size > 1) {
    throw usageError(`choose one output format, not ${[...new Set(chosen)].join(' and ')}`, { help: 'use one of -o, --json, --ndjson, --csv' });
  }
  const format = chosen[0] ?? (ctx.stdout.isTTY ? 'table' : 'tsv');
  const listed = flags.find(([f, v]) => f === format && typeof v === 'string' && v !== '');
  return { format, fields: listed === undefined ? null : parseFieldList(listed[1] as string, `--${format}`) };
}

/**
 * The format of a command with formats of its own (obs report, obs triage):
 * --format, -o and --json (with its fields), one at a time.
 */
export function ownFormat<F extends string>(o: { format?: F; output?: F; json?: boolean | string }, fallback: F): { format: F | 'json'; fields: string[] | null } {
  const json = o.json !== undefined && o.json !== false;
  const chosen = [o.format, o.output, json ? ('json' as const) : undefined].filter((x): x is F | 'json' => x !== undefined);
  if (new Set(chosen).size > 1) {
    throw usageError(`choose one output format, not ${[...new Set(chosen)].join(' and ')}`, { help: 'use one of --format, -o, --json' });
  }
  const fields = typeof o.json === 'string' && o.json !== '' ? parseFieldList(o.json, '--json') : null;
  return { format: chosen[0] ?? fallback, fields };
}

export function parseLimit(text: string | undefined): number | null {
  if (text === undefined) return null;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw usageError(`--limit expects a positive whole number, got "${text}"`, { help: 'for example: --limit 50' });
  }
  return Number(text);
}

export interface Loaded {
  db: Database;
  load: LoadResult;
  tz: string;
  filters: RecordFilters;
  format: Format;
  /** Fields asked for with --json a,b (--ndjson, --csv); null for all. */
  fields: string[] | null;
  color: Palette;
  limit: number | null;
  report: Reporter;
  /** The window as shown to users and in JSON. */
  window: { from: string | null; to: string | null; tz: string };
  /** Set by --follow: output() hands the rows to the follow loop instead of printing them. */
  collect?: (out: Output) => void;
}

function splitPaths(value: string): string[] {
  return value.split(path.delimiter).filter((p) => p !== '');
}

/** The zone, "now" (OBS_NOW pins it) and the window of the time flags, in epoch µs. Throws usage errors. */
export function resolveTime(ctx: Context, o: CommonOptions, config: Config): { tz: string; now: number; window: TimeWindow } {
  const tz = o.tz ?? ctx.env['OBS_TZ'] ?? config.tz ?? defaultTimeZone();
  if (!isValidTimeZone(tz)) {
    throw usageError(`unknown time zone "${tz}"`, { help: 'use an IANA zone name such as UTC, Europe/Amsterdam or America/New_York' });
  }
  const nowText = ctx.env['OBS_NOW'];
  const now = nowText ? parseInstant(nowText, { tz, now: ctx.now(), allowRelative: false }) : ctx.now();
  const window = resolveWindow({ since: o.since, until: o.until, from: o.from, to: o.to }, { tz, now });
  return { tz, now, window };
}

/**
 * The cache to load through, or null: --no-cache or OBS_CACHE=off read into
 * memory; --cache <file> or OBS_CACHE=<file> name the file; otherwise one
 * file per set of logs and settings under the cache directory.
 */
async function cacheChoice(
  ctx: Context,
  o: CommonOptions,
  parts: { specs: readonly string[]; cwd: string; tz: string; formats: unknown; configPrices: unknown },
): Promise<{ choice: CacheChoice; key: string } | null> {
  const env = ctx.env['OBS_CACHE'];
  if (o.cache === false || (o.cache === undefined && env !== undefined && /^(off|false|0|no)$/i.test(env))) return null;
  const { cacheDir, cacheKey, defaultCacheFile } = await import('../../cache/cache.js');
  const key = cacheKey(parts);
  const named = o.cache ?? (env !== undefined && env !== '' ? env : undefined);
  const file = named === undefined ? defaultCacheFile(ctx.env, key) : path.resolve(ctx.cwd, named);
  // DuckDB's spill files, one folder per process (DuckDB makes it, and removes it when done).
  const tempDir = path.join(named === undefined ? cacheDir(ctx.env) : path.dirname(file), 'tmp', String(process.pid));
  return { choice: { file, tempDir }, key };
}

/** The paths to read: --logs, else OBS_LOGS, else the config file's "logs", else ./logs. */
export function logPaths(ctx: Context, o: CommonOptions, config: Config): string[] {
  const envLogs = ctx.env['OBS_LOGS'];
  return o.logs && o.logs.length > 0 ? o.logs : envLogs ? splitPaths(envLogs) : (config.logs ?? ['logs']);
}

/**
 * Parses shared flags, loads the logs, and reports what was read. Throws
 * ObsError on bad input. A command that read the config file already passes it.
 */
export async function openSources(ctx: Context, o: CommonOptions, given?: Config): Promise<Loaded> {
  const p = await prepareSources(ctx, o, given);
  return loadedFrom(ctx, o, p, await loadSourcesFor(ctx, o, p));
}

/**
 * The cache's answer begun before the walk is done (see answerAhead in
 * cache.ts): `s` queries the cache; once `agrees` resolves true, loaded()
 * reports what the cache read and gives s with its load; on false, s's
 * database is closed and fallback() loads as openSources does, with the same walk.
 */
export interface SourcesAhead {
  kind: 'ahead';
  s: Loaded;
  agrees: Promise<boolean>;
  help(): Promise<void>;
  loaded(): Promise<Loaded>;
  fallback(): Promise<Loaded>;
}

/** openSources, or, when the cache can answer as it is, its answer begun before the walk is done. */
export async function openSourcesAhead(ctx: Context, o: CommonOptions): Promise<{ kind: 'loaded'; s: Loaded } | SourcesAhead> {
  const p = await prepareSources(ctx, o);
  if (p.cache === null || o.everyFile === true || o.follow === true) return { kind: 'loaded', s: await loadedFrom(ctx, o, p, await loadSourcesFor(ctx, o, p)) };
  const { answerAhead, openCache } = await import('../../cache/cache.js');
  const opened = openCache(p.cache.choice);
  const ahead = await answerAhead(p.cache.choice, opened, p.walking, p.cache.key);
  if (ahead === null) return { kind: 'loaded', s: await loadedFrom(ctx, o, p, await loadSourcesFor(ctx, o, p, opened)) };
  // Its load is known once the walk agrees (loaded()); until then, one of nothing.
  const s = await loaded(ctx, o, p, ahead.db, { sums: sumFiles([]), rejected: 0, unreadable: 0, files: [], ignored: [], missingTargets: [], cache: null });
  return {
    kind: 'ahead',
    s,
    agrees: ahead.agrees,
    help: () => ahead.help(),
    loaded: async () => loadedFrom(ctx, o, p, { db: ahead.db, load: await ahead.load() }),
    fallback: async () => loadedFrom(ctx, o, p, await loadSourcesFor(ctx, o, p)),
  };
}

/** What openSources works out before it loads: the flags' meaning, the walk begun, the cache chosen. */
interface Prepared {
  config: Config;
  report: Reporter;
  format: Format;
  fields: string[] | null;
  limit: number | null;
  tz: string;
  window: TimeWindow;
  logs: string[];
  walking: Promise<PendingDiscovery>;
  cache: { choice: CacheChoice; key: string } | null;
}

async function prepareSources(ctx: Context, o: CommonOptions, given?: Config): Promise<Prepared> {
  const config = given ?? (await loadConfig(ctx, o.config));
  useConfigRedaction(ctx, config);
  const report = reporter(ctx, o.quiet === true || o.notes === false);
  const { format, fields } = outputChoice(ctx, o);
  const limit = parseLimit(o.limit);
  const { tz, window } = resolveTime(ctx, o, config);

  const logs = logPaths(ctx, o, config);
  // For a large folder, a thread of its own lists the folders and stats the files while
  // DuckDB's client loads here and opens the cache; this thread stats what is left once it
  // needs the files. A path that names nothing (exit 3) is thrown where the files are awaited.
  const { beginDiscover } = await import('../../load/discover.js');
  const walking = beginDiscover(logs, ctx.cwd, { thread: 'for large folders' });
  walking.catch(() => undefined);

  // DuckDB takes a third of a second to load: only commands that read logs pay for it.
  await import('../../db/database.js');
  const cache = await cacheChoice(ctx, o, { specs: logs, cwd: ctx.cwd, tz, formats: config.formats ?? null, configPrices: config.prices ?? null });
  return { config, report, format, fields, limit, tz, window, logs, walking, cache };
}

/** The logs loaded, through the cache or into memory. */
async function loadSourcesFor(ctx: Context, o: CommonOptions, p: Prepared, opened?: Promise<OpenedCache>): Promise<{ db: Database; load: LoadResult }> {
  const { Database } = await import('../../db/database.js');
  const { FormatSet } = await import('../../formats/formats.js');
  const { config, tz, logs, walking, cache, report } = p;
  const loadOptions = (progress: LoadProgress | undefined): LoadOptions => ({
    tz,
    cwd: ctx.cwd,
    formats: FormatSet.create(config.formats),
    prices: new PriceBook(config.prices),
    progress,
    walking,
    holdUnterminated: o.follow === true,
    // --follow tells the files that appear from those read before.
    everyFile: o.everyFile === true || o.follow === true,
  });
  if (cache === null) {
    // In memory, but with somewhere to spill beyond DuckDB's memory limit (made by DuckDB only if it spills).
    const { loadSources } = await import('../../load/load.js');
    const db = await Database.open({ tempDir: path.join(tmpdir(), `obs-${process.pid}`) });
    try {
      return { db, load: { ...(await withLoadProgress(ctx, o, (progress) => loadSources(db, logs, loadOptions(progress)))), cache: null } };
    } catch (err) {
      db.close();
      throw err;
    }
  }
  const { loadCached } = await import('../../cache/cache.js');
  const done = await withLoadProgress(ctx, o, (progress) => loadCached(cache.choice, logs, loadOptions(progress), cache.key, opened));
  for (const n of done.notes) report.note(n);
  for (const w of done.warnings ?? []) report.warn(w);
  return { db: done.db, load: done.load };
}

/** What was loaded, reported (exit 3 when no file was loaded). */
async function loadedFrom(ctx: Context, o: CommonOptions, p: Prepared, { db, load }: { db: Database; load: LoadResult }): Promise<Loaded> {
  if (load.sums.loaded === 0) {
    db.close();
    // No file loaded: every file has something to say, so every file is listed.
    const unreadable = load.files.filter((f) => f.status === 'unreadable');
    throw noInputError(`no log file to read in ${p.logs.join(', ')}`, {
      reason:
        load.files.length === 0
          ? 'no file with a log name (.log, .jsonl, .ndjson, .json, .txt, .out, .err) was found'
          : unreadable.length > 0
            ? `${unreadable.length} file(s) could not be read: ${unreadable[0]?.path}: ${unreadable[0]?.note}`
            : `${load.files.length} file(s) found, none of a kind obs loads (${[...new Set(load.files.map((f) => f.kind))].join(', ')})`,
      help: 'point --logs at the folder with timeboxing_session_*.log, llm_io_*.jsonl or JSON-lines logs',
    });
  }
  reportLoad(load, p.report);
  const s = await loaded(ctx, o, p, db, load);
  if (p.window.from !== null || p.window.to !== null) p.report.note(`window ${s.window.from ?? '(open)'} to ${s.window.to ?? '(open)'}`);
  return s;
}

async function loaded(ctx: Context, o: CommonOptions, p: Prepared, db: Database, load: LoadResult): Promise<Loaded> {
  const { tz, window } = p;
  return {
    db,
    load,
    tz,
    format: p.format,
    fields: p.fields,
    limit: p.limit,
    report: p.report,
    color: await palette(useColor(ctx.env, ctx.stdout.isTTY === true, o.color)),
    window: {
      from: window.from === null ? null : formatIsoMicros(window.from),
      to: window.to === null ? null : formatIsoMicros(window.to),
      tz,
    },
    filters: {
      session: o.session,
      thread: o.thread,
      channel: o.channel,
      stage: o.stage,
      request: o.request,
      run: o.run,
      keys: o.key ?? [],
      where: o.where,
      from: window.from,
      to: window.to,
      tz,
    },
  };
}

/** Warnings for everything that was not read as it should have been. */
export function reportLoad(load: LoadResult, report: Reporter): void {
  for (const f of load.files) {
    if (f.status === 'unreadable') report.warn(`${f.path}: cannot be read (${f.note}); the rest was answered`);
    for (const problem of ['rejected', 'repaired'] as const) {
      const n = problem === 'rejected' ? f.rejected : f.repaired;
      const first = f.issues.find((i) => i.problem === problem);
      if (n === 0 || first === undefined) continue;
      const kept = problem === 'rejected' ? 'kept as an event with parse_error' : 'loaded';
      const more = n > 1 ? ` (and ${n - 1} more line(s) in this file)` : '';
      report.warn(`${f.path}:${first.line}: line ${problem}: ${first.reason}; ${kept}${more}; obs sources --issues lists them`);
    }
  }
  for (const m of load.missingTargets) {
    report.warn(`${m.index}:${m.line}: the index names ${m.logPath}, which is not there (nor beside the index); the entry is kept`);
  }
  // A line is left out only while its file is being written: say so, so no one takes the answer for the whole file.
  const writing = load.files.filter((f) => f.status === 'loaded' && f.note?.startsWith('still being written') === true);
  for (const f of writing) report.note(`${f.path} is still being written: its last line has no line end yet and was left out (run again, or use --follow)`);
  const skipped = load.files.filter((f) => f.status === 'skipped');
  if (skipped.length > 0) {
    report.note(`${skipped.length} file(s) recognised but not loaded (${skipped.map((f) => `${f.path}: ${f.kind}`).join('; ')})`);
  }
  if (load.ignored.length > 0) {
    report.note(`${load.ignored.length} file(s) passed over by name, e.g. ${load.ignored[0]?.display} (${load.ignored[0]?.reason})`);
  }
}

/** Exit code for a command that answered: 4 when some input was rejected or unreadable. */
export function exitFor(load: LoadResult): ExitCode {
  return load.rejected > 0 || load.unreadable > 0 ? EXIT.PARTIAL : EXIT.OK;
}

export interface PrometheusOptions {
  prometheus?: string;
  prometheusTimeout?: string;
  step?: string;
}

/** --prometheus and --prometheus-timeout, and --step for commands that run range queries. */
export function addPrometheusOptions(cmd: Command, { step = true }: { step?: boolean } = {}): Command {
  cmd
    .option('--prometheus <url>', 'Prometheus base URL (or OBS_PROMETHEUS_URL, or "prometheus.url" in the config file)')
    .option('--prometheus-timeout <duration>', 'give up on a Prometheus call after this long (default 10s)');
  return step ? cmd.option('--step <duration>', 'resolution of range queries (default: the window / 250, at least 1s)') : cmd;
}
