/**
 * Loads every discovered file into the database: index files first (they name
 * the session logs and where to find them), then every other file through the
 * source its name and first lines select. Returns the per-file accounting
 * that `obs sources` shows and the exit code depends on.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Database } from '../db/database.js';
import type { FormatSet } from '../formats/formats.js';
import type { PriceBook } from '../llm/prices.js';
import { sqlFile } from '../db/sql-files.js';
import { HEAP_HEADROOM, paceHeap } from '../heap.js';
import { detectKind, SOURCES } from '../sources/index.js';
import { readHead } from '../sources/lines.js';
import { sessionFromFileName } from '../sources/session-log/index.js';
import type { Correlation, IndexEntry, SourceKind } from '../sources/types.js';
import { discoverFrom, displayPath, type Discovery, type FileIdentity, type FoundFile, type PassedOver, type PendingDiscovery } from './discover.js';
import { ErrorCollector } from './errors/extract.js';
import { isParquetName, loadParquetFiles, PARQUET_KIND } from './parquet.js';
import { mergeSightings, SightingStage } from './errors/sightings.js';
import { DatabaseSink, ts, type FileCounts } from './sink.js';
import type { StageSizes } from './staging.js';
import { PARSE_THREAD_BYTES, ParseAhead } from './parse-ahead.js';
import { readFile, type ReadOrder, type ReadOutcome, type ReadSettings } from './read-file.js';
import { noteworthy, sumFiles, type FileSums } from './totals.js';

export interface FileReport extends FileCounts {
  path: string;
  kind: string;
  status: 'loaded' | 'unreadable' | 'skipped';
  sizeBytes: number;
  note: string | null;
}

export interface MissingIndexTarget {
  index: string;
  line: number;
  logPath: string;
}

/** How a load used the cache (obs sources shows it). */
export interface CacheUse {
  file: string;
  /**
   * unchanged: answered from the cache, nothing read; updated: what changed
   * was read into it; built: built afresh; busy or unusable: read without it.
   */
  state: 'unchanged' | 'updated' | 'built' | 'busy' | 'unusable';
  /** Files whose rows were in the cache as they were. */
  unchanged: number;
  /** Files read on from where the last reading stopped. */
  readOn: number;
  /** Files read whole (new, changed, or a kind that is read whole). */
  readWhole: number;
  /** Files the cache had that are gone or changed: their rows removed. */
  dropped: number;
}

export interface LoadResult {
  /** Null when the logs were read without the cache. */
  cache?: CacheUse | null;
  /**
   * The files' accounting, in the order read: every file, except that a
   * load through the cache, not asked for every file (LoadOptions.everyFile),
   * lists only the files with something to say (noteworthy): not loaded,
   * lines rejected or repaired, or a note. The cache holds the others'.
   */
  files: FileReport[];
  /** Sums over every file, listed or not. */
  sums: FileSums;
  ignored: PassedOver[];
  missingTargets: MissingIndexTarget[];
  /** Lines rejected across all files. */
  rejected: number;
  unreadable: number;
}

/**
 * Told how loading goes, for a progress display; the loader knows nothing of
 * terminals. Sizes are bytes on disk (a gzip file's compressed bytes).
 */
export interface LoadProgress {
  /** The files to read and their size; told again when an index file names more. */
  total(files: number, bytes: number): void;
  /** A file is about to be read (or passed over: skipped, unreadable). */
  fileStarted(path: string, bytes: number): void;
  /** Bytes read and lines delivered since the last call, in the current file. */
  read(bytes: number, lines: number): void;
  fileFinished(path: string): void;
  /** Every file is read; the records are being linked and the errors stored. */
  filesRead(): void;
}

/** A file whose rows the database already holds, up to some point (the cache). */
export interface HeldFile {
  kind: string;
  /** Its accounting so far, issues included. */
  report: FileReport;
  /** Read on from here (its new lines); absent when the file is unchanged. */
  resume?: { offset: number; lineNo: number };
}

/** What reading one file gave, for the cache to remember. */
export interface FileRead {
  abs: string;
  kind: string;
  report: FileReport;
  /** What the walk saw of the file (absent for a file an index named). */
  walked?: FileIdentity;
  defaults: Correlation;
  /** Where the next reading starts, and the line there. */
  readTo: number;
  lines: number;
  /** The last line read had no line end: the next reading cannot start after it. */
  endsCut: boolean;
  viaIndex: boolean;
}

/** The cache's part in a load: what the database holds already, and what was read. */
export interface Reuse {
  /**
   * A walked file that is as the cache read it: its rows, its accounting and
   * its line in the files' table stay as they are, and the load passes it over.
   */
  unchanged(abs: string): boolean;
  /** The cache is brought up to date, not built: the sessions the changes touch are built again, not all (sessions.sql). */
  update: boolean;
  held(abs: string): HeldFile | undefined;
  /** Files an unchanged index file named and the walk does not find (their ids are in defaults). */
  indexTargets: FoundFile[];
  /** The ids each file the cache read was given (from an index file that has not changed since, or its name). */
  defaults: Map<string, Correlation>;
  missingTargets: MissingIndexTarget[];
  /** A file is read: the cache records it now, so that no object stays for it until the load ends. */
  read(file: FileRead): void;
  /** Every file is read: what the cache recorded of them is in its tables before the load's statements read them. */
  readingDone(): void;
  /** Files whose kept error sightings go: gone, changed, or read again whole (asked once every file is read). */
  goneSightings(): string[];
}

export interface LoadOptions {
  tz: string;
  cwd: string;
  formats: FormatSet;
  prices: PriceBook;
  progress?: LoadProgress;
  /** Leave out a last line that has no line end yet (--follow reads it once it is complete). */
  holdUnterminated?: boolean;
  /** Otherwise leave it out only when the file was written this recently (default STILL_WRITING_MS). */
  stillWritingMs?: number;
  /** The cache: files whose rows are in the database already. */
  reuse?: Reuse;
  /** The files to read, when the caller has found them already. */
  found?: Discovery;
  /** The walk of the specs, when the caller began it (before loading DuckDB); it rejects as discover() throws. */
  walking?: Promise<PendingDiscovery>;
  /** List every file in LoadResult.files even when the cache answers as it is (obs sources, --follow). */
  everyFile?: boolean;
  /** Parse on a thread of its own while this one appends (parse-ahead.ts): from PARSE_THREAD_BYTES to read (the default), always, or never. */
  parseThread?: 'for large loads' | 'always' | 'never';
  /** Into the cache: how much is staged in memory before a copy into the file (staging.ts; default STAGE_SIZES). */
  staging?: StageSizes;
}

/**
 * A last line without a line end in a file written less than this long before
 * it is read is the writer's line in progress: left out, not rejected. In a
 * file quiet for longer, such a line was cut (a crash) and is rejected.
 */
export const STILL_WRITING_MS = 1000;

interface Planned {
  file: FoundFile;
  kind: SourceKind | null;
  report: FileReport;
  held?: HeldFile;
  viaIndex?: boolean;
  /** An entry the walk could not examine (a broken link): not a file the cache records; its list is kept whole (cache_meta). */
  unexamined?: boolean;
}

/**
 * A file's accounting before it is read, written out whole. Node 20's V8 gives
 * an object built by a spread followed by properties the spread did not copy
 * (`{ ...counts, path }`) a hidden class of its own: about 0.5 KB held for as
 * long as the object lives, and microseconds to make. At 168,845 session logs
 * the reports held 90 MB of such classes through the whole read.
 */
export function newReport(path: string, kind: string, status: FileReport['status'], sizeBytes: number, note: string | null): FileReport {
  return {
    path,
    kind,
    status,
    sizeBytes,
    note,
    lines: 0,
    recordLines: 0,
    records: 0,
    rejected: 0,
    repaired: 0,
    blank: 0,
    untimed: 0,
    firstTs: null,
    lastTs: null,
    formats: {},
    issues: [],
  };
}

/** The accounting of an entry the walk could not examine. */
export function unexaminedReport(u: PassedOver): FileReport {
  return newReport(u.display, 'unknown', 'unreadable', 0, u.reason);
}

/** Where an index's absolute log_path lives now: as written, or beside the index. */
export function resolveIndexTarget(logPath: string, indexFile: string): string | null {
  const dir = path.dirname(indexFile);
  const candidates = path.isAbsolute(logPath)
    ? [logPath, path.join(dir, path.basename(logPath))]
    : [path.resolve(dir, logPath), path.join(dir, path.basename(logPath))];
  // Real paths, so that a file found by the walk and named by the index is one file.
  for (const c of candidates) if (existsSync(c)) return realpathSync(c);
  return null;
}

/** How a file is to be read: its kind, from its name and first lines, or as the cache read it. */
async function plan(file: FoundFile, reuse?: Reuse, viaIndex = false): Promise<Planned> {
  const { kind, report, held } = await kindAndReport(file, reuse);
  return { file, kind, report, held, viaIndex };
}

async function kindAndReport(file: FoundFile, reuse?: Reuse): Promise<Pick<Planned, 'kind' | 'report' | 'held'>> {
  const held = reuse?.held(file.abs);
  const heldKind = held === undefined ? undefined : SOURCES.find((k) => k.name === held.kind);
  if (held !== undefined && heldKind !== undefined) {
    return { kind: heldKind, report: { ...held.report, sizeBytes: file.size }, held };
  }
  const report = newReport(file.display, 'unknown', 'loaded', file.size, null);
  // Read by loadParquetFiles, not as lines.
  if (isParquetName(file.abs)) {
    report.kind = PARQUET_KIND;
    return { kind: null, report };
  }
  try {
    const head = await readHead(file.abs);
    if (head.binary) {
      report.status = 'skipped';
      report.kind = 'binary';
      report.note = 'binary file, not a log';
      return { kind: null, report };
    }
    // A rotated, compressed file is recognised by the name it had before it was compressed.
    const kind = detectKind({ name: path.basename(file.abs).replace(/\.gz$/i, ''), head: head.lines });
    report.kind = kind.name;
    if (kind.skipReason) {
      report.status = 'skipped';
      report.note = kind.skipReason;
    }
    return { kind, report };
  } catch (err) {
    report.status = 'unreadable';
    report.note = (err as Error).message;
    return { kind: null, report };
  }
}

/** The parsing thread's part in reading a file: it parsed the file as task `index`. */
interface Ahead {
  thread: ParseAhead;
  index: number;
}

async function parseFile(
  p: Planned,
  sink: DatabaseSink,
  opts: LoadOptions,
  defaults: Correlation,
  onIndexEntry: (e: IndexEntry) => void,
  stage: SightingStage,
  ahead?: Ahead,
): Promise<void> {
  if (unchangedInCache(p)) return;
  const progress = opts.progress;
  progress?.fileStarted(p.report.path, p.file.size);
  try {
    await parseFileLines(p, sink, opts, defaults, onIndexEntry, stage, ahead);
  } finally {
    progress?.fileFinished(p.report.path);
  }
}

/** Unchanged since the cache read it: its rows are in the database. */
function unchangedInCache(p: Planned): boolean {
  return p.held !== undefined && p.held.resume === undefined;
}

/** A file read through its kind's parser: not unchanged in the cache, and not passed over (binary, skipped, unreadable). */
function isParsed(p: Planned): p is Planned & { kind: SourceKind & Required<Pick<SourceKind, 'parser'>> } {
  return !unchangedInCache(p) && p.kind?.parser !== undefined && p.report.status === 'loaded';
}

async function parseFileLines(
  p: Planned,
  sink: DatabaseSink,
  opts: LoadOptions,
  defaults: Correlation,
  onIndexEntry: (e: IndexEntry) => void,
  stage: SightingStage,
  ahead: Ahead | undefined,
): Promise<void> {
  if (!isParsed(p)) {
    // A file passed over (binary, a kind not loaded) is passed over again while it is unchanged; an unreadable one is tried again.
    if (p.unexamined === true) return;
    const readTo = p.report.status === 'skipped' ? p.file.size : -1;
    opts.reuse?.read({ abs: p.file.abs, kind: p.report.kind, report: p.report, walked: p.file.stats, defaults, readTo, lines: 0, endsCut: false, viaIndex: p.viaIndex === true });
    return;
  }
  const kind = p.kind;
  stage.startFile(p.file.abs);
  const fileSink = sink.forFile(p.report.path, kind.name, defaults, p.report, onIndexEntry, ahead !== undefined);
  const onProgress = opts.progress === undefined ? undefined : (bytes: number, lines: number) => opts.progress?.read(bytes, lines);
  const onBreath = (): Promise<void> => sink.releaseMemory();
  let read: ReadOutcome;
  try {
    read =
      ahead === undefined
        ? await readFile(fileOrder(p, defaults), kind.parser, fileSink, { ...readSettings(opts), onProgress, onBreath })
        : await ahead.thread.playBack(ahead.index, fileSink, { sighting: (o) => stage.add(o), progress: onProgress, breath: onBreath });
  } finally {
    fileSink.end();
  }
  if (read.error === null) {
    p.report.note = null;
    if (read.held !== null) {
      p.report.note = `still being written: its last line (${read.held.bytes} bytes so far, no line end yet; the file was written ${read.held.ageMs} ms before it was read) was left out`;
    }
  } else {
    p.report.status = 'unreadable';
    p.report.note = read.error;
  }
  const { readTo, lines, endsCut } = read;
  opts.reuse?.read({ abs: p.file.abs, kind: kind.name, report: p.report, walked: p.file.stats, defaults, readTo, lines, endsCut, viaIndex: p.viaIndex === true });
}

function fileOrder(p: Planned, defaults: Correlation): ReadOrder {
  return { abs: p.file.abs, path: p.report.path, defaults, from: p.held?.resume };
}

function readSettings(opts: LoadOptions): Pick<ReadSettings, 'tz' | 'formats' | 'prices' | 'holdUnterminated' | 'holdIfWrittenWithinMs'> {
  return { tz: opts.tz, formats: opts.formats, prices: opts.prices, holdUnterminated: opts.holdUnterminated === true, holdIfWrittenWithinMs: opts.stillWritingMs ?? STILL_WRITING_MS };
}

/**
 * Starts the parsing thread on the files to parse, when they are large enough
 * (LoadOptions.parseThread); null when they are read here.
 */
function parseAhead(
  files: Array<{ p: Planned; defaults: Correlation }>,
  opts: LoadOptions,
  toRead: (p: Planned) => number,
): { thread: ParseAhead; tasks: Map<Planned, number> } | null {
  const choice = opts.parseThread ?? 'for large loads';
  if (choice === 'never') return null;
  const parsed = files.flatMap(({ p, defaults }) => (isParsed(p) ? [{ p, defaults }] : []));
  if (parsed.length === 0) return null;
  if (choice === 'for large loads' && parsed.reduce((n, f) => n + toRead(f.p), 0) < PARSE_THREAD_BYTES) return null;
  const s = readSettings(opts);
  const thread = ParseAhead.start(
    {
      tz: s.tz,
      userFormats: s.formats.userFormats,
      priceConfig: s.prices.config,
      holdUnterminated: s.holdUnterminated,
      holdIfWrittenWithinMs: s.holdIfWrittenWithinMs,
      progress: opts.progress !== undefined,
    },
    {
      count: parsed.length,
      at: (i) => {
        const { p, defaults } = parsed[i]!;
        return { ...fileOrder(p, defaults), kind: p.kind.name };
      },
    },
  );
  if (thread === null) return null;
  return { thread, tasks: new Map(parsed.map(({ p }, index) => [p, index])) };
}

export async function loadSources(db: Database, specs: readonly string[], opts: LoadOptions): Promise<LoadResult> {
  const found = opts.found ?? (await discoverFrom(opts.walking, specs, opts.cwd));
  const progress = opts.progress;
  const reuse = opts.reuse;
  const planned: Planned[] = [];
  for (const file of found.files) if (reuse?.unchanged(file.abs) !== true) planned.push(await plan(file, reuse));
  for (const u of found.unreadable) {
    planned.push({ file: { abs: u.display, display: u.display, size: 0 }, kind: null, report: unexaminedReport(u), unexamined: true });
  }
  // Files named by an unchanged index file, as the cache remembers them.
  const defaultsByFile = new Map<string, Correlation>(reuse?.defaults ?? []);
  const known = new Set(found.files.map((f) => f.abs));
  for (const file of reuse?.indexTargets ?? []) {
    if (known.has(file.abs)) continue;
    known.add(file.abs);
    planned.push(await plan(file, reuse, true));
  }
  // Progress counts what is read: an unchanged cached file is not.
  const toRead = (p: Planned): number => (p.held === undefined ? p.file.size : p.held.resume === undefined ? 0 : p.file.size - p.held.resume.offset);
  let totalFiles = planned.filter((p) => toRead(p) > 0 || p.held === undefined).length;
  let totalBytes = planned.reduce((n, p) => n + toRead(p), 0);
  progress?.total(totalFiles, totalBytes);

  // Error sightings go to DuckDB as they are found, not into memory: merged once every file is read.
  const stage = await SightingStage.open(db, reuse !== undefined);
  const errors = new ErrorCollector(opts.tz, (o) => stage.add(o));
  const sink = await DatabaseSink.create(db, errors, opts.staging);
  const missingTargets: MissingIndexTarget[] = [...(reuse?.missingTargets ?? [])];
  // The ids the last index entry naming a file gives it (null: none, its name gives them); the entries themselves are not kept.
  const idsByFile = new Map<string, Correlation | null>();

  // Reading only appends rows.
  await db.appending(async () => {
    try {
      // 1. Index files: record their entries and find the files they name.
      for (const p of planned.filter((x) => x.kind?.isIndex)) {
        const entries: IndexEntry[] = [];
        await parseFile(p, sink, opts, {}, (e) => entries.push(e), stage);
        for (const entry of entries) {
          const target = resolveIndexTarget(entry.logPath, p.file.abs);
          const targetDisplay = target === null ? null : displayPath(target, opts.cwd);
          if (entry.sessionKey !== null || entry.type === 'timeboxing_session') {
            sink.appendIndexEntry(entry, p.report.path, targetDisplay);
          }
          if (target === null) {
            missingTargets.push({ index: p.report.path, line: entry.sourceLine, logPath: entry.logPath });
            continue;
          }
          idsByFile.set(target, entry.sessionKey ? { session_key: entry.sessionKey, thread_ts: entry.threadTs, channel_id: entry.channelId } : null);
          if (!known.has(target)) {
            known.add(target);
            const extra = await plan({ abs: target, display: targetDisplay ?? target, size: statSync(target).size }, reuse, true);
            planned.push(extra);
            totalFiles += 1;
            totalBytes += toRead(extra);
            progress?.total(totalFiles, totalBytes);
          }
        }
      }

      // 2. Everything else, parsed on the parsing thread when there is much of it.
      const rest = planned
        .filter((x) => !x.kind?.isIndex)
        .map((p) => {
          const ids = idsByFile.get(p.file.abs);
          idsByFile.delete(p.file.abs);
          // A file the cache read keeps the ids it was given then (its index file is unchanged, or the cache is built again).
          let defaults: Correlation = defaultsByFile.get(p.file.abs) ?? {};
          if (p.kind?.name === 'session_log' && !defaultsByFile.has(p.file.abs)) {
            defaults = ids ?? sessionFromFileName(path.basename(p.file.abs));
          }
          return { p, defaults };
        });
      const ahead = parseAhead(rest, opts, toRead);
      try {
        for (const { p, defaults } of rest) {
          const index = ahead?.tasks.get(p);
          await parseFile(p, sink, opts, defaults, () => {}, stage, ahead !== null && index !== undefined ? { thread: ahead.thread, index } : undefined);
        }
      } finally {
        ahead?.thread.close();
      }
      await sink.finish();
    } catch (err) {
      await sink.abandon();
      throw err;
    } finally {
      stage.close();
      reuse?.readingDone();
    }
  });
  known.clear();
  // Parquet (an obs export read back) is never cached: it is a store already (see loadCached).
  await loadParquetFiles(db, planned);
  progress?.filesRead();

  let files = planned.map((p) => p.report);
  planned.length = 0;
  // A cache brought up to date builds again the sessions its changes touch, not all.
  const update = reuse?.update === true;
  if (reuse !== undefined) {
    // The files looked at: with the cache, their lines in the files' table are replaced.
    await db.fillTable('stored_files', 'path VARCHAR', files.map((f) => [f.path]));
    if (update) await db.exec(sqlFile('sessions_touched.sql'));
    await db.exec(sqlFile('unlink.sql'));
    await db.exec(sqlFile('cache_files_replace.sql'));
  }
  await storeFiles(db, files);
  const sums = sumFiles(files);
  const rejected = files.reduce((n, f) => n + f.rejected, 0);
  const unreadable = files.filter((f) => f.status === 'unreadable').length;
  // Through the cache, every report is in its tables now: only those with something to say stay listed, unless every
  // file is asked for. At 10 GB (168,950 files) the reports and what went with them held 110 MB of V8's heap.
  if (reuse !== undefined && opts.everyFile !== true) files = files.filter(noteworthy);
  // What reading left is garbage: V8's heap gives it back before DuckDB's statements take their memory.
  paceHeap(HEAP_HEADROOM / 2);
  await db.exec(sqlFile('link.sql'));
  if (update) await db.exec(sqlFile('sessions_touched.sql'));
  if (reuse !== undefined) await db.exec('DROP TABLE memory.main.stored_files');
  // Each step gives back what it freed before the next takes its memory (Database.releaseMemory).
  await db.releaseMemory();
  await mergeSightings(db, { keep: reuse !== undefined, gone: reuse?.goneSightings() ?? [] });
  await db.exec('DROP TABLE link_by_key; DROP TABLE link_by_thread;');
  // The merge's parsed sightings are garbage (87 MB at 10 GB): given back before the sessions' aggregates.
  paceHeap(HEAP_HEADROOM / 2);
  await db.execScript(sqlFile('sessions.sql'), { touched_only: update }, { release: true });

  return { files, ignored: found.ignored, missingTargets, sums, rejected, unreadable };
}

async function storeFiles(db: Database, files: FileReport[]): Promise<void> {
  const a = await db.appender('files');
  for (const f of files) {
    a.appendVarchar(f.path);
    a.appendVarchar(f.kind);
    a.appendVarchar(f.status);
    a.appendBigInt(BigInt(f.sizeBytes));
    for (const n of [f.lines, f.records, f.rejected, f.repaired, f.blank, f.untimed]) a.appendBigInt(BigInt(n));
    for (const t of [f.firstTs, f.lastTs]) ts(a, t);
    if (Object.keys(f.formats).length === 0) a.appendNull();
    else a.appendVarchar(JSON.stringify(f.formats));
    if (f.note === null) a.appendNull();
    else a.appendVarchar(f.note);
    a.endRow();
  }
  a.closeSync();
}

