import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discover, displayPath, globToRegExp } from '../../../src/load/discover.js';

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
