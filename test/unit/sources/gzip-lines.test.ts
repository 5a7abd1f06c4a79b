/**
 * readLines / readHead on gzip files, built here with node:zlib from the real
 * log text in fixtures/formats: the same per-line accounting as a plain file,
 * and damaged or cut gzip data delivering the lines before the damage, then
 * an error saying where.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readHead, readLines, type RawLine } from '../../../src/sources/lines.js';
import { ROOT } from '../../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'obs-gzip-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Python logging output with a chained traceback, written by the real library. */
const AGENT_LOG = readFileSync(path.join(ROOT, 'fixtures/formats/logs/python/agent.log'));
/** print(), structlog, logging and pino lines of one container, as one stream. */
const CONTAINER_LOG = readFileSync(path.join(ROOT, 'fixtures/formats/mixed/container.log'));

/** Real text, long enough to span many zlib steps: the container log repeated, each copy numbered. */
function longText(copies: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 1; i <= copies; i++) parts.push(Buffer.from(`# copy ${i}\n`), CONTAINER_LOG);
  return Buffer.concat(parts);
}

let n = 0;
function write(bytes: Buffer, name = `f${++n}.log.gz`): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

interface Outcome {
  got: RawLine[];
  count?: { lines: number; bytes: number };
  error?: Error;
}

async function read(file: string): Promise<Outcome> {
  const got: RawLine[] = [];
  try {
    const count = await readLines(file, (l) => got.push(l));
    return { got, count };
  } catch (err) {
    return { got, error: err as Error };
  }
}

/** The lines of the plain text, as readLines reads them from an uncompressed file. */
async function plainLines(text: Buffer): Promise<RawLine[]> {
  const { got, error } = await read(write(text, `p${++n}.log`));
  expect(error).toBeUndefined();
  return got;
}

describe('readLines on gzip', () => {
  it('reads the decompressed lines exactly as the plain file, and returns the compressed size as bytes', async () => {
    const gz = gzipSync(AGENT_LOG);
    const { got, count, error } = await read(write(gz));
    expect(error).toBeUndefined();
    expect(got).toEqual(await plainLines(AGENT_LOG));
    expect(got).toHaveLength(AGENT_LOG.toString('utf8').split('\n').length - 1);
    expect(got[0]?.text).toBe(AGENT_LOG.toString('utf8').split('\n')[0]);
    expect(count).toEqual({ lines: got.length, bytes: gz.length, held: null, readTo: gz.length });
  });

  it('detects gzip by its magic bytes, not by its name', async () => {
    const named = await read(write(gzipSync(AGENT_LOG), 'agent.log'));
    expect(named.got.map((l) => l.text)).toEqual((await plainLines(AGENT_LOG)).map((l) => l.text));
    // A .gz name on plain text: read as the text it is.
    const plain = await read(write(Buffer.from('2026-11-22 00:29:48,537 INFO [agent] plain\n'), 'not-really.log.gz'));
    expect(plain.got.map((l) => l.text)).toEqual(['2026-11-22 00:29:48,537 INFO [agent] plain']);
  });

  it('strips CRLF line ends', async () => {
    const crlf = Buffer.from(AGENT_LOG.toString('utf8').replaceAll('\n', '\r\n'));
    const { got } = await read(write(gzipSync(crlf)));
    expect(got.map((l) => l.text)).toEqual((await plainLines(AGENT_LOG)).map((l) => l.text));
    expect(got.some((l) => l.text.includes('\r'))).toBe(false);
  });

  it('flags invalid UTF-8 and NUL bytes on the lines that hold them', async () => {
    const lines = AGENT_LOG.toString('utf8').split('\n');
    const text = Buffer.concat([
      Buffer.from(`${lines[0]}\n`),
      Buffer.from('2026-11-22 00:29:48,600 INFO [agent] caf'),
      Buffer.from([0xe9]),
      Buffer.from(' latin-1 byte\n'),
      Buffer.from('2026-11-22 00:29:48,601 INFO [agent] fl\0\0ushed\n'),
      Buffer.from(`${lines[1]}\n`),
    ]);
    const { got } = await read(write(gzipSync(text)));
    expect(got.map((l) => [l.lineNo, l.invalidUtf8, l.nulBytes])).toEqual([
      [1, false, false],
      [2, true, false],
      [3, false, true],
      [4, false, false],
    ]);
    expect(got[1]?.text).toBe('2026-11-22 00:29:48,600 INFO [agent] caf\uFFFD latin-1 byte');
    expect(got[2]?.text).toBe('2026-11-22 00:29:48,601 INFO [agent] flushed');
    expect(got).toEqual(await plainLines(text));
  });

  it('marks a last line without a line end as unterminated', async () => {
    const text = AGENT_LOG.subarray(0, AGENT_LOG.length - 1);
    const { got, error } = await read(write(gzipSync(text)));
    expect(error).toBeUndefined();
    expect(got.at(-1)?.unterminated).toBe(true);
    expect(got.slice(0, -1).every((l) => !l.unterminated)).toBe(true);
    expect(got).toEqual(await plainLines(text));
  });

  it('returns long lines whole and keeps characters split between zlib steps', async () => {
    const long = `2026-11-22 00:29:49,000 INFO [agent] payload=${'é'.repeat(1024 * 1024)}x`;
    const text = Buffer.concat([Buffer.from('a'.repeat(16 * 1024 - 1)), Buffer.from('é\n'), Buffer.from(`${long}\n`), AGENT_LOG]);
    const { got } = await read(write(gzipSync(text)));
    expect(got[0]?.text.endsWith('aé')).toBe(true);
    expect(got[0]?.invalidUtf8).toBe(false);
    expect(got[1]?.text).toBe(long);
    expect(got).toEqual(await plainLines(text));
  });

  it('reads concatenated gzip members (cat a.gz b.gz) as one text', async () => {
    const { got } = await read(write(Buffer.concat([gzipSync(AGENT_LOG), gzipSync(CONTAINER_LOG)])));
    expect(got).toEqual(await plainLines(Buffer.concat([AGENT_LOG, CONTAINER_LOG])));
  });

  it('reads an empty gzip stream as no lines', async () => {
    const { got, count, error } = await read(write(gzipSync(Buffer.alloc(0))));
    expect(error).toBeUndefined();
    expect(got).toEqual([]);
    expect(count?.lines).toBe(0);
  });
});

describe('readLines on damaged gzip', () => {
  const text = longText(200);
  const gz = gzipSync(text);

  it('a truncated stream: every complete line before the cut, then an error naming the last line', async () => {
    const expected = await plainLines(text);
    const { got, error } = await read(write(gz.subarray(0, Math.floor(gz.length / 2))));
    expect(got.length).toBeGreaterThan(100);
    expect(got.length).toBeLessThan(expected.length);
    expect(got).toEqual(expected.slice(0, got.length));
    expect(error?.message).toMatch(new RegExp(`^gzip data is truncated after line ${got.length}: `));
    expect(error?.message).toContain(`lines 1-${got.length} were read`);
  });

  it('a stream cut inside its header: no line, and an error', async () => {
    const { got, error } = await read(write(gz.subarray(0, 5)));
    expect(got).toEqual([]);
    expect(error?.message).toMatch(/^gzip data is truncated after line 0: .*no complete line could be read/);
  });

  it('bytes after the end that are not gzip: all the text before them, then an error', async () => {
    const { got, error } = await read(write(Buffer.concat([gz, Buffer.from('not gzip at all\n')])));
    expect(got).toEqual(await plainLines(text));
    expect(error?.message).toBe(`gzip data is corrupt after line ${got.length}: incorrect header check; lines 1-${got.length} were read, the rest of the file was not`);
  });

  it('a wrong checksum: the text is delivered, and the error says it may be damaged', async () => {
    const bad = Buffer.from(gz);
    // The CRC-32 of the text, in the 8-byte trailer.
    bad.writeUInt32LE((bad.readUInt32LE(bad.length - 8) ^ 0xffffffff) >>> 0, bad.length - 8);
    const { got, error } = await read(write(bad));
    expect(got).toEqual(await plainLines(text));
    expect(error?.message).toMatch(new RegExp(`^gzip data is corrupt after line ${got.length}: incorrect data check, .*may hold damaged bytes`));
  });

  it('damaged compressed data: the lines decoded before zlib finds the damage, then an error', async () => {
    const bad = Buffer.from(gz);
    const at = Math.floor(bad.length / 2);
    bad.fill(0xff, at, at + 64);
    const expected = await plainLines(text);
    const { got, error } = await read(write(bad));
    expect(error?.message).toMatch(new RegExp(`^gzip data is corrupt after line ${got.length}: `));
    expect(got.length).toBeGreaterThan(100);
    // The text before the damage is intact (deflate may decode some garbage after it before it notices).
    expect(got.slice(0, 100)).toEqual(expected.slice(0, 100));
    expect(got.map((l) => l.lineNo)).toEqual(got.map((_, i) => i + 1));
  });

  it('a corrupt header: no line, and an error', async () => {
    const bad = Buffer.from(gz);
    bad[2] = 0x07; // compression method: only 8 (deflate) exists
    const { got, error } = await read(write(bad));
    expect(got).toEqual([]);
    expect(error?.message).toMatch(/^gzip data is corrupt after line 0: .*; no complete line could be read$/);
  });

  it('an error thrown by the caller is passed on as it is', async () => {
    const file = write(gz);
    const boom = new Error('parser failed');
    await expect(
      readLines(file, (l) => {
        if (l.lineNo === 50) throw boom;
      }),
    ).rejects.toBe(boom);
  });
});

describe('readHead on gzip', () => {
  it('returns the first lines of the decompressed text', async () => {
    const head = await readHead(write(gzipSync(AGENT_LOG)));
    expect(head.binary).toBe(false);
    expect(head.lines).toEqual(AGENT_LOG.toString('utf8').split('\n').slice(0, 5));
  });

  it('reads only the start: a long file cut far past its first 64 KiB of text still has a head', async () => {
    const text = longText(2000);
    expect(text.length).toBeGreaterThan(2 * 1024 * 1024);
    const gz = gzipSync(text);
    const file = write(gz.subarray(0, Math.floor(gz.length / 2)));
    const head = await readHead(file);
    expect(head.lines).toEqual(['# copy 1', ...CONTAINER_LOG.toString('utf8').split('\n').slice(0, 4)]);
  });

  it('CRLF, and a first line cut by the 64 KiB limit dropped', async () => {
    const crlf = Buffer.from(AGENT_LOG.toString('utf8').replaceAll('\n', '\r\n'));
    expect((await readHead(write(gzipSync(crlf)))).lines[0]).toBe(AGENT_LOG.toString('utf8').split('\n')[0]);
    const head = await readHead(write(gzipSync(Buffer.concat([Buffer.from('first line\n'), Buffer.from('y'.repeat(200 * 1024))]))));
    expect(head.lines).toEqual(['first line']);
  });

  it('throws a gzip error when not one line can be decoded', async () => {
    const bad = gzipSync(AGENT_LOG);
    bad[2] = 0x07;
    await expect(readHead(write(bad))).rejects.toThrow(/^gzip data is corrupt after line 0/);
  });

  it('calls a gzip-compressed tar archive binary', async () => {
    const header = Buffer.alloc(512);
    header.write('agent.log', 0, 'latin1');
    header.write('0000644\0', 100, 'latin1');
    header.write('ustar\x0000', 257, 'latin1');
    const tar = Buffer.concat([header, AGENT_LOG, Buffer.alloc(1024)]);
    expect((await readHead(write(gzipSync(tar), 'backup.tar.gz'))).binary).toBe(true);
  });
});
