/**
 * End to end on fixtures/formats/rotation/ (written by Python's
 * RotatingFileHandler, see fixtures/formats/README.md): a folder of rotated
 * files, plain or gzip-compressed, is read oldest first, and its records come
 * out once each, in order. Expected values come from expected.json.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, obsJson } from '../helpers/cli.js';

type Row = Record<string, unknown>;

interface RotationExpected {
  seq_first: number;
  seq_last: number;
  records: number;
  read_order_oldest_first: string[];
}

interface FileExpected {
  physical_lines: number;
  records: number;
  seq_first: number;
  seq_last: number;
  gzip: boolean;
}

const FORMATS = `${FIXTURES}/formats`;
const expected = JSON.parse(readFileSync(`${FORMATS}/expected.json`, 'utf8')) as {
  rotation: Record<string, RotationExpected>;
  files: Record<string, FileExpected>;
};

interface SourcesDoc {
  totals: Row;
  passed_over: Row[];
  files: Row[];
}

interface EventsDoc {
  count: number;
  truncated: boolean;
  events: Row[];
}

/** The N of a message that starts with seq=N. */
function seqOf(message: unknown): number {
  const m = /^seq=(\d+)\b/.exec(String(message));
  if (m === null) throw new Error(`no seq=N at the start of ${String(message)}`);
  return Number(m[1]);
}

const range = (first: number, last: number): number[] => Array.from({ length: last - first + 1 }, (_, i) => first + i);

const dirs = Object.keys(expected.rotation);

describe('rotation fixtures', () => {
  it('expected.json describes the gzip and the plain folders', () => {
    expect([...dirs].sort()).toEqual(['rotation/gzip', 'rotation/plain']);
  });

  for (const dir of dirs) {
    const want = expected.rotation[dir] as RotationExpected;

    it(`${dir}: obs sources lists the files oldest first, with their line counts and nothing rejected`, async () => {
      const { data, exitCode, stderr } = await obsJson<SourcesDoc>(['sources', '--logs', `fixtures/formats/${dir}`]);
      expect(exitCode, stderr).toBe(0);
      expect(data.files.map((f) => f['path'])).toEqual(want.read_order_oldest_first.map((p) => `fixtures/formats/${p}`));
      for (const f of data.files) {
        const file = expected.files[String(f['path']).replace('fixtures/formats/', '')] as FileExpected;
        expect(f).toMatchObject({ status: 'loaded', lines: file.physical_lines, records: file.records, rejected: 0, repaired: 0, note: null });
      }
      expect(data.passed_over).toEqual([]);
      expect(data.totals).toMatchObject({ files: want.read_order_oldest_first.length, records: want.records, rejected: 0, unreadable: 0 });
      // The gzip folder really holds gzip files (magic bytes 1f 8b), read as text.
      const gz = want.read_order_oldest_first.filter((p) => (expected.files[p] as FileExpected).gzip);
      expect(gz.length > 0).toBe(dir === 'rotation/gzip');
      for (const p of gz) expect([...readFileSync(`${FORMATS}/${p}`).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    });

    it(`${dir}: obs events holds seq ${want.seq_first}..${want.seq_last} once each, time never going back`, async () => {
      const { data, exitCode, stderr } = await obsJson<EventsDoc>(['events', '--logs', `fixtures/formats/${dir}`]);
      expect(exitCode, stderr).toBe(0);
      expect(data.truncated).toBe(false);
      expect(data.count).toBe(want.records);
      const bySeq = [...data.events].sort((a, b) => seqOf(a['message']) - seqOf(b['message']));
      expect(bySeq.map((e) => seqOf(e['message']))).toEqual(range(want.seq_first, want.seq_last));
      const times = bySeq.map((e) => Date.parse(String(e['ts'])));
      expect(times.every((t) => Number.isFinite(t))).toBe(true);
      for (let i = 1; i < times.length; i++) expect(times[i], `seq ${i + want.seq_first}`).toBeGreaterThanOrEqual(times[i - 1] as number);
      // Each record comes from the file whose range holds its seq.
      for (const e of bySeq) {
        const seq = seqOf(e['message']);
        const from = String(e['source_file']).replace('fixtures/formats/', '');
        const file = expected.files[from] as FileExpected;
        expect(seq >= file.seq_first && seq <= file.seq_last, `seq ${seq} in ${from}`).toBe(true);
      }
    });
  }
});

describe('rotation: a damaged gzip backup among good ones', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'obs-rotation-e2e-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const want = expected.rotation['rotation/gzip'] as RotationExpected;
  for (const name of readdirSync(`${FORMATS}/rotation/gzip`)) copyFileSync(`${FORMATS}/rotation/gzip/${name}`, path.join(tmp, name));
  const damaged = path.basename(want.read_order_oldest_first[1] as string);
  const bytes = readFileSync(path.join(tmp, damaged));
  writeFileSync(path.join(tmp, damaged), bytes.subarray(0, bytes.length - 40));
  writeFileSync(path.join(tmp, 'app.log.9.bz2'), 'BZh9');

  it('marks only that file unreadable, saying after which line the gzip data ends, and passes over the bzip2 file', async () => {
    const { data } = await obsJson<SourcesDoc>(['sources', '--logs', tmp]);
    expect(data.files.map((f) => path.basename(String(f['path'])))).toEqual(want.read_order_oldest_first.map((p) => path.basename(p)));
    const bad = data.files.find((f) => path.basename(String(f['path'])) === damaged) as Row;
    expect(bad['status']).toBe('unreadable');
    expect(bad['note']).toMatch(new RegExp(`^gzip data is truncated after line ${String(bad['lines'])}: `));
    expect(data.files.filter((f) => f !== bad).every((f) => f['status'] === 'loaded')).toBe(true);
    expect(data.passed_over).toEqual([{ path: path.join(tmp, 'app.log.9.bz2'), reason: 'bzip2-compressed: obs reads gzip only; decompress it first (bunzip2 -k)' }]);
  });
});
