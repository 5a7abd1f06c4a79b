/**
 * Watches the inputs of `--follow` by polling: discovery runs again (so a
 * new file in a watched folder or matching a glob is found) and every file is
 * stat'ed by path. A snapshot is the set of files with their inode, size and
 * modification time; two snapshots that differ mean the inputs must be read
 * again. The tracker remembers, per file, when it last changed and whether it
 * was just created, replaced or truncated, for the rows held back until a
 * file is quiet (see holdBack).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ObsError, EXIT } from '../errors.js';
import { discover } from '../load/discover.js';

export interface FileStat {
  /** As shown in source_file: relative to the working directory when inside it. */
  display: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export interface Snapshot {
  /** When the snapshot was taken (ms, the tracker's clock). */
  at: number;
  files: Map<string, FileStat>;
  /** The --logs paths that name nothing at the moment. */
  missing: string[];
}

/** Files of every path spec, each spec on its own so that one missing path leaves the others followed. */
export async function snapshot(specs: readonly string[], cwd: string, extra: readonly string[], now: number): Promise<Snapshot> {
  const files = new Map<string, FileStat>();
  const missing: string[] = [];
  const add = async (abs: string, display: string): Promise<void> => {
    if (files.has(display)) return;
    try {
      const s = await stat(abs);
      if (s.isFile()) files.set(display, { display, dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs });
    } catch {
      // Gone between discovery and stat: the next snapshot says so.
    }
  };
  for (const spec of specs) {
    try {
      const found = await discover([spec], cwd);
      for (const f of found.files) await add(f.abs, f.display);
    } catch (err) {
      if (err instanceof ObsError && err.exitCode === EXIT.NO_INPUT) missing.push(spec);
      else throw err;
    }
  }
  // Files found through an index (session logs named by log_path), outside the given paths.
  for (const display of extra) await add(path.resolve(cwd, display), display);
  return { at: now, files, missing };
}

/** One line per file and missing path: equal signatures, nothing to read again. */
export function signature(s: Snapshot): string {
  const lines = [...s.files.values()].map((f) => `${f.display}\0${f.dev}:${f.ino}:${f.size}:${f.mtimeMs}`);
  return [...lines.sort(), ...s.missing.map((m) => `missing\0${m}`)].join('\n');
}

/** What happened to a file between two snapshots, for the notes on stderr. */
export type Change = { file: string; what: 'new' | 'gone' | 'truncated' | 'replaced' };

export function changes(before: Snapshot, after: Snapshot): Change[] {
  const out: Change[] = [];
  for (const [file, f] of after.files) {
    const b = before.files.get(file);
    if (b === undefined) out.push({ file, what: 'new' });
    else if (b.dev !== f.dev || b.ino !== f.ino) out.push({ file, what: 'replaced' });
    else if (f.size < b.size) out.push({ file, what: 'truncated' });
  }
  for (const file of before.files.keys()) if (!after.files.has(file)) out.push({ file, what: 'gone' });
  return out;
}

interface Tracked {
  stat: FileStat;
  /** When the file last changed: its mtime, kept between the snapshot before and this one. */
  changedAt: number;
  /** When it was last created, replaced or truncated; null when it has been quiet since. */
  renewedAt: number | null;
}

/**
 * Per file: when it last changed and whether it is being rewritten. A file
 * is active for `settleMs` after its last change; a renewed file (new,
 * replaced or truncated) counts as being rewritten while it stays active, up
 * to `maxRenewMs`, so a log that is written without a pause is not held
 * forever.
 */
export class Tracker {
  private readonly files = new Map<string, Tracked>();
  private lastAt: number | null = null;

  constructor(
    readonly settleMs: number,
    readonly maxRenewMs: number,
  ) {}

  observe(s: Snapshot): void {
    const prevAt = this.lastAt;
    for (const [file, f] of s.files) {
      const t = this.files.get(file);
      // The last write was at its mtime, but no earlier than the snapshot that saw the file as it was,
      // and no later than now (a clock ahead on a network file system).
      const since = prevAt ?? Number.NEGATIVE_INFINITY;
      const changedAt = Math.min(s.at, Math.max(f.mtimeMs, since));
      if (t === undefined) {
        const renewed = prevAt !== null;
        this.files.set(file, { stat: f, changedAt, renewedAt: renewed ? changedAt : null });
        continue;
      }
      const same = t.stat.dev === f.dev && t.stat.ino === f.ino && t.stat.size === f.size && t.stat.mtimeMs === f.mtimeMs;
      if (same) {
        if (t.renewedAt !== null && !this.activeAt(t, s.at)) t.renewedAt = null;
        continue;
      }
      const renewed = t.stat.dev !== f.dev || t.stat.ino !== f.ino || f.size < t.stat.size;
      t.stat = f;
      t.changedAt = changedAt;
      if (renewed) t.renewedAt = changedAt;
    }
    for (const file of [...this.files.keys()]) if (!s.files.has(file)) this.files.delete(file);
    this.lastAt = s.at;
  }

  private activeAt(t: Tracked, now: number): boolean {
    return now - t.changedAt < this.settleMs;
  }

  active(file: string, now: number): boolean {
    const t = this.files.get(file);
    return t !== undefined && this.activeAt(t, now);
  }

  renewing(file: string, now: number): boolean {
    const t = this.files.get(file);
    return t !== undefined && t.renewedAt !== null && this.activeAt(t, now) && now - t.renewedAt < this.maxRenewMs;
  }

  /** When the file will have been quiet for the settle time (ms), if nothing changes. */
  quietAt(file: string): number | undefined {
    const t = this.files.get(file);
    return t === undefined ? undefined : t.changedAt + this.settleMs;
  }
}
