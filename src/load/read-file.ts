/**
 * Reading one file's lines through its source's parser into a sink: the loop
 * the loader runs on its own thread, and the parsing thread runs for it on
 * large loads (parse-ahead.ts). No database here: the sink is the loader's,
 * or the parsing thread's recorder of what the parser gave.
 */
import type { FormatSet } from '../formats/formats.js';
import type { PriceBook } from '../llm/prices.js';
import { readLines, type HeldLine, type RawLine } from '../sources/lines.js';
import type { Correlation, RecordSink, SourceKind } from '../sources/types.js';

/** A sink that also sees every physical line, before the parser does. */
export interface LineSink extends RecordSink {
  line(line: RawLine): void;
}

/** The loader's sink for a file, which can also count a line by its length alone (a line the parsing thread did not send). */
export interface PlaybackSink extends LineSink {
  plainLine(chars: number): void;
}

/** How a file's reading ended. */
export interface ReadOutcome {
  /** Where the next reading starts (-1 when reading failed). */
  readTo: number;
  lines: number;
  /** The last line, without a line end yet, left out (the writer's line in progress). */
  held: HeldLine | null;
  /** The last line read had no line end. */
  endsCut: boolean;
  /** Why reading stopped, when it failed: the file is then unreadable. */
  error: string | null;
}

export interface ReadOrder {
  abs: string;
  /** The path as shown. */
  path: string;
  defaults: Correlation;
  /** Read on from here (a grown file the cache read before). */
  from?: { offset: number; lineNo: number };
}

export interface ReadSettings {
  tz: string;
  formats: FormatSet;
  prices: PriceBook;
  holdUnterminated: boolean;
  holdIfWrittenWithinMs: number;
  onProgress?: (bytes: number, lines: number) => void;
  onBreath?: () => Promise<void>;
}

/** Reads a file's lines into the sink through the parser of its kind. Never throws for the file's sake: a failure is the outcome's error. */
export async function readFile(order: ReadOrder, parserFor: NonNullable<SourceKind['parser']>, sink: LineSink, s: ReadSettings): Promise<ReadOutcome> {
  const parser = parserFor({ path: order.path, tz: s.tz, defaults: order.defaults, formats: s.formats, prices: s.prices }, sink);
  let endsCut = false;
  try {
    const read = await readLines(
      order.abs,
      (line) => {
        endsCut = line.unterminated;
        sink.line(line);
        parser.line(line);
      },
      {
        onProgress: s.onProgress,
        holdUnterminated: s.holdUnterminated,
        holdIfWrittenWithinMs: s.holdIfWrittenWithinMs,
        from: order.from,
        onBreath: s.onBreath,
      },
    );
    parser.end();
    return { readTo: read.readTo, lines: read.lines, held: read.held, endsCut, error: null };
  } catch (err) {
    // The record open when reading stopped (a cut gzip stream) is kept.
    parser.end();
    return { readTo: -1, lines: 0, held: null, endsCut, error: (err as Error).message };
  }
}
