/**
 * The interface every data source implements: recognise a file from its name
 * and first lines, then turn its lines into rows. The loader owns files,
 * accounting and the database; a source only parses.
 */
import type { RawLine } from './lines.js';
import type { FormatSet } from '../formats/formats.js';
import type { CostSource, PriceBook } from '../llm/prices.js';
import type { Language, ParsedError } from '../tracebacks/types.js';

export type { Correlation } from './fields.js';
import type { Correlation } from './fields.js';

export interface EventRow extends Correlation {
  ts: number | null;
  sourceLine: number;
  /** The record's last line when it spans several (a traceback below it); sourceLine when absent. */
  lastLine?: number;
  level: string | null;
  event: string | null;
  message: string | null;
  logger: string | null;
  /** Columns read from the words of a text line (`trace_id=...`) rather than from a field. */
  idsFromText?: readonly string[];
  /** The format that read the record (src/formats); the source kind's name when it has none. */
  format?: string | null;
  parseError?: string | null;
  /** The record's JSON text, as logged. */
  raw: string | null;
  /**
   * The errors the source read from the record itself (a test runner's report
   * of a failed test). When set, even empty, they are the record's errors and
   * its text is not searched for tracebacks.
   */
  errors?: ReportedError[];
}

/**
 * An error a source read itself, with what a traceback alone does not say:
 * how severe it is and which test it failed.
 */
export interface ReportedError extends Omit<ParsedError, 'kind' | 'language'> {
  kind: 'exception' | 'crash' | 'log';
  language: Language | null;
  level: 'error' | 'warn';
  /** The test that failed or warned: pytest's node id, node:test's name path; null when unknown. */
  testId: string | null;
}

export interface LlmCallRow extends Correlation {
  ts: number | null;
  sourceLine: number;
  agent: string | null;
  model: string | null;
  status: string | null;
  callLabel: string | null;
  function: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
  usageSource: string | null;
  costUsd: number | null;
  costSource: CostSource;
  /** JSON of the cost's CostDetail. */
  costDetail: string;
  /** The table that computed the cost (the detail's table); null unless computed. */
  priceTable: string | null;
  latencyMs: number | null;
  error: string | null;
  raw: string;
}

/** One OpenTelemetry span; ts is its start. */
export interface SpanRow extends Correlation {
  ts: number | null;
  endTs: number | null;
  sourceLine: number;
  parentSpanId: string | null;
  name: string;
  kind: string;
  service: string | null;
  scope: string | null;
  durationMs: number | null;
  status: string;
  statusMessage: string | null;
  /** JSON texts. */
  attributes: string;
  resource: string;
  events: string;
  links: string;
}

export interface IndexEntry {
  sourceLine: number;
  type: string | null;
  logPath: string;
  createdAt: number | null;
  sessionKey: string | null;
  threadTs: string | null;
  channelId: string | null;
  userId: string | null;
  plannedDate: string | null;
  pid: number | null;
}

/** What a parser hands back. The loader counts, stores and reports. */
export interface RecordSink {
  event(row: EventRow): void;
  llmCall(row: LlmCallRow): void;
  span(row: SpanRow): void;
  indexEntry(entry: IndexEntry): void;
  /**
   * A line that could not be parsed: kept as a raw event with parse_error,
   * with whatever time and level could still be read from it.
   */
  reject(line: RawLine, reason: string, known?: { ts?: number | null; level?: string | null }): void;
  blank(line: RawLine): void;
}

/** Context a parser gets for one file. */
export interface FileContext {
  /** The path as shown to users. */
  path: string;
  /** Zone for naive timestamps. */
  tz: string;
  /** Correlation ids known for every record of the file (from its name or an index). */
  defaults: Correlation;
  /** The log formats in effect: built in, and the config file's. */
  formats: FormatSet;
  /** Prices for LLM calls: the config file's, then the shipped table. */
  prices: PriceBook;
}

export interface LineParser {
  line(line: RawLine): void;
  /** Called after the last line, to flush a record still open. */
  end(): void;
}

export interface SourceKind {
  /** Stable kind name, shown by `obs sources`. */
  name: string;
  description: string;
  /** True when this kind reads the file. Kinds are tried in registry order. */
  detect(file: { name: string; head: string[] }): boolean;
  /** Kinds that are recognised but not loaded yet say why here. */
  skipReason?: string;
  /** Index kinds are loaded first: they name other files. */
  isIndex?: boolean;
  /**
   * Each line is a record of its own, read without the lines before it: the
   * cache reads a grown file from where it stopped. Other kinds (a traceback
   * may continue the last record) are read again whole.
   */
  resumable?: boolean;
  parser?(ctx: FileContext, sink: RecordSink): LineParser;
}
