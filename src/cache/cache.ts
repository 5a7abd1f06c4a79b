/**
 * The incremental cache: a DuckDB file holding the loaded tables and what was
 * read of each file (path, device, inode, size, modification time, the byte
 * offset read to). A run that finds every file as the cache left it reads
 * nothing and answers from the file; a grown audit log is read from where the
 * last run stopped; a changed, truncated or rotated file is read again, and a
 * file that is gone loses its rows. Anything else (another obs version, other
 * settings, an index file that changed) builds the cache again.
 *
 * Two runs at once: DuckDB locks the file. Readers share it; a run that must
 * write waits up to WAIT_MS for the others, then reads the logs without the
 * cache and says so.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, readSync, closeSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { DuckDBAppender } from '@duckdb/node-api';
import { Database } from '../db/database.js';
import { sqlFile } from '../db/sql-files.js';
import { discoverFrom, displayPath, type Discovery, type FileIdentity, type FoundFile, type PendingDiscovery } from '../load/discover.js';
import { isParquetName } from '../load/parquet.js';
import { noteworthy } from '../load/totals.js';
// The loader and the source kinds are imported where something is to be read: an answer from an unchanged cache needs neither.
import type { CacheUse, FileRead, FileReport, HeldFile, LoadOptions, LoadResult, MissingIndexTarget, Reuse } from '../load/load.js';
import type { LineIssue } from '../load/sink.js';
import type { Correlation, SourceKind } from '../sources/types.js';
import { VERSION } from '../version.js';
import { PRICE_TABLE } from '../llm/prices.js';

/**
 * Raised when what obs stores in the cache changes: older caches are built
 * again. 2: row groups of CACHE_ROW_GROUP_SIZE rows.
 */
const CACHE_FORMAT = 2;
/** How long a run waits for another to finish writing the cache. */
export const WAIT_MS = 3000;
const RETRY_MS = 100;
/** Bytes before the read offset whose hash must match for a grown file to be read on from there. */
const TAIL_BYTES = 4096;

export interface CacheChoice {
  /** The cache file. */
  file: string;
  /** Where DuckDB spills: a folder of this process's own, in a folder that exists. */
  tempDir: string;
}

/** The cache directory: OBS_CACHE_DIR, else $XDG_CACHE_HOME/obs, else ~/.cache/obs. */
export function cacheDir(env: Record<string, string | undefined>): string {
  if (env['OBS_CACHE_DIR']) return env['OBS_CACHE_DIR'];
  const xdg = env['XDG_CACHE_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(env['HOME'] || homedir(), '.cache'), 'obs');
}

/**
 * The settings rows depend on: a cache read with others is built again. The
 * shipped price table (its version) is one of them, since costs are computed.
 * Rows name a file relative to the working directory when it lies below it,
 * so the working directory counts when a --logs path lies below it or above
 * it; logs elsewhere share one cache from any directory. (A file an index
 * names may still lie below it: each file's name is checked against the cache's.)
 */
export function cacheKey(parts: { specs: readonly string[]; cwd: string; tz: string; formats: unknown; configPrices: unknown }): string {
  const schema = sqlFile('schema.sql') + sqlFile('cache_schema.sql') + sqlFile('sightings_kept.sql') + sqlFile('link.sql') + sqlFile('sessions.sql');
  const { cwd, tz, formats, configPrices } = parts;
  const specs = parts.specs.map((s) => path.resolve(cwd, s));
  const base = specs.some((s) => related(s, cwd)) ? cwd : null;
  return createHash('sha256')
    .update(JSON.stringify({ format: CACHE_FORMAT, version: VERSION, prices: PRICE_TABLE, schema, specs, base, tz, formats, configPrices }))
    .digest('hex');
}

/** Whether the files an absolute --logs path (perhaps a glob) finds may lie below dir: it lies below dir, or above it. */
function related(spec: string, dir: string): boolean {
  // Up to its first wildcard: the folder a glob walks.
  const root = spec.split(/[*?[{]/, 1)[0] ?? spec;
  const below = (a: string, b: string): boolean => a === b || a.startsWith(b.endsWith(path.sep) ? b : b + path.sep);
  return below(root, dir) || below(dir, root) || (root !== spec && dir.startsWith(root));
}

/** The default cache file for a key: one per set of logs and settings, so that they do not evict each other. */
export function defaultCacheFile(env: Record<string, string | undefined>, key: string): string {
  return path.join(cacheDir(env), `logs-${key.slice(0, 16)}.duckdb`);
}

interface CachedFile {
  abs: string;
  display: string;
  kind: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  readTo: number;
  lines: number;
  endsCut: boolean;
  tailHash: string | null;
  viaIndex: boolean;
  defaults: Correlation;
  report: Omit<FileReport, 'issues'>;
}

interface Meta {
  key: string;
  state: string;
  missing: MissingIndexTarget[];
  unreadable: string[];
  /** cache_sums.sql as the cache was written (empty while it is built). */
  sums: Record<string, number>;
  /** The walk as the cache holds it (walkDigest), when it holds nothing else and read every file to its end; else null. */
  walked: string | null;
}

export interface CachedLoad {
  db: Database;
  load: LoadResult;
  /** Notes for stderr: the cache was busy, or built again. */
  notes: string[];
  /** Warnings for stderr: the cache file is not one obs can use. */
  warnings?: string[];
}

function isLockError(err: unknown): boolean {
  return /Could not set lock on file|Conflicting lock/i.test((err as Error).message);
}

function holder(err: unknown): string {
  const pid = /\(PID (\d+)\)/.exec((err as Error).message)?.[1];
  return pid === undefined ? 'another process' : `another process (pid ${pid})`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Attaches the cache, waiting up to WAIT_MS while another process holds it. Null when it stayed busy. */
async function attach(db: Database, file: string, mode: 'read' | 'write'): Promise<{ busy: string } | null> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    try {
      await db.attachCache(file, mode);
      return null;
    } catch (err) {
      if (!isLockError(err)) throw new CacheUnusable((err as Error).message);
      if (Date.now() >= until) return { busy: holder(err) };
      await sleep(RETRY_MS);
    }
  }
}

function tailHash(file: string, end: number): string | null {
  if (end <= 0) return null;
  const start = Math.max(0, end - TAIL_BYTES);
  const buf = Buffer.alloc(end - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  return createHash('sha1').update(buf).digest('hex');
}

function statOf(abs: string): Stats | null {
  try {
    return statSync(abs);
  } catch {
    return null;
  }
}

async function readMeta(db: Database): Promise<Meta | null> {
  const tables = await db.query("SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = 'cache' AND table_name = 'cache_meta'");
  if (Number(tables.rows[0]?.['n']) === 0) return null;
  // The row as one JSON object: a cache of an older layout (a column fewer) still reads, and its key says it is built again.
  const { rows } = await db.query('SELECT to_json(m)::VARCHAR AS meta FROM cache.cache_meta m');
  if (rows[0] === undefined) return null;
  const m = JSON.parse(String(rows[0]['meta'])) as Partial<Meta>;
  return {
    key: String(m.key),
    state: String(m.state),
    missing: m.missing ?? [],
    unreadable: m.unreadable ?? [],
    sums: m.sums ?? {},
    walked: typeof m.walked === 'string' ? m.walked : null,
  };
}

async function issuesByFile(db: Database): Promise<Map<string, LineIssue[]>> {
  const { rows } = await db.query(
    'SELECT source_file, source_line, problem, reason, excerpt FROM cache.line_issues ORDER BY source_file, source_line, problem',
  );
  const out = new Map<string, LineIssue[]>();
  for (const r of rows) {
    const list = out.get(String(r['source_file'])) ?? [];
    list.push({ line: Number(r['source_line']), problem: r['problem'] as LineIssue['problem'], reason: String(r['reason']), excerpt: String(r['excerpt']) });
    out.set(String(r['source_file']), list);
  }
  return out;
}

/** Unchanged: same file (device, inode), same size and time, read to its end. */
function unchanged(c: FileIdentity & { readTo: number }, st: FileIdentity): boolean {
  return c.dev === st.dev && c.ino === st.ino && c.size === st.size && c.mtimeMs === st.mtimeMs && c.readTo === st.size;
}

/** Grown: the same file, longer or with a line left for later, its bytes up to the read offset as they were. */
function grown(c: CachedFile, st: FileIdentity, sources: readonly SourceKind[]): boolean {
  const kind = sources.find((k) => k.name === c.kind);
  return (
    kind?.resumable === true &&
    c.report.status === 'loaded' &&
    !c.endsCut &&
    c.readTo >= 0 &&
    c.dev === st.dev &&
    c.ino === st.ino &&
    st.size >= c.size &&
    st.size >= c.readTo &&
    !c.abs.toLowerCase().endsWith('.gz') &&
    tailHash(c.abs, c.readTo) === c.tailHash
  );
}

interface Plan {
  /** Files whose rows stay, whole or read on, among those compared (the walked files as the cache read them are not). */
  held: Map<string, CachedFile & { resume: boolean }>;
  /** Files whose rows go: changed, gone, or read again whole. */
  dropped: CachedFile[];
  /** Files an unchanged index names, outside the walk, that changed: read again whole (the walk does not find them). */
  reread: CachedFile[];
  /** The walked files that are not as the cache read them (new or changed): every other walked file is. */
  changed: Set<string>;
  /** What the cache read of the files compared. */
  compared: CachedFile[];
  /** Build everything again. */
  rebuild: boolean;
  /** Why, when the user is told: other settings, or files this run names otherwise. */
  rebuildNote?: 'settings' | 'names';
}

/** Whether a file the cache has not seen is an index file (which names session logs and gives them ids). */
async function isNewIndex(abs: string): Promise<boolean> {
  const { detectKind } = await import('../sources/index.js');
  const { readHead } = await import('../sources/lines.js');
  try {
    const head = await readHead(abs);
    return !head.binary && detectKind({ name: path.basename(abs).replace(/\.gz$/i, ''), head: head.lines }).isIndex === true;
  } catch {
    return false;
  }
}

/**
 * What a run that writes the cache reads and what it keeps. Only the files
 * that are not as the cache read them are looked at (compare: cache_compare.sql);
 * the others keep their rows and their accounting, and no object is made for them.
 */
async function planReuse(compare: () => Promise<Compared[]>, meta: Meta, key: string, cwd: string): Promise<Plan> {
  const { SOURCES } = await import('../sources/index.js');
  const rebuild = (rebuildNote?: Plan['rebuildNote']): Plan => ({
    held: new Map(),
    dropped: [],
    reread: [],
    changed: new Set(),
    compared: [],
    rebuild: true,
    rebuildNote,
  });
  if (meta.key !== key) return rebuild(meta.key === '' ? undefined : 'settings');
  if (meta.state !== 'ready') return rebuild();
  const compared = await compare();
  // The rows name a file as the walk reached it (through a linked folder, by the link), or, outside
  // the walk, by its path from here; a cache built from elsewhere names some otherwise.
  for (const r of compared) if (r.cached !== undefined && (r.name ?? displayPath(r.abs, cwd)) !== r.cached.display) return rebuild('names');
  const held = new Map<string, CachedFile & { resume: boolean }>();
  const dropped: CachedFile[] = [];
  const reread: CachedFile[] = [];
  const changed = new Set<string>();
  const isIndex = (c: CachedFile): boolean => SOURCES.find((k) => k.name === c.kind)?.isIndex === true;
  for (const { abs, name, cached: c } of compared) {
    if (name === null) continue;
    changed.add(abs);
    if (c === undefined) {
      // A new file an index entry was waiting for changes what the index says; a new index file changes the ids of the logs it names.
      if (meta.missing.length > 0 || (await isNewIndex(abs))) return rebuild();
      continue;
    }
    const st = statOf(abs);
    if (st !== null && unchanged(c, st)) held.set(abs, { ...c, resume: false });
    else if (isIndex(c)) return rebuild();
    else if (st !== null && grown(c, st, SOURCES)) held.set(abs, { ...c, resume: true });
    else dropped.push(c);
  }
  for (const { name, cached: c } of compared) {
    if (name !== null || c === undefined) continue;
    if (isIndex(c)) return rebuild();
    if (!c.viaIndex) {
      dropped.push(c);
      continue;
    }
    // A file an unchanged index names, found beside it rather than by the walk.
    const st = statOf(c.abs);
    if (st === null) return rebuild();
    if (unchanged(c, st)) held.set(c.abs, { ...c, resume: false });
    else if (grown(c, st, SOURCES)) held.set(c.abs, { ...c, resume: true });
    else {
      dropped.push(c);
      reread.push(c);
    }
  }
  const cachedOnly = compared.flatMap((r) => (r.cached === undefined ? [] : [r.cached]));
  return { held, dropped, reread, changed, compared: cachedOnly, rebuild: false };
}

/**
 * A row of cache_compare.sql: a walked file that is not as the cache read it
 * (name: the walk's name for it), or a file the cache read that the walk did
 * not find (name: null).
 */
interface Compared {
  abs: string;
  name: string | null;
  /** What the cache read of it; undefined for a file it has not read. */
  cached?: CachedFile;
}

/**
 * A digest of a walk: each file's path, name, device, inode, size and time,
 * in the order of the walk. `identity` gives what is known of a file; null
 * when something is not (the digest is then null too).
 */
function walkDigest(files: readonly FoundFile[], identity: (f: FoundFile) => FileIdentity | null, name: (f: FoundFile) => string): string | null {
  // The numbers as bytes and the paths as one text: a hundred thousand files hash in milliseconds, with no number printed.
  const numbers = new Float64Array(files.length * 5);
  const paths: string[] = [];
  for (let i = 0; i < files.length; i++) {
    const f = files[i] as FoundFile;
    const id = identity(f);
    if (id === null) return null;
    paths.push(f.abs);
    // A name that ends the path (a file below the working directory, or named by its path) is told by its length.
    const shown = name(f);
    if (f.abs.endsWith(shown)) numbers[i * 5] = shown.length;
    else {
      numbers[i * 5] = -1;
      paths.push(shown);
    }
    numbers[i * 5 + 1] = id.dev;
    numbers[i * 5 + 2] = id.ino;
    numbers[i * 5 + 3] = id.size;
    numbers[i * 5 + 4] = id.mtimeMs;
  }
  return createHash('sha1').update(paths.join('\0')).update(new Uint8Array(numbers.buffer)).digest('hex');
}

/**
 * The digest of the walk as the cache holds it, when the cache holds the
 * walked files and nothing else, each read to its end and as the walk found
 * it: a later walk with the same digest finds every file as it was read, and
 * no more. A file is as the walk found it when it was just read so (asWalked),
 * or passed over as the cache read it (its entry is the same).
 */
async function heldWalk(db: Database, found: Discovery, asWalked: ReadonlySet<string>, unchangedFile: (abs: string) => boolean): Promise<string | null> {
  const { rows } = await db.query('SELECT count(*)::DOUBLE AS n FROM cache.cache_files');
  if (rows[0]?.['n'] !== found.files.length) return null;
  // A file that changed between the walk and its reading is compared next time (cache_compare.sql), as one read short of its end is.
  const identity = (f: FoundFile): FileIdentity | null => (asWalked.has(f.abs) || unchangedFile(f.abs) ? (f.stats ?? null) : null);
  return walkDigest(found.files, identity, (f) => f.display);
}

/** The digest of the walk as it finds the files now. */
function walkNow(found: Discovery): string | null {
  return walkDigest(found.files, (f) => f.stats ?? statOf(f.abs), (f) => f.display);
}

/**
 * Whether a run with this discovery can answer from the cache as it is, and
 * if so the load as the cache remembers it (nothing is read).
 *
 * A cache that holds the walked files and nothing else keeps a digest of the
 * walk (heldWalk): the same digest now is the answer, a different one means
 * something changed. Otherwise (files an index names, found beside it; a
 * file read short of its end) the walk's files are compared with the
 * cache's in SQL (cache_compare.sql): a hundred thousand files cost a table
 * of their identities, not an object each.
 */
async function warmLoad(db: Database, found: Discovery, meta: Meta, key: string, cwd: string, everyFile: boolean): Promise<LoadResult | null> {
  if (meta.key !== key || meta.state !== 'ready') return null;
  if (!sameUnexamined(found, meta)) return null;
  const unwalked: CachedFile[] = [];
  if (meta.walked !== null) {
    if (walkNow(found) !== meta.walked) return null;
  } else {
    // Only a file an unchanged index names may be missing from the walk, and it must be as it was.
    for (const { name, cached: c } of await compareWalked(db, found)) {
      const st = name === null && c?.viaIndex === true ? statOf(c.abs) : null;
      if (c === undefined || st === null || displayPath(c.abs, cwd) !== c.display || !unchanged(c, st)) return null;
      unwalked.push(c);
    }
  }
  return heldLoad(db, found, meta, unwalked, everyFile);
}

/** The entries the walk could not examine are those the cache's run could not (they are not cached). */
function sameUnexamined(found: Discovery, meta: Meta): boolean {
  return JSON.stringify(found.unreadable.map((u) => u.display)) === JSON.stringify(meta.unreadable);
}

/** The load as the cache remembers it, for a walk that found the files as the cache read them (and the files an index named, unwalked). */
async function heldLoad(db: Database, found: Discovery, meta: Meta, unwalked: CachedFile[], everyFile: boolean): Promise<LoadResult> {
  const { files, issues } = await heldReports(db, found, everyFile);
  // In the order a load gives them: the files found, those that could not be examined, then those an index named.
  const unexamined = found.unreadable.length === 0 ? [] : found.unreadable.map((await import('../load/load.js')).unexaminedReport);
  files.push(...unexamined, ...unwalked.map((u) => Object.assign(u.report, { issues: issues.get(u.display) ?? [] })));
  return { ...fromSums(meta.sums, unexamined.length), files, ignored: found.ignored, missingTargets: meta.missing };
}

/** What a cache answering as it is says of itself. */
function unchangedUse(file: string, load: LoadResult): CacheUse {
  return { file, state: 'unchanged', unchanged: load.sums.loaded, readOn: 0, readWhole: 0, dropped: 0 };
}

/** A load's sums as the cache wrote them (cache_sums.sql), with the entries that could not be examined (they are not cached). */
function fromSums(sums: Record<string, number>, unexamined: number): Pick<LoadResult, 'sums' | 'rejected' | 'unreadable'> {
  const n = (k: string): number => Number(sums[k] ?? 0);
  return {
    sums: {
      files: n('files') + unexamined,
      loaded: n('loaded'),
      skipped: n('skipped'),
      lines: n('lines'),
      records: n('records'),
      untimed: n('untimed'),
      repaired: n('repaired'),
    },
    rejected: n('rejected'),
    unreadable: n('unreadable') + unexamined,
  };
}

/**
 * The walk's files compared with the cache's (cache_compare.sql): the walked
 * files that are not as the cache read them, and the files the cache read
 * that the walk did not find, each with what the cache knows of it.
 */
async function compareWalked(db: Database, found: Discovery): Promise<Compared[]> {
  try {
    await appendWalked(db, found);
    const { rows } = await db.query(sqlFile('cache_compare.sql'));
    return rows.map((r) => ({
      abs: String(r['abs']),
      name: r['name'] === null ? null : String(r['name']),
      cached: r['entry'] === null ? undefined : (JSON.parse(String(r['entry'])) as CachedFile),
    }));
  } finally {
    await db.exec('DROP TABLE IF EXISTS memory.main.walked_files');
  }
}

/**
 * The accounting of the walked files as the cache remembers it, with their
 * line issues, in the order of the walk: every file, or only those with
 * something to say. The issues returned are those of every file.
 */
async function heldReports(db: Database, found: Discovery, everyFile: boolean): Promise<{ files: FileReport[]; issues: Map<string, LineIssue[]> }> {
  const { rows } = await db.query(sqlFile('cache_reports.sql'), { every: everyFile });
  const reports = JSON.parse(String(rows[0]?.['reports'] ?? '[]')) as Array<Omit<FileReport, 'issues'>>;
  const issues = await issuesByFile(db);
  // Each report is an object of its own (just parsed): it is given its issues, not copied.
  const files = reports.map((r): FileReport => Object.assign(r, { issues: issues.get(r.path) ?? [] }));
  // A file the walk did not find (one an index names) is listed after them, by the caller.
  return { files: inWalkOrder(found, files).walked, issues };
}

/**
 * Reports put in the order the walk found their files (often a few of a
 * hundred thousand), and apart from them the reports of files it did not
 * find, in the order given.
 */
function inWalkOrder<T extends { path: string }>(found: Discovery, reports: readonly T[]): { walked: T[]; other: T[] } {
  const order = new Map<string, number>(reports.map((r) => [r.path, -1]));
  for (let i = 0; i < found.files.length; i++) {
    const name = (found.files[i] as FoundFile).display;
    if (order.has(name)) order.set(name, i);
  }
  const at = (r: T): number => order.get(r.path) as number;
  return { walked: reports.filter((r) => at(r) >= 0).sort((a, b) => at(a) - at(b)), other: reports.filter((r) => at(r) < 0) };
}

/**
 * The walk's files as a table (memory.walked_files): path, the name the walk
 * gives it (which the rows give it), and what stat said (-1 for a file gone
 * since the walk: never as the cache read it).
 */
async function appendWalked(db: Database, found: Discovery): Promise<void> {
  await db.exec(
    'CREATE OR REPLACE TABLE memory.main.walked_files (seq INTEGER, abs VARCHAR, name VARCHAR, dev DOUBLE, ino DOUBLE, size BIGINT, mtime_ms DOUBLE)',
  );
  const a = await db.appender('walked_files', 'memory');
  try {
    for (const [i, f] of found.files.entries()) {
      const st = f.stats ?? statOf(f.abs);
      a.appendInteger(i);
      a.appendVarchar(f.abs);
      a.appendVarchar(f.display);
      a.appendDouble(st?.dev ?? -1);
      a.appendDouble(st?.ino ?? -1);
      a.appendBigInt(BigInt(st?.size ?? -1));
      a.appendDouble(st?.mtimeMs ?? -1);
      a.endRow();
    }
  } finally {
    a.closeSync();
  }
}

async function deleteRows(db: Database, files: readonly CachedFile[]): Promise<void> {
  if (files.length === 0) return;
  await db.fillTable('dropped_files', 'abs VARCHAR, display VARCHAR', files.map((f) => [f.abs, f.display]));
  await db.exec(sqlFile('cache_drop_files.sql'));
}

async function wipe(db: Database): Promise<void> {
  const { rows } = await db.query("SELECT table_name FROM duckdb_tables() WHERE database_name = 'cache' AND schema_name = 'main'");
  for (const r of rows) await db.exec(`DROP TABLE IF EXISTS cache.main."${String(r['table_name']).replaceAll('"', '""')}"`);
  await db.exec(sqlFile('schema.sql'));
  await db.exec(sqlFile('cache_schema.sql'));
  await db.exec(sqlFile('sightings_kept.sql'));
}

/**
 * The cache's list of files, as each file is read: its identity, where
 * reading stopped, the ids it was given and its accounting, appended at
 * once, so that a hundred thousand files hold no object each until the load
 * ends. Kept of them: what the run's summary and the walk's digest need.
 */
class ReadFiles {
  /** Files read whole: their kept error sightings go. */
  readonly whole: string[] = [];
  /** Files read to their end, as the walk found them (heldWalk). */
  readonly asWalked = new Set<string>();
  loaded = 0;
  readOn = 0;
  private open = true;

  private constructor(
    private readonly appender: DuckDBAppender,
    private readonly resumed: (abs: string) => boolean,
  ) {}

  /** Starts the list's new entries; the entries of the files to be read on from where they were go first. */
  static async start(db: Database, plan: Plan): Promise<ReadFiles> {
    const resumed = [...plan.held.values()].filter((c) => c.resume);
    if (resumed.length > 0) {
      await db.fillTable('read_files', 'abs VARCHAR', resumed.map((c) => [c.abs]));
      await db.exec(sqlFile('cache_read_files.sql'));
    }
    return new ReadFiles(await db.appender('cache_files'), (abs) => plan.held.get(abs)?.resume === true);
  }

  add(r: FileRead): void {
    const st = statOf(r.abs);
    const { issues: _issues, ...report } = r.report;
    const a = this.appender;
    a.appendVarchar(r.abs);
    a.appendVarchar(r.report.path);
    a.appendVarchar(r.kind);
    a.appendDouble(st?.dev ?? -1);
    a.appendDouble(st?.ino ?? -1);
    a.appendBigInt(BigInt(st?.size ?? -1));
    a.appendDouble(st?.mtimeMs ?? -1);
    // A file that changed while it was read, or could not be read, is read again next time.
    const settled = st !== null && r.readTo >= 0 && r.readTo <= st.size;
    a.appendBigInt(BigInt(settled ? r.readTo : -1));
    a.appendBigInt(BigInt(r.lines));
    a.appendBoolean(r.endsCut);
    const hash = settled ? tailHash(r.abs, r.readTo) : null;
    if (hash === null) a.appendNull();
    else a.appendVarchar(hash);
    a.appendBoolean(r.viaIndex);
    a.appendVarchar(JSON.stringify(r.defaults));
    a.appendVarchar(JSON.stringify(report));
    a.appendBoolean(noteworthy(report));
    a.endRow();

    // As the walk found it, and read to its end: as a later run would find it unchanged.
    if (st !== null && r.walked !== undefined && unchanged({ ...r.walked, readTo: r.readTo }, st)) this.asWalked.add(r.abs);
    const resumed = this.resumed(r.abs);
    if (!resumed) this.whole.push(r.abs);
    if (r.report.status === 'loaded') {
      this.loaded++;
      if (resumed) this.readOn++;
    }
  }

  /** Writes out the entries appended (the load's statements read them). */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.appender.closeSync();
  }
}

/** The cache's record of the run: its key, what it could not find or examine, the sums over every file, and the walk's digest. */
async function writeMeta(db: Database, load: LoadResult, key: string, found: Discovery, asWalked: ReadonlySet<string>, unchangedFile: (abs: string) => boolean): Promise<Record<string, number>> {
  const sums = (await db.query(sqlFile('cache_sums.sql'))).rows[0] ?? {};
  await db.exec('DELETE FROM cache.cache_meta');
  const m = await db.appender('cache_meta');
  m.appendVarchar(key);
  m.appendVarchar('ready');
  m.appendVarchar(JSON.stringify(load.missingTargets));
  m.appendVarchar(JSON.stringify(found.unreadable.map((u) => u.display)));
  m.appendVarchar(JSON.stringify(sums));
  const walked = await heldWalk(db, found, asWalked, unchangedFile);
  if (walked === null) m.appendNull();
  else m.appendVarchar(walked);
  m.endRow();
  m.closeSync();
  return sums as Record<string, number>;
}

async function setState(db: Database, state: string): Promise<void> {
  await db.exec('UPDATE cache.cache_meta SET state = $state', { state });
}

/**
 * Loads the logs through the cache file: answers from it when nothing
 * changed, reads what changed into it otherwise. The database returned
 * shows the cache's tables (views of the same names, read-only).
 */
export async function loadCached(choice: CacheChoice, specs: readonly string[], opts: LoadOptions, key: string, opened?: Promise<OpenedCache>): Promise<CachedLoad> {
  // DuckDB opens the database and takes its first look at the cache on threads
  // of its own while this one walks the folders (the walk yields now and then).
  const opening = opened ?? openCache(choice);
  opening.catch(() => undefined);
  let found: Discovery;
  try {
    found = await discoverFrom(opts.walking, specs, opts.cwd);
  } catch (err) {
    void opening.then(({ db }) => db.close(), () => undefined);
    throw err;
  }
  // Made once there is something to read (a path that names nothing leaves no folder behind); DuckDB makes its spill folder in the second when it spills.
  mkdirSync(path.dirname(choice.file), { recursive: true });
  mkdirSync(path.dirname(choice.tempDir), { recursive: true });
  const { db, look } = await opening;
  try {
    return await loadInto(db, look, choice, specs, { ...opts, found }, key, found);
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * An answer begun from the cache before the walk is done: the cache as the
 * run that wrote it left it, attached read-only, its tables as views. The
 * answer may be given once `agrees` resolves true: the walk found every file
 * as that run did (the digest of the walk, heldWalk). On false, the caller
 * closes db and loads as usual (loadCached). load() gives the load as the
 * cache remembers it; its queries run on db, so it is called once nothing
 * else runs there.
 */
export interface AnswerAhead {
  db: Database;
  agrees: Promise<boolean>;
  load(): Promise<LoadResult>;
  /** The walk's files stat-ed on this thread as well, once it has nothing else to do (see PendingDiscovery.done). */
  help(): Promise<void>;
}

/**
 * A cache file written this recently is of logs still being written: the
 * next walk is likely to find a change, and an answer begun ahead of it would
 * be thrown away (at 1 GB, an LLM rollup run for nothing made bringing the
 * cache up to date about 50 ms slower).
 */
const LIVE_WITHIN_MS = 60_000;

/**
 * Opens the cache to answer ahead of the walk (AnswerAhead), when the cache
 * can answer for a walk without reading anything: built with these settings
 * (the key), complete, and holding the walked files and nothing else (its
 * walk's digest), and not written in the last minute (LIVE_WITHIN_MS).
 * Otherwise null: the cache as opened is then loadCached's.
 */
export async function answerAhead(choice: CacheChoice, opened: Promise<OpenedCache>, walking: Promise<PendingDiscovery>, key: string): Promise<AnswerAhead | null> {
  const written = statOf(choice.file)?.mtimeMs;
  if (written === undefined || written > Date.now() - LIVE_WITHIN_MS) return null;
  const { db, look } = await opened;
  const meta = look.kind === 'read' ? look.meta : null;
  if (meta === null || meta.key !== key || meta.state !== 'ready' || meta.walked === null || !(Number(meta.sums['loaded'] ?? 0) > 0)) return null;
  try {
    await db.useCache();
  } catch (err) {
    db.close();
    throw err;
  }
  // This thread answers meanwhile: it leaves the files' stat to the walk's thread until help().
  const found = walking.then((w) => w.done({ help: false }));
  const agrees = found.then((f) => !f.files.some((file) => isParquetName(file.abs)) && sameUnexamined(f, meta) && walkNow(f) === meta.walked);
  agrees.catch(() => undefined);
  return {
    db,
    agrees,
    load: async () => {
      const load = await heldLoad(db, await found, meta, [], false);
      return { ...load, cache: unchangedUse(choice.file, load) };
    },
    help: async () => (await walking).help(),
  };
}

/** What a run sees of the cache before it compares files: absent, busy (another run writes it), read-only with its meta, or not a cache obs can read. */
type Look = { kind: 'absent' } | { kind: 'busy' } | { kind: 'read'; meta: Meta | null } | { kind: 'unusable'; error: CacheUnusable };

/** The database opened, and what it saw of the cache (openCache). */
export interface OpenedCache {
  db: Database;
  look: Look;
}

/** Opens the database (without the loaded tables: the cache has them) and attaches the cache read-only, if there is one. */
export async function openCache(choice: CacheChoice): Promise<OpenedCache> {
  const db = await Database.open({ tempDir: choice.tempDir, loadedTables: false });
  try {
    if (statOf(choice.file) === null) return { db, look: { kind: 'absent' } };
    const busy = await attach(db, choice.file, 'read');
    if (busy !== null) return { db, look: { kind: 'busy' } };
    return { db, look: { kind: 'read', meta: await readMeta(db) } };
  } catch (err) {
    if (err instanceof CacheUnusable) return { db, look: { kind: 'unusable', error: err } };
    db.close();
    throw err;
  }
}

/** Reads the logs into memory, beside (not into) the cache. */
async function loadIntoMemory(db: Database, specs: readonly string[], opts: LoadOptions): Promise<LoadResult> {
  const { loadSources } = await import('../load/load.js');
  await db.detachCache();
  await db.ensureLoadedTables();
  return loadSources(db, specs, opts);
}

async function loadInto(db: Database, look: Look, choice: CacheChoice, specs: readonly string[], opts: LoadOptions, key: string, found: Discovery): Promise<CachedLoad> {
  const notes: string[] = [];
  // An export read back is a columnar store already: read as it is, never cached.
  if (found.files.some((f) => isParquetName(f.abs))) return { db, load: { ...(await loadIntoMemory(db, specs, opts)), cache: null }, notes };
  try {
    if (look.kind === 'unusable') throw look.error;
    return await throughCache(db, look, choice, specs, opts, key, found, notes);
  } catch (err) {
    if (!(err instanceof CacheUnusable)) throw err;
    // Not a DuckDB file, or one DuckDB cannot open: answer without it.
    await db.detachCache().catch(() => undefined);
    const warning = `the cache ${choice.file} is not a cache obs can read (${err.message.split('\n', 1)[0]}): the logs were read without it; delete the file, or pass another --cache`;
    const load = await loadIntoMemory(db, specs, opts);
    return { db, load: { ...load, cache: withoutCache(choice.file, 'unusable', load) }, notes, warnings: [warning] };
  }
}

function withoutCache(file: string, state: 'busy' | 'unusable', load: LoadResult): CacheUse {
  return { file, state, unchanged: 0, readOn: 0, readWhole: load.files.filter((f) => f.status === 'loaded').length, dropped: 0 };
}

/** The cache file could not be opened for a reason other than another run holding it. */
class CacheUnusable extends Error {}

async function throughCache(
  db: Database,
  look: Look,
  choice: CacheChoice,
  specs: readonly string[],
  opts: LoadOptions,
  key: string,
  found: Discovery,
  notes: string[],
): Promise<CachedLoad> {
  // 1. Read-only (attached while the walk ran): when nothing changed, this is all.
  if (look.kind === 'read') {
    const load = look.meta === null ? null : await warmLoad(db, found, look.meta, key, opts.cwd, opts.everyFile === true);
    if (load !== null) {
      await db.useCache();
      return { db, load: { ...load, cache: unchangedUse(choice.file, load) }, notes };
    }
    await db.detachCache();
  }

  // 2. Something changed (or no cache yet): read it into the cache, if no other run is writing it.
  const busy = await attach(db, choice.file, 'write');
  if (busy !== null) {
    notes.push(`the cache ${choice.file} is in use by ${busy}: read the logs without it (obs --no-cache does so always)`);
    const load = await loadIntoMemory(db, specs, opts);
    return { db, load: { ...load, cache: withoutCache(choice.file, 'busy', load) }, notes };
  }
  let meta = await readMeta(db);
  if (meta === null) {
    // Never empty a database of someone else's.
    const { rows } = await db.query("SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = 'cache'");
    if (Number(rows[0]?.['n']) > 0) throw new CacheUnusable('a DuckDB database with tables that are not an obs cache');
    await wipe(db);
    meta = { key: '', state: 'building', missing: [], unreadable: [], sums: {}, walked: null };
  }
  const plan = await planReuse(() => compareWalked(db, found), meta, key, opts.cwd);
  if (plan.rebuild) {
    if (plan.rebuildNote === 'settings') notes.push(`the cache ${choice.file} was built by another obs version or with other settings: built again`);
    if (plan.rebuildNote === 'names') {
      notes.push(`the cache ${choice.file} names its files relative to the directory it was built from, and this run names them otherwise: built again (run from that directory, or give --cache a file per directory)`);
    }
    await wipe(db);
    const m = await db.appender('cache_meta');
    for (const v of [key, 'building', '[]', '[]', '{}']) m.appendVarchar(v);
    m.appendNull();
    m.endRow();
    m.closeSync();
  } else {
    await setState(db, 'building');
    await db.exec('CREATE OR REPLACE TEMP TABLE touched_sessions (session_key VARCHAR)');
    await deleteRows(db, plan.dropped);
  }

  const issues = plan.held.size > 0 ? await issuesByFile(db) : new Map<string, LineIssue[]>();
  // The cache's list of files gains each file's entry as it is read; closed however the load ends.
  const reads = await ReadFiles.start(db, plan);
  const reuse: Reuse = {
    unchanged: (abs) => !plan.rebuild && !plan.changed.has(abs),
    update: !plan.rebuild,
    held(abs): HeldFile | undefined {
      const c = plan.held.get(abs);
      if (c === undefined) return undefined;
      return {
        kind: c.kind,
        report: { ...c.report, issues: issues.get(c.display) ?? [] },
        resume: c.resume ? { offset: c.readTo, lineNo: c.lines } : undefined,
      };
    },
    indexTargets: [...[...plan.held.values()].filter((c) => c.viaIndex), ...plan.reread]
      .map((c): FoundFile => ({ abs: c.abs, display: c.display, size: statOf(c.abs)?.size ?? c.size })),
    // Only session logs are given ids for lack of their own.
    defaults: new Map(plan.compared.filter((c) => c.kind === 'session_log').map((c) => [c.abs, c.defaults] as const)),
    missingTargets: plan.rebuild ? [] : meta.missing,
    read: (file) => reads.add(file),
    readingDone: () => reads.close(),
    goneSightings() {
      // The sightings of files gone or read whole go; those of files read on are kept, and the new ones follow them.
      // A changed file is both dropped and read whole: named once.
      return [...new Set([...plan.dropped.map((c) => c.abs), ...reads.whole])];
    },
  };
  let read: LoadResult;
  try {
    const { loadSources } = await import('../load/load.js');
    read = await loadSources(db, specs, { ...opts, found, reuse });
  } finally {
    reads.close();
  }
  // The sums and the digest are queries, under DuckDB's usual limit (once, a 10 GB build ran short of memory summing
  // under the lower one); the checkpoint writes what is held, and needs no room to sort or join.
  const sums = await writeMeta(db, read, key, found, reads.asWalked, reuse.unchanged);
  await db.appending(() => db.exec('CHECKPOINT cache'));
  await db.detachCache();

  // 3. Read-only again, so other runs can read it while this one answers.
  const again = await attach(db, choice.file, 'read');
  if (again !== null) throw new Error(`the cache ${choice.file} was taken by ${again.busy} as soon as it was written; run again`);
  await db.useCache();
  // A cache brought up to date lists the files this run read, and as many of the others as a run that reads nothing would.
  const load = plan.rebuild ? read : await withHeld(db, read, found, sums, opts.everyFile === true);
  const use: CacheUse = {
    file: choice.file,
    state: plan.rebuild ? 'built' : 'updated',
    unchanged: load.sums.loaded - reads.loaded,
    readOn: reads.readOn,
    readWhole: reads.loaded - reads.readOn,
    dropped: plan.rebuild ? 0 : plan.dropped.length,
  };
  return { db, load: { ...load, cache: use }, notes };
}

/**
 * The load of a run that brought the cache up to date: the files it read or
 * looked at, with the others the cache holds as they were (those with
 * something to say, or every file), in the order of the walk; the sums over
 * every file, as the cache wrote them.
 */
async function withHeld(db: Database, read: LoadResult, found: Discovery, sums: Record<string, number>, everyFile: boolean): Promise<LoadResult> {
  const listed = new Set(read.files.map((f) => f.path));
  const { files: held } = await heldReports(db, found, everyFile);
  const { walked, other } = inWalkOrder(found, [...read.files, ...held.filter((f) => !listed.has(f.path))]);
  return { ...read, ...fromSums(sums, found.unreadable.length), files: [...walked, ...other] };
}
