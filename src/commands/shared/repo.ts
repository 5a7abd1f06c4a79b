/**
 * The repository a CI run checked out, and which frames of a traceback point
 * into it: the innermost of those is where a failure is shown (an annotation's
 * file and line).
 *
 * The root is `--repo-root`, else `$GITHUB_WORKSPACE`, else the top of the git
 * work tree the working directory is in (the nearest folder upwards holding
 * `.git`), else the working directory. A frame is in the repository when its
 * file, made relative to the root, lies under it and is no library
 * (site-packages, dist-packages, the standard library, node_modules, `node:`,
 * `<frozen ...>`, `<string>`, ...). A path written on another machine
 * (`/home/runner/work/app/app/src/x.py`) is matched by dropping its leading
 * folders until what remains is a file under the root (`src/x.py`).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { usageError } from '../../errors.js';
import { isApplicationFrame } from '../../load/errors/fingerprint.js';
import type { ChainLink, Frame } from '../../tracebacks/index.js';

export type RootFrom = 'flag' | 'GITHUB_WORKSPACE' | 'git' | 'cwd';

export interface RepoRoot {
  root: string;
  from: RootFrom;
}

export interface Location {
  /** Relative to the root, with `/` separators. */
  file: string;
  line: number | null;
  function: string | null;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The nearest folder from `dir` upwards that holds `.git` (a folder, or a file in a worktree or submodule). */
export function gitTopLevel(dir: string): string | null {
  let d = path.resolve(dir);
  for (;;) {
    if (existsSync(path.join(d, '.git'))) return d;
    const up = path.dirname(d);
    if (up === d) return null;
    d = up;
  }
}

/** Where the repository is, by the rules above. A --repo-root that is not a folder is a usage error. */
export function findRepoRoot(flag: string | undefined, env: Record<string, string | undefined>, cwd: string, warn: (m: string) => void): RepoRoot {
  if (flag !== undefined) {
    const root = path.resolve(cwd, flag);
    if (!isDirectory(root)) {
      throw usageError(`--repo-root ${flag} is not a folder`, { help: 'give the folder the repository is checked out in (GitHub Actions: $GITHUB_WORKSPACE)' });
    }
    return { root, from: 'flag' };
  }
  const workspace = env['GITHUB_WORKSPACE'];
  if (workspace !== undefined && workspace !== '') {
    const root = path.resolve(cwd, workspace);
    if (isDirectory(root)) return { root, from: 'GITHUB_WORKSPACE' };
    warn(`GITHUB_WORKSPACE=${workspace} is not a folder; looking for the repository from the working directory`);
  }
  const top = gitTopLevel(cwd);
  if (top !== null) return { root: top, from: 'git' };
  return { root: path.resolve(cwd), from: 'cwd' };
}

/** Frames of no application: those of the fingerprint's list, and any `<...>` pseudo-file (`<string>`, `<stdin>`). */
function isLibrary(file: string): boolean {
  return !isApplicationFrame({ file, line: null, function: null, code: null }) || /^<.*>$/.test(file) || /(?:^|\/)(?:site|dist)-packages\//.test(file);
}

export class Repository {
  private readonly cache = new Map<string, string | null>();

  constructor(readonly root: string) {}

  private isFile(rel: string): boolean {
    try {
      return statSync(path.join(this.root, rel)).isFile();
    } catch {
      return false;
    }
  }

  /** The frame's file relative to the root, or null when it is not in the repository. */
  relative(file: string): string | null {
    const known = this.cache.get(file);
    if (known !== undefined) return known;
    const rel = this.resolve(file);
    this.cache.set(file, rel);
    return rel;
  }

  private resolve(printed: string): string | null {
    let file = printed;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        return null;
      }
    }
    file = file.replace(/\\/g, '/');
    if (isLibrary(file)) return null;
    const isAbsolute = file.startsWith('/') || /^[A-Za-z]:\//.test(file);
    if (isAbsolute && path.sep === '/' && file.startsWith('/')) {
      const rel = path.relative(this.root, file);
      if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return isLibrary(rel) ? null : rel.split(path.sep).join('/');
    }
    const parts = file.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.some((p) => p === '..')) return null;
    // Written elsewhere (another machine, a container): the longest tail that is a file here.
    const start = !isAbsolute ? 0 : /^[A-Za-z]:$/.test(parts[0] ?? '') ? 1 : 0;
    for (let i = start; i < parts.length; i++) {
      const rel = parts.slice(i).join('/');
      if (this.isFile(rel)) return isLibrary(rel) ? null : rel;
    }
    return null;
  }

  /**
   * The innermost frame in the repository: of the final exception, else of
   * the exceptions chained to it, nearest first. Null when none is.
   */
  innermost(frames: Frame[], chain: ChainLink[] = []): Location | null {
    for (const list of [frames, ...chain.map((c) => c.frames)]) {
      for (let i = list.length - 1; i >= 0; i--) {
        const f = list[i]!;
        const rel = this.relative(f.file);
        if (rel !== null) return { file: rel, line: f.line, function: f.function };
      }
    }
    return null;
  }
}
