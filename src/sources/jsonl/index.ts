/**
 * JSON-lines application logs: one object per line, read by the JSON format
 * that claims it (src/formats). The strict JSON-lines loop here serves the
 * files whose every line must be a JSON object (indexes, the LLM audit log).
 */
import type { JsonObject } from '../fields.js';
import { parseJsonObject } from '../json-record.js';
import { logReader } from '../../formats/reader.js';
import type { RawLine } from '../lines.js';
import type { FileContext, LineParser, RecordSink, SourceKind } from '../types.js';

export function isJsonObjectLine(line: string | undefined): boolean {
  if (line === undefined) return false;
  const t = line.trim();
  if (!t.startsWith('{')) return false;
  return parseJsonObject(t).value !== undefined;
}

/** Why a JSON-lines line was rejected, worded for the file:line report. */
export function rejectReason(line: RawLine, error: string): string {
  if (line.unterminated) return `${error} (the last line has no line end: the file may still be being written, or was cut)`;
  return error;
}

/**
 * The line loop shared by JSON-lines sources: blank lines counted, bad lines
 * rejected with a reason, objects handed to onObject.
 */
export function jsonLinesParser(
  sink: RecordSink,
  onObject: (obj: JsonObject, raw: string, line: RawLine) => void,
): LineParser {
  return {
    line(line) {
      const text = line.text.trim();
      if (text === '') {
        sink.blank(line);
        return;
      }
      if (!text.startsWith('{')) {
        // Say what it is when it is other JSON ([1,2], "text", 42); otherwise it is text.
        const other = text.length < 4096 ? parseJsonObject(text).error : undefined;
        sink.reject(line, other?.startsWith('JSON value') ? other : 'not JSON: a text line inside a JSON-lines file');
        return;
      }
      const { value, error } = parseJsonObject(text);
      if (value === undefined) {
        sink.reject(line, rejectReason(line, error ?? 'invalid JSON'));
        return;
      }
      onObject(value, text, line);
    },
    end() {},
  };
}

export const jsonlSource: SourceKind = {
  name: 'jsonl',
  description: 'JSON-lines application log (pino, winston, bunyan, structlog, ...); text lines and tracebacks among them are read too',
  // A .json file is read as JSON lines only when its first line is a whole
  // object: a pretty-printed document is not a log.
  detect: ({ name, head }) => /\.(jsonl|ndjson)$/i.test(name) || isJsonObjectLine(head[0]),
  parser: (ctx: FileContext, sink: RecordSink) => logReader(ctx, sink, { strictJson: false }),
};
