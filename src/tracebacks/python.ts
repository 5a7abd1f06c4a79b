/**
 * Python tracebacks as the interpreter and `logging` print them: frames with
 * source lines and 3.11 position markers, `[Previous line repeated N more
 * times]`, chains (`raise ... from`, "During handling ..."), ExceptionGroup
 * blocks drawn with `+`/`|` margins, SyntaxError carets, multi-line messages.
 */
import type { ChainLink, ExceptionInfo, Frame, ParsedError, Relation } from './types.js';

const TB_HEADER = /^Traceback \(most recent call last\):\s*$/;
const GROUP_HEADER = /^Exception Group Traceback \(most recent call last\):\s*$/;
const TOP_GROUP_HEADER = /^(\s*)\+ Exception Group Traceback \(most recent call last\):\s*$/;
/** The function is the rest of the line, trailing spaces trimmed in code: `(.+?)\s*$` backtracks quadratically. */
const FRAME = /^\s+File "(.*)", line (\d+)(?:, in ([\s\S]+)|\s*)$/;
const REPEAT = /^\s*\[Previous line repeated (\d+) more times?\]\s*$/;
const CAUSE_SEP = /^The above exception was the direct cause of the following exception:\s*$/;
const CONTEXT_SEP = /^During handling of the above exception, another exception occurred:\s*$/;
/** Position markers under a source line (`~~~^^^`) and SyntaxError carets. */
const MARKER = /^\s*[~^]+\s*$/;
const FIRST_MEMBER = /^\+-\+-+ (?:\d+|\.\.\.) -+$/;
const NEXT_MEMBER = /^ {2}\+-+ (?:\d+|\.\.\.) -+$/;
const GROUP_END = /^ {2}\+-+$/;
const MORE_MEMBERS = /^and \d+ more exceptions?$/;
const SYNTAX_ERROR = /(?:^|\.)(?:SyntaxError|IndentationError|TabError)$/;
/** `module.Type: message`, `Type`, `Type: ` as the exception line prints them. */
const EXCEPTION_LINE = /^([A-Za-z_][\w.]*)(?:: ?([\s\S]*))?$/;

/** True when the text holds a Python traceback. */
export function hasPythonTraceback(text: string): boolean {
  return text.includes('Traceback (most recent call last):');
}

interface Segment extends ExceptionInfo {
  members: Chain[];
}

interface Chain {
  segments: Segment[];
  /** relations[k] is how segments[k] relates to segments[k + 1]. */
  relations: Relation[];
  firstLine: number;
  lastLine: number;
}

/**
 * Rewrites a top-level ExceptionGroup block (`  + Exception Group ...`,
 * `  | ...`) into the margin-free form used inside group members, so one
 * reader handles both.
 */
function unwrapTopGroups(lines: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const m = TOP_GROUP_HEADER.exec(line);
    if (!m) {
      out.push(line);
      i++;
      continue;
    }
    const c = (m[1] ?? '').length;
    out.push(line.slice(c + 2));
    i++;
    while (i < lines.length) {
      const l = lines[i] ?? '';
      const rest = l.slice(c);
      if (l.slice(0, c).trim() !== '' || !/^\s*[|+]/.test(rest)) break;
      out.push(rest.startsWith('| ') || rest === '|' ? rest.slice(2) : rest);
      i++;
    }
  }
  return out;
}

function parseExceptionLine(line: string): { type: string | null; message: string } {
  const m = EXCEPTION_LINE.exec(line);
  if (!m) return { type: null, message: line };
  return { type: m[1] ?? null, message: m[2] ?? '' };
}

/** Frames from `lines[i]` on; returns them and the index after the last one. */
function readFrames(lines: string[], start: number): { frames: Frame[]; next: number } {
  const frames: Frame[] = [];
  let i = start;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const fm = FRAME.exec(line);
    if (fm) {
      const frame: Frame = { file: fm[1] ?? '', line: Number(fm[2]), function: fm[3]?.trimEnd() || null, code: null };
      frames.push(frame);
      i++;
      // Source line(s) and markers, indented deeper than the frame line.
      while (i < lines.length) {
        const l = lines[i] ?? '';
        if (FRAME.test(l) || REPEAT.test(l) || !/^ {4}/.test(l)) break;
        if (!MARKER.test(l) && frame.code === null) frame.code = l.trim();
        i++;
      }
      continue;
    }
    const rm = REPEAT.exec(line);
    if (rm && frames.length > 0) {
      const last = frames[frames.length - 1];
      if (last) last.repeated = Number(rm[1]);
      i++;
      continue;
    }
    break;
  }
  return { frames, next: i };
}

function isSeparatorAhead(lines: string[], i: number): boolean {
  // A blank line, then a chain separator.
  const next = lines[i + 1] ?? '';
  return (lines[i] ?? '').trim() === '' && (CAUSE_SEP.test(next) || CONTEXT_SEP.test(next));
}

function isBoundary(line: string): boolean {
  return TB_HEADER.test(line) || GROUP_HEADER.test(line) || CAUSE_SEP.test(line) || CONTEXT_SEP.test(line);
}

/** Reads one exception (header, frames, exception line, message) from `lines[start]`. */
function readSegment(lines: string[], start: number): { segment: Segment; next: number } {
  let i = start;
  const header = lines[i] ?? '';
  const isGroup = GROUP_HEADER.test(header);
  if (TB_HEADER.test(header) || isGroup) i++;
  const { frames, next } = readFrames(lines, i);
  i = next;
  const excLine = lines[i] ?? '';
  const { type, message } = parseExceptionLine(excLine);
  i++;
  const messageLines = [message];
  const members: Chain[] = [];
  if (isGroup) {
    // The group's message is its line; members follow between `+-+-- 1 --` separators.
    while (i < lines.length && !FIRST_MEMBER.test(lines[i] ?? '')) {
      if ((lines[i] ?? '').trim() !== '') break;
      i++;
    }
    if (FIRST_MEMBER.test(lines[i] ?? '')) {
      i++;
      let current: string[] = [];
      const flush = (): void => {
        const body = current;
        current = [];
        if (body.length === 0 || (body.length === 1 && MORE_MEMBERS.test((body[0] ?? '').trim()))) return;
        for (const chain of readChains(body, true)) members.push(chain);
      };
      while (i < lines.length) {
        const l = lines[i] ?? '';
        if (GROUP_END.test(l)) {
          flush();
          i++;
          break;
        }
        if (NEXT_MEMBER.test(l)) {
          flush();
          i++;
          continue;
        }
        if (l.startsWith('  | ') || l === '  |') {
          current.push(l.slice(4));
          i++;
          continue;
        }
        // Margins of groups nested inside this member keep their shape, two columns in.
        if (/^ {2}[ +|]/.test(l)) {
          current.push(l.slice(2));
          i++;
          continue;
        }
        flush();
        break;
      }
    }
  } else {
    while (i < lines.length) {
      const l = lines[i] ?? '';
      if (isSeparatorAhead(lines, i) || isBoundary(l) || FIRST_MEMBER.test(l)) break;
      messageLines.push(l);
      i++;
    }
  }
  while (messageLines.length > 1 && (messageLines[messageLines.length - 1] ?? '').trim() === '') messageLines.pop();
  let text = messageLines.join('\n');
  // A SyntaxError prints where the bad source is as a last `File "x", line N` without a
  // function: that is not a frame. Its message reads as str() gives it, location included.
  const last = frames[frames.length - 1];
  if (type !== null && SYNTAX_ERROR.test(type) && last && last.function === null) {
    frames.pop();
    text = `${text} (${last.file.split(/[\\/]/).pop()}, line ${last.line})`;
  }
  return { segment: { type, message: text, frames, members }, next: i };
}

/** Every chain of exceptions in the lines, in the order they were printed. */
function readChains(lines: string[], member = false): Chain[] {
  const chains: Chain[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    // A group member that was never raised has no traceback: just `Type: message`.
    const bareMember = member && i === 0 && EXCEPTION_LINE.test(line);
    if (!bareMember && !TB_HEADER.test(line) && !GROUP_HEADER.test(line)) {
      i++;
      continue;
    }
    const chain: Chain = { segments: [], relations: [], firstLine: i, lastLine: i };
    for (;;) {
      const { segment, next } = readSegment(lines, i);
      chain.segments.push(segment);
      chain.lastLine = next - 1;
      i = next;
      if (!isSeparatorAhead(lines, i)) break;
      const relation: Relation = CAUSE_SEP.test(lines[i + 1] ?? '') ? 'cause' : 'context';
      chain.relations.push(relation);
      i += 2;
      while (i < lines.length && (lines[i] ?? '').trim() === '') i++;
    }
    chains.push(chain);
  }
  return chains;
}

function link(info: ExceptionInfo, relation: Relation, depth: number): ChainLink {
  return { relation, depth, type: info.type, message: info.message, frames: info.frames };
}

function membersOf(segment: Segment, depth: number): ChainLink[] {
  const out: ChainLink[] = [];
  for (const member of segment.members) {
    const final = member.segments[member.segments.length - 1];
    if (!final) continue;
    out.push(link(final, 'group_member', depth + 1), ...linksOf(member, depth + 1));
  }
  return out;
}

/** The chain of a final exception, nearest first; group members follow the group they belong to. */
function linksOf(chain: Chain, depth: number): ChainLink[] {
  const n = chain.segments.length;
  const final = chain.segments[n - 1];
  const out: ChainLink[] = final ? membersOf(final, depth) : [];
  for (let k = n - 2; k >= 0; k--) {
    const seg = chain.segments[k];
    if (!seg) continue;
    out.push(link(seg, chain.relations[k] ?? 'context', depth), ...membersOf(seg, depth));
  }
  return out;
}

/** Every Python traceback in the text. */
export function parsePython(text: string): ParsedError[] {
  const original = text.split(/\r?\n/);
  // Unwrapping keeps one output line per input line, so line numbers map back.
  const lines = unwrapTopGroups(original);
  return readChains(lines).map((chain) => {
    const final = chain.segments[chain.segments.length - 1] as Segment;
    return {
      language: 'python' as const,
      kind: 'exception' as const,
      type: final.type,
      message: final.message,
      frames: final.frames,
      chain: linksOf(chain, 0),
      text: original.slice(chain.firstLine, chain.lastLine + 1).join('\n'),
      startLine: chain.firstLine,
    };
  });
}
