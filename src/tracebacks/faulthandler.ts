/**
 * Python `faulthandler` output: a crash (`Fatal Python error: Segmentation
 * fault` followed by every thread's stack) or a plain dump written by
 * `faulthandler.dump_traceback()`. Stacks print the most recent call first.
 */
import type { ChainLink, Frame, ParsedError } from './types.js';

const FATAL = /^Fatal Python error: (.*)$/;
const THREAD = /^(Current thread|Thread) (0x[0-9a-fA-F]+) \(most recent call first\):\s*$/;
const STACK = /^(?:Current )?[Ss]tack \(most recent call first\):\s*$/;
/** The function is the rest of the line, trailing spaces trimmed in code: `(.+?)\s*$` backtracks quadratically. */
const FRAME = /^\s+File "(.*)", line (\d+|\?\?\?) in ([\s\S]+)$/;

export function hasFaulthandlerDump(text: string): boolean {
  return /^(?:Fatal Python error: |(?:Current thread|Thread) 0x[0-9a-fA-F]+ \(most recent call first\):)/m.test(text);
}

interface ThreadStack {
  id: string;
  current: boolean;
  frames: Frame[];
}

function where(thread: ThreadStack): string {
  const top = thread.frames[thread.frames.length - 1];
  return top ? ` in ${top.function ?? '?'} (${top.file}:${top.line ?? '?'})` : '';
}

/** The dump in the text, or null when there is none. One dump per text. */
export function parseFaulthandler(text: string): ParsedError | null {
  const lines = text.split(/\r?\n/);
  let fatal: string | null = null;
  const threads: ThreadStack[] = [];
  let current: ThreadStack | null = null;
  let first = -1;
  let last = -1;
  for (const [i, line] of lines.entries()) {
    const fm = FATAL.exec(line);
    if (fm && fatal === null) {
      fatal = (fm[1] ?? '').trim();
      if (first === -1) first = i;
      last = i;
      continue;
    }
    const tm = THREAD.exec(line);
    if (tm || STACK.test(line)) {
      current = { id: tm?.[2] ?? 'main', current: tm ? tm[1] === 'Current thread' : true, frames: [] };
      threads.push(current);
      if (first === -1) first = i;
      last = i;
      continue;
    }
    const fr = FRAME.exec(line);
    if (fr && current) {
      current.frames.push({ file: fr[1] ?? '', line: fr[2] === '???' ? null : Number(fr[2]), function: fr[3]?.trimEnd() || null, code: null });
      last = i;
    }
  }
  if (fatal === null && threads.length === 0) return null;
  // Most recent call first as printed; kept outermost first like every other stack.
  for (const t of threads) t.frames.reverse();
  const main = threads.find((t) => t.current) ?? threads[0];
  const others: ChainLink[] = threads
    .filter((t) => t !== main)
    .map((t) => ({ relation: 'thread', depth: 0, type: null, message: `thread ${t.id}${where(t)}`, frames: t.frames }));
  const count = `${threads.length} thread${threads.length === 1 ? '' : 's'}`;
  return {
    language: 'python',
    kind: 'crash',
    type: fatal !== null ? 'Fatal Python error' : 'Thread dump',
    message: fatal ?? (main ? `${count}; current thread${where(main)}` : count),
    frames: main?.frames ?? [],
    chain: others,
    text: lines.slice(first, last + 1).join('\n'),
    startLine: first,
  };
}
