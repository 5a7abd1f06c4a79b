/**
 * A small seeded pseudo-random generator (mulberry32), so that a fuzz run is
 * reproduced exactly from its seed.
 */
import { prng } from '../../scripts/bench/generate.js';

export class Prng {
  private readonly draw: () => number;

  constructor(readonly seed: number) {
    this.draw = prng(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }

  /** A seed for a generator of its own, so that one case's draws do not shift the next case's. */
  fork(): Prng {
    return new Prng(this.int(0, 0xffffffff));
  }
}
