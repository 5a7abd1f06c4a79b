/**
 * Reads a file line by line at the byte level, so that every physical line is
 * accounted for: CRLF ends are stripped, invalid UTF-8 and NUL bytes are
 * flagged (the text keeps U+FFFD replacements), a last line with no newline is
 * marked as unterminated, and a line of any length is returned whole.
 */
import { open } from 'node:fs/promises';

export interface RawLine {
  /** 1-based line number in the file. */
  lineNo: number;
  /** The decoded line without its line end; NUL bytes removed. */
  text: string;
  /** The line held bytes that are not valid UTF-8 (replaced by U+FFFD in text). */
  invalidUtf8: boolean;
  /** The line held NUL bytes (removed from text). */
  nulBytes: boolean;
  /** The last line of the file had no line end (a file still being written, or cut). */
  unterminated: boolean;
}

const CHUNK = 1 << 20;
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Buffer, lineNo: number, unterminated: boolean): RawLine {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0d) end -= 1;
  const slice = end === bytes.length ? bytes : bytes.subarray(0, end);
  let text = slice.toString('utf8');
  let invalidUtf8 = false;
  if (text.includes('\uFFFD')) {
    try {
      strictDecoder.decode(slice);
    } catch {
      invalidUtf8 = true;
    }
  }
  let nulBytes = false;
  if (text.includes('\0')) {
    nulBytes = true;
    text = text.replaceAll('\0', '');
  }
  return { lineNo, text, invalidUtf8, nulBytes, unterminated };
}

/**
 * Calls onLine for each line of the file, in order. Returns the number of
 * lines and bytes read. Throws the file system's error if the file cannot be
 * opened or read.
 */
export async function readLines(
  path: string,
  onLine: (line: RawLine) => void,
): Promise<{ lines: number; bytes: number }> {
  const handle = await open(path, 'r');
  let lineNo = 0;
  let bytes = 0;
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let carry: Buffer[] = [];
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      const chunk = buf.subarray(0, bytesRead);
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        if (nl === -1) break;
        let line = chunk.subarray(start, nl);
        if (carry.length > 0) {
          carry.push(line);
          line = Buffer.concat(carry);
          carry = [];
        }
        onLine(decode(line, ++lineNo, false));
        start = nl + 1;
      }
      if (start < bytesRead) carry.push(Buffer.from(chunk.subarray(start)));
    }
    if (carry.length > 0) {
      onLine(decode(Buffer.concat(carry), ++lineNo, true));
    }
  } finally {
    await handle.close();
  }
  return { lines: lineNo, bytes };
}

/** Reads up to maxLines lines (and at most maxBytes) from the start of a file, for detection. */
export async function readHead(path: string, maxLines = 5, maxBytes = 64 * 1024): Promise<{ lines: string[]; binary: boolean }> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(maxBytes);
    const { bytesRead } = await handle.read(buf, 0, maxBytes, 0);
    const head = buf.subarray(0, bytesRead);
    const binary = looksBinary(head);
    const text = head.toString('utf8').replaceAll('\0', '');
    const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
    // The last piece may be cut by maxBytes; keep it only if the file ended there.
    if (bytesRead === maxBytes && lines.length > 1) lines.pop();
    return { lines: lines.filter((l) => l.trim() !== '').slice(0, maxLines), binary };
  } finally {
    await handle.close();
  }
}

/**
 * A file is binary (a TSDB chunk, an image) when it starts with a NUL byte or
 * more than 1% of its head are control bytes that text never holds. NULs are
 * not counted: a crashed log often ends in a run of them.
 */
function looksBinary(head: Buffer): boolean {
  if (head.length === 0) return false;
  if (head[0] === 0) return true;
  let control = 0;
  for (const b of head) {
    if ((b > 0 && b < 0x09) || (b > 0x0d && b < 0x20 && b !== 0x1b)) control++;
  }
  return control / head.length > 0.01;
}
