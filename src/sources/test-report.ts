/**
 * What the test-runner sources (pytest, node --test) share: a report line
 * becomes an event of its own, without a time (test output carries none),
 * with the errors the source read from it.
 */
import type { RawLine } from './lines.js';
import type { EventRow, FileContext, RecordSink, ReportedError } from './types.js';

export type ReportRecorder = (
  line: RawLine,
  message: string,
  level: string | null,
  event: string | null,
  raw: Record<string, unknown> | null,
  errors?: ReportedError[],
  /** The report's last line when it spans several (a failure with its traceback). */
  lastLine?: number,
) => void;

export function reportRecorder(ctx: FileContext, sink: RecordSink, format: string): ReportRecorder {
  return (line, message, level, event, raw, errors = [], lastLine = line.lineNo) => {
    const row: EventRow = {
      ...ctx.defaults,
      ts: null,
      sourceLine: line.lineNo,
      lastLine,
      level,
      event,
      message,
      logger: null,
      format,
      raw: raw === null ? null : JSON.stringify(raw),
      errors,
    };
    sink.event(row);
  };
}
