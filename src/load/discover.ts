/**
 * Finds the log files named by --logs / OBS_LOGS / the config file: files,
 * directories (walked recursively), and globs. Every path that is missing is
 * an error (exit 3); every file passed over is reported, never dropped in
 * silence.
 */
import { statSync, type Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { MessagePort, Worker } from 'node:worker_threads';
import { type ExitCode, noInputError, ObsError, type ObsErrorDetails } from '../errors.js';
import { startThread } from './threads.js';

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
 * walk, all at once (by the walk's thread as well, for a large folder: ListedStats). A file
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

/** The files of a walk the caller began (beginDiscover), or of a walk made now. */
export async function discoverFrom(walking: Promise<PendingDiscovery> | undefined, specs: readonly string[], cwd: string): Promise<Discovery> {
  return walking === undefined ? discover(specs, cwd) : (await walking).done();
}

/**
 * A walk begun: its folders are listed, and its files are being stat-ed;
 * done() gives what it found. The files' stat is the walk's largest part
 * (16,868 files: about 45 ms of 110).
 */
export interface PendingDiscovery {
  /**
   * The files found. This thread stats what the walk's thread has not
   * reached, unless `help` is false: then it waits for that thread (which
   * costs it no time) until help() is called. Without a walk's thread, this
   * thread stats every file either way.
   */
  done(opts?: { help?: boolean }): Promise<Discovery>;
  /** Stats, on this thread, the files the walk's thread has not reached yet. */
  help(): Promise<void>;
  /** How many files the walk's thread has stat-ed so far (0 without one). */
  statsByThread(): number;
}

/**
 * Lists the files the specs name (exit 3 when a path or glob names nothing).
 * With a thread (`thread`: 'always', or 'for large folders' when a folder the
 * specs name is large), a thread of its own lists the folders and then stats
 * the files while the caller goes on (a command loads DuckDB's client and
 * opens the cache in that time); done() stats, here, what that thread has not
 * reached yet. Without a thread (or when one cannot start), all of it is done here.
 */
export async function beginDiscover(specs: readonly string[], cwd: string, opts: { thread?: 'always' | 'for large folders' } = {}): Promise<PendingDiscovery> {
  const threaded = opts.thread === 'always' || (opts.thread === 'for large folders' && specs.some((spec) => isLargeFolder(path.resolve(cwd, GLOB_CHARS.test(spec) ? globBase(spec) : spec))));
  const listed = (threaded ? await listOnThread(specs, cwd) : null) ?? (await listHere(specs, cwd));
  let found: Promise<Discovery> | undefined;
  const done = async (help: boolean): Promise<Discovery> => {
    await listed.stats.finish(help);
    return discovered(listed, listed.stats.cells);
  };
  return { done: (o = {}) => (found ??= done(o.help !== false)), help: () => listed.stats.help(), statsByThread: () => listed.stats.byThread() };
}

/**
 * A folder's own size, from its stat, at 256 KiB and more: on ext4 and XFS,
 * some thousands of entries (2,000 to 9,000, as long as their names are). A
 * thread takes 25 to 40 ms to start: with a few files, the walk is done here
 * sooner (15 files: 19 ms sooner), with 16,868 it is done sooner there (15 to 18 ms). A
 * file system that tells no size (or another) walks here.
 */
function isLargeFolder(folder: string): boolean {
  try {
    const s = statSync(folder);
    return s.isDirectory() && s.size >= LARGE_FOLDER;
  } catch {
    return false;
  }
}

const LARGE_FOLDER = 256 * 1024;

/** A walk's listing: the files, what it passed over or could not examine, and their stat under way. */
interface Listed extends Pick<Discovery, 'ignored' | 'unreadable'> {
  listing: Listing;
  stats: ListedStats;
}

async function listHere(specs: readonly string[], cwd: string): Promise<Listed> {
  const st = await list(specs, cwd);
  return { listing: st.listed, ...st.out, stats: new ListedStats(sharedCells(st.listed.paths.length), st.listed.paths, null) };
}

/** What the walk's thread is given. */
interface WalkOrder {
  specs: readonly string[];
  cwd: string;
}

/** What the walk's thread sends once the folders are listed (the paths and names joined by NUL, which no path holds: one string is copied faster than 100,000), or why it could not list them. */
type WalkReport =
  | { kind: 'listed'; paths: string; displays: string; count: number; known: Array<[number, FileIdentity]>; ignored: PassedOver[]; unreadable: PassedOver[]; shared: SharedArrayBuffer }
  | { kind: 'failed'; exitCode: ExitCode; message: string; details: ObsErrorDetails };

/**
 * Starts the walk's thread (walk-thread.ts), and resolves with its listing;
 * with null when the thread could not start or failed other than with an
 * ObsError, which is then thrown here (a missing path: exit 3).
 */
function listOnThread(specs: readonly string[], cwd: string): Promise<Listed | null> {
  const workerData: WalkOrder = { specs, cwd };
  let thread: Worker;
  try {
    thread = startThread('walk-thread', workerData);
  } catch {
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    thread.once('error', () => resolve(null));
    thread.once('exit', () => resolve(null));
    thread.once('message', (report: WalkReport) => {
      if (report.kind === 'failed') {
        reject(new ObsError(report.exitCode, report.message, report.details));
        return;
      }
      // Until done() waits on it, it does not keep the process alive (a command that fails before the walk is done).
      thread.unref();
      try {
        const split = (joined: string): string[] => (report.count === 0 ? [] : joined.split('\0'));
        const listing: Listing = { paths: split(report.paths), displays: split(report.displays), known: new Map(report.known) };
        resolve({ listing, ignored: report.ignored, unreadable: report.unreadable, stats: new ListedStats(report.shared, listing.paths, thread) });
      } catch (err) {
        reject(err);
      }
    });
  });
}

/**
 * The walk's thread: lists the folders, sends the listing, then stats files
 * until none is left to claim (the thread that asked for the walk claims
 * them too, once it needs them).
 */
export async function walkOnThread(order: WalkOrder, port: MessagePort): Promise<void> {
  let st: WalkState;
  try {
    st = await list(order.specs, order.cwd);
  } catch (err) {
    if (!(err instanceof ObsError)) throw err;
    port.postMessage({ kind: 'failed', exitCode: err.exitCode, message: err.message, details: { reason: err.reason, note: err.note, help: err.help } } satisfies WalkReport);
    return;
  }
  const { paths, displays, known } = st.listed;
  const shared = sharedCells(paths.length);
  port.postMessage({
    kind: 'listed',
    paths: paths.join('\0'),
    displays: displays.join('\0'),
    count: paths.length,
    known: [...known],
    ...st.out,
    shared,
  } satisfies WalkReport);
  const stats = new ListedStats(shared, paths, null);
  while (stats.statChunk(true));
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

/** The memory the listed files' stat is shared in: the counters, then the cells, NaN. */
function sharedCells(files: number): SharedArrayBuffer {
  const shared = new SharedArrayBuffer(COUNTS * 4 + files * CELLS * 8);
  new Float64Array(shared, COUNTS * 4).fill(NaN);
  return shared;
}

/**
 * The listed files' stat, in cells shared by this thread and the walk's
 * thread, which claim chunks of the files from a counter. The counts: the
 * next file to claim, the files done, and those of them the walk's thread did.
 */
class ListedStats {
  readonly cells: Float64Array;
  private readonly counts: Int32Array;
  private readonly threadEnded: Promise<'ended'> | null;

  constructor(
    shared: SharedArrayBuffer,
    private readonly paths: readonly string[],
    /** The walk's thread, stating files from the same counter (null: none). */
    private readonly thread: Worker | null,
  ) {
    this.counts = new Int32Array(shared, 0, COUNTS);
    this.cells = new Float64Array(shared, COUNTS * 4);
    // Whether it ends or fails, what it did not stat is stat-ed here.
    this.threadEnded =
      thread === null
        ? null
        : new Promise((resolve) => {
            thread.once('exit', () => resolve('ended'));
            thread.once('error', () => resolve('ended'));
          });
  }

  byThread(): number {
    return Atomics.load(this.counts, 2);
  }

  /** Stats, here, the files no thread has claimed yet. */
  async help(): Promise<void> {
    // Now and then, the promises of work done elsewhere (DuckDB opening the cache) go on.
    for (let chunks = 1; this.statChunk(false); chunks++) {
      if (chunks % 8 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Claims the next chunk of files and stats them; false when none was left. */
  statChunk(byWalkThread: boolean): boolean {
    const n = this.paths.length;
    const from = Atomics.add(this.counts, 0, CHUNK);
    if (from >= n) return false;
    const to = Math.min(n, from + CHUNK);
    for (let i = from; i < to; i++) statInto(this.cells, i, this.paths[i] as string);
    if (byWalkThread) Atomics.add(this.counts, 2, to - from);
    Atomics.add(this.counts, 1, to - from);
    Atomics.notify(this.counts, 1);
    return true;
  }

  /** Stats what is left, here (with help, or without a walk's thread), and waits for the chunks the walk's thread has claimed (not for its end). */
  async finish(help: boolean): Promise<void> {
    if (help || this.thread === null) await this.help();
    if (this.thread === null || this.threadEnded === null) return;
    const n = this.paths.length;
    // While this thread waits on it, the walk's thread keeps the process alive (a wait on shared memory does not).
    this.thread.ref();
    try {
      // A thread that stopped short of its chunk leaves it NaN: discovered() stats it here.
      for (let done = Atomics.load(this.counts, 1); done < n; done = Atomics.load(this.counts, 1)) {
        const more = Atomics.waitAsync(this.counts, 1, done);
        if (more.async && (await Promise.race([more.value, this.threadEnded])) === 'ended') break;
      }
    } finally {
      this.thread.unref();
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
function discovered(listed: Listed, cells: Float64Array): Discovery {
  const { paths, displays, known } = listed.listing;
  const files: FoundFile[] = [];
  const unreadable = listed.unreadable;
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
  return { files, ignored: listed.ignored, unreadable };
}
