/**
 * What the loader tells a progress display: the total of the files found,
 * each file started and finished, and the bytes and lines read, adding up to
 * the files' sizes and lines (a gzip file's compressed bytes).
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from '../../../src/db/database.js';
import { FormatSet } from '../../../src/formats/formats.js';
import { PriceBook } from '../../../src/llm/prices.js';
import { loadSources, type LoadProgress } from '../../../src/load/load.js';
import { readLines } from '../../../src/sources/lines.js';

const dir = mkdtempSync(path.join(tmpdir(), 'obs-load-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function jsonLines(n: number, pad = 0): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(JSON.stringify({ ts: `2026-11-21T22:18:${String(i % 60).padStart(2, '0')}Z`, level: 'info', event: 'tick', message: `tick ${i} ${'x'.repeat(pad)}` }));
  }
  return `${lines.join('\n')}\n`;
}

describe('readLines progress', () => {
  it('reports the bytes read and the lines delivered, chunk by chunk, adding up to the file', async () => {
    const file = path.join(dir, 'big.jsonl');
    // Over 2 MiB: three chunks.
    writeFileSync(file, jsonLines(3000, 800));
    const calls: Array<[number, number]> = [];
    const { lines, bytes } = await readLines(file, () => {}, { onProgress: (b, l) => calls.push([b, l]) });
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.reduce((n, [b]) => n + b, 0)).toBe(statSync(file).size);
    expect(calls.reduce((n, [, l]) => n + l, 0)).toBe(lines);
    expect(lines).toBe(3000);
    expect(bytes).toBe(statSync(file).size);
  });

  it('counts the compressed bytes of a gzip file', async () => {
    const file = path.join(dir, 'app.jsonl.gz');
    writeFileSync(file, gzipSync(jsonLines(2000, 100)));
    let b = 0;
    let l = 0;
    await readLines(file, () => {}, {
      onProgress: (db, dl) => {
        b += db;
        l += dl;
      },
    });
    expect(b).toBe(statSync(file).size);
    expect(l).toBe(2000);
  });
});

describe('loadSources progress', () => {
  it('tells the total, each file started and finished, and every byte and line', async () => {
    const logs = path.join(dir, 'logs');
    mkdirSync(logs);
    writeFileSync(path.join(logs, 'a.jsonl'), jsonLines(10));
    writeFileSync(path.join(logs, 'b.log.gz'), gzipSync('2026-11-21 22:18:05,123 INFO app: started\n'));
    writeFileSync(path.join(logs, 'c.log'), Buffer.from([0, 1, 2, 3, 0, 0, 9]));
    const sizes = ['a.jsonl', 'b.log.gz', 'c.log'].map((f) => statSync(path.join(logs, f)).size);
    const events: string[] = [];
    let bytes = 0;
    let lines = 0;
    const progress: LoadProgress = {
      total: (files, b) => events.push(`total ${files} ${b}`),
      fileStarted: (p, b) => events.push(`start ${path.basename(p)} ${b}`),
      read: (b, l) => {
        bytes += b;
        lines += l;
      },
      fileFinished: (p) => events.push(`done ${path.basename(p)}`),
      filesRead: () => events.push('files read'),
    };
    const db = await Database.open();
    try {
      const result = await loadSources(db, [logs], { tz: 'UTC', cwd: dir, formats: FormatSet.create(), prices: new PriceBook(), progress });
      expect(result.files.map((f) => f.status).sort()).toEqual(['loaded', 'loaded', 'skipped']);
    } finally {
      db.close();
    }
    expect(events[0]).toBe(`total 3 ${sizes.reduce((a, b) => a + b, 0)}`);
    expect(events.filter((e) => e.startsWith('start')).sort()).toEqual([
      `start a.jsonl ${sizes[0]}`,
      `start b.log.gz ${sizes[1]}`,
      `start c.log ${sizes[2]}`,
    ]);
    expect(events.filter((e) => e.startsWith('done'))).toHaveLength(3);
    expect(events.at(-1)).toBe('files read');
    // The binary file is passed over unread.
    expect(bytes).toBe((sizes[0] ?? 0) + (sizes[1] ?? 0));
    expect(lines).toBe(11);
  });
});
