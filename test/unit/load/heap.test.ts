import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { newReport } from '../../../src/load/load.js';
import { paceHeap } from '../../../src/heap.js';

const MB = 1024 * 1024;
const used = (): number => v8.getHeapStatistics().used_heap_size;

describe('paceHeap', () => {
  it('collects once the heap is the headroom past what was in use, and not before', () => {
    paceHeap(Number.MAX_SAFE_INTEGER); // measures what is in use now
    let garbage: Array<{ i: number; s: string }> | null = Array.from({ length: 1_000_000 }, (_, i) => ({ i, s: `row ${i}` }));
    expect(garbage.length).toBe(1_000_000);
    garbage = null;
    const before = used();
    paceHeap(Number.MAX_SAFE_INTEGER);
    expect(used()).toBeGreaterThan(before - 10 * MB);
    paceHeap(16 * MB);
    expect(used()).toBeLessThan(before - 40 * MB);
  });
});

describe('newReport', () => {
  it('starts every count at zero, with the path, kind, status, size and note given', () => {
    const r = newReport('logs/a.jsonl', 'jsonl', 'loaded', 123, null);
    expect(r).toEqual({
      path: 'logs/a.jsonl',
      kind: 'jsonl',
      status: 'loaded',
      sizeBytes: 123,
      note: null,
      lines: 0,
      recordLines: 0,
      records: 0,
      rejected: 0,
      repaired: 0,
      blank: 0,
      untimed: 0,
      firstTs: null,
      lastTs: null,
      formats: {},
      issues: [],
    });
    // Each report its own counters.
    expect(newReport('b', 'jsonl', 'loaded', 1, null).issues).not.toBe(r.issues);
  });
});
