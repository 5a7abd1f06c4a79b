/**
 * Reads a log file line by line, each line through the format that claims
 * it, so one file may interleave JSON records, text lines of several formats
 * and tracebacks:
 *
 * - a line that is a JSON object is one record, read by the best JSON format;
 * - a line a text format claims starts a record; for multi-line formats
 *   (Python logging, uvicorn), the lines no format claims continue it, so a
 *   traceback stays with the record that logged it;
 * - a line no format claims continues the open record when it is indented or
 *   the record is multi-line; otherwise it is a record of its own (`text`),
 *   multi-line when it opens a traceback or a crash dump.
 *
 * A line that starts like JSON but does not parse is rejected with the reason,
 * never read as text: it is a record cut short.
 */
import { parseJsonObject } from '../sources/json-record.js';
import { rejectReason } from '../sources/jsonl/index.js';
import type { RawLine } from '../sources/lines.js';
import type { EventRow, FileContext, LineParser, RecordSink } from '../sources/types.js';
import { PLAIN_TEXT } from './builtin.js';
import { columnsOf, extraFields, type Claimed, type RecordColumns } from './formats.js';

export interface ReaderOptions {
  /**
   * A text record whose message starts with "{" must be a JSON object; one
   * that does not parse is rejected (session logs always log JSON). When
   * false, such a message is kept as text.
   */
  strictJson: boolean;
}

/**
 * Lines that open a traceback or a crash dump: what follows belongs to them.
 * Node starts an uncaught error with the throwing file and line on a line of
 * their own (`/app/checkout.js:10`, `file:///app/invoices.mjs:9`,
 * `node:internal/process/promises:389`).
 */
const TRACEBACK_START =
  /^(Traceback \(most recent call last\):|Exception in thread |Exception ignored in|Fatal Python error:|(Current thread|Thread) 0x[0-9a-f]+|Stack \(most recent call first\)|Uncaught |panic: |goroutine \d+ |(file:\/\/\S+|node:\S+|\S+\.[cm]?[jt]s):\d+$)/;

/** Lines inside a Python traceback that are not indented: the chain markers. */
const CHAIN_MARKER = /^(During handling of the above exception|The above exception was the direct cause)/;

interface OpenRecord {
  /** Inside a traceback, before its final `Type: message` line. */
  inTraceback: boolean;
  line: RawLine;
  columns: RecordColumns;
  format: string;
  raw: string | null;
  multiline: boolean;
  continuation: string[];
}

export function logReader(ctx: FileContext, sink: RecordSink, opts: ReaderOptions): LineParser {
  const formats = ctx.formats;
  let open: OpenRecord | null = null;
  // A file that holds JSON records is a mixed stream (a container's stdout):
  // there a plain line after a record is a line of its own, unless it is part
  // of a traceback. In a text log it continues the record (multi-line messages).
  let sawJson = false;

  const emit = (rec: OpenRecord): void => {
    const cont = rec.continuation;
    // Blank lines at the end belong to the record (they are not counted blank), but not to its message.
    const lastLine = rec.line.lineNo + cont.length;
    while (cont.length > 0 && cont[cont.length - 1]?.trim() === '') cont.pop();
    // The record's own columns object becomes the row: a spread into a new literal cost more than reading the line.
    const row: EventRow = Object.assign(rec.columns, { sourceLine: rec.line.lineNo, lastLine, format: rec.format, raw: rec.raw });
    if (cont.length > 0) {
      const extra = cont.join('\n');
      row.message = row.message === null ? extra : `${row.message}\n${extra}`;
    }
    sink.event(row);
  };

  const flush = (): void => {
    if (open === null) return;
    const rec = open;
    open = null;
    emit(rec);
  };

  const jsonLine = (line: RawLine, text: string): void => {
    flush();
    sawJson = true;
    const { value, error } = parseJsonObject(text);
    if (value === undefined) {
      sink.reject(line, rejectReason(line, error ?? 'invalid JSON'));
      return;
    }
    const format = formats.claimJson(value);
    emit({ line, columns: columnsOf(value, format, ctx.tz, ctx.defaults), format: format.def.name, raw: text, multiline: false, inTraceback: false, continuation: [] });
  };

  const textLine = (line: RawLine, claimed: Claimed): void => {
    flush();
    const f = claimed.format;
    let columns = columnsOf(claimed.fields, f, ctx.tz, ctx.defaults);
    const extra = extraFields(claimed.fields, f);
    let raw = extra === null ? null : JSON.stringify(extra);
    // Python logging of a JSON message (the session logs, structlog through stdlib): its fields count.
    const message = columns.message?.trim() ?? '';
    if (message.startsWith('{')) {
      const { value, error } = parseJsonObject(message);
      if (value !== undefined) {
        const inner = columnsOf(value, formats.claimJson(value), ctx.tz, ctx.defaults);
        // The prefix says when the line was written and at which level: it wins.
        inner.ts = columns.ts ?? inner.ts;
        inner.level = columns.level ?? inner.level;
        inner.logger = columns.logger ?? inner.logger;
        columns = inner;
        raw = message;
      } else if (opts.strictJson) {
        sink.reject(line, `the message is not valid JSON: ${error ?? 'invalid JSON'}`, { ts: columns.ts, level: columns.level });
        return;
      }
    }
    const rec: OpenRecord = { line, columns, format: f.def.name, raw, multiline: f.def.multiline, inTraceback: false, continuation: [] };
    if (rec.multiline) open = rec;
    else emit(rec);
  };

  const plainLine = (line: RawLine, text: string): void => {
    flush();
    // Not `{ ...ctx.defaults, ts: null, ... }`: in Node 20 a spread followed by new properties makes a hidden class per object.
    const columns: RecordColumns = Object.assign({ ts: null, level: null, event: null, message: text, logger: null }, ctx.defaults);
    const starts = TRACEBACK_START.test(text);
    open = { line, columns, format: PLAIN_TEXT, raw: null, multiline: starts, inTraceback: starts, continuation: [] };
  };

  /** Whether a plain, unindented line continues the open multi-line record. */
  const continues = (rec: OpenRecord, text: string): boolean => {
    if (TRACEBACK_START.test(text) || CHAIN_MARKER.test(text)) {
      rec.inTraceback = true;
      return true;
    }
    if (rec.inTraceback) {
      // The `Type: message` line that ends the traceback.
      rec.inTraceback = false;
      return true;
    }
    return !sawJson;
  };

  return {
    line(line) {
      const text = line.text;
      const indented = text.length > 0 && (text.charCodeAt(0) === 32 || text.charCodeAt(0) === 9);
      if (text.trim() === '') {
        if (open !== null) open.continuation.push(text);
        else sink.blank(line);
        return;
      }
      if (indented && open !== null) {
        open.continuation.push(text);
        return;
      }
      const trimmed = indented ? text.trim() : text;
      if (trimmed.startsWith('{')) {
        jsonLine(line, trimmed);
        return;
      }
      const claimed = formats.claimText(text);
      if (claimed !== null) {
        textLine(line, claimed);
        return;
      }
      if (open !== null && open.multiline && continues(open, text)) {
        open.continuation.push(text);
        return;
      }
      // Other JSON ([1,2], "text", 42) on a line of its own: say what it is.
      if (/^(\[|"|-?\d|null$|true$|false$)/.test(trimmed) && trimmed.length < 4096) {
        const other = parseJsonObject(trimmed).error;
        if (other?.startsWith('JSON value')) {
          flush();
          sink.reject(line, other);
          return;
        }
      }
      plainLine(line, text);
    },
    end() {
      flush();
    },
  };
}
