/**
 * An output stream that holds what is written until it is released (then
 * written through, in order, and everything after it as it comes) or
 * dropped (every later write throws Dropped, so that the code writing stops).
 * A command answering from the cache before its walk is done writes here:
 * nothing is shown before the walk has agreed with the cache.
 */
import type { OutStream } from '../context.js';

/** Held beyond this many characters, a write asks its writer to wait (it returns false, and 'drain' comes once released). */
const HOLD = 16 * 1024 * 1024;

export class Dropped extends Error {
  constructor() {
    super('output dropped: the answer was begun from a cache that no longer matches the logs');
    this.name = 'Dropped';
  }
}

export class HeldStream implements OutStream {
  readonly isTTY: boolean | undefined;
  readonly columns: number | undefined;
  private chunks: string[] = [];
  private size = 0;
  private state: 'held' | 'released' | 'dropped' = 'held';
  private waiting: Array<() => void> = [];

  constructor(private readonly to: OutStream) {
    this.isTTY = to.isTTY;
    this.columns = to.columns;
  }

  write(chunk: string): boolean {
    if (this.state === 'dropped') throw new Dropped();
    if (this.state === 'released') return this.to.write(chunk);
    this.chunks.push(chunk);
    this.size += chunk.length;
    return this.size < HOLD;
  }

  once(event: 'drain', listener: () => void): this {
    if (this.state === 'released' && this.to.once !== undefined) this.to.once(event, listener);
    else if (this.state === 'held') this.waiting.push(listener);
    else queueMicrotask(listener);
    return this;
  }

  /** Writes what was held, and from now on writes through. */
  release(): void {
    if (this.state !== 'held') return;
    this.state = 'released';
    const chunks = this.chunks;
    this.chunks = [];
    for (const chunk of chunks) this.to.write(chunk);
    this.wake();
  }

  /** Forgets what was held; every later write throws Dropped. */
  drop(): void {
    if (this.state !== 'held') return;
    this.state = 'dropped';
    this.chunks = [];
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const listener of waiting) listener();
  }
}
