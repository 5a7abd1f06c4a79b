import { describe, expect, it } from 'vitest';
import type { Context, OutStream } from '../../../src/context.js';
import { PROGRESS_THRESHOLD_BYTES, ProgressBar, progressBar, withLoadProgress } from '../../../src/output/progress.js';

const CLEAR = '\r\x1b[2K';

function terminal(columns = 200): OutStream & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    isTTY: true,
    columns,
    write(chunk: string) {
      written.push(chunk);
      return true;
    },
  };
}

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function bar(out: OutStream, c = clock(), thresholdBytes = 1000): ProgressBar {
  return new ProgressBar(out, { thresholdBytes, now: c.now, timer: false });
}

describe('ProgressBar', () => {
  it('stays hidden when the files add up to no more than the threshold', () => {
    const out = terminal();
    const b = bar(out);
    b.total(2, 1000);
    b.fileStarted('a.log', 1000);
    b.read(1000, 10);
    b.fileFinished('a.log');
    b.filesRead();
    b.tick();
    b.end();
    expect(out.written).toEqual([]);
    expect(b.showing).toBe(false);
  });

  it('draws files, bytes, lines per second and time, in place, and erases itself at the end', () => {
    const out = terminal();
    const c = clock();
    const b = bar(out, c);
    b.total(2, 4_000_000);
    expect(b.showing).toBe(true);
    expect(out.written).toEqual([`${CLEAR}loading ${'░'.repeat(20)} 0.0/4.0 MB · 0/2 files · 0s`]);
    b.fileStarted('a.log', 3_000_000);
    b.read(2_000_000, 50_000);
    c.advance(2000);
    b.tick();
    expect(out.written[1]).toBe(`${CLEAR}loading ${'█'.repeat(10)}${'░'.repeat(10)} 2.0/4.0 MB · 0/2 files · 25,000 lines/s · 2s`);
    // A file read only in part (or passed over) counts whole once finished.
    b.fileFinished('a.log');
    b.tick();
    expect(out.written[2]).toContain('3.0/4.0 MB · 1/2 files');
    b.filesRead();
    expect(out.written[3]).toBe(`${CLEAR}loading: 4.0 MB read from 2 file(s), 50,000 lines; linking records and errors · 2s`);
    b.end();
    expect(out.written[4]).toBe(CLEAR);
    expect(b.showing).toBe(false);
    // Nothing is drawn once it has ended.
    b.total(3, 9_000_000);
    b.tick();
    expect(out.written).toHaveLength(5);
  });

  it('redraws only when the text changed', () => {
    const out = terminal();
    const c = clock();
    const b = bar(out, c);
    b.total(1, 2000);
    b.tick();
    b.tick();
    c.advance(50);
    b.tick();
    expect(out.written).toHaveLength(1);
    c.advance(1000);
    b.tick();
    expect(out.written).toHaveLength(2);
  });

  it('clears itself before another stderr write and draws again after it', () => {
    const out = terminal();
    const b = bar(out);
    b.total(1, 2000);
    const drawn = out.written[0] ?? '';
    b.stream.write('warning: a.log:3: line rejected\n');
    expect(out.written[1]).toBe(`${CLEAR}warning: a.log:3: line rejected\n${drawn.slice(CLEAR.length)}`);
    // A line written in pieces is not broken by the bar.
    b.stream.write('note: part');
    expect(out.written[2]).toBe(`${CLEAR}note: part`);
    b.tick();
    expect(out.written).toHaveLength(3);
    b.stream.write(' two\n');
    expect(out.written[3]).toBe(` two\n${drawn.slice(CLEAR.length)}`);
    b.end();
    // Once ended, writes pass through untouched.
    b.stream.write('after\n');
    expect(out.written.at(-1)).toBe('after\n');
  });

  it('is cut to the terminal width', () => {
    const out = terminal(40);
    const b = bar(out);
    b.total(12, 2_000_000);
    const text = (out.written[0] ?? '').slice(CLEAR.length);
    expect([...text]).toHaveLength(39);
    expect(text.endsWith('…')).toBe(true);
  });

  it('has a threshold of 50 MB by default', () => {
    expect(PROGRESS_THRESHOLD_BYTES).toBe(50_000_000);
    const out = terminal();
    const b = new ProgressBar(out, { timer: false });
    b.total(1, 50_000_000);
    expect(b.showing).toBe(false);
    b.total(1, 50_000_001);
    expect(b.showing).toBe(true);
    b.end();
  });
});

function context(stderr: OutStream, env: Record<string, string> = {}): Context {
  return { stdout: terminal(), stderr, env, cwd: '/', now: () => 0 };
}

describe('progressBar', () => {
  it('is made only for a terminal that is not dumb, without --no-progress or -q', () => {
    expect(progressBar(context(terminal()), {})).not.toBeNull();
    expect(progressBar(context(terminal()), { progress: true })).not.toBeNull();
    expect(progressBar(context(terminal()), { progress: false })).toBeNull();
    expect(progressBar(context(terminal()), { quiet: true })).toBeNull();
    expect(progressBar(context(terminal(), { TERM: 'dumb' }), {})).toBeNull();
    expect(progressBar(context({ ...terminal(), isTTY: false }), {})).toBeNull();
  });
});

describe('withLoadProgress', () => {
  it('routes stderr through the bar while loading, then restores it, also on failure', async () => {
    const err = terminal();
    const ctx = context(err);
    await expect(
      withLoadProgress(ctx, {}, async (progress) => {
        expect(progress).toBeDefined();
        expect(ctx.stderr).not.toBe(err);
        throw new Error('disk on fire');
      }),
    ).rejects.toThrow('disk on fire');
    expect(ctx.stderr).toBe(err);
  });

  it('passes no progress when none applies', async () => {
    const ctx = context({ ...terminal(), isTTY: false });
    const seen = await withLoadProgress(ctx, {}, async (progress) => progress);
    expect(seen).toBeUndefined();
  });
});
