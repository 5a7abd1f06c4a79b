/**
 * Finds and parses every traceback in a piece of text: a log record with its
 * continuation lines, a JSON field (`exc`, `stack`, ...), or a crash file.
 */
import { hasFaulthandlerDump, parseFaulthandler } from './faulthandler.js';
import { hasNodeStack, parseNode } from './node.js';
import { hasPythonTraceback, parsePython } from './python.js';
import type { ParsedError } from './types.js';

export type { ChainLink, Frame, Language, ParsedError, Relation } from './types.js';

/** A cheap test before the parsers run: does the text look like it holds a stack? */
export function mayHoldTraceback(text: string): boolean {
  return (
    text.includes('Traceback (most recent call last):') ||
    text.includes('(most recent call first):') ||
    text.includes('Fatal Python error: ') ||
    text.includes('    at ')
  );
}

export function parseTracebacks(text: string): ParsedError[] {
  if (!mayHoldTraceback(text)) return [];
  // concat, not push(...): a spread of 10^5 tracebacks overflows the stack.
  let out: ParsedError[] = [];
  if (hasPythonTraceback(text)) out = out.concat(parsePython(text));
  if (hasFaulthandlerDump(text)) {
    const dump = parseFaulthandler(text);
    if (dump) out.push(dump);
  }
  if (hasNodeStack(text)) out = out.concat(parseNode(text));
  return out;
}
