import { describe, expect, it } from 'vitest';
import { Dropped, HeldStream } from '../../../src/output/held.js';
import type { OutStream } from '../../../src/context.js';

/** A stream that records what reaches it. */
function sink(): OutStream & { text: string; drains: Array<() => void> } {
  const s = {
    text: '',
    drains: [] as Array<() => void>,
    isTTY: true,
    columns: 120,
    write(chunk: string): boolean {
      s.text += chunk;
      return true;
    },
    once(_event: 'drain', listener: () => void): unknown {
      s.drains.push(listener);
      return s;
    },
  };
  return s;
}

describe('HeldStream', () => {
  it('holds what is written until released, then writes it in order and writes through', () => {
    const to = sink();
    const held = new HeldStream(to);
    expect(held.isTTY).toBe(true);
    expect(held.columns).toBe(120);
    expect(held.write('a\n')).toBe(true);
    held.write('b\n');
    expect(to.text).toBe('');
    held.release();
    expect(to.text).toBe('a\nb\n');
    held.write('c\n');
    expect(to.text).toBe('a\nb\nc\n');
  });

  it('drops what it holds, and a later write throws Dropped', () => {
    const to = sink();
    const held = new HeldStream(to);
    held.write('stale\n');
    held.drop();
    expect(() => held.write('more\n')).toThrow(Dropped);
    held.release();
    expect(to.text).toBe('');
  });

  it('asks a writer to wait beyond 16 Mi characters, and lets it go on once released or dropped', async () => {
    for (const end of ['release', 'drop'] as const) {
      const to = sink();
      const held = new HeldStream(to);
      const chunk = 'x'.repeat(1024 * 1024);
      let accepted = true;
      for (let i = 0; i < 16 && accepted; i++) accepted = held.write(chunk);
      expect(accepted).toBe(false);
      let drained = false;
      held.once('drain', () => (drained = true));
      await Promise.resolve();
      expect(drained).toBe(false);
      held[end]();
      expect(drained).toBe(true);
      expect(to.text.length).toBe(end === 'release' ? 16 * 1024 * 1024 : 0);
    }
  });

  it("once released, waits on the stream's own drain", () => {
    const to = sink();
    const held = new HeldStream(to);
    held.release();
    const listener = (): void => undefined;
    held.once('drain', listener);
    expect(to.drains).toEqual([listener]);
  });
});
