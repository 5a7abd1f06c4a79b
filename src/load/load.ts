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
import { timestampValue } from '../db/database.js';
import { detectKind } from '../sources/index.js';
import { readHead, readLines } from '../sources/lines.js';
import { sessionFromFileName } from '../sources/session-log/index.js';
import type { Correlation, IndexEntry, SourceKind } from '../sources/types.js';
import { discover, displayPath, type FoundFile, type PassedOver } from './discover.js';
import { ErrorCollector } from './errors/extract.js';
import { isParquetName, loadParquetFiles, PARQUET_KIND } from './parquet.js';
import { storeErrors } from './errors/store.js';
import { DatabaseSink, emptyCounts, type FileCounts } from './sink.js';

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

export interface LoadResult {
  files: FileReport[];
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

async function plan(file: FoundFile): Promise<Planned> {
  const report: FileReport = {
    ...emptyCounts(),
    path: file.display,
    kind: 'unknown',
    status: 'loaded',
    sizeBytes: file.size,
    note: null,
  };
  // Read by loadParquetFiles, not as lines.
  if (isParquetName(file.abs)) return { file, kind: null, report: { ...report, kind: PARQUET_KIND } };
  try {
    const head = await readHead(file.abs);
    if (head.binary) {
      report.status = 'skipped';
      report.kind = 'binary';
      report.note = 'binary file, not a log';
      return { file, kind: null, report };
    }
    // A rotated, compressed file is recognised by the name it had before it was compressed.
    const kind = detectKind({ name: path.basename(file.abs).replace(/\.gz$/i, ''), head: head.lines });
    report.kind = kind.name;
    if (kind.skipReason) {
      report.status = 'skipped';
      report.note = kind.skipReason;
    }
    return { file, kind, report };
  } catch (err) {
    report.status = 'unreadable';
    report.note = (err as Error).message;
    return { file, kind: null, report };
  }
}

async function parseFile(p: Planned, sink: DatabaseSink, opts: LoadOptions, defaults: Correlation, onIndexEntry: (e: IndexEntry) => void): Promise<void> {
  const progress = opts.progress;
  progress?.fileStarted(p.report.path, p.file.size);
  try {
    await parseFileLines(p, sink, opts, defaults, onIndexEntry);
  } finally {
    progress?.fileFinished(p.report.path);
  }
}

async function parseFileLines(p: Planned, sink: DatabaseSink, opts: LoadOptions, defaults: Correlation, onIndexEntry: (e: IndexEntry) => void): Promise<void> {
  const kind = p.kind;
  if (kind === null || kind.parser === undefined || p.report.status !== 'loaded') return;
  const fileSink = sink.forFile(p.report.path, kind.name, defaults, p.report, onIndexEntry);
  const parser = kind.parser({ path: p.report.path, tz: opts.tz, defaults, formats: opts.formats, prices: opts.prices }, fileSink);
  try {
    const { held } = await readLines(
      p.file.abs,
      (line) => {
        fileSink.line(line);
        parser.line(line);
      },
      {
        onProgress: opts.progress === undefined ? undefined : (bytes, lines) => opts.progress?.read(bytes, lines),
        holdUnterminated: opts.holdUnterminated === true,
        holdIfWrittenWithinMs: opts.stillWritingMs ?? STILL_WRITING_MS,
      },
    );
    parser.end();
    if (held !== null) {
      p.report.note = `still being written: its last line (${held.bytes} bytes so far, no line end yet; the file was written ${held.ageMs} ms before it was read) was left out`;
    }
  } catch (err) {
    // The record open when reading stopped (a cut gzip stream) is kept.
    parser.end();
    p.report.status = 'unreadable';
    p.report.note = (err as Error).message;
  } finally {
    fileSink.end();
  }
}

export async function loadSources(db: Database, specs: readonly string[], opts: LoadOptions): Promise<LoadResult> {
  const found = await discover(specs, opts.cwd);
  const progress = opts.progress;
  let totalFiles = found.files.length + found.unreadable.length;
  let totalBytes = found.files.reduce((n, f) => n + f.size, 0);
  progress?.total(totalFiles, totalBytes);
  const planned: Planned[] = [];
  for (const file of found.files) planned.push(await plan(file));
  for (const u of found.unreadable) {
    planned.push({
      file: { abs: u.display, display: u.display, size: 0 },
      kind: null,
      report: { ...emptyCounts(), path: u.display, kind: 'unknown', status: 'unreadable', sizeBytes: 0, note: u.reason },
    });
  }

  const errors = new ErrorCollector(opts.tz);
  const sink = await DatabaseSink.create(db, errors);
  const missingTargets: MissingIndexTarget[] = [];
  const entryByFile = new Map<string, IndexEntry>();
  const known = new Set(found.files.map((f) => f.abs));

  try {
    // 1. Index files: record their entries and find the files they name.
    for (const p of planned.filter((x) => x.kind?.isIndex)) {
      const entries: IndexEntry[] = [];
      await parseFile(p, sink, opts, {}, (e) => entries.push(e));
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
        entryByFile.set(target, entry);
        if (!known.has(target)) {
          known.add(target);
          const extra = await plan({ abs: target, display: targetDisplay ?? target, size: statSync(target).size });
          planned.push(extra);
          totalFiles += 1;
          totalBytes += extra.file.size;
          progress?.total(totalFiles, totalBytes);
        }
      }
    }

    // 2. Everything else.
    for (const p of planned.filter((x) => !x.kind?.isIndex)) {
      const entry = entryByFile.get(p.file.abs);
      let defaults: Correlation = {};
      if (p.kind?.name === 'session_log') {
        defaults = entry?.sessionKey
          ? { session_key: entry.sessionKey, thread_ts: entry.threadTs, channel_id: entry.channelId }
          : sessionFromFileName(path.basename(p.file.abs));
      }
      await parseFile(p, sink, opts, defaults, () => {});
    }
  } finally {
    sink.close();
  }
  await loadParquetFiles(db, planned);
  progress?.filesRead();

  const files = planned.map((p) => p.report);
  await storeFiles(db, files);
  await db.exec(sqlFile('link.sql'));
  await storeErrors(db, errors.observations);
  await db.exec('DROP TABLE link_by_key; DROP TABLE link_by_thread;');
  await db.exec(sqlFile('sessions.sql'));

  return {
    files,
    ignored: found.ignored,
    missingTargets,
    rejected: files.reduce((n, f) => n + f.rejected, 0),
    unreadable: files.filter((f) => f.status === 'unreadable').length,
  };
}

async function storeFiles(db: Database, files: FileReport[]): Promise<void> {
  const a = await db.appender('files');
  for (const f of files) {
    a.appendVarchar(f.path);
    a.appendVarchar(f.kind);
    a.appendVarchar(f.status);
    a.appendBigInt(BigInt(f.sizeBytes));
    for (const n of [f.lines, f.records, f.rejected, f.repaired, f.blank, f.untimed]) a.appendBigInt(BigInt(n));
    for (const t of [f.firstTs, f.lastTs]) {
      if (t === null) a.appendNull();
      else a.appendTimestampTZ(timestampValue(t));
    }
    if (Object.keys(f.formats).length === 0) a.appendNull();
    else a.appendVarchar(JSON.stringify(f.formats));
    if (f.note === null) a.appendNull();
    else a.appendVarchar(f.note);
    a.endRow();
  }
  a.closeSync();
}

