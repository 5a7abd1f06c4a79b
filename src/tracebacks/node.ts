/**
 * Node.js error stacks as `err.stack` and the runtime print them:
 * `TypeError: msg` + `    at fn (file:line:col)` frames, `[cause]:` blocks,
 * AggregateError's `[errors]: [...]`, the `{ code: ... }` property block of an
 * uncaught error, unhandled rejections, and pino's `caused by:` stacks.
 */
import type { ChainLink, ExceptionInfo, Frame, ParsedError } from './types.js';

/** `Name: message`, `Name [CODE]: message`, `[Name: message] {`, with `[cause]: ` or `caused by: ` before it. */
const HEADER =
  /^(\s*)(\[cause\]: |caused by: |Caused by: |Uncaught )?(\[)?([A-Za-z_$][\w$]*(?:\.[\w$]+)*)(?: \[([A-Za-z0-9_]+)\])?(?:: (.*?))?(\])?( \{)?$/;
const AT = /^(\s+)at (.+?)(,| \{)?$/;
const ELIDED = /^\s+\.\.\. \d+ lines? matching cause stack trace \.\.\.$/;
const LOCATION = /^(.*):(\d+):(\d+)$/;
const ERRORISH = /(?:Error|Exception|Rejection)$/;

/**
 * True when the text has a line that looks like a Node stack frame. The
 * indentation is matched within the line (`[^\S\n]+`): `\s+` would also take
 * the blank lines before it, and retry from each of them, in quadratic time.
 */
export function hasNodeStack(text: string): boolean {
  return /\n[^\S\n]+at .+(?::\d+:\d+\)?|\((?:native|<anonymous>|index \d+)\))/.test(text);
}

/** One `at` frame's text (after `at `): `fn (file:line:col)`, `file:line:col`, `new Promise (<anonymous>)`. */
export function parseFrame(body: string): Frame {
  let text = body.replace(/^async /, '');
  let fn: string | null = null;
  // `fn (location)`: the first " (" and a ")" at the end. (`/^(.*?) \((.*)\)$/` retried the rest
  // of the line at every " (", in quadratic time when it does not end with ")".)
  const open = text.indexOf(' (');
  if (open !== -1 && text.endsWith(')') && open + 2 <= text.length - 1) {
    fn = text.slice(0, open);
    text = text.slice(open + 2, -1);
  }
  const loc = LOCATION.exec(text);
  if (loc) return { file: loc[1] ?? '', line: Number(loc[2]), function: fn, code: null, column: Number(loc[3]) };
  return { file: text, line: null, function: fn, code: null };
}

interface NodeError extends ExceptionInfo {
  causes: NodeError[];
  members: NodeError[];
  firstLine: number;
  lastLine: number;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** How deep causes and group members nest before a nested one is read as a plain line (the stack is finite). */
const MAX_NESTING = 100;

/** Reads the error whose header is at `lines[start]`; null when it is not one. */
function readError(lines: string[], start: number, depth = 0): { error: NodeError; next: number } | null {
  const hm = HEADER.exec(lines[start] ?? '');
  if (!hm) return null;
  const indent = (hm[1] ?? '').length;
  const bracketed = hm[3] === '[' && hm[7] === ']';
  const type = hm[4] ?? null;
  const opensBlock = hm[8] === ' {';
  const messageLines = [hm[6] ?? ''];
  let i = start + 1;
  // A message may run over several lines before the first frame, blank ones
  // included (assert's diffs: `Expected values to be strictly equal:`, a blank
  // line, `108 !== 110`), none of them less indented than the header.
  if (!opensBlock) {
    let j = i;
    const inMessage = (l: string): boolean => l.trim() === '' || indentOf(l) >= indent;
    while (j < lines.length && j - i < 50 && !AT.test(lines[j] ?? '') && inMessage(lines[j] ?? '')) j++;
    if (AT.test(lines[j] ?? '') && indentOf(lines[j] ?? '') > indent) {
      let end = j;
      while (end > i && (lines[end - 1] ?? '').trim() === '') end--;
      for (let k = i; k < end; k++) messageLines.push((lines[k] ?? '').slice(Math.min(indent, indentOf(lines[k] ?? ''))));
      i = j;
    }
  }
  const frames: Frame[] = [];
  let blockOpen = opensBlock;
  while (i < lines.length) {
    const l = lines[i] ?? '';
    const am = AT.exec(l);
    if (am && (am[1] ?? '').length > indent) {
      frames.push(parseFrame(am[2] ?? ''));
      if (am[3] === ' {') blockOpen = true;
      i++;
      if (am[3] !== undefined) break;
      continue;
    }
    if (ELIDED.test(l)) {
      i++;
      continue;
    }
    break;
  }
  if (frames.length === 0 && !bracketed && !(type !== null && ERRORISH.test(type) && blockOpen)) return null;
  const error: NodeError = {
    type,
    message: messageLines.join('\n'),
    // V8 prints the innermost call first; frames are kept outermost first, as Python prints them.
    frames: frames.reverse(),
    causes: [],
    members: [],
    firstLine: start,
    lastLine: i - 1,
  };
  if (blockOpen) {
    // `{ code: 'X', [cause]: ..., [errors]: [ ... ] }` closed by `}` at the header's indent.
    while (i < lines.length) {
      const l = lines[i] ?? '';
      if (/^\},?$/.test(l.trim()) && indentOf(l) <= indent) {
        i++;
        break;
      }
      if (/^\s*\[errors\]: \[\s*$/.test(l)) {
        const listIndent = indentOf(l);
        i++;
        while (i < lines.length) {
          const m = lines[i] ?? '';
          if (m.trim().startsWith(']') && indentOf(m) <= listIndent) {
            i++;
            break;
          }
          const member = depth < MAX_NESTING ? readError(lines, i, depth + 1) : null;
          if (member) {
            error.members.push(member.error);
            i = member.next;
          } else i++;
        }
        continue;
      }
      if (depth < MAX_NESTING && /^\s*\[cause\]: /.test(l)) {
        const cause = readError(lines, i, depth + 1);
        if (cause) {
          error.causes.push(cause.error);
          i = cause.next;
          continue;
        }
      }
      i++;
    }
    error.lastLine = i - 1;
  }
  // pino's stackWithCauses: `caused by: Error: inner` right after the frames.
  if (depth < MAX_NESTING && /^\s*caused by: /i.test(lines[i] ?? '')) {
    const cause = readError(lines, i, depth + 1);
    if (cause) {
      error.causes.push(cause.error);
      i = cause.next;
      error.lastLine = i - 1;
    }
  }
  return { error, next: i };
}

function linksOf(error: NodeError, depth: number): ChainLink[] {
  const out: ChainLink[] = [];
  for (const m of error.members) {
    out.push({ relation: 'group_member', depth: depth + 1, type: m.type, message: m.message, frames: m.frames }, ...linksOf(m, depth + 1));
  }
  for (const c of error.causes) {
    out.push({ relation: 'cause', depth, type: c.type, message: c.message, frames: c.frames }, ...linksOf(c, depth));
  }
  return out;
}

/** Every Node.js error stack in the text. */
export function parseNode(text: string): ParsedError[] {
  const lines = text.split(/\r?\n/);
  const out: ParsedError[] = [];
  let i = 0;
  while (i < lines.length) {
    const read = HEADER.test(lines[i] ?? '') ? readError(lines, i) : null;
    if (!read) {
      i++;
      continue;
    }
    const e = read.error;
    // An uncaught error's report starts with `file:line`, the source line and a caret.
    let start = e.firstLine;
    if (start >= 4 && (lines[start - 1] ?? '').trim() === '' && /^\s*\^+\s*$/.test(lines[start - 2] ?? '') && /^\S+:\d+$/.test(lines[start - 4] ?? '')) {
      start -= 4;
    }
    out.push({
      language: 'node',
      kind: 'exception',
      type: e.type,
      message: e.message,
      frames: e.frames,
      chain: linksOf(e, 0),
      text: lines.slice(start, e.lastLine + 1).join('\n'),
      startLine: start,
    });
    i = Math.max(read.next, i + 1);
  }
  return out;
}
