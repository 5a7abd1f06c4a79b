/**
 * Which rows `--follow` has printed. Each reload answers the query again over
 * every input, so a row is recognised by its own content, not by where it
 * was read: a record moved to `app.log.1` by rotation, or one whose session
 * became known through another file, has the same key. Keys are counted as a
 * multiset: two identical lines are two rows, and both are printed, but the
 * same line read from a rotated copy is not printed again.
 */
import { createHash } from 'node:crypto';
import type { Row } from '../output/render.js';

/** A place a row was read from: a file (as shown in source_file) and the line its record starts on. */
export interface Place {
  file: string;
  line: number;
}

export interface Identity {
  /** The content of a row that stays the same wherever it was read from. */
  key(row: Row): string;
  /** The records the row was read from. */
  places(row: Row): Place[];
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** Hashes the parts, each length-prefixed so that no two different lists give the same text. */
function digest(parts: unknown[]): string {
  const h = createHash('sha1');
  for (const p of parts) {
    const t = text(p);
    h.update(`${t.length}:${t}|`);
  }
  return h.digest('base64');
}

function place(row: Row): Place[] {
  const file = row['source_file'];
  const line = row['source_line'];
  return typeof file === 'string' && typeof line === 'number' ? [{ file, line }] : [];
}

/**
 * A log record: its time and what the line said (the parsed JSON as logged,
 * or the message, level, event and logger a text format read). Not the file,
 * line, source kind or format (a rotated file may be detected otherwise) nor
 * the ids linked in from other records.
 */
export const EVENT_IDENTITY: Identity = {
  key: (r) => digest([r['ts'], r['level'], r['event'], r['logger'], r['message'], r['raw'], r['parse_error'] === null || r['parse_error'] === undefined]),
  places: place,
};

/**
 * An LLM call: its time and the call as logged (the audit record), or, for a
 * call with no record of its own, the fields that describe it.
 */
export const LLM_IDENTITY: Identity = {
  key: (r) =>
    r['raw'] !== null && r['raw'] !== undefined
      ? digest(['raw', r['ts'], r['raw']])
      : digest(['fields', r['ts'], r['model'], r['status'], r['call_label'], r['function'], r['prompt_tokens'], r['completion_tokens'], r['latency_ms'], r['error']]),
  places: place,
};

/**
 * An error: its fingerprint (type and innermost application frames, or type
 * and normalised message), the time of its first sighting and its message.
 * Not error_id: that names the file and line of the fullest sighting and the
 * session, which rotation and later sightings change. A sighting of an error
 * already printed, found in another file later, joins it and is not printed.
 */
export const ERROR_IDENTITY: Identity = {
  key: (r) => digest([r['fingerprint'], r['ts'], r['message']]),
  places: (r) => {
    const seen = r['seen_in'];
    if (!Array.isArray(seen)) return place(r);
    const out: Place[] = [];
    for (const s of seen as Row[]) {
      if (typeof s['source_file'] === 'string' && typeof s['source_line'] === 'number') out.push({ file: s['source_file'], line: s['source_line'] });
    }
    return out.length > 0 ? out : place(r);
  },
};

/**
 * The rows of a result not printed yet, as indexes into `keys` (the keys of
 * the result's rows, in order): of n rows with one key, those past the number
 * already printed with it.
 */
export function unprinted(printed: ReadonlyMap<string, number>, keys: readonly string[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  keys.forEach((k, i) => {
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    if (n > (printed.get(k) ?? 0)) out.push(i);
  });
  return out;
}

/** How many rows of each key were printed; only grows, so content that goes and comes back is not printed twice. */
export class Ledger {
  private readonly printed = new Map<string, number>();

  /** Indexes of the rows of `keys` not printed yet. */
  unprinted(keys: readonly string[]): number[] {
    return unprinted(this.printed, keys);
  }

  /** How many rows with this key were printed. */
  count(key: string): number {
    return this.printed.get(key) ?? 0;
  }

  /** Counts rows as printed. */
  add(keys: Iterable<string>): void {
    for (const k of keys) this.printed.set(k, (this.printed.get(k) ?? 0) + 1);
  }

  get size(): number {
    return this.printed.size;
  }
}

/** What `holdBack` knows of each file at the time of a reload. */
export interface FileActivity {
  /** Written to within the settle time: its last record may still grow (a traceback written line by line). */
  active(file: string): boolean;
  /** Created, replaced or shrunk a moment ago and still being written: a copy (copytruncate) may be under way. */
  renewing(file: string): boolean;
  /** The line the file's last record starts on. */
  lastRecord(file: string): number | undefined;
}

/**
 * Which of the unprinted rows to hold back until the files they come from
 * are quiet: a row read from the last record of a file still being written
 * (the record may not be complete), and a row whose content was printed
 * before and now appears again in a file being created or rewritten (a copy
 * of a file in progress, as copytruncate makes). Returns indexes into rows.
 */
export function holdBack(rows: readonly Row[], keys: readonly string[], fresh: readonly number[], identity: Identity, files: FileActivity, ledger: Pick<Ledger, 'count'>): Set<number> {
  const held = new Set<number>();
  const repeatsInCopies = new Set<string>();
  // A repeat is recognised by key across every row of the result, printed or not.
  rows.forEach((row, i) => {
    const k = keys[i] as string;
    if (ledger.count(k) === 0 || repeatsInCopies.has(k)) return;
    if (identity.places(row).some((p) => files.renewing(p.file))) repeatsInCopies.add(k);
  });
  for (const i of fresh) {
    const row = rows[i] as Row;
    if (repeatsInCopies.has(keys[i] as string)) held.add(i);
    else if (identity.places(row).some((p) => files.active(p.file) && files.lastRecord(p.file) === p.line)) held.add(i);
  }
  return held;
}
