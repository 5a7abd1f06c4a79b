/**
 * `--follow` (`-f`) for obs events, errors and llm: print the matches there
 * are, then keep watching the inputs and print new matches as they arrive,
 * until Ctrl-C (SIGINT) or SIGTERM, which end with exit 0.
 *
 * Loading is global (records are linked to sessions across files, error
 * sightings merged across files, sessions built from everything), so a
 * change is not appended to the database: the inputs are read again into a
 * fresh database and the command's query runs again; the rows it has not
 * printed yet, recognised by their content (identity.ts), are printed. The
 * inputs are polled (watch.ts) every interval, never sooner after a reload
 * than the reload took, so large inputs do not keep the CPU busy.
 */
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import type { Context, OutStream } from '../context.js';
import { sqlFile } from '../db/sql-files.js';
import { EXIT, ObsError, usageError, type ExitCode } from '../errors.js';
import type { Output } from '../commands/shared/command.js';
import { logPaths, openSources, parseLimit, type CommonOptions, type Loaded } from '../commands/shared/options.js';
import { reporter, type Reporter } from '../commands/shared/report.js';
import type { Row } from '../output/render.js';
import { parseDurationOrNull } from '../time/time.js';
import { holdBack, Ledger, type FileActivity, type Identity } from './identity.js';
import { BatchPrinter } from './print.js';
import { changes, signature, snapshot, Tracker, type Snapshot } from './watch.js';

export const DEFAULT_INTERVAL_MS = 1000;
/** How long a file must be left alone before its last record is printed. */
const SETTLE_MS = 250;
/** How long a file just created, replaced or truncated may hold back rows printed before (a copy under way). */
const MAX_RENEW_MS = 5000;

export function addFollowOption(cmd: Command): Command {
  return cmd.option('-f, --follow', 'print the matches, then new ones as lines are appended (Ctrl-C stops; rotation and truncation are followed)');
}

/** The poll interval: OBS_FOLLOW_INTERVAL (a duration, e.g. 500ms or 2s), default 1s. */
export function followInterval(env: Record<string, string | undefined>): number {
  const text = env['OBS_FOLLOW_INTERVAL'];
  if (text === undefined || text.trim() === '') return DEFAULT_INTERVAL_MS;
  const ms = parseDurationOrNull(text.trim());
  if (ms === null || ms < 10) {
    throw usageError(`OBS_FOLLOW_INTERVAL must be a duration of at least 10ms, got "${text}"`, {
      help: 'for example OBS_FOLLOW_INTERVAL=500ms or OBS_FOLLOW_INTERVAL=2s; unset it for the default of 1s',
    });
  }
  return ms;
}

/** Flags --follow cannot honour, by the option key commander gives them. */
const CONFLICTS: Array<{ key: string; flag: string; reason: string; help: string }> = [
  {
    key: 'until',
    flag: '--until',
    reason: '--follow waits for records still to come, so the time window cannot end',
    help: 'drop --until to follow (--since is fine), or drop --follow to list a closed window',
  },
  {
    key: 'to',
    flag: '--to',
    reason: '--follow waits for records still to come, so the time window cannot end',
    help: 'drop --to to follow (--from is fine), or drop --follow to list a closed window',
  },
  {
    key: 'group',
    flag: '--group',
    reason: 'a group is a count over every error, which changes as errors arrive, rather than a row that arrives once',
    help: 'follow single errors with obs errors --follow, and count them with obs errors --group when you need the counts',
  },
  {
    key: 'by',
    flag: '--by',
    reason: 'a roll-up is a sum over every call, which changes as calls arrive, rather than a row that arrives once',
    help: 'follow single calls with obs llm --follow, and roll them up with obs llm --by when you need the sums',
  },
  {
    key: 'fail',
    flag: '--fail',
    reason: '--fail sets the exit code of one look at the logs, and --follow never ends on its own',
    help: 'use obs errors --fail for a CI gate, or obs errors --follow to watch',
  },
];

export function checkFollowFlags(o: object): void {
  const given = o as Record<string, unknown>;
  for (const c of CONFLICTS) {
    if (given[c.key] !== undefined && given[c.key] !== false) {
      throw usageError(`--follow cannot be used with ${c.flag}`, { reason: c.reason, help: c.help });
    }
  }
}

/** A stream that writes each distinct chunk once: a warning about a rejected line is not repeated at every reload. */
function onceEach(out: OutStream): OutStream {
  const seen = new Set<string>();
  return {
    write: (chunk: string) => {
      if (seen.has(chunk)) return true;
      seen.add(chunk);
      return out.write(chunk);
    },
    isTTY: out.isTTY,
    columns: out.columns,
  };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;

type Body = (s: Loaded) => Promise<void>;

/** What one reading of the inputs gave. */
interface Reading {
  s: Loaded;
  out: Output;
  rows: Row[];
  keys: string[];
  lastLines: Map<string, number>;
}

/** Rows of a reading held back until their files are quiet. */
interface Pending {
  reading: Reading;
  indexes: number[];
}

/**
 * Returns a function that runs a command's body as withSources does, but
 * keeps following: `(o.follow ? follower(EVENT_IDENTITY) : withSources)(ctx, o, body)`.
 */
export function follower(identity: Identity): (ctx: Context, o: CommonOptions, body: Body) => Promise<ExitCode> {
  return async (ctx, o, body) => {
    checkFollowFlags(o);
    return new FollowLoop(ctx, o, identity, body, await loadConfig(ctx, o.config)).run();
  };
}

class FollowLoop {
  private readonly intervalMs: number;
  private readonly settleMs: number;
  private readonly limit: number | null;
  private readonly specs: string[];
  private readonly notes: Reporter;
  /** The context loads run in: warnings once each. */
  private readonly loadCtx: Context;
  private readonly ledger = new Ledger();
  private readonly tracker: Tracker;
  private readonly printer: BatchPrinter;

  /** The snapshot the last reading started from; a different one means reading again. */
  private loadedSig: string | null = null;
  private lastSnap: Snapshot | null = null;
  /** Files loaded that discovery does not find (session logs named by an index). */
  private extra: string[] = [];
  private pending: Pending | null = null;
  /** A poll saw the inputs change, and reading them again waits for nextReloadAt. */
  private dirty = false;
  private nextReloadAt = 0;
  private slowNoted = false;
  private waiting = false;
  /** The first batch is out: changes to the files are worth a note from now on. */
  private following = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: Context,
    private readonly o: CommonOptions,
    private readonly identity: Identity,
    private readonly body: Body,
    private readonly config: Config,
  ) {
    this.intervalMs = followInterval(ctx.env);
    this.settleMs = Math.min(SETTLE_MS, this.intervalMs);
    this.limit = parseLimit(o.limit);
    this.specs = logPaths(ctx, o, this.config);
    this.notes = reporter(ctx, o.quiet === true);
    this.loadCtx = { ...ctx, stderr: onceEach(ctx.stderr) };
    this.tracker = new Tracker(this.settleMs, MAX_RENEW_MS);
    this.printer = new BatchPrinter(ctx);
  }

  async run(): Promise<ExitCode> {
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = () => {
        this.stopped = true;
        resolve();
      };
    });
    // Once each: a second Ctrl-C finds no handler and ends the process at once.
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await this.snapAndRead(true);
      if (this.stopped) return EXIT.OK;
      this.following = true;
      const files = this.lastSnap?.files.size ?? 0;
      this.notes.note(`following ${plural(files, 'file')}, polling every ${seconds(this.intervalMs)}; Ctrl-C to stop`);
      await Promise.race([stopped, this.loop()]);
      return EXIT.OK;
    } finally {
      this.stopped = true;
      if (this.timer !== null) clearTimeout(this.timer);
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      // A tick under way finishes (its database closes) before the process ends.
      await this.current;
    }
  }

  private current: Promise<void> = Promise.resolve();

  /** Polls until stopped; rejects with the error of a tick that failed. */
  private loop(): Promise<void> {
    return new Promise<void>((_resolve, reject) => {
      const next = (): void => {
        if (this.stopped) return;
        this.timer = setTimeout(() => {
          this.timer = null;
          this.current = this.tick().then(next, (err: unknown) => {
            this.stopped = true;
            reject(err);
          });
        }, Math.max(0, this.nextTickAt() - Date.now()));
      };
      next();
    });
  }

  /** The next poll: an interval from now, not before reading again is allowed, sooner when held rows may be released. */
  private nextTickAt(): number {
    const now = Date.now();
    if (this.dirty) return Math.max(now + 10, this.nextReloadAt);
    let at = Math.max(now + this.intervalMs, this.nextReloadAt);
    const pending = this.pending;
    if (pending !== null) {
      const files = new Set(pending.indexes.flatMap((i) => this.identity.places(pending.reading.rows[i] as Row).map((p) => p.file)));
      for (const f of files) {
        const quiet = this.tracker.quietAt(f);
        if (quiet !== undefined) at = Math.min(at, Math.max(quiet + 5, now + 10));
      }
    }
    return at;
  }

  private async snap(): Promise<Snapshot> {
    const s = await snapshot(this.specs, this.ctx.cwd, this.extra, Date.now());
    this.tracker.observe(s);
    if (this.lastSnap !== null && this.following) this.noteChanges(this.lastSnap, s);
    this.lastSnap = s;
    return s;
  }

  private noteChanges(before: Snapshot, after: Snapshot): void {
    for (const c of changes(before, after)) {
      if (c.what === 'new') this.notes.note(`new file ${c.file}; following it`);
      else if (c.what === 'gone') this.notes.note(`${c.file} is gone`);
      else if (c.what === 'truncated') this.notes.note(`${c.file} was truncated; reading it from the start`);
      else this.notes.note(`${c.file} was replaced (rotated); following the new file`);
    }
    for (const m of after.missing) if (!before.missing.includes(m)) this.notes.note(`${m} names nothing at the moment; waiting for it`);
    for (const m of before.missing) if (!after.missing.includes(m)) this.notes.note(`${m} is back`);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const snap = await this.snap();
    if (signature(snap) !== this.loadedSig) {
      this.dirty = true;
      if (Date.now() >= this.nextReloadAt) await this.read(snap, false);
      return;
    }
    if (this.pending !== null) this.release();
  }

  private async snapAndRead(first: boolean): Promise<void> {
    await this.read(await this.snap(), first);
  }

  /** Reads the inputs again into a fresh database and prints the rows not printed yet. */
  private async read(pre: Snapshot, first: boolean): Promise<void> {
    const started = Date.now();
    this.loadedSig = signature(pre);
    this.dirty = false;
    // At the start a missing path is an error (exit 3), as without --follow; later it is waited for.
    const present = first ? this.specs : this.specs.filter((spec) => !pre.missing.includes(spec));
    const reading = present.length === 0 ? null : await this.load(present, first);
    const took = Date.now() - started;
    this.nextReloadAt = Date.now() + Math.max(this.intervalMs, took);
    if (took > this.intervalMs && !this.slowNoted) {
      this.slowNoted = true;
      this.notes.note(`reading the inputs took ${seconds(took)}; --follow reads them again after each change, at most once per ${seconds(took)}`);
    }
    if (reading === null) {
      if (!this.waiting) this.notes.note(`no log file to read in ${this.specs.join(', ')} at the moment; waiting for one`);
      this.waiting = true;
      this.pending = null;
      return;
    }
    if (this.waiting) this.notes.note('log files found again; following them');
    this.waiting = false;
    this.extra = reading.s.load.files.filter((f) => f.status === 'loaded' && !pre.files.has(f.path)).map((f) => f.path);
    // Changes made while the files were read: they decide what is still being written.
    await this.snap();
    if (this.stopped) return;
    this.show(reading, first);
  }

  /** One reading of the inputs: the command's rows, and the last record of each file. Null when there is no input now. */
  private async load(logs: string[], first: boolean): Promise<Reading | null> {
    const o: CommonOptions = { ...this.o, logs, limit: undefined, quiet: first ? this.o.quiet : true };
    let s: Loaded;
    try {
      s = await openSources(this.loadCtx, o, this.config);
    } catch (err) {
      if (!first && err instanceof ObsError && err.exitCode === EXIT.NO_INPUT) return null;
      throw err;
    }
    try {
      const collected: { out?: Output } = {};
      s.collect = (out) => {
        collected.out = out;
      };
      await this.body(s);
      const { out } = collected;
      if (out === undefined) throw new Error('the command gave no rows to output()');
      const { rows: last } = await s.db.query(sqlFile('follow_last_records.sql'));
      const lastLines = new Map(last.map((r) => [String(r['source_file']), Number(r['last_line'])]));
      return { s, out, rows: out.rows, keys: out.rows.map((r) => this.identity.key(r)), lastLines };
    } finally {
      s.db.close();
    }
  }

  private activity(reading: Reading): FileActivity {
    const now = Date.now();
    return {
      active: (f) => this.tracker.active(f, now),
      renewing: (f) => this.tracker.renewing(f, now),
      lastRecord: (f) => reading.lastLines.get(f),
    };
  }

  private show(reading: Reading, first: boolean): void {
    const fresh = this.ledger.unprinted(reading.keys);
    const held = holdBack(reading.rows, reading.keys, fresh, this.identity, this.activity(reading), this.ledger);
    const now = fresh.filter((i) => !held.has(i));
    this.pending = held.size > 0 ? { reading, indexes: fresh.filter((i) => held.has(i)) } : null;
    // Of the records already there, --limit n prints the last n, as tail -n does; all count as printed.
    const shown = first && this.limit !== null && now.length > this.limit ? now.slice(now.length - this.limit) : now;
    const truncated = reading.out.truncated === undefined ? undefined : first && shown.length < now.length;
    if (first && shown.length === 0 && reading.out.empty !== undefined) this.notes.note(held.size > 0 ? `${reading.out.empty} yet` : reading.out.empty);
    if (truncated === true) {
      this.notes.note(`showing the last ${this.limit} of ${now.length} ${reading.out.noun.replace('_', ' ')} already there`);
    }
    this.printer.print(reading.s, reading.out, shown.map((i) => reading.rows[i] as Row), { first, truncated });
    this.ledger.add(now.map((i) => reading.keys[i] as string));
  }

  /** Prints the held rows whose files have been quiet long enough; the inputs have not changed since they were read. */
  private release(): void {
    const p = this.pending;
    if (p === null) return;
    const { reading } = p;
    const held = holdBack(reading.rows, reading.keys, p.indexes, this.identity, this.activity(reading), this.ledger);
    const now = p.indexes.filter((i) => !held.has(i));
    this.pending = held.size > 0 ? { reading, indexes: p.indexes.filter((i) => held.has(i)) } : null;
    if (now.length === 0) return;
    const truncated = reading.out.truncated === undefined ? undefined : false;
    this.printer.print(reading.s, reading.out, now.map((i) => reading.rows[i] as Row), { first: false, truncated });
    this.ledger.add(now.map((i) => reading.keys[i] as string));
  }
}
