/**
 * Text logs whose records start with a timestamp (Python logging's
 * `%(asctime)s %(levelname)s ...` and its common variants) or a bare level
 * (`INFO:     ...`). Lines that start neither are continuations of the open
 * record (tracebacks, multi-line messages). A message that is a JSON object is
 * read as structured fields.
 */
import { normalizeLevel } from '../fields.js';
import { eventFromObject, parseJsonObject } from '../json-record.js';
import type { RawLine } from '../lines.js';
import type { EventRow, FileContext, LineParser, RecordSink } from '../types.js';
import { parseAsctime, parseTimestampValue } from '../../time/time.js';

const LEVEL_WORD = 'TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL|Trace|Debug|Info|Warn|Warning|Error|Critical|Fatal|trace|debug|info|warn|warning|error|critical|fatal';

/** `2026-11-21 22:18:19,705 INFO [logger] message`, `[2026-...] ERROR in module: ...`, ISO with zone. */
const TIMESTAMP_PREFIX = new RegExp(
  String.raw`^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}(?::?\d{2})?)?)\]?` +
    String.raw`(?:\s+-)?(?:\s+\[?(${LEVEL_WORD})\]?:?)?(?:\s+|$)(.*)$`,
);
/** `INFO:     127.0.0.1:5000 - "POST / HTTP/1.1" 200 OK` (uvicorn, gunicorn). */
const LEVEL_PREFIX = new RegExp(String.raw`^(TRACE|DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL):\s+(.*)$`);
/** `[logger.name] message`, right after the level. */
const LOGGER_PREFIX = /^\[([\w.\-:]+)\]\s+(.*)$/;
/** Flask's `[%(asctime)s] %(levelname)s in %(module)s: %(message)s`: `in module: message`. */
const MODULE_PREFIX = /^in ([\w.]+):\s+(.*)$/;

interface OpenRecord {
  line: RawLine;
  ts: number | null;
  level: string | null;
  logger: string | null;
  message: string;
  json?: { obj: Record<string, unknown>; raw: string };
  continuation: string[];
}

export interface TextParserOptions {
  /**
   * When true, a message that starts with "{" must be a JSON object: one that
   * does not parse is rejected (the session logs always log JSON). When false,
   * it is kept as text.
   */
  strictJson: boolean;
}

function parseTs(text: string, tz: string): number | null {
  return parseAsctime(text, tz) ?? parseTimestampValue(text.replace(',', '.'), tz);
}

export function textParser(ctx: FileContext, sink: RecordSink, opts: TextParserOptions): LineParser {
  let open: OpenRecord | null = null;

  const flush = (): void => {
    if (open === null) return;
    const rec = open;
    open = null;
    const cont = rec.continuation;
    while (cont.length > 0 && cont[cont.length - 1]?.trim() === '') cont.pop();
    const extra = cont.length > 0 ? cont.join('\n') : null;
    let row: EventRow;
    if (rec.json) {
      row = eventFromObject(rec.json.obj, rec.json.raw, rec.line.lineNo, ctx);
      // The prefix is when the line was written and at which level: it wins.
      row.ts = rec.ts ?? row.ts;
      row.level = rec.level ?? row.level;
      row.logger = rec.logger ?? row.logger;
      if (extra !== null) row.message = row.message === null ? extra : `${row.message}\n${extra}`;
    } else {
      row = {
        ...ctx.defaults,
        ts: rec.ts,
        sourceLine: rec.line.lineNo,
        level: rec.level,
        event: null,
        message: extra === null ? rec.message : `${rec.message}\n${extra}`,
        logger: rec.logger,
        raw: null,
      };
    }
    sink.event(row);
  };

  const start = (line: RawLine, ts: number | null, level: string | null, rest: string): void => {
    flush();
    let logger: string | null = null;
    let message = rest;
    const lm = LOGGER_PREFIX.exec(rest) ?? (line.text.startsWith('[') && level !== null ? MODULE_PREFIX.exec(rest) : null);
    if (lm) {
      logger = lm[1] ?? null;
      message = lm[2] ?? '';
    }
    const rec: OpenRecord = { line, ts, level: normalizeLevel(level), logger, message, continuation: [] };
    const trimmed = message.trim();
    if (trimmed.startsWith('{')) {
      const { value, error } = parseJsonObject(trimmed);
      if (value !== undefined) {
        rec.json = { obj: value, raw: trimmed };
      } else if (opts.strictJson) {
        sink.reject(line, `the message is not valid JSON: ${error ?? 'invalid JSON'}`, { ts, level: rec.level });
        return;
      }
    }
    open = rec;
  };

  return {
    line(line) {
      const text = line.text;
      const tm = text.length >= 19 ? TIMESTAMP_PREFIX.exec(text) : null;
      if (tm) {
        const ts = parseTs(tm[1] ?? '', ctx.tz);
        if (ts !== null) {
          start(line, ts, tm[2] ?? null, tm[3] ?? '');
          return;
        }
      }
      const lm = LEVEL_PREFIX.exec(text);
      if (lm) {
        start(line, null, lm[1] ?? null, lm[2] ?? '');
        return;
      }
      if (open !== null) {
        open.continuation.push(text);
        return;
      }
      if (text.trim() === '') {
        sink.blank(line);
        return;
      }
      // A line with no prefix and no record to continue starts one of its own
      // (a crash dump, a file cut in the middle of a traceback).
      start(line, null, null, text);
    },
    end() {
      flush();
    },
  };
}
