import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureCorpus, generate, parseSize } from '../../../scripts/bench/generate.js';
import { obsJson } from '../../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'obs-bench-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** One hash over every file's name and bytes, in name order. */
function hashDir(dir: string): string {
  const h = createHash('sha256');
  for (const name of readdirSync(dir).sort()) h.update(name).update('\0').update(readFileSync(join(dir, name))).update('\0');
  return h.digest('hex');
}

describe('bench corpus generator', () => {
  it('reads sizes with units', () => {
    expect(parseSize('200KB')).toBe(200_000);
    expect(parseSize('100MB')).toBe(100_000_000);
    expect(parseSize('1GB')).toBe(1_000_000_000);
    expect(() => parseSize('ten')).toThrow(/not a size/);
  });

  it('gives the same bytes for the same seed and size, other bytes for another seed', async () => {
    const a = await generate(join(work, 'a'), 200_000, 7);
    const b = await generate(join(work, 'b'), 200_000, 7);
    const c = await generate(join(work, 'c'), 200_000, 8);
    expect(a).toEqual(b);
    expect(a.bytes).toBeGreaterThanOrEqual(200_000);
    expect(hashDir(join(work, 'a', 'logs'))).toBe(hashDir(join(work, 'b', 'logs')));
    expect(hashDir(join(work, 'a', 'logs'))).not.toBe(hashDir(join(work, 'c', 'logs')));
    expect((await ensureCorpus(join(work, 'a'), 200_000, 7)).reused).toBe(true);
    expect((await ensureCorpus(join(work, 'a'), 300_000, 7)).reused).toBe(false);
  });

  it('writes logs obs loads with no rejected line', async () => {
    const m = await generate(join(work, 'load'), 200_000, 3);
    const { data, exitCode } = await obsJson<{
      totals: { files: number; records: number; rejected: number; unreadable: number };
      files: { kind: string }[];
    }>(['sources', '--logs', join(work, 'load', 'logs')]);
    expect(exitCode).toBe(0);
    expect(data.totals.files).toBe(m.files);
    expect(data.totals.rejected).toBe(0);
    expect(data.totals.unreadable).toBe(0);
    expect(data.totals.records).toBeGreaterThan(100);
    expect(new Set(data.files.map((f) => f.kind))).toEqual(new Set(['session_log', 'log_index', 'llm_io', 'jsonl']));
  });
});
