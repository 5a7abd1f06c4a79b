/**
 * A fingerprint names one kind of failure across runs: the exception type and
 * the innermost application frames (file name and function, no line numbers),
 * so a deploy that shifts lines keeps it. Without frames, the type and the
 * message with its variable parts (numbers, ids, addresses) blanked out.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Frame } from '../../tracebacks/index.js';

/** Frames of the interpreter, the standard library and installed packages. */
const LIBRARY_FRAME = [
  /[\\/](?:site|dist)-packages[\\/]/,
  /[\\/]lib[\\/]python\d[\d.]*[\\/]/,
  /[\\/]node_modules[\\/]/,
  /^node:/,
  /^internal[\\/]/,
  /^<frozen /,
  /^<(?:anonymous|native)>$/,
  /^(?:native|index \d+)$/,
];

const FRAMES_USED = 3;

export function isApplicationFrame(frame: Frame): boolean {
  return !LIBRARY_FRAME.some((re) => re.test(frame.file));
}

/** `urllib.error.HTTPError` → `HTTPError`: the same error logged with and without its module. */
export function shortType(type: string | null): string | null {
  if (type === null) return null;
  return type.split('.').pop() ?? type;
}

/** The message with what changes from one occurrence to the next blanked out. */
export function normalizeMessage(message: string): string {
  return message
    .split('\n', 1)[0]!
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<addr>')
    // Any word with a digit in it: counts, durations, ids such as req_1554d9c88dc0. (Words are
    // matched whole and then tested: /[\w.:-]*\d[\w.:-]*/ takes quadratic time on a long word.)
    .replace(/[\w.:-]+/g, (word) => (/\d/.test(word) ? '<n>' : word))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

export function fingerprint(e: { type: string | null; message: string; frames: Frame[]; logger: string | null }): string {
  const app = e.frames.filter(isApplicationFrame);
  const used = (app.length > 0 ? app : e.frames).slice(-FRAMES_USED).map((f) => `${path.basename(f.file)}:${f.function ?? '?'}`);
  const type = shortType(e.type);
  const parts =
    type === null
      ? ['log', e.logger ?? '', normalizeMessage(e.message)]
      : [type, ...(used.length > 0 ? used : [normalizeMessage(e.message)])];
  return createHash('sha1').update(parts.join('\n')).digest('hex').slice(0, 12);
}
