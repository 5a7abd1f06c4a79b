import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { beginDiscover, discover, displayPath, globToRegExp } from '../../../src/load/discover.js';

const dir = mkdtempSync(path.join(tmpdir(), 'obs-discover-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('globToRegExp', () => {
  it('matches *, **, ?, classes and braces on whole paths', () => {
    expect(globToRegExp('logs/*.jsonl').test('logs/app.jsonl')).toBe(true);
    expect(globToRegExp('logs/*.jsonl').test('logs/sub/app.jsonl')).toBe(false);
    expect(globToRegExp('logs/**/*.jsonl').test('logs/sub/deep/app.jsonl')).toBe(true);
    expect(globToRegExp('logs/**/*.jsonl').test('logs/app.jsonl')).toBe(true);
    expect(globToRegExp('app.log.?').test('app.log.1')).toBe(true);
    expect(globToRegExp('llm_io_[0-9]*.jsonl').test('llm_io_2026.jsonl')).toBe(true);
    expect(globToRegExp('*.{log,jsonl}').test('a.jsonl')).toBe(true);
    expect(globToRegExp('*.{log,jsonl}').test('a.txt')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });
});

describe('discover', () => {
  mkdirSync(path.join(dir, 'logs/sub'), { recursive: true });
  mkdirSync(path.join(dir, 'logs/.hidden'), { recursive: true });
  writeFileSync(path.join(dir, 'logs/b.jsonl'), '{}\n');
  writeFileSync(path.join(dir, 'logs/a.log'), 'x\n');
  writeFileSync(path.join(dir, 'logs/app.log.1'), 'x\n');
  writeFileSync(path.join(dir, 'logs/config.yml'), 'x: 1\n');
  writeFileSync(path.join(dir, 'logs/old.log.gz'), 'x');
  writeFileSync(path.join(dir, 'logs/older.log.bz2'), 'x');
  writeFileSync(path.join(dir, 'logs/sub/c.jsonl'), '{}\n');
  writeFileSync(path.join(dir, 'logs/.hidden/d.jsonl'), '{}\n');
  symlinkSync('loop.log', path.join(dir, 'logs/loop.log'));

  it('walks folders in name order, reports what it passes over and what it cannot read', async () => {
    const d = await discover(['logs'], dir);
    expect(d.files.map((f) => f.display)).toEqual(['logs/a.log', 'logs/app.log.1', 'logs/b.jsonl', 'logs/old.log.gz', 'logs/sub/c.jsonl']);
    expect(d.ignored.map((i) => i.display).sort()).toEqual(['logs/config.yml', 'logs/older.log.bz2']);
    expect(d.unreadable.map((u) => u.display)).toEqual(['logs/loop.log']);
  });

  it('reads a file named explicitly whatever its name, once', async () => {
    const d = await discover(['logs/config.yml', 'logs/config.yml', 'logs'], dir);
    expect(d.files.map((f) => f.display)).toEqual(['logs/config.yml', 'logs/a.log', 'logs/app.log.1', 'logs/b.jsonl', 'logs/old.log.gz', 'logs/sub/c.jsonl']);
  });

  it('expands globs, and fails with exit 3 when a path or glob names nothing', async () => {
    const d = await discover(['logs/**/*.jsonl'], dir);
    expect(d.files.map((f) => f.display)).toEqual(['logs/b.jsonl', 'logs/sub/c.jsonl']);
    await expect(discover(['nope'], dir)).rejects.toMatchObject({ exitCode: 3, message: 'cannot read nope' });
    await expect(discover(['logs/*.csv'], dir)).rejects.toMatchObject({ exitCode: 3 });
  });

  it('lists a file once whether a link, a second path or the folder names it first', async () => {
    mkdirSync(path.join(dir, 'twice/sub'), { recursive: true });
    writeFileSync(path.join(dir, 'twice/b.log'), 'x\n');
    writeFileSync(path.join(dir, 'twice/sub/c.log'), 'x\n');
    // A link met before its target, in the same folder, and a folder linked to its own subfolder.
    symlinkSync('b.log', path.join(dir, 'twice/a.log'));
    symlinkSync('sub', path.join(dir, 'twice/linked'));
    const d = await discover(['twice', 'twice/sub/c.log', 'twice/sub'], dir);
    expect(d.files.map((f) => f.display)).toEqual(['twice/a.log', 'twice/linked/c.log']);
    expect(d.files.map((f) => f.abs)).toEqual([path.join(dir, 'twice/b.log'), path.join(dir, 'twice/sub/c.log')]);
  });

  it('reports a file gone between the listing and its stat as unreadable, with why', async () => {
    mkdirSync(path.join(dir, 'gone'));
    writeFileSync(path.join(dir, 'gone/a.log'), 'x\n');
    writeFileSync(path.join(dir, 'gone/b.log'), 'x\n');
    const pending = await beginDiscover(['gone'], dir);
    unlinkSync(path.join(dir, 'gone/a.log'));
    const d = await pending.done();
    expect(d.files.map((f) => f.display)).toEqual(['gone/b.log']);
    expect(d.unreadable).toEqual([{ display: 'gone/a.log', reason: expect.stringContaining('ENOENT') }]);
  });
});

describe('beginDiscover on a thread of its own', () => {
  // Many files, in two folders, with a link and a name passed over.
  const many = path.join(dir, 'many');
  mkdirSync(path.join(many, 'b'), { recursive: true });
  for (let i = 0; i < 5000; i++) writeFileSync(path.join(many, i % 2 === 0 ? 'b' : '', `s${String(i).padStart(4, '0')}.log`), 'x'.repeat(i % 7));
  writeFileSync(path.join(many, 'notes.md'), '#\n');
  symlinkSync('b/s0000.log', path.join(many, 'a-link.log'));

  it("finds what the walk here finds, each file's stat as stat says, the thread doing the stat", async () => {
    const here = await discover(['many', 'many/b/s0002.log'], dir);
    const pending = await beginDiscover(['many', 'many/b/s0002.log'], dir, { thread: 'always' });
    // Time for the thread to stat every file: this thread then has none left.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const threaded = await pending.done();
    expect(pending.statsByThread()).toBe(5000);
    expect(threaded).toEqual(here);
    expect(threaded.files).toHaveLength(5000);
    expect(threaded.ignored.map((i) => i.display)).toEqual(['many/notes.md']);
    for (const f of threaded.files.filter((_, i) => i % 97 === 0)) {
      const s = statSync(f.abs);
      expect(f.stats).toEqual({ dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs });
    }
  });

  it('gives the same when this thread stats alongside it from the start', async () => {
    const pending = await beginDiscover(['many'], dir, { thread: 'always' });
    expect(await pending.done()).toEqual(await discover(['many'], dir));
  });

  it('gives the same names to files shown by their absolute paths, and through a linked folder', async () => {
    symlinkSync('many/b', path.join(dir, 'b-linked'));
    const specs = [path.join(dir, 'b-linked'), many];
    const threaded = await (await beginDiscover(specs, path.join(dir, 'logs'), { thread: 'always' })).done();
    expect(threaded).toEqual(await discover(specs, path.join(dir, 'logs')));
    expect(threaded.files[0]).toMatchObject({ abs: path.join(many, 'b', 's0000.log'), display: path.join(dir, 'b-linked', 's0000.log') });
    expect(threaded.files).toHaveLength(5000);
  });

  it('leaves the stat to the thread when asked not to help, until help() is called', async () => {
    const pending = await beginDiscover(['many'], dir, { thread: 'always' });
    const found = await pending.done({ help: false });
    expect(pending.statsByThread()).toBe(5000);
    expect(found).toEqual(await discover(['many'], dir));
    const helped = await beginDiscover(['many'], dir, { thread: 'always' });
    const finding = helped.done({ help: false });
    await helped.help();
    expect(await finding).toEqual(found);
  });

  it('fails as the walk here does: exit 3 for a path or glob that names nothing', async () => {
    await expect(beginDiscover(['nope'], dir, { thread: 'always' })).rejects.toMatchObject({
      exitCode: 3,
      message: 'cannot read nope',
      reason: 'no such file or directory',
      help: expect.stringContaining('--logs'),
    });
    await expect(beginDiscover(['logs/*.csv'], dir, { thread: 'always' })).rejects.toMatchObject({ exitCode: 3, message: 'no file matches logs/*.csv' });
  });

  it('finds no file in an empty folder', async () => {
    mkdirSync(path.join(dir, 'empty'));
    const d = await (await beginDiscover(['empty'], dir, { thread: 'always' })).done();
    expect(d).toEqual({ files: [], ignored: [], unreadable: [] });
  });
});

describe('beginDiscover for large folders', () => {
  it('starts the thread for a folder whose own size is 256 KiB or more, not for a small one', async () => {
    const large = path.join(dir, 'large');
    mkdirSync(large);
    // 4,000 long names: some 430 KiB of entries on ext4, XFS or btrfs.
    for (let i = 0; i < 4000; i++) writeFileSync(path.join(large, `${'session-'.repeat(12)}${String(i).padStart(4, '0')}.log`), '');
    const wait = (): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, 1000));
    const pending = await beginDiscover(['large'], dir, { thread: 'for large folders' });
    await wait();
    expect((await pending.done()).files).toHaveLength(4000);
    // The rule, whatever size this file system gives a folder.
    expect(pending.statsByThread()).toBe(statSync(large).size >= 256 * 1024 ? 4000 : 0);

    const small = await beginDiscover(['logs'], dir, { thread: 'for large folders' });
    await wait();
    await small.done();
    expect(small.statsByThread()).toBe(0);
  });
});

describe('displayPath', () => {
  /** What path.relative says: the path from cwd when the file is below it, else the absolute path. */
  const reference = (abs: string, cwd: string): string => {
    const rel = path.relative(cwd, abs);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
  };

  it('names a file below the working directory from there, any other by its absolute path', () => {
    const cases: Array<[string, string]> = [
      ['/srv/logs/app.log', '/srv'],
      ['/srv/logs/app.log', '/srv/'],
      ['/srv/logs/app.log', '/srv/logs'],
      ['/srv/logs', '/srv/logs'],
      ['/srv/logs/app.log', '/srv/log'],
      ['/srv/logs-old/app.log', '/srv/logs'],
      ['/srv/logs/..hidden.log', '/srv/logs'],
      ['/srv/logs/...log', '/srv/logs'],
      ['/srv/app.log', '/srv/logs'],
      ['/app.log', '/'],
      ['/srv/logs/app.log', '/'],
      ['/srv/logs/app.log', 'srv'],
      ['logs/app.log', '/srv'],
    ];
    for (const [abs, cwd] of cases) expect(displayPath(abs, cwd), `${abs} from ${cwd}`).toBe(reference(abs, cwd));
  });
});
