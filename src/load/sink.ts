/**
 * Appends parsed rows to DuckDB through appenders, one per table, and keeps
 * each file's line accounting. Rejected lines become events with parse_error,
 * so their text stays searchable.
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import { appendInstant, type Database } from '../db/database.js';
import { CORRELATION_COLUMNS } from '../sources/fields.js';
import type { RawLine } from '../sources/lines.js';
import type { Correlation, EventRow, IndexEntry, LlmCallRow, SpanRow } from '../sources/types.js';
import type { PlaybackSink } from './read-file.js';
import type { ErrorCollector } from './errors/extract.js';
import { APPENDED_TABLES, CacheStaging, DirectAppenders, type Appenders, type StageSizes } from './staging.js';

export const EXCERPT_CHARS = 200;

/**
 * Rows appended between flushes. An appender holds its rows uncommitted until
 * it is flushed, beyond DuckDB's memory limit: flushing every so many rows
 * lets DuckDB spill them, so memory stays bounded whatever the input's size.
 */
export const FLUSH_ROWS = 50_000;
/**
 * Or after lines of this many characters, whichever comes first: rows carry
 * their line (raw), so 50,000 audit-log records of 4 KB each would hold 200 MB
 * in the appender. Measured at 1 GB: peak memory building the cache fell from
 * 0.92-1.02 to 0.76-0.80 GiB, in the same time.
 */
export const FLUSH_CHARS = 16 * 1024 * 1024;

export interface LineIssue {
  line: number;
  problem: 'rejected' | 'repaired';
  reason: string;
  excerpt: string;
}

export interface FileCounts {
  /** Physical lines read: recordLines + rejected + blank. */
  lines: number;
  /** Lines inside records: each record's first line and its continuation (a traceback), each line once. */
  recordLines: number;
  records: number;
  rejected: number;
  repaired: number;
  blank: number;
  firstTs: number | null;
  lastTs: number | null;
  /** Records with no time of their own (a crash dump, a line with no timestamp). */
  untimed: number;
  /** Records read by each format. */
  formats: Record<string, number>;
  issues: LineIssue[];
}

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

export function str(a: DuckDBAppender, v: string | null | undefined): void {
  if (v === null || v === undefined) a.appendNull();
  else a.appendVarchar(v);
}

function big(a: DuckDBAppender, v: number | null): void {
  if (v === null) a.appendNull();
  else a.appendBigInt(BigInt(v));
}

export function ts(a: DuckDBAppender, v: number | null): void {
  if (v === null) a.appendNull();
  else appendInstant(a, v);
}

function correlation(a: DuckDBAppender, row: Correlation): void {
  for (const col of CORRELATION_COLUMNS) str(a, row[col]);
}

export class DatabaseSink {
  /** Rows appended since the last flush. */
  private unflushed = 0;
  /** Characters of the lines read since the last flush. */
  private unflushedChars = 0;
  /** Whether rows were flushed since releaseMemory last ran. */
  private flushedSinceRelease = false;

  private constructor(
    private readonly db: Database,
    /** Straight into the tables in memory, or staged on the way into the cache file. */
    private readonly to: Appenders,
    private readonly errors: ErrorCollector,
  ) {}

  static async create(db: Database, errors: ErrorCollector, staging?: StageSizes): Promise<DatabaseSink> {
    return new DatabaseSink(db, db.writingCache ? await CacheStaging.open(db, staging) : await DirectAppenders.open(db), errors);
  }

  /** A sink for one file: rows are tagged with its path and kind, and counted. */
  forFile(
    file: string,
    kind: string,
    defaults: Correlation,
    counts: FileCounts,
    onIndexEntry: (entry: IndexEntry) => void,
    /** The parsing thread looked for the records' errors (parse-ahead.ts): they come as sightings of their own. */
    errorsFoundAhead = false,
  ): PlaybackSink & { end(): void } {
    // The lines records cover, as [first, last] ranges: merged as they come (in order, mostly), summed at the end.
    const ranges: Array<[number, number]> = [];
    // A file read on from where the cache left it adds its new lines to those counted before.
    const recordLinesBefore = counts.recordLines;
    const covers = (first: number, last: number): void => {
      const prev = ranges[ranges.length - 1];
      if (prev !== undefined && first >= prev[0] && first <= prev[1] + 1) prev[1] = Math.max(prev[1], last);
      else ranges.push([first, Math.max(first, last)]);
    };
    const seen = (t: number | null): void => {
      if (t === null) return;
      if (counts.firstTs === null || t < counts.firstTs) counts.firstTs = t;
      if (counts.lastTs === null || t > counts.lastTs) counts.lastTs = t;
    };
    const counted = (format: string): void => {
      counts.records++;
      counts.formats[format] = (counts.formats[format] ?? 0) + 1;
    };
    const issue = (line: RawLine, problem: LineIssue['problem'], reason: string): void => {
      const item = { line: line.lineNo, problem, reason, excerpt: excerpt(line.text) };
      counts.issues.push(item);
      const a = this.to.appender('line_issues');
      str(a, file);
      a.appendBigInt(BigInt(line.lineNo));
      str(a, problem);
      str(a, reason);
      str(a, item.excerpt);
      a.endRow();
    };
    /** Starts a row with the leading columns every record table shares: ts, source_file, source_line. */
    const start = (a: DuckDBAppender, t: number | null, sourceLine: number): void => {
      seen(t);
      ts(a, t);
      str(a, file);
      a.appendBigInt(BigInt(sourceLine));
    };
    const appendEvent = (row: EventRow): void => {
      const a = this.to.appender('events');
      start(a, row.ts, row.sourceLine);
      str(a, kind);
      str(a, row.parseError ? null : (row.format ?? kind));
      correlation(a, row);
      str(a, row.level);
      str(a, row.event);
      str(a, row.message);
      str(a, row.logger);
      str(a, row.parseError ?? null);
      str(a, row.raw);
      a.appendNull(); // linked_ids: set by link.sql
      a.endRow();
      this.to.added('events', (row.message?.length ?? 0) + (row.raw?.length ?? 0));
      this.appended();
    };
    const plainLine = (chars: number): void => {
      counts.lines++;
      this.unflushedChars += chars;
      this.to.read(chars);
    };
    return {
      plainLine,
      /** Every physical line passes here first, for the line count and byte repairs. */
      line: (line) => {
        plainLine(line.text.length);
        if (line.invalidUtf8 || line.nulBytes) {
          counts.repaired++;
          const what = [
            line.invalidUtf8 && 'invalid UTF-8 replaced by U+FFFD',
            line.nulBytes && (line.text === '' ? 'a line of NUL bytes only (padding left by a crash), read as blank' : 'NUL bytes removed'),
          ];
          issue(line, 'repaired', what.filter(Boolean).join('; '));
        }
      },
      event: (row) => {
        counted(row.format ?? kind);
        if (row.ts === null) counts.untimed++;
        appendEvent(row);
        covers(row.sourceLine, row.lastLine ?? row.sourceLine);
        if (!errorsFoundAhead) this.errors.fromEvent(row, file, kind);
      },
      llmCall: (row: LlmCallRow) => {
        counted(kind);
        covers(row.sourceLine, row.sourceLine);
        if (!errorsFoundAhead) this.errors.fromLlmCall(row, file, kind);
        const a = this.to.appender('llm_calls');
        start(a, row.ts, row.sourceLine);
        correlation(a, row);
        str(a, row.agent);
        str(a, row.model);
        str(a, row.status);
        str(a, row.callLabel);
        str(a, row.function);
        big(a, row.promptTokens);
        big(a, row.completionTokens);
        big(a, row.totalTokens);
        big(a, row.cacheReadTokens);
        big(a, row.cacheWriteTokens);
        big(a, row.reasoningTokens);
        str(a, row.usageSource);
        if (row.costUsd === null) a.appendNull();
        else a.appendDouble(row.costUsd);
        str(a, row.costSource);
        str(a, row.costDetail);
        str(a, row.priceTable);
        if (row.latencyMs === null) a.appendNull();
        else a.appendDouble(row.latencyMs);
        str(a, row.error);
        str(a, row.raw);
        a.appendNull(); // linked_ids: set by link.sql
        a.endRow();
        this.to.added('llm_calls', row.costDetail.length + (row.raw?.length ?? 0));
        this.appended();
      },
      span: (row: SpanRow) => {
        counted('otlp_span');
        covers(row.sourceLine, row.sourceLine);
        const a = this.to.appender('spans');
        start(a, row.ts, row.sourceLine);
        correlation(a, row);
        str(a, row.parentSpanId);
        str(a, row.name);
        str(a, row.kind);
        str(a, row.service);
        str(a, row.scope);
        ts(a, row.endTs);
        if (row.durationMs === null) a.appendNull();
        else a.appendDouble(row.durationMs);
        str(a, row.status);
        str(a, row.statusMessage);
        let chars = 0;
        for (const j of [row.attributes, row.resource, row.events, row.links]) {
          a.appendVarchar(j);
          chars += j.length;
        }
        a.endRow();
        this.to.added('spans', chars);
        this.appended();
      },
      indexEntry: (entry: IndexEntry) => {
        counted(kind);
        covers(entry.sourceLine, entry.sourceLine);
        seen(entry.createdAt);
        onIndexEntry(entry);
      },
      reject: (line, reason, known = {}) => {
        counts.rejected++;
        issue(line, 'rejected', reason);
        // Not counted as a loaded record, but its text stays searchable.
        appendEvent({
          ...defaults,
          ts: known.ts ?? null,
          sourceLine: line.lineNo,
          level: known.level ?? null,
          event: null,
          message: line.text,
          logger: null,
          parseError: reason,
          raw: null,
        });
      },
      blank: () => {
        counts.blank++;
      },
      /** After the file's last record: the lines inside records, each counted once. */
      end: () => {
        ranges.sort((a, b) => a[0] - b[0]);
        let total = 0;
        let upTo = 0;
        for (const [first, last] of ranges) {
          if (last <= upTo) continue;
          total += last - Math.max(first - 1, upTo);
          upTo = last;
        }
        counts.recordLines = recordLinesBefore + total;
      },
    };
  }

  appendIndexEntry(entry: IndexEntry, sourceFile: string, logFile: string | null): void {
    const a = this.to.appender('session_index');
    str(a, entry.sessionKey);
    str(a, entry.threadTs);
    str(a, entry.channelId);
    str(a, entry.userId);
    str(a, entry.plannedDate);
    ts(a, entry.createdAt);
    str(a, entry.logPath);
    str(a, logFile);
    big(a, entry.pid);
    str(a, sourceFile);
    a.appendBigInt(BigInt(entry.sourceLine));
    a.endRow();
  }

  private appended(): void {
    if (++this.unflushed < FLUSH_ROWS && this.unflushedChars < FLUSH_CHARS) return;
    for (const table of APPENDED_TABLES) this.to.appender(table).flushSync();
    this.unflushed = 0;
    this.unflushedChars = 0;
    this.flushedSinceRelease = true;
  }

  /**
   * Copies a batch of staged rows into the cache file when one is due
   * (staging.ts), and gives back what DuckDB freed committing the flushed rows,
   * when there was a flush since the last time (see Database.releaseMemory).
   * A flush is synchronous; this is not, so the reader calls it when it lets
   * the event loop go.
   */
  async releaseMemory(): Promise<void> {
    await this.to.breath();
    if (!this.flushedSinceRelease) return;
    this.flushedSinceRelease = false;
    await this.db.releaseMemory();
  }

  /** After the last file: every row appended is in its table. */
  async finish(): Promise<void> {
    await this.to.finish();
  }

  /** After a failure: the appenders closed and the staged rows dropped, whatever state DuckDB is in. */
  async abandon(): Promise<void> {
    await this.to.abandon();
  }
}
