/**
 * What --follow sees of its inputs: snapshots of real files, their
 * differences (new, gone, truncated, replaced), and when a file counts as
 * still being written.
 */
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { changes, signature, snapshot, Tracker, type FileStat, type Snapshot } from '../../../src/follow/watch.js';

const dir = mkdtempSync(path.join(tmpdir(), 'obs-watch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('snapshot', () => {
  it('finds the files of each path, new files in a folder, and the paths that name nothing', async () => {
    mkdirSync(path.join(dir, 'logs'));
    writeFileSync(path.join(dir, 'logs', 'app.log'), 'a\n');
    writeFileSync(path.join(dir, 'logs', 'notes.md'), 'not a log\n');
    const a = await snapshot(['logs', 'gone.log'], dir, [], 1000);
    expect([...a.files.keys()]).toEqual(['logs/app.log']);
    expect(a.missing).toEqual(['gone.log']);

    appendFileSync(path.join(dir, 'logs', 'app.log'), 'b\n');
    writeFileSync(path.join(dir, 'logs', 'worker.jsonl'), '{}\n');
    const b = await snapshot(['logs', 'gone.log'], dir, [], 2000);
    expect(signature(b)).not.toBe(signature(a));
    expect(changes(a, b)).toEqual([{ file: 'logs/worker.jsonl', what: 'new' }]);
    expect(signature(await snapshot(['logs', 'gone.log'], dir, [], 3000))).toBe(signature(b));

    renameSync(path.join(dir, 'logs', 'app.log'), path.join(dir, 'logs', 'app.log.1'));
    writeFileSync(path.join(dir, 'logs', 'app.log'), 'c\n');
    writeFileSync(path.join(dir, 'logs', 'worker.jsonl'), '');
    const c = await snapshot(['logs', 'gone.log'], dir, [], 4000);
    expect(changes(b, c)).toEqual([
      { file: 'logs/app.log.1', what: 'new' },
      { file: 'logs/app.log', what: 'replaced' },
      { file: 'logs/worker.jsonl', what: 'truncated' },
    ]);
    rmSync(path.join(dir, 'logs', 'worker.jsonl'));
    expect(changes(c, await snapshot(['logs'], dir, [], 5000))).toEqual([{ file: 'logs/worker.jsonl', what: 'gone' }]);
  });
});

describe('Tracker', () => {
  const file = (size: number, mtimeMs: number, ino = 1): FileStat => ({ display: 'app.log', dev: 1, ino, size, mtimeMs });
  const snap = (at: number, f?: FileStat): Snapshot => ({ at, files: new Map(f ? [['app.log', f]] : []), missing: [] });

  it('a file is active for the settle time after its last write, by its mtime', () => {
    const t = new Tracker(250, 5000);
    t.observe(snap(10_000, file(10, 9_900)));
    expect(t.active('app.log', 10_000)).toBe(true);
    expect(t.active('app.log', 10_149)).toBe(true);
    expect(t.active('app.log', 10_150)).toBe(false);
    expect(t.quietAt('app.log')).toBe(10_150);
    // Found long after its last write: quiet at once.
    const old = new Tracker(250, 5000);
    old.observe(snap(10_000, file(10, 1_000)));
    expect(old.active('app.log', 10_000)).toBe(false);
    expect(old.renewing('app.log', 10_000)).toBe(false);
  });

  it('a changed file whose mtime is older than the last look changed after that look; one ahead of the clock, now', () => {
    const t = new Tracker(250, 5000);
    t.observe(snap(10_000, file(10, 1_000)));
    t.observe(snap(11_000, file(20, 500)));
    expect(t.quietAt('app.log')).toBe(10_000 + 250);
    t.observe(snap(12_000, file(30, 99_000)));
    expect(t.quietAt('app.log')).toBe(12_000 + 250);
  });

  it('a file created, replaced or truncated after the start is renewing while it is written, up to the limit', () => {
    const t = new Tracker(250, 1000);
    t.observe(snap(10_000));
    t.observe(snap(11_000, file(100, 11_000)));
    expect(t.renewing('app.log', 11_000)).toBe(true);
    // Still written without a pause: renewing until the limit.
    t.observe(snap(11_200, file(200, 11_200)));
    expect(t.renewing('app.log', 11_200)).toBe(true);
    t.observe(snap(11_900, file(300, 11_900)));
    expect(t.renewing('app.log', 11_900)).toBe(true);
    t.observe(snap(12_100, file(400, 12_100)));
    expect(t.active('app.log', 12_100)).toBe(true);
    expect(t.renewing('app.log', 12_100)).toBe(false);
    // Quiet, then appended to: active but not renewing.
    t.observe(snap(13_000, file(400, 12_100)));
    t.observe(snap(14_000, file(500, 14_000)));
    expect(t.active('app.log', 14_000)).toBe(true);
    expect(t.renewing('app.log', 14_000)).toBe(false);
    // Truncated: renewing again; replaced (a new inode): too.
    t.observe(snap(15_000, file(10, 15_000)));
    expect(t.renewing('app.log', 15_000)).toBe(true);
    t.observe(snap(16_000, file(10, 16_000, 2)));
    expect(t.renewing('app.log', 16_000)).toBe(true);
  });
});
