/**
 * One failure, many places: the same exception is often written to a text
 * log, a JSON log, the LLM audit log and a session log. Observations become
 * one occurrence when their type and message agree, their sessions, threads
 * and traces do not disagree, their innermost frames (where both have frames)
 * are the same, and they lie within two seconds of the occurrence's first
 * sighting. An observation with no type (an error-level line) joins an
 * occurrence with the same message, or the same line written to another
 * file. A session guessed from nearby records never blocks or steers a merge.
 * A test runner reports each failed test once per run, in one file: sightings
 * that name a test merge only with sightings of the same test in that file
 * (the same failure in two runs' reports is two occurrences).
 * When a match is ambiguous (two candidate occurrences in different sessions)
 * nothing is merged.
 */
import path from 'node:path';
import { CORRELATION_COLUMNS, type CorrelationColumn } from '../../sources/fields.js';
import type { ContextFrom, ErrorFields, ErrorKind, Observation } from './extract.js';
import { fingerprint, shortType } from './fingerprint.js';
import type { Frame } from '../../tracebacks/index.js';

export const MERGE_WINDOW_MICROS = 2_000_000;

const CONTEXT_RANK: Record<ContextFrom, number> = { record: 0, line: 1, reference: 2, merged: 3, nearby: 4, none: 5 };
const LEVEL_RANK: Record<string, number> = { fatal: 5, error: 4, warn: 3, info: 2, debug: 1, trace: 0 };
const KIND_RANK: Record<ErrorKind, number> = { exception: 2, crash: 1, log: 0 };

export interface SeenIn {
  source_file: string;
  source_line: number;
  source_kind: string;
  ts: number | null;
}

export interface Occurrence extends ErrorFields {
  errorId: string;
  /** Indexes into the observations given to groupObservations. */
  members: number[];
  ts: number | null;
  lastTs: number | null;
  primary: Observation;
  correlation: Record<CorrelationColumn, string | null>;
  fingerprint: string;
  seenIn: SeenIn[];
}

interface Open {
  members: number[];
  files: Set<string>;
  firstTs: number | null;
  typed: boolean;
  session: string | null;
  thread: string | null;
  trace: string | null;
  innermost: string | null;
  /** The test the sightings failed, and the file of the first that named one. */
  test: string | null;
  testFile: string | null;
}

function normalized(message: string): string {
  return message.replace(/\s+/g, ' ').trim();
}

function normalizedMessage(o: Observation): string {
  return normalized(o.message);
}

/**
 * The messages through which a sighting can meet another: its own (first)
 * and those of its causes and group members. Sightings that share none,
 * directly or through others, never merge: groupObservations gives each
 * such set the groups it would give it alone.
 */
export function mergeKeys(o: Observation): string[] {
  const keys = [normalizedMessage(o)];
  for (const link of o.chain) {
    const k = normalized(link.message);
    if (!keys.includes(k)) keys.push(k);
  }
  return keys;
}

/**
 * Sightings connected through their messages (mergeKeys) whose times lie
 * more than this far apart from any other's, in the order of time, can never
 * end up in one occurrence or compete for one: an occurrence's sightings lie
 * within MERGE_WINDOW_MICROS of its first, and a sighting looks for
 * occurrences within that of its own time. Twice that, for slack.
 */
export const INDEPENDENT_GAP_MICROS = 2 * MERGE_WINDOW_MICROS;

function typedKey(o: Observation): string | null {
  const type = shortType(o.errorType);
  return type === null ? null : `${type}\u0000${normalizedMessage(o)}`;
}

function innermost(frames: Frame[]): string | null {
  const f = frames[frames.length - 1];
  return f ? `${path.basename(f.file)}:${f.line ?? '?'}:${f.function ?? '?'}` : null;
}

function agrees(a: string | null, b: string | null | undefined): boolean {
  return a === null || b === null || b === undefined || a === b;
}

/** The session an observation knows for sure: one guessed from nearby records does not count. */
function firmSession(o: Observation): string | null {
  return o.contextFrom === 'nearby' ? null : (o.session_key ?? null);
}

function firmThread(o: Observation): string | null {
  return o.contextFrom === 'nearby' ? null : (o.thread_ts ?? null);
}

/** What an observation brings to the comparison, worked out once. */
interface Probe {
  o: Observation;
  session: string | null;
  thread: string | null;
  innermost: string | null;
}

function compatible(c: Open, p: Probe): boolean {
  const test = p.o.testId;
  if (test !== null && c.testFile !== null && (c.test !== test || c.testFile !== p.o.sourceFile)) return false;
  return agrees(c.session, p.session) && agrees(c.thread, p.thread) && agrees(c.trace, p.o.trace_id) && agrees(c.innermost, p.innermost);
}

function distance(c: Open, o: Observation): number {
  return c.firstTs === null || o.ts === null ? Number.POSITIVE_INFINITY : Math.abs(o.ts - c.firstTs);
}

/**
 * Open occurrences under one key (an exception's type and message, or a
 * message), split by session so that an outage with the same error in a
 * thousand sessions at once costs no more than one. Each list is in order of
 * first sighting, give or take one window (groups open in time order, untimed
 * ones last; a group is listed under a cause's message when a later sighting
 * brings the cause), so the window is found by binary search with one window
 * of slack.
 */
class Candidates {
  private readonly lists = new Map<string, Map<string, Open[]>>();
  private readonly listed = new Map<Open, Set<string>>();

  add(key: string, g: Open): void {
    const session = g.session ?? '';
    const tag = `${key}\u0000${session}`;
    const seen = this.listed.get(g) ?? new Set<string>();
    if (seen.has(tag)) return;
    seen.add(tag);
    this.listed.set(g, seen);
    let bySession = this.lists.get(key);
    if (bySession === undefined) this.lists.set(key, (bySession = new Map()));
    const list = bySession.get(session);
    if (list === undefined) bySession.set(session, [g]);
    else list.push(g);
  }

  /** Occurrences under the key that agree with the observation and lie in its window (any time when it has none). */
  find(key: string, p: Probe): Open[] {
    const bySession = this.lists.get(key);
    if (bySession === undefined) return [];
    const lists = p.session !== null ? [bySession.get(p.session), bySession.get('')] : [...bySession.values()];
    const out: Open[] = [];
    for (const list of lists) if (list !== undefined) inWindow(list, p, out);
    // A group whose session became known is listed under both; count it once.
    return lists.length > 1 ? [...new Set(out)] : out;
  }
}

function inWindow(list: Open[], p: Probe, out: Open[]): void {
  const ts = p.o.ts;
  if (ts === null) {
    for (const c of list) if (compatible(c, p)) out.push(c);
    return;
  }
  const from = ts - 2 * MERGE_WINDOW_MICROS;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const t = list[mid]!.firstTs;
    if (t !== null && t < from) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < list.length; i++) {
    const c = list[i]!;
    if (c.firstTs === null || c.firstTs > ts + 2 * MERGE_WINDOW_MICROS) break;
    if (distance(c, p.o) <= MERGE_WINDOW_MICROS && compatible(c, p)) out.push(c);
  }
}

function choose(cands: Open[], p: Probe): Open | null {
  const o = p.o;
  if (cands.length === 0) return null;
  if (o.ts === null) return cands.length === 1 ? (cands[0] ?? null) : null;
  const sameSession = p.session ? cands.filter((c) => c.session === p.session) : [];
  const pool = sameSession.length > 0 ? sameSession : cands;
  // An observation that does not know its session must not pick between two sessions.
  if (!p.session && new Set(pool.map((c) => c.session).filter((s) => s !== null)).size > 1) return null;
  return pool.reduce((best, c) => (distance(c, o) < distance(best, o) ? c : best));
}

function compareObservations(a: Observation, b: Observation): number {
  if (a.ts !== b.ts) {
    if (a.ts === null) return 1;
    if (b.ts === null) return -1;
    return a.ts - b.ts;
  }
  return a.sourceFile.localeCompare(b.sourceFile) || a.sourceLine - b.sourceLine;
}

/**
 * Groups observations into occurrences. Typed observations (an exception
 * type is known) merge first; then each untyped one joins a typed occurrence
 * with the same message (its own or that of a cause or group member), or else
 * the same line written by another handler to another file.
 */
export function groupObservations(observations: readonly Observation[]): number[][] {
  const order = observations.map((_, i) => i).sort((x, y) => compareObservations(observations[x]!, observations[y]!));
  const groups: Open[] = [];
  const byKey = new Candidates();
  const byMessage = new Candidates();
  // Untyped groups per message, in time order, and per (message, file) how far the file got.
  const untyped = new Map<string, Open[]>();
  const cursors = new Map<string, number>();

  /**
   * The same line written by several handlers: the k-th such line of one file
   * pairs with the k-th of another, one sighting per file. A cursor per file
   * skips the groups it already joined, so a line repeated all day is cheap.
   */
  const pairAcrossFiles = (message: string, p: Probe): Open | null => {
    const list = untyped.get(message);
    if (list === undefined) return null;
    const o = p.o;
    const tag = `${message}\u0000${o.sourceFile}`;
    let i = cursors.get(tag) ?? 0;
    while (i < list.length) {
      const c = list[i]!;
      const stale = o.ts !== null && c.firstTs !== null && c.firstTs < o.ts - MERGE_WINDOW_MICROS;
      if (!c.files.has(o.sourceFile) && !stale) break;
      i++;
    }
    cursors.set(tag, i);
    for (let j = i; j < list.length; j++) {
      const c = list[j]!;
      if (o.ts !== null && c.firstTs !== null && c.firstTs > o.ts + MERGE_WINDOW_MICROS) break;
      if (c.files.has(o.sourceFile) || !compatible(c, p)) continue;
      if (o.ts === null || distance(c, o) <= MERGE_WINDOW_MICROS) return c;
    }
    return null;
  };

  const add = (target: Open | null, p: Probe, i: number, typed: boolean): Open => {
    const o = p.o;
    const g: Open = target ?? {
      members: [],
      files: new Set(),
      firstTs: o.ts,
      typed,
      session: null,
      thread: null,
      trace: null,
      innermost: null,
      test: null,
      testFile: null,
    };
    if (target === null) groups.push(g);
    g.members.push(i);
    g.files.add(o.sourceFile);
    g.session ??= p.session;
    g.thread ??= p.thread;
    g.trace ??= o.trace_id ?? null;
    g.innermost ??= p.innermost;
    if (g.test === null && o.testId !== null) {
      g.test = o.testId;
      g.testFile = o.sourceFile;
    }
    return g;
  };
  const probe = (o: Observation): Probe => ({ o, session: firmSession(o), thread: firmThread(o), innermost: innermost(o.frames) });

  for (const i of order) {
    const o = observations[i]!;
    const key = typedKey(o);
    if (key === null) continue;
    const p = probe(o);
    const g = add(choose(byKey.find(key, p), p), p, i, true);
    byKey.add(key, g);
    byMessage.add(normalizedMessage(o), g);
    // Causes and group members logged on their own (a tool error inside an ExceptionGroup) are part of it.
    for (const link of o.chain) byMessage.add(normalized(link.message), g);
  }
  for (const i of order) {
    const o = observations[i]!;
    if (typedKey(o) !== null) continue;
    const p = probe(o);
    const message = normalizedMessage(o);
    const target = choose(byMessage.find(message, p), p) ?? pairAcrossFiles(message, p);
    const g = add(target, p, i, false);
    if (target === null) {
      const list = untyped.get(message);
      if (list === undefined) untyped.set(message, [g]);
      else list.push(g);
    }
  }
  return groups.map((g) => g.members);
}

/** The observation that speaks for the occurrence: the fullest traceback, then the earliest. */
function primaryOf(members: Observation[]): Observation {
  return members.reduce((best, o) => {
    const d = o.frames.length - best.frames.length || KIND_RANK[o.kind] - KIND_RANK[best.kind] || o.chain.length - best.chain.length;
    return d > 0 ? o : best;
  });
}

export function buildOccurrence(observations: readonly Observation[], members: number[]): Occurrence {
  const obs = members.map((i) => observations[i]!);
  const primary = primaryOf(obs);
  const byContext = [...obs].sort((a, b) => CONTEXT_RANK[a.contextFrom] - CONTEXT_RANK[b.contextFrom]);
  const correlation = Object.fromEntries(
    CORRELATION_COLUMNS.map((c) => [c, byContext.find((o) => o[c])?.[c] ?? null]),
  ) as Record<CorrelationColumn, string | null>;
  const times = obs.map((o) => o.ts).filter((t): t is number => t !== null);
  const short = shortType(primary.errorType);
  // The most qualified spelling of the type any place gave (urllib.error.HTTPError over HTTPError).
  const errorType =
    obs
      .map((o) => o.errorType)
      .filter((t): t is string => t !== null && shortType(t) === short)
      .sort((a, b) => b.length - a.length)[0] ??
    primary.errorType ??
    obs.find((o) => o.errorType !== null)?.errorType ??
    null;
  const level = obs.map((o) => o.level).reduce<string | null>((a, b) => ((LEVEL_RANK[b ?? ''] ?? -1) > (LEVEL_RANK[a ?? ''] ?? -1) ? b : a), null);
  const kind = obs.some((o) => o.kind === 'crash') ? 'crash' : obs.some((o) => o.kind === 'exception') ? 'exception' : 'log';
  const chain = obs.reduce((best, o) => (o.chain.length > best.length ? o.chain : best), primary.chain);
  const contextFrom = byContext[0]?.contextFrom ?? 'none';
  const print = fingerprint({ type: errorType, message: primary.message, frames: primary.frames, logger: primary.logger });
  // reduce, not Math.min(...times): the same error logged 10^5 times in a burst is one occurrence.
  const ts = times.length > 0 ? times.reduce((a, b) => Math.min(a, b)) : null;
  const seenIn = [...obs].sort(compareObservations).map((o) => ({
    source_file: o.sourceFile,
    source_line: o.sourceLine,
    source_kind: o.sourceKind,
    ts: o.ts,
  }));
  return {
    errorId: '',
    members,
    ts,
    lastTs: times.length > 0 ? times.reduce((a, b) => Math.max(a, b)) : null,
    primary,
    correlation,
    level,
    kind,
    language: primary.language ?? obs.find((o) => o.language !== null)?.language ?? null,
    errorType,
    message: primary.message,
    frames: primary.frames,
    chain,
    traceback: primary.traceback ?? obs.find((o) => o.traceback !== null)?.traceback ?? null,
    logger: primary.logger,
    testId: primary.testId ?? obs.find((o) => o.testId !== null)?.testId ?? null,
    contextFrom: correlation.session_key === null && correlation.trace_id === null && correlation.stage === null ? 'none' : contextFrom,
    fingerprint: print,
    seenIn,
  };
}
