/**
 * One failure as pytest reports it under FAILURES or ERRORS, in its own
 * traceback styles (not Python's): `--tb=auto` and `long` print each entry
 * as the function's source with the failing line marked `>`, the exception as
 * `E   ` lines, then the entry's location (`src/app/pricing.py:15:
 * PricingError` for the last entry, `tests/test_x.py:17: ` for the others);
 * `--tb=short` (and auto's middle entries) print `path:12: in func` and the
 * source line. Entries are outermost first; `_ _ _` lines separate runs of
 * them; a chained exception is printed cause first, with Python's
 * "The above exception ..." lines between. `--tb=native` prints Python's own
 * traceback, read by the Python parser.
 */
import path from 'node:path';
import { parsePython } from '../../tracebacks/python.js';
import type { ChainLink, Frame, ParsedError, Relation } from '../../tracebacks/types.js';

/** `path:12: in func` (short entries). `[\s\S]*`, not `.*`: a lone CR would make every `: in ` retry to the end of the line. */
const SHORT_LOCATION = /^(\S(?:.*?\S)?):(\d+): in (\S[\s\S]*)$/;
/** `path:12: Type` (the last long entry) or `path:12: ` (the others). */
const LONG_LOCATION = /^(\S(?:.*?\S)?):(\d+): ?([A-Za-z_][\w.]*)?$/;
/** `_ _ _ _` between runs of entries. */
const ENTRY_SEPARATOR = /^(?:_ )+_?\s*$/;
const EXCEPTION_LINE = /^E(?:( +)(.*))?$/;
const CAUSE = /^The above exception was the direct cause of the following exception:\s*$/;
const CONTEXT = /^During handling of the above exception, another exception occurred:\s*$/;
/** `----- Captured stdout call -----`: what the test printed, after the traceback. */
export const CAPTURED = /^-+ Captured (?:stdout|stderr|log) (?:setup|call|teardown) -+$/;
const MARKER = /^\s*[~^]+\s*$/;
const DEF = /^(?:>\s+|\s+)(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/;
/** `KeyError: 'C-3'`, `app.pricing.PricingError: unknown sku`, `Failed`: a type first (not `assert 108 == 110`). */
const TYPE_FIRST = /^([A-Za-z_][\w.]*)(?::(?: (.*))?)?$/;

interface Segment {
  type: string | null;
  message: string;
  frames: Frame[];
}

/** The last part of a dotted name: `app.pricing.PricingError` → `PricingError`. */
const lastName = (name: string): string => name.split('.').pop() ?? name;

/**
 * The exception's type and message from its `E` lines and the type the last
 * location names (null in the short style). An assertion pytest rewrote
 * (`assert 108 == 110`) is an AssertionError.
 */
export function typeAndMessage(eLines: string[], locationType: string | null): { type: string | null; message: string } {
  const first = eLines[0] ?? '';
  const m = TYPE_FIRST.exec(first);
  if (m) {
    const name = m[1] ?? '';
    const fits = locationType !== null ? lastName(name) === locationType : /^[A-Z]/.test(lastName(name));
    if (fits) return { type: name, message: [m[2] ?? '', ...eLines.slice(1)].join('\n') };
  }
  const text = eLines.join('\n');
  if (locationType !== null) return { type: locationType, message: text };
  return { type: /^assert\b/.test(first) ? 'AssertionError' : null, message: text };
}

/** The `E` lines, without the `E` and the indentation they share. */
function exceptionLines(lines: string[]): string[] {
  const bodies = lines.map((l) => EXCEPTION_LINE.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  const blank = (m: RegExpExecArray): boolean => (m[2] ?? '') === '';
  // A loop, not Math.min(...): a spread of 10^5 values overflows the stack.
  let indent = Infinity;
  for (const m of bodies) if (!blank(m)) indent = Math.min(indent, (m[1] ?? '').length);
  return bodies.map((m) => (blank(m) ? '' : ' '.repeat(Math.max(0, (m[1] ?? '').length - indent)) + (m[2] ?? '')));
}

/** A frame's file as an absolute path when pytest printed it relative to its rootdir. */
function fileOf(printed: string, rootdir: string | null): string {
  if (rootdir === null || path.posix.isAbsolute(printed) || /^[A-Za-z]:[\\/]/.test(printed) || printed.startsWith('<')) return printed;
  return path.posix.join(rootdir, printed);
}

/** One exception of the chain: its entries, `E` lines and type. */
function readSegment(lines: string[], rootdir: string | null): Segment | null {
  const frames: Frame[] = [];
  const eLines: string[] = [];
  let locationType: string | null = null;
  // Lines of the long entry being read, before its location closes it.
  let pending: string[] = [];
  let short: Frame | null = null;
  for (const line of lines) {
    if (ENTRY_SEPARATOR.test(line)) {
      pending = [];
      short = null;
      continue;
    }
    if (EXCEPTION_LINE.test(line)) {
      eLines.push(line);
      pending.push(line);
      continue;
    }
    // Source lines are indented or marked `>`; a local's value (`s = 'a:1: b'`) is not a location.
    const located = !line.startsWith('>') && !line.includes(' = ');
    const s = located ? SHORT_LOCATION.exec(line) : null;
    if (s) {
      short = { file: fileOf(s[1] ?? '', rootdir), line: Number(s[2]), function: s[3] ?? null, code: null };
      frames.push(short);
      pending = [];
      continue;
    }
    const l = located ? LONG_LOCATION.exec(line) : null;
    if (l) {
      const def = pending.map((p) => DEF.exec(p)).find((m) => m !== null);
      const marked = pending.find((p) => p.startsWith('>'));
      frames.push({
        file: fileOf(l[1] ?? '', rootdir),
        line: Number(l[2]),
        function: def?.[1] ?? null,
        code: marked === undefined ? null : marked.slice(1).trim(),
      });
      if (l[3] !== undefined) locationType = l[3];
      pending = [];
      short = null;
      continue;
    }
    if (short !== null && short.code === null && /^ {4}\S/.test(line) && !MARKER.test(line)) short.code = line.trim();
    pending.push(line);
  }
  if (frames.length === 0 && eLines.length === 0) return null;
  const { type, message } = typeAndMessage(exceptionLines(eLines), locationType);
  return { type, message, frames };
}

/**
 * Reads one failure's report (the lines between its `____ title ____` line
 * and the next, captured output left out). `text` is what is kept as the
 * traceback. Null when the lines hold no traceback pytest or Python printed.
 */
export function parseFailure(lines: string[], rootdir: string | null): Omit<ParsedError, 'startLine'> | null {
  const end = lines.findIndex((l) => CAPTURED.test(l));
  const body = end === -1 ? lines : lines.slice(0, end);
  while (body.length > 0 && (body[body.length - 1] ?? '').trim() === '') body.pop();
  while (body.length > 0 && (body[0] ?? '').trim() === '') body.shift();
  const text = body.join('\n');
  if (body.some((l) => /^Traceback \(most recent call last\):/.test(l))) {
    // --tb=native: Python's own traceback.
    const parsed = parsePython(text);
    const last = parsed[parsed.length - 1];
    return last === undefined ? null : { ...last, text };
  }
  const segments: Segment[] = [];
  const relations: Relation[] = [];
  let current: string[] = [];
  for (const line of body) {
    const cause = CAUSE.test(line);
    if (cause || CONTEXT.test(line)) {
      const seg = readSegment(current, rootdir);
      if (seg !== null) {
        segments.push(seg);
        relations.push(cause ? 'cause' : 'context');
      }
      current = [];
      continue;
    }
    current.push(line);
  }
  const last = readSegment(current, rootdir);
  if (last !== null) segments.push(last);
  const final = segments[segments.length - 1];
  if (final === undefined) return null;
  // Nearest first: the exception printed just before the final one, and so on.
  const chain: ChainLink[] = [];
  for (let k = segments.length - 2; k >= 0; k--) {
    const seg = segments[k]!;
    chain.push({ relation: relations[k] ?? 'context', depth: 0, type: seg.type, message: seg.message, frames: seg.frames });
  }
  return { language: 'python', kind: 'exception', type: final.type, message: final.message, frames: final.frames, chain, text };
}
