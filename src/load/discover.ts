/**
 * Finds the log files named by --logs / OBS_LOGS / the config file: files,
 * directories (walked recursively), and globs. Every path that is missing is
 * an error (exit 3); every file passed over is reported, never dropped in
 * silence.
 */
import { statSync, type Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { noInputError } from '../errors.js';

export interface FoundFile {
  /** Real path, used to read and to de-duplicate. */
  abs: string;
  /** Path as shown to users: relative to the working directory when inside it. */
  display: string;
  size: number;
  /** What the walk saw of it (device, inode, size, time): the cache compares them with what it read. */
  stats?: FileIdentity;
}

/** The stat fields that tell a file's identity and change (kept rather than the whole Stats: a walk may find 100,000 files). */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
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

/** Names a directory walk reads (live or rotated, see rotationKey). A file named explicitly is always read. */
const LOG_EXT = '(?:log|jsonl|ndjson|json|txt|out|err)';
const LIVE_NAME = new RegExp(`\\.${LOG_EXT}$`, 'i');
/** logrotate and RotatingFileHandler: `app.log.1`, `app.log.2` (compressed: `app.log.2.gz`). */
const NUMBERED_NAME = new RegExp(`^(.+\\.${LOG_EXT})\\.(\\d+)$`, 'i');
/**
 * TimedRotatingFileHandler (`app.log.2026-11-21`, `app.log.2026-11-21_13-05`)
 * and logrotate dateext (`app.log-20261121`, `app.log-2026112113`).
 */
const DATED_NAME = new RegExp(`^(.+\\.${LOG_EXT})[-._](\\d{4}-\\d{2}-\\d{2}(?:_\\d{2}(?:-\\d{2}(?:-\\d{2})?)?)?|\\d{8}(?:\\d{2}){0,3})$`, 'i');
const GLOB_CHARS = /[*?[{]/;
const PARQUET_NAME = /\.parquet$/i;

/** Compressed files a walk passes over, with what to do about them. */
const NOT_GZIP: ReadonlyArray<[RegExp, string]> = [
  [/\.(tar\.(gz|bz2|xz|zst)|tgz|tbz2?|txz)$/i, 'compressed tar archive: obs does not read archives; extract it first (tar -xf)'],
  [/\.bz2$/i, 'bzip2-compressed: obs reads gzip only; decompress it first (bunzip2 -k)'],
  [/\.xz$/i, 'xz-compressed: obs reads gzip only; decompress it first (unxz -k)'],
  [/\.zst$/i, 'zstd-compressed: obs reads gzip only; decompress it first (unzstd)'],
  [/\.zip$/i, 'zip archive: obs reads gzip only; extract it first (unzip)'],
];

/**
 * Where a file name stands in its rotation set: `base` is the live file's
 * name (`app.log` for `app.log`, `app.log.1`, `app.log.2.gz`,
 * `app.log-20261121`); null when the name is not a log name, live or rotated.
 * `stamp` is the date of a dated name, digits only (`20261121`).
 */
export interface RotationKey {
  base: string;
  kind: 'live' | 'numbered' | 'dated';
  /** The number of a numbered name (1 is the newest backup). */
  n: number;
  stamp: string;
  gzip: boolean;
}

export function rotationKey(name: string): RotationKey | null {
  const gzip = /\.gz$/i.test(name);
  const inner = gzip ? name.slice(0, -3) : name;
  // A live name ends in its extension, a rotated one in digits: the usual case first, and alone.
  if (LIVE_NAME.test(inner)) return { base: inner, kind: 'live', n: 0, stamp: '', gzip };
  let m = DATED_NAME.exec(inner);
  if (m !== null) return { base: m[1] as string, kind: 'dated', n: 0, stamp: (m[2] as string).replace(/\D/g, ''), gzip };
  m = NUMBERED_NAME.exec(inner);
  if (m !== null) return { base: m[1] as string, kind: 'numbered', n: Number(m[2]), stamp: '', gzip };
  return null;
}

/**
 * Whether a directory walk reads a file of this name: log names, live or
 * rotated, plain or gzip-compressed, and Parquet files. Otherwise, why not.
 */
export function walkAccepts(name: string, key: RotationKey | null = rotationKey(name)): { read: true } | { read: false; reason: string } {
  // A log name, live or rotated: the names of almost every file a walk finds, known without testing what they are not.
  if (key !== null) return { read: true };
  for (const [re, reason] of NOT_GZIP) if (re.test(name)) return { read: false, reason };
  // The files of an obs export (obs export --parquet); any other Parquet file is listed as skipped, with why.
  if (PARQUET_NAME.test(name)) return { read: true };
  if (/\.gz$/i.test(name)) {
    return { read: false, reason: `gzip-compressed, but ${name.slice(0, -3)} is not a log file name (name the file in --logs to read it anyway)` };
  }
  return { read: false, reason: 'not a log file name' };
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Orders the names of one folder: by name, except that the files of one
 * rotation set (`app.log`, `app.log.1`, `app.log.2.gz`...) come together,
 * oldest first: dated names oldest date first, then numbered names highest
 * number first, then the live file.
 */
export function compareRotation(a: string, b: string): number {
  return compareRotationKeys(a, rotationKey(a), b, rotationKey(b));
}

/** compareRotation, given the names' rotation keys. */
function compareRotationKeys(a: string, ka: RotationKey | null, b: string, kb: RotationKey | null): number {
  const c = byName(ka?.base ?? a, kb?.base ?? b);
  if (c !== 0) return c;
  const rank = (k: RotationKey | null): number => (k === null || k.kind === 'live' ? 2 : k.kind === 'numbered' ? 1 : 0);
  const ra = rank(ka);
  const rb = rank(kb);
  if (ra !== rb) return ra - rb;
  if (ka !== null && kb !== null) {
    if (ka.kind === 'numbered' && ka.n !== kb.n) return kb.n - ka.n;
    // Dates of different precision: 20261121 is 20261121000000.
    if (ka.kind === 'dated') {
      const d = byName(ka.stamp.padEnd(14, '0'), kb.stamp.padEnd(14, '0'));
      if (d !== 0) return d;
    }
  }
  return byName(a, b);
}

/**
 * A folder's entries in the order a walk reads them. A folder with no rotated
 * or compressed name is in name order, which the built-in sort of the names
 * gives ten times faster than a comparison function (a folder may hold
 * a hundred thousand logs), and which the folder's listing often is already.
 */
export function inRotationOrder<T extends { entry: { name: string }; key: RotationKey | null }>(named: T[]): T[] {
  if (!named.every(({ entry, key }) => key === null || (key.kind === 'live' && key.base === entry.name))) {
    return named.sort((a, b) => compareRotationKeys(a.entry.name, a.key, b.entry.name, b.key));
  }
  if (named.every((n, i) => i === 0 || (named[i - 1] as T).entry.name < n.entry.name)) return named;
  const byEntryName = new Map(named.map((n) => [n.entry.name, n] as const));
  return [...byEntryName.keys()].sort().map((name) => byEntryName.get(name) as T);
}

/** The names in the order a walk reads them (see compareRotation). */
export function sortRotations(names: readonly string[]): string[] {
  return [...names].sort(compareRotation);
}

/** A file below the working directory by its path from there, any other by its absolute path. */
export function displayPath(abs: string, cwd: string): string {
  if (!path.isAbsolute(abs) || !path.isAbsolute(cwd)) {
    const rel = path.relative(cwd, abs);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
  }
  // Absolute paths as walks and path.resolve give them (normalized): a file below cwd starts with it. path.relative costs more, once per file.
  const base = cwd.endsWith(path.sep) ? cwd : cwd + path.sep;
  if (!abs.startsWith(base)) return abs;
  const rel = abs.slice(base.length);
  return rel !== '' && !rel.startsWith('..') ? rel : abs;
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
  /** The real paths listed, once a file may repeat one (null until then: see addReal). */
  seen: Set<string> | null;
  /** Folder walks begun. */
  walks: number;
  listed: Listing;
  out: Pick<Discovery, 'ignored' | 'unreadable'>;
  /** Entries looked at so far. */
  entries: number;
}

/**
 * The files a walk found, in its order, before their stat: a folder's
 * listing says which entries are plain files, so they are stat-ed after the
 * walk, all at once (by two threads when there are many: ListedStats). A file
 * stat-ed already (named in --logs, or reached through a link) has its identity.
 */
interface Listing {
  paths: string[];
  displays: string[];
  known: Map<number, FileIdentity>;
}

/** The walk lets other work go on after this many entries (a millisecond or two of listing). */
const YIELD_EVERY = 500;

const identityOf = (s: Stats): FileIdentity => ({ dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs });

/** Adds a file once, by its real path. */
async function addFile(abs: string, stats: Stats, st: WalkState): Promise<void> {
  let real = abs;
  try {
    real = await realpath(abs);
  } catch {
    // keep abs
  }
  addReal(abs, real, stats, st, false);
}

/**
 * Adds a file once, given its real path (a plain entry of a folder whose real
 * path is known: no promise per file). The plain entries of the first folder
 * walk cannot repeat each other (it walks each folder once, by its real path),
 * so the set of real paths is made only when a file may repeat one: one
 * named in --logs, reached through a link, or found by a second walk.
 */
function addReal(abs: string, real: string, stats: Stats | null, st: WalkState, plain: boolean): void {
  if (st.seen !== null || !plain || st.walks > 1) {
    st.seen ??= new Set(st.listed.paths);
    if (st.seen.has(real)) return;
    st.seen.add(real);
  }
  if (stats !== null) st.listed.known.set(st.listed.paths.length, identityOf(stats));
  st.listed.paths.push(real);
  st.listed.displays.push(displayPath(abs, st.cwd));
}

/**
 * Walks a folder, depth first in name order. With a glob's match function,
 * returns how many files matched (including files already found by an
 * earlier path), so a glob is "empty" only when it matches nothing at all.
 */
async function walk(dir: string, st: WalkState, match?: (abs: string) => boolean): Promise<number> {
  let matched = 0;
  st.walks++;
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
    // Each name's rotation key once, not once per comparison.
    const named = inRotationOrder(entries.map((entry) => ({ entry, key: rotationKey(entry.name) })));
    const subdirs: string[] = [];
    // Folder paths are normalized (path.resolve, and this join): a name is appended, not joined.
    const folder = current.endsWith(path.sep) ? current : current + path.sep;
    const realFolder = real.endsWith(path.sep) ? real : real + path.sep;
    for (const { entry, key } of named) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const abs = folder + entry.name;
      // Now and then, the promises of work done elsewhere (DuckDB opening the cache) go on.
      if (++st.entries % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      if (entry.isDirectory()) {
        subdirs.push(abs);
        continue;
      }
      // A link is followed now (to a folder, or a file by its real path); a plain file is stat-ed after the walk.
      let linked: Stats | null = null;
      if (entry.isSymbolicLink()) {
        try {
          linked = statSync(abs);
        } catch (err) {
          st.out.unreadable.push({ display: displayPath(abs, st.cwd), reason: (err as Error).message });
          continue;
        }
        if (linked.isDirectory()) {
          subdirs.push(abs);
          continue;
        }
        if (!linked.isFile()) continue;
      } else if (!entry.isFile()) continue;
      if (match && !match(abs)) continue;
      if (!match) {
        const accepted = walkAccepts(entry.name, key);
        if (!accepted.read) {
          st.out.ignored.push({ display: displayPath(abs, st.cwd), reason: accepted.reason });
          continue;
        }
      }
      matched++;
      if (linked !== null) await addFile(abs, linked, st);
      // Most folders are their real path: the file's path is then its real path, one string, not two.
      else addReal(abs, realFolder === folder ? abs : realFolder + entry.name, null, st, true);
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
  return (await beginDiscover(specs, cwd)).done();
}

/**
 * A walk begun: its folders are listed, and its files are being stat-ed;
 * done() gives what it found. The files' stat is the walk's largest part
 * (16,868 files: about 45 ms of 110).
 */
export interface PendingDiscovery {
  done(): Promise<Discovery>;
  /** How many files the helper thread has stat-ed so far (0 without one). */
  statsByHelper(): number;
}

/**
 * Lists the files the specs name (exit 3 when a path or glob names nothing).
 * With `helper` and many files, a thread starts that stats them while the
 * caller goes on (a command opens DuckDB in that time); done() stats what the
 * helper has not reached yet, here.
 */
export async function beginDiscover(specs: readonly string[], cwd: string, opts: { helper?: boolean } = {}): Promise<PendingDiscovery> {
  const st = await list(specs, cwd);
  const stats = new ListedStats(st.listed.paths, opts.helper === true && st.listed.paths.length >= HELPER_FROM);
  let found: Promise<Discovery> | undefined;
  const done = async (): Promise<Discovery> => {
    await stats.finish();
    return discovered(st, stats.cells);
  };
  return { done: () => (found ??= done()), statsByHelper: () => stats.byHelper() };
}

/** The walk of every spec, to the files' listing. */
async function list(specs: readonly string[], cwd: string): Promise<WalkState> {
  const st: WalkState = { cwd, seen: null, walks: 0, listed: { paths: [], displays: [], known: new Map() }, out: { ignored: [], unreadable: [] }, entries: 0 };
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
    else await addFile(abs, s, st);
  }
  return st;
}

/** Per listed file: device, inode, size, time, and 1 for a plain file, 0 for anything else; NaN until stat-ed (or when its stat failed). */
const CELLS = 5;
/** The shared counters (see ListedStats), before the cells. */
const COUNTS = 4;
/** Files claimed at a time by each thread. */
const CHUNK = 256;
/** Fewer files are stat-ed on this thread alone: 4,096 stats take about 11 ms, a thread about 30 ms to start. */
const HELPER_FROM = 4096;

/**
 * The helper thread: it claims chunks of the files from the counter it
 * shares with the walk's thread, writes what stat says into the shared cells,
 * and counts the files it is done with. A file whose stat fails is left NaN
 * (stat-ed again by the walk's thread, which reports why). Plain JavaScript
 * with no import: it runs as given.
 */
const HELPER = `
const { workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const paths = workerData.paths.split('\\0');
const counts = new Int32Array(workerData.shared, 0, ${COUNTS});
const cells = new Float64Array(workerData.shared, ${COUNTS * 4});
for (;;) {
  const from = Atomics.add(counts, 0, ${CHUNK});
  if (from >= paths.length) break;
  const to = Math.min(paths.length, from + ${CHUNK});
  for (let i = from; i < to; i++) {
    let s;
    try { s = statSync(paths[i]); } catch { continue; }
    const c = i * ${CELLS};
    cells[c] = s.dev; cells[c + 1] = s.ino; cells[c + 2] = s.size; cells[c + 3] = s.mtimeMs; cells[c + 4] = s.isFile() ? 1 : 0;
  }
  Atomics.add(counts, 2, to - from);
  Atomics.add(counts, 1, to - from);
  Atomics.notify(counts, 1);
}
`;

/**
 * The listed files' stat, in cells shared by this thread and, for many
 * files, a helper thread. The counts: the next file to claim, the files done,
 * and those of them the helper did.
 */
class ListedStats {
  readonly cells: Float64Array;
  private readonly counts: Int32Array;
  private helper: Worker | null = null;
  private helperEnded: Promise<'ended'> | null = null;

  constructor(
    private readonly paths: readonly string[],
    withHelper: boolean,
  ) {
    const shared = new SharedArrayBuffer(COUNTS * 4 + paths.length * CELLS * 8);
    this.counts = new Int32Array(shared, 0, COUNTS);
    this.cells = new Float64Array(shared, COUNTS * 4).fill(NaN);
    if (!withHelper) return;
    try {
      const helper = new Worker(HELPER, { eval: true, workerData: { paths: paths.join('\0'), shared } });
      // Until finish() waits on it, it does not keep the process alive (a command that fails before the walk is done).
      helper.unref();
      // Whether it ends or fails, what it did not stat is stat-ed here.
      this.helperEnded = new Promise((resolve) => {
        helper.once('exit', () => resolve('ended'));
        helper.once('error', () => resolve('ended'));
      });
      this.helper = helper;
    } catch {
      // No thread: every file is stat-ed here.
    }
  }

  byHelper(): number {
    return Atomics.load(this.counts, 2);
  }

  /** Stats what is left, here, and waits for the chunks the helper has claimed (not for its end). */
  async finish(): Promise<void> {
    const n = this.paths.length;
    let chunks = 0;
    for (;;) {
      const from = Atomics.add(this.counts, 0, CHUNK);
      if (from >= n) break;
      const to = Math.min(n, from + CHUNK);
      for (let i = from; i < to; i++) statInto(this.cells, i, this.paths[i] as string);
      Atomics.add(this.counts, 1, to - from);
      // Now and then, the promises of work done elsewhere (DuckDB opening the cache) go on.
      if (++chunks % 8 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (this.helper === null || this.helperEnded === null) return;
    // While this thread waits on it, the helper keeps the process alive (a wait on shared memory does not).
    this.helper.ref();
    try {
      // A helper that stopped short of its chunk leaves it NaN: discovered() stats it here.
      for (let done = Atomics.load(this.counts, 1); done < n; done = Atomics.load(this.counts, 1)) {
        const more = Atomics.waitAsync(this.counts, 1, done);
        if (more.async && (await Promise.race([more.value, this.helperEnded])) === 'ended') break;
      }
    } finally {
      this.helper.unref();
    }
  }
}

/** One file's stat into its cells; a failure leaves them NaN. */
function statInto(cells: Float64Array, i: number, file: string): void {
  let s;
  try {
    s = statSync(file);
  } catch {
    return;
  }
  const c = i * CELLS;
  cells[c] = s.dev;
  cells[c + 1] = s.ino;
  cells[c + 2] = s.size;
  cells[c + 3] = s.mtimeMs;
  cells[c + 4] = s.isFile() ? 1 : 0;
}

/** The files found, with what stat said: a file that is no longer a plain one is passed over, one that cannot be stat-ed is unreadable, with why. */
function discovered(st: WalkState, cells: Float64Array): Discovery {
  const { paths, displays, known } = st.listed;
  const files: FoundFile[] = [];
  const unreadable = st.out.unreadable;
  for (let i = 0; i < paths.length; i++) {
    const abs = paths[i] as string;
    const display = displays[i] as string;
    let id = known.get(i);
    if (id === undefined) {
      const c = i * CELLS;
      const kind = cells[c + 4];
      if (kind === 0) continue;
      if (kind === 1) id = { dev: cells[c] as number, ino: cells[c + 1] as number, size: cells[c + 2] as number, mtimeMs: cells[c + 3] as number };
      else {
        // Its stat failed (or no thread reached it): again, here, for the reason.
        try {
          const s = statSync(abs);
          if (!s.isFile()) continue;
          id = identityOf(s);
        } catch (err) {
          unreadable.push({ display, reason: (err as Error).message });
          continue;
        }
      }
    }
    files.push({ abs, display, size: id.size, stats: id });
  }
  return { files, ignored: st.out.ignored, unreadable };
}
