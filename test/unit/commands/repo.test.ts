/**
 * Which frames point into the repository, and where the repository is: the
 * fixture project (fixtures/triage/repo) stands for a checkout, and the
 * paths are those its CI run printed (/home/runner/work/app/app/...).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRepoRoot, gitTopLevel, Repository } from '../../../src/commands/shared/repo.js';
import { ObsError } from '../../../src/errors.js';
import type { Frame } from '../../../src/tracebacks/index.js';

const REPO = path.resolve(import.meta.dirname, '../../../fixtures/triage/repo');
const repo = new Repository(REPO);
const frame = (file: string, line: number, fn: string | null = null): Frame => ({ file, line, function: fn, code: null });

describe('frames in the repository', () => {
  it('finds a path printed on another machine by its longest tail that is a file of the repository', () => {
    expect(repo.relative('/home/runner/work/app/app/src/app/pricing.py')).toBe('src/app/pricing.py');
    expect(repo.relative('file:///home/runner/work/app/app/web/src/quote.js')).toBe('web/src/quote.js');
    expect(repo.relative('C:\\a\\app\\tests\\test_pricing.py')).toBe('tests/test_pricing.py');
    expect(repo.relative(path.join(REPO, 'src/app/config.py'))).toBe('src/app/config.py');
    expect(repo.relative('tests/conftest.py')).toBe('tests/conftest.py');
  });

  it('leaves out libraries, runtimes, pseudo-files and files the repository does not have', () => {
    for (const file of [
      '/opt/hostedtoolcache/Python/3.11.7/x64/lib/python3.11/json/decoder.py',
      '/home/runner/.local/lib/python3.11/site-packages/app/pricing.py',
      '/usr/lib/python3/dist-packages/src/app/pricing.py',
      '/home/runner/work/app/app/web/node_modules/src/quote.js',
      'node:internal/test_runner/test',
      'node:async_hooks',
      '<frozen importlib._bootstrap>',
      '<string>',
      '<anonymous>',
      '/home/runner/work/app/app/src/app/missing.py',
      '../outside/src/app/pricing.py',
    ]) {
      expect(repo.relative(file), file).toBeNull();
    }
  });

  it('places a failure at the innermost frame in the repository, else at one of its causes, else nowhere', () => {
    const frames = [
      frame('/home/runner/work/app/app/tests/conftest.py', 10, 'settings'),
      frame('/home/runner/work/app/app/src/app/config.py', 7, 'load'),
      frame('/opt/hostedtoolcache/Python/3.11.7/x64/lib/python3.11/json/decoder.py', 353, 'raw_decode'),
    ];
    expect(repo.innermost(frames)).toEqual({ file: 'src/app/config.py', line: 7, function: 'load' });
    const library = [frame('/usr/lib/python3.11/socket.py', 1, 'connect')];
    const cause = { relation: 'cause' as const, depth: 0, type: 'KeyError', message: "'x'", frames: [frame('/srv/x/src/app/pricing.py', 13, 'unit_price')] };
    expect(repo.innermost(library, [cause])).toEqual({ file: 'src/app/pricing.py', line: 13, function: 'unit_price' });
    expect(repo.innermost(library)).toBeNull();
  });
});

describe('the repository root', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'obs-repo-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const checkout = path.join(tmp, 'checkout');
  mkdirSync(path.join(checkout, 'src', 'deep'), { recursive: true });
  const plain = path.join(tmp, 'plain');
  mkdirSync(plain);

  it('is --repo-root, then $GITHUB_WORKSPACE, then the git work tree, then the working directory', () => {
    const warnings: string[] = [];
    const warn = (m: string): number => warnings.push(m);
    mkdirSync(path.join(checkout, '.git'));
    const cwd = path.join(checkout, 'src', 'deep');
    expect(findRepoRoot('../..', { GITHUB_WORKSPACE: plain }, cwd, warn)).toEqual({ root: checkout, from: 'flag' });
    expect(findRepoRoot(undefined, { GITHUB_WORKSPACE: plain }, cwd, warn)).toEqual({ root: plain, from: 'GITHUB_WORKSPACE' });
    expect(findRepoRoot(undefined, {}, cwd, warn)).toEqual({ root: checkout, from: 'git' });
    expect(warnings).toEqual([]);
    // A workspace that is not there is said, and the next rule applies.
    expect(findRepoRoot(undefined, { GITHUB_WORKSPACE: path.join(tmp, 'gone') }, cwd, warn)).toEqual({ root: checkout, from: 'git' });
    expect(warnings).toHaveLength(1);
    // A worktree's or submodule's .git is a file.
    const worktree = path.join(tmp, 'worktree');
    mkdirSync(path.join(worktree, 'a'), { recursive: true });
    writeFileSync(path.join(worktree, '.git'), 'gitdir: /elsewhere\n');
    expect(gitTopLevel(path.join(worktree, 'a'))).toBe(worktree);
  });

  it('is the working directory outside any work tree (when no folder above holds .git)', () => {
    if (gitTopLevel(plain) !== null) return;
    expect(findRepoRoot(undefined, {}, plain, () => {})).toEqual({ root: plain, from: 'cwd' });
  });

  it('a --repo-root that is no folder is a usage error', () => {
    expect(() => findRepoRoot('nope', {}, plain, () => {})).toThrow(ObsError);
    try {
      findRepoRoot('nope', {}, plain, () => {});
    } catch (err) {
      expect((err as ObsError).exitCode).toBe(2);
      expect((err as ObsError).message).toContain('--repo-root nope');
    }
  });
});
