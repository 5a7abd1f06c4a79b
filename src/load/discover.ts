/**
 * Finds the log files named by --logs / OBS_LOGS / the config file: files,
 * directories (walked recursively), and globs. Every path that is missing is
 * an error (exit 3); every file passed over is reported, never dropped in
 * silence.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { noInputError } from '../errors.js';

export interface FoundFile {
  /** Real path, used to read and to de-duplicate. */
  abs: string;
  /** Path as shown to users: relative to the working directory when inside it. */
  display: string;
  size: number;
}

export interface PassedOver {
  display: string;
  reason: string;
}

export interface Discovery {
  files: FoundFile[];
  /** Files in walked directories whose names are not logs (config, images...). */
  ignored: PassedOver[];
  /** Entries that could not be examined (broken links, permission denied). */
  unreadable: PassedOver[];
}

/** Names a directory walk reads. A file named explicitly is always read. */
const LOG_NAME = /\.(log|jsonl|ndjson|json|txt|out|err)$|\.log\.\d+$/i;
const COMPRESSED = /\.(gz|bz2|xz|zst|zip)$/i;
const GLOB_CHARS = /[*?[{]/;

export function displayPath(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/** Converts a glob (`*`, `**`, `?`, `[...]`, `{a,b}`) into an anchored RegExp over '/'-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let inBraces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else if (c === '{') {
      inBraces++;
      re += '(?:';
    } else if (c === '}' && inBraces > 0) {
      inBraces--;
      re += ')';
    } else if (c === ',' && inBraces > 0) re += '|';
    else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

interface WalkState {
  cwd: string;
  seen: Set<string>;
  out: Discovery;
}

async function addFile(abs: string, size: number, st: WalkState): Promise<void> {
  let real = abs;
  try {
    real = await realpath(abs);
  } catch {
    // keep abs
  }
  if (st.seen.has(real)) return;
  st.seen.add(real);
  st.out.files.push({ abs: real, display: displayPath(abs, st.cwd), size });
}

/**
 * Walks a folder, depth first in name order. With a glob's match function,
 * returns how many files matched (including files already found by an
 * earlier path), so a glob is "empty" only when it matches nothing at all.
 */
async function walk(dir: string, st: WalkState, match?: (abs: string) => boolean): Promise<number> {
  let matched = 0;
  // Folders seen in this walk: a symbolic link back up the tree is not followed twice.
  const seenDirs = new Set<string>();
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    let real: string;
    try {
      real = await realpath(current);
    } catch (err) {
      st.out.unreadable.push({ display: displayPath(current, st.cwd), reason: (err as Error).message });
      continue;
    }
    if (seenDirs.has(real)) continue;
    seenDirs.add(real);
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (err) {
      st.out.unreadable.push({ display: displayPath(current, st.cwd), reason: (err as Error).message });
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const abs = path.join(current, entry.name);
      let s;
      try {
        s = await stat(abs);
      } catch (err) {
        st.out.unreadable.push({ display: displayPath(abs, st.cwd), reason: (err as Error).message });
        continue;
      }
      if (s.isDirectory()) {
        subdirs.push(abs);
        continue;
      }
      if (!s.isFile()) continue;
      if (match && !match(abs)) continue;
      if (!match && COMPRESSED.test(entry.name)) {
        st.out.ignored.push({ display: displayPath(abs, st.cwd), reason: 'compressed files are not read by this version' });
        continue;
      }
      if (!match && !LOG_NAME.test(entry.name)) {
        st.out.ignored.push({ display: displayPath(abs, st.cwd), reason: 'not a log file name' });
        continue;
      }
      matched++;
      await addFile(abs, s.size, st);
    }
    stack.push(...subdirs.reverse());
  }
  return matched;
}

function globBase(pattern: string): string {
  const parts = pattern.split('/');
  const base: string[] = [];
  for (const p of parts) {
    if (GLOB_CHARS.test(p)) break;
    base.push(p);
  }
  const joined = base.join('/');
  return joined === '' ? (pattern.startsWith('/') ? '/' : '.') : joined;
}

/**
 * Resolves path specs into files, in the order given, each file once.
 * Throws exit 3 when a path or glob names nothing.
 */
export async function discover(specs: readonly string[], cwd: string): Promise<Discovery> {
  const st: WalkState = { cwd, seen: new Set(), out: { files: [], ignored: [], unreadable: [] } };
  for (const spec of specs) {
    const abs = path.resolve(cwd, spec);
    if (GLOB_CHARS.test(spec)) {
      const base = path.resolve(cwd, globBase(spec));
      const re = globToRegExp(abs.split(path.sep).join('/'));
      try {
        await stat(base);
      } catch {
        throw noInputError(`no file matches ${spec}`, {
          reason: `the folder ${displayPath(base, cwd)} does not exist`,
          help: 'check the pattern, and quote it so that obs expands it rather than the shell',
        });
      }
      const matched = await walk(base, st, (file) => re.test(file.split(path.sep).join('/')));
      if (matched === 0) {
        throw noInputError(`no file matches ${spec}`, {
          help: 'check the pattern; a directory name reads every log file below it',
        });
      }
      continue;
    }
    let s;
    try {
      s = await stat(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw noInputError(`cannot read ${spec}`, {
        reason: code === 'ENOENT' ? 'no such file or directory' : (err as Error).message,
        help: 'pass the folder that holds the logs with --logs <path>, set OBS_LOGS, or set "logs" in obs.config.json',
      });
    }
    if (s.isDirectory()) await walk(abs, st);
    else await addFile(abs, s.size, st);
  }
  return st.out;
}
