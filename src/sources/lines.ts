/**
 * Reads a file line by line at the byte level, so that every physical line is
 * accounted for: CRLF ends are stripped, invalid UTF-8 and NUL bytes are
 * flagged (the text keeps U+FFFD replacements), a last line with no newline is
 * marked as unterminated, and a line of any length is returned whole.
 *
 * A gzip file (one that starts with the gzip magic bytes 1f 8b, whatever its
 * name) is decompressed as it is read, and its lines are the lines of the
 * decompressed text, with the same accounting.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { paceHeap } from '../heap.js';

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
/**
 * Files are read with synchronous calls. Each asynchronous call is a round
 * trip through libuv's thread pool; a folder of small session logs costs
 * four or five of them per file, and at 100 MB of logs (1,705 files) they
 * took a quarter of the reading time. The loop is let go every BREATH_MS of
 * reading, so that timers (the progress bar) and DuckDB's callbacks run.
 */
const BREATH_MS = 25;
let lastBreath = 0;

/**
 * Returns at once, or after one turn of the event loop when BREATH_MS have
 * passed since the last one; then also keeps V8's heap from growing far past
 * what is live (src/heap.ts), and runs `onBreath` (the reader's own upkeep).
 */
async function breathe(onBreath?: () => Promise<void>): Promise<void> {
  const now = performance.now();
  if (now - lastBreath < BREATH_MS) return;
  paceHeap();
  await new Promise<void>((resolve) => setImmediate(resolve));
  await onBreath?.();
  lastBreath = performance.now();
}

/**
 * The one buffer plain files are read into, a chunk at a time. A buffer per
 * file (1 MiB outside V8's heap, for a file of a few kilobytes) made V8
 * collect garbage for a fifth of the time spent reading small files. A read
 * into it is used up (cut into lines, the unfinished tail copied) before the
 * next await: whoever reads next may overwrite it.
 */
let sharedChunk: Buffer | undefined;
function chunkBuffer(): Buffer {
  sharedChunk ??= Buffer.allocUnsafe(CHUNK);
  return sharedChunk;
}
/** Compressed bytes read at a time by readHead, and decompressed bytes per zlib step. */
const GZIP_STEP = 16 * 1024;
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

/** Cuts a stream of byte chunks into lines; a line may span any number of chunks. */
class LineSplitter {
  lineNo = 0;
  private carry: Buffer[] = [];

  /** Leave out a last line without a line end (a plain file still being written). */
  holdUnterminated = false;

  constructor(private readonly onLine: (line: RawLine) => void) {}

  /** Bytes of a last line not ended yet. */
  get pending(): number {
    return this.carry.reduce((n, b) => n + b.length, 0);
  }

  /** The chunk may be reused by the caller after this returns: the unfinished tail is copied. */
  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      let line = chunk.subarray(start, nl);
      if (this.carry.length > 0) {
        this.carry.push(line);
        line = Buffer.concat(this.carry);
        this.carry = [];
      }
      this.onLine(decode(line, ++this.lineNo, false));
      start = nl + 1;
    }
    if (start < chunk.length) this.carry.push(Buffer.from(chunk.subarray(start)));
  }

  /** Delivers the last line when the file does not end with a line end, unless it is held back. */
  end(): void {
    if (this.carry.length > 0 && this.holdUnterminated) this.carry = [];
    if (this.carry.length > 0) {
      this.onLine(decode(Buffer.concat(this.carry), ++this.lineNo, true));
      this.carry = [];
    }
  }
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** The gzip data ended early or is damaged; `lines` complete lines came before. */
function gzipDamage(err: NodeJS.ErrnoException, lines: number): Error {
  const read = lines === 0 ? 'no complete line could be read' : `lines 1-${lines} were read, the rest of the file was not`;
  let message: string;
  if (err.code === 'Z_BUF_ERROR') {
    message = `gzip data is truncated after line ${lines}: the compressed stream ends early (${err.message}), as when a file is cut while being written or copied; ${read}`;
  } else {
    // A checksum is checked at the end of the data it covers: the text before it was decoded, but may be damaged.
    const checksum = /(data|length) check/.test(err.message) ? ', the text does not match the checksum stored with it, so the lines read may hold damaged bytes' : '';
    message = `gzip data is corrupt after line ${lines}: ${err.message}${checksum}; ${read}`;
  }
  return new Error(message, { cause: err });
}

function isZlibError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/**
 * The compressed bytes of an open file: `first` (already read), then the rest
 * read `size` bytes at a time from `position` (null: the current position).
 */
async function* fileChunks(
  fd: number,
  first: Buffer,
  position: number | null,
  size: number,
  counter: { bytes: number },
): AsyncGenerator<Buffer> {
  for (let i = 0; i < first.length; i += size) yield first.subarray(i, i + size);
  let pos = position;
  for (;;) {
    // A new buffer each time: zlib may still hold the previous one.
    const buf = Buffer.allocUnsafe(size);
    const bytesRead = readSync(fd, buf, 0, size, pos);
    if (bytesRead === 0) return;
    counter.bytes += bytesRead;
    if (pos !== null) pos += bytesRead;
    yield bytesRead === size ? buf : buf.subarray(0, bytesRead);
  }
}

/**
 * Inflates gzip data as it is consumed, one zlib step (GZIP_STEP bytes of
 * text) at a time, with back pressure: only what the consumer asks for is
 * read. Throws zlib's error (code Z_...) when the data is damaged or ends
 * early; zlib drops the text of the step that failed. `progress.input` is then
 * the compressed bytes the steps before it consumed. When this returns or
 * throws, the file is no longer being read.
 */
async function* inflate(compressed: AsyncIterable<Buffer>, progress: { input: number }): AsyncGenerator<Buffer> {
  const input = Readable.from(compressed, { objectMode: false });
  const inflater = createGunzip({ chunkSize: GZIP_STEP });
  input.on('error', (err) => inflater.destroy(err));
  // Errors reach the loop below; none may go unhandled once it has stopped.
  inflater.on('error', () => {});
  input.pipe(inflater);
  const inputClosed = new Promise<void>((resolve) => input.once('close', () => resolve()));
  try {
    for await (const chunk of inflater) yield chunk as Buffer;
  } finally {
    progress.input = inflater.bytesWritten;
    inflater.destroy();
    input.destroy();
    // The caller closes the file: wait until the stream has stopped pulling from it.
    await inputClosed;
  }
}

/**
 * The same bytes, but those from offset `from` on (up to GZIP_STEP * 4 of
 * them: a zlib step that fails has consumed far fewer) in pieces of one byte.
 */
async function* byteByByteFrom(chunks: AsyncIterable<Buffer>, from: number): AsyncGenerator<Buffer> {
  const to = from + GZIP_STEP * 4;
  let offset = 0;
  for await (const chunk of chunks) {
    const fine = Math.max(0, Math.min(chunk.length, from - offset));
    const coarse = Math.max(fine, Math.min(chunk.length, to - offset));
    if (fine > 0) yield chunk.subarray(0, fine);
    for (let i = fine; i < coarse; i++) yield chunk.subarray(i, i + 1);
    if (coarse < chunk.length) yield chunk.subarray(coarse);
    offset += chunk.length;
  }
}

/**
 * The decompressed text of a gzip file, from `first` (its first bytes, already
 * read) and then the rest read `size` bytes at a time from `position` (null:
 * the current position); `counter.bytes` counts the bytes read after `first`.
 * On damage, yields all the text zlib decoded before it, then throws zlib's
 * error: the text of the failing step, which zlib drops, is recovered by
 * inflating the file once more, the failing stretch one byte at a time (the
 * cost of a second decompression, only for a damaged file).
 */
async function* gunzipFile(
  fd: number,
  first: Buffer,
  position: number | null,
  size: number,
  counter: { bytes: number },
): AsyncGenerator<Buffer> {
  const progress = { input: 0 };
  let out = 0;
  let damage: NodeJS.ErrnoException;
  try {
    for await (const text of inflate(fileChunks(fd, first, position, size, counter), progress)) {
      out += text.length;
      yield text;
    }
    return;
  } catch (err) {
    if (!isZlibError(err)) throw err;
    damage = err;
  }
  let skip = out;
  try {
    const again = byteByByteFrom(fileChunks(fd, Buffer.alloc(0), 0, CHUNK, { bytes: 0 }), progress.input);
    for await (const text of inflate(again, { input: 0 })) {
      if (text.length <= skip) {
        skip -= text.length;
        continue;
      }
      yield skip > 0 ? text.subarray(skip) : text;
      skip = 0;
    }
  } catch (err) {
    if (!isZlibError(err)) throw err;
  }
  throw damage;
}

/**
 * Told how far reading has got, once per chunk (1 MiB read, or one zlib step
 * of a gzip file): the bytes read from disk and the lines delivered since the
 * last call.
 */
export type ReadProgress = (bytes: number, lines: number) => void;

/** A last line left out because the file was being written when it was read. */
export interface HeldLine {
  /** Its bytes so far. */
  bytes: number;
  /** How long before the end of reading the file was last written (ms; 0 when its time is ahead of this clock). */
  ageMs: number;
}

/**
 * Calls onLine for each line of the file, in order. Returns the number of
 * lines and the bytes read from disk (for a gzip file, the compressed bytes).
 * Throws the file system's error if the file cannot be opened or read. A
 * gzip file that is damaged or cut short delivers the lines before the damage,
 * then throws an Error saying after which line the gzip data is corrupt or
 * truncated. With `holdUnterminated`, a plain file's last line without a line
 * end (still being written) is left out; with `holdIfWrittenWithinMs`, only
 * when the file was written that recently (otherwise the line was cut: a
 * crash), and `held` says so. A gzip file is read whole.
 */
export async function readLines(
  path: string,
  onLine: (line: RawLine) => void,
  opts: {
    onProgress?: ReadProgress;
    holdUnterminated?: boolean;
    holdIfWrittenWithinMs?: number;
    /** Read a plain file from this byte offset, the line there numbered lineNo + 1 (the cache reads a grown file's new lines only). */
    from?: { offset: number; lineNo: number };
    /** Run whenever reading lets the event loop go (every 25 ms or more). */
    onBreath?: () => Promise<void>;
  } = {},
): Promise<{ lines: number; bytes: number; held: HeldLine | null; readTo: number }> {
  await breathe(opts.onBreath);
  const fd = openSync(path, 'r');
  const splitter = new LineSplitter(onLine);
  const from = opts.from ?? { offset: 0, lineNo: 0 };
  splitter.lineNo = from.lineNo;
  let bytes = 0;
  let held: HeldLine | null = null;
  let dropped = 0;
  const onProgress = opts.onProgress;
  // What onProgress has been told so far.
  let toldBytes = from.offset;
  let toldLines = from.lineNo;
  const tell = (read: number): void => {
    if (onProgress === undefined) return;
    onProgress(read - toldBytes, splitter.lineNo - toldLines);
    toldBytes = read;
    toldLines = splitter.lineNo;
  };
  try {
    const buf = chunkBuffer();
    // From the start, reads follow the file position; from an offset, each read says where.
    const at = (position: number): number | null => (from.offset === 0 ? null : position);
    const first = readSync(fd, buf, 0, CHUNK, at(from.offset));
    bytes = from.offset + first;
    if (from.offset === 0 && isGzip(buf.subarray(0, first))) {
      const counter = { bytes: first };
      try {
        for await (const text of gunzipFile(fd, Buffer.from(buf.subarray(0, first)), null, CHUNK, counter)) {
          splitter.push(text);
          tell(counter.bytes);
        }
      } catch (err) {
        if (isZlibError(err)) throw gzipDamage(err, splitter.lineNo);
        throw err;
      }
      bytes = counter.bytes;
    } else {
      splitter.holdUnterminated = opts.holdUnterminated === true;
      let bytesRead = first;
      while (bytesRead > 0) {
        splitter.push(buf.subarray(0, bytesRead));
        tell(bytes);
        await breathe(opts.onBreath);
        bytesRead = readSync(fd, buf, 0, CHUNK, at(bytes));
        bytes += bytesRead;
      }
      const within = opts.holdIfWrittenWithinMs;
      if (!splitter.holdUnterminated && within !== undefined && splitter.pending > 0) {
        // Written a moment ago (or at a time ahead of this clock, by less than that): a line in progress.
        const age = Date.now() - fstatSync(fd).mtimeMs;
        if (Math.abs(age) < within) {
          held = { bytes: splitter.pending, ageMs: Math.max(0, Math.round(age)) };
          splitter.holdUnterminated = true;
        }
      }
    }
    // A last line left out (held) is read again next time.
    dropped = splitter.holdUnterminated ? splitter.pending : 0;
    splitter.end();
    tell(bytes);
  } finally {
    closeSync(fd);
  }
  // readTo: where the next read starts, after the last line delivered.
  return { lines: splitter.lineNo, bytes, held, readTo: bytes - dropped };
}

/**
 * The first maxBytes of a gzip file's decompressed text, for detection,
 * inflating no more than that; `raw` is the file's first bytes (its own copy).
 * `cut` when the text goes on.
 */
async function gzipHead(fd: number, raw: Buffer, maxBytes: number): Promise<{ head: Buffer; cut: boolean }> {
  const parts: Buffer[] = [];
  let total = 0;
  try {
    for await (const text of gunzipFile(fd, raw, raw.length, GZIP_STEP, { bytes: 0 })) {
      parts.push(text);
      total += text.length;
      if (total >= maxBytes) break;
    }
  } catch (err) {
    // Damaged further on: detect on what came before; readLines reports the damage.
    if (!isZlibError(err)) throw err;
    if (total === 0) throw gzipDamage(err, 0);
    return { head: Buffer.concat(parts), cut: true };
  }
  const head = Buffer.concat(parts);
  return { head: head.subarray(0, maxBytes), cut: total >= maxBytes };
}

/** Reads up to maxLines lines (and at most maxBytes) from the start of a file, for detection. */
export async function readHead(path: string, maxLines = 5, maxBytes = 64 * 1024): Promise<{ lines: string[]; binary: boolean }> {
  await breathe();
  const fd = openSync(path, 'r');
  try {
    const buf = maxBytes <= CHUNK ? chunkBuffer() : Buffer.allocUnsafe(maxBytes);
    const bytesRead = readSync(fd, buf, 0, maxBytes, 0);
    const raw = buf.subarray(0, bytesRead);
    // A plain file's head is in the shared buffer: it is looked at before any await.
    const { head, cut } = isGzip(raw) ? await gzipHead(fd, Buffer.from(raw), maxBytes) : { head: raw, cut: bytesRead === maxBytes };
    const binary = looksBinary(head) || isTarArchive(head);
    const text = head.toString('utf8');
    const lines: string[] = [];
    const add = (piece: string): void => {
      const line = piece.replaceAll('\0', '').replace(/\r$/, '');
      if (line.trim() !== '') lines.push(line);
    };
    // Only the first lines are split off: the rest of the head is not looked at.
    let start = 0;
    while (lines.length < maxLines) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) {
        // The last piece may be cut by maxBytes; keep it only if the file ended there (or it is the only line).
        if (!cut || start === 0) add(text.slice(start));
        break;
      }
      add(text.slice(start, nl));
      start = nl + 1;
    }
    return { lines, binary };
  } finally {
    closeSync(fd);
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
  // An index loop: iterating a Buffer with for...of is several times slower, and this runs over every file's head.
  for (let i = 0; i < head.length; i++) {
    const b = head[i] as number;
    if ((b > 0 && b < 0x09) || (b > 0x0d && b < 0x20 && b !== 0x1b)) control++;
  }
  return control / head.length > 0.01;
}

/** A tar archive (such as a decompressed .tar.gz): its header is mostly NULs and ASCII, so looksBinary misses it. */
function isTarArchive(head: Buffer): boolean {
  return head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar';
}
