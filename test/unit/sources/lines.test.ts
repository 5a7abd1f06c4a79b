import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHead, readLines, type RawLine } from '../../../src/sources/lines.js';

const dir = mkdtempSync(path.join(tmpdir(), 'obs-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lines(bytes: Buffer | string): Promise<{ got: RawLine[]; count: Awaited<ReturnType<typeof readLines>> }> {
  const file = path.join(dir, `f${Math.random()}`);
  writeFileSync(file, bytes);
  const got: RawLine[] = [];
  const count = await readLines(file, (l) => got.push(l));
  return { got, count };
}

describe('readLines', () => {
  it('numbers lines from 1 and strips LF and CRLF ends', async () => {
    const { got, count } = await lines('a\r\nb\nc\r\n');
    expect(got.map((l) => [l.lineNo, l.text, l.unterminated])).toEqual([
      [1, 'a', false],
      [2, 'b', false],
      [3, 'c', false],
    ]);
    expect(count).toEqual({ lines: 3, bytes: 8, held: null, readTo: 8 });
  });

  it('reads on from an offset, numbering lines from the line given, across chunks', async () => {
    const file = path.join(dir, 'grown.jsonl');
    const long = 'x'.repeat(3 << 20);
    writeFileSync(file, `one\ntwo\n${long}\nfour\n`);
    const got: RawLine[] = [];
    const r = await readLines(file, (l) => got.push(l), { from: { offset: 4, lineNo: 1 } });
    expect(got.map((l) => [l.lineNo, l.text.length])).toEqual([
      [2, 3],
      [3, long.length],
      [4, 4],
    ]);
    expect(r).toEqual({ lines: 4, bytes: 13 + long.length + 1, held: null, readTo: 13 + long.length + 1 });
    // From the end: nothing to read.
    got.length = 0;
    expect(await readLines(file, (l) => got.push(l), { from: { offset: r.readTo, lineNo: 4 } })).toMatchObject({ lines: 4, readTo: r.readTo });
    expect(got).toEqual([]);
  });

  it('marks a last line without a line end as unterminated', async () => {
    const { got } = await lines('{"a":1}\n{"a":');
    expect(got.map((l) => [l.text, l.unterminated])).toEqual([
      ['{"a":1}', false],
      ['{"a":', true],
    ]);
  });

  it('leaves out a last line without a line end when asked to (--follow reads it once complete)', async () => {
    const file = path.join(dir, 'still-written.jsonl');
    writeFileSync(file, '{"a":1}\n{"a":');
    const got: RawLine[] = [];
    // The next reading starts after the last line end: the line left out is read again.
    expect(await readLines(file, (l) => got.push(l), { holdUnterminated: true })).toEqual({ lines: 1, bytes: 13, held: null, readTo: 8 });
    expect(got.map((l) => l.text)).toEqual(['{"a":1}']);
  });

  it('leaves out a last line without a line end only in a file written within the time given, and says so', async () => {
    const file = path.join(dir, 'written-now.jsonl');
    writeFileSync(file, '{"a":1}\n{"a":');
    const got: RawLine[] = [];
    const r = await readLines(file, (l) => got.push(l), { holdIfWrittenWithinMs: 600_000 });
    expect(r).toEqual({ lines: 1, bytes: 13, held: { bytes: 5, ageMs: expect.any(Number) }, readTo: 8 });
    expect(got.map((l) => l.text)).toEqual(['{"a":1}']);
    // Written an hour ago: the line was cut, and is read.
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(file, hourAgo, hourAgo);
    got.length = 0;
    expect(await readLines(file, (l) => got.push(l), { holdIfWrittenWithinMs: 600_000 })).toEqual({ lines: 2, bytes: 13, held: null, readTo: 13 });
    expect(got.map((l) => [l.text, l.unterminated])).toEqual([
      ['{"a":1}', false],
      ['{"a":', true],
    ]);
    // A file that ends with its line end holds nothing back.
    writeFileSync(file, '{"a":1}\n');
    expect((await readLines(file, () => {}, { holdIfWrittenWithinMs: 600_000 })).held).toBeNull();
  });

  it('reads an empty file as no lines, and blank lines as empty text', async () => {
    expect((await lines('')).got).toEqual([]);
    expect((await lines('\n\n')).got.map((l) => l.text)).toEqual(['', '']);
  });

  it('flags invalid UTF-8 and keeps the rest of the text', async () => {
    const { got } = await lines(Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' ok\nfine é\n')]));
    expect(got[0]?.invalidUtf8).toBe(true);
    expect(got[0]?.text).toBe('caf\uFFFD ok');
    // A real é (two bytes) and a literal U+FFFD are valid UTF-8.
    expect(got[1]?.invalidUtf8).toBe(false);
    expect((await lines('literal \uFFFD\n')).got[0]?.invalidUtf8).toBe(false);
  });

  it('removes NUL bytes and flags them', async () => {
    const { got } = await lines(Buffer.from('fl\0\0ushed\n\0\0\0'));
    expect(got.map((l) => [l.text, l.nulBytes, l.unterminated])).toEqual([
      ['flushed', true, false],
      ['', true, true],
    ]);
  });

  it('returns a line longer than the read buffer whole', async () => {
    const long = 'x'.repeat(3 * 1024 * 1024 + 17);
    const { got } = await lines(`${long}\nshort\n`);
    expect(got.map((l) => l.text.length)).toEqual([long.length, 5]);
  });

  it('keeps a multi-byte character split across two reads', async () => {
    const pad = 'a'.repeat(1024 * 1024 - 1);
    const { got } = await lines(`${pad}é\n`);
    expect(got[0]?.text.endsWith('é')).toBe(true);
    expect(got[0]?.invalidUtf8).toBe(false);
  });
});

describe('readHead', () => {
  it('calls a file with control bytes binary, and a log ending in NULs text', async () => {
    const png = path.join(dir, 'x.png');
    writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]));
    expect((await readHead(png)).binary).toBe(true);
    const log = path.join(dir, 'crashed.log');
    writeFileSync(log, Buffer.concat([Buffer.from('2026-03-02 09:00:00,000 INFO started\n'), Buffer.alloc(64)]));
    const head = await readHead(log);
    expect(head.binary).toBe(false);
    expect(head.lines).toEqual(['2026-03-02 09:00:00,000 INFO started']);
  });

  it('gives the first non-blank lines, without CR or NUL, and leaves out a line cut by the byte limit', async () => {
    const file = path.join(dir, 'head.log');
    writeFileSync(file, 'one\r\n\n   \ntw\0o\r\nthree\nfour\nfive\nsix\n');
    expect((await readHead(file)).lines).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect((await readHead(file, 2)).lines).toEqual(['one', 'two']);
    // 'three' is cut at byte 20 ('one\r\n\n   \ntw\0o\r\nthre'): left out, since the file goes on.
    expect((await readHead(file, 5, 20)).lines).toEqual(['one', 'two']);
    // A file that ends without a line end keeps its last line; so does a first line longer than the limit.
    const unterminated = path.join(dir, 'unterminated.log');
    writeFileSync(unterminated, 'a\nb');
    expect((await readHead(unterminated)).lines).toEqual(['a', 'b']);
    const long = path.join(dir, 'long.log');
    writeFileSync(long, `${'x'.repeat(100)}\n`);
    expect((await readHead(long, 5, 10)).lines).toEqual(['x'.repeat(10)]);
  });
});
