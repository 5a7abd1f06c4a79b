/**
 * Full garbage collections obs asks V8 for, where V8 would wait too long for
 * the memory obs promises (peak memory well under the input's size).
 *
 * V8 runs its first full collection of a long read only when the heap nears a
 * limit sized from the machine's memory: building the cache of 10 GB of logs
 * (168,950 files), the heap grew from 0.2 to 0.56 GB over the first 120 s, of
 * which 0.2 GB was live, and the process peaked there at 1.05 GiB beside
 * DuckDB's memory. paceHeap, called as reading lets the event loop go, asks
 * for a collection whenever the heap has taken HEAP_HEADROOM more than the least it
 * held in use since the last one. The loader asks again, with half that,
 * before the statements that link and merge what was read (the 10 GB build
 * peaked at 1.34 GiB as merging began, with 0.42 GB of heap taken and 0.2 GB
 * of it used) and before it builds the sessions.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Growth of V8's heap past what was live that paceHeap lets pass before it collects. */
export const HEAP_HEADROOM = 192 * 1024 * 1024;

let fullGc: (() => void) | undefined;

/** A full garbage collection, with V8's gc() made available on first use (none where the runtime refuses). */
export function collectGarbage(): void {
  if (fullGc === undefined) {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    fullGc = typeof gc === 'function' ? (gc as () => void) : (): void => {};
  }
  fullGc();
}

/** The least the heap held in use since the last collection paceHeap asked for (0: not yet measured). */
let least = 0;

/**
 * Collects when V8's heap (what it has taken from the system) is `headroom`
 * past the least it held in use since the last collection asked for. A
 * collection asked for also gives the emptied pages back, which V8's own
 * collections leave taken for a while.
 */
export function paceHeap(headroom = HEAP_HEADROOM): void {
  const heap = v8.getHeapStatistics();
  if (least === 0 || heap.used_heap_size < least) least = heap.used_heap_size;
  if (heap.total_heap_size - least < headroom) return;
  collectGarbage();
  least = v8.getHeapStatistics().used_heap_size;
}
