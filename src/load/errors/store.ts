/**
 * After the files are loaded: completes the context of the error sightings
 * that lack it (error_context.sql), merges them into occurrences, and stores
 * both: occurrences in `errors`, sightings in `error_records`. Which
 * sightings are merged together, and when, is sightings.ts's business.
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Database } from '../../db/database.js';
import { sqlFile } from '../../db/sql-files.js';
import { CORRELATION_COLUMNS } from '../../sources/fields.js';
import { str, ts } from '../sink.js';
import type { ContextFrom, ErrorFields, Observation } from './extract.js';
import { buildOccurrence, groupObservations, type Occurrence } from './merge.js';

/** The columns error_records and errors share, from level to context_from. */
function appendErrorFields(a: DuckDBAppender, e: ErrorFields): void {
  str(a, e.level);
  str(a, e.kind);
  str(a, e.language);
  str(a, e.errorType);
  str(a, e.message);
  str(a, JSON.stringify(e.frames));
  str(a, JSON.stringify(e.chain));
  str(a, e.traceback);
  str(a, e.logger);
  str(a, e.contextFrom);
}

async function appendObservations(db: Database, observations: readonly Observation[], errorIds: string[], firstId: number): Promise<void> {
  const a = await db.appender('error_records');
  for (const [i, o] of observations.entries()) {
    a.appendBigInt(BigInt(firstId + i));
    ts(a, o.ts);
    str(a, o.sourceFile);
    a.appendBigInt(BigInt(o.sourceLine));
    str(a, o.sourceKind);
    for (const c of CORRELATION_COLUMNS) str(a, o[c]);
    appendErrorFields(a, o);
    str(a, o.tsFrom);
    str(a, errorIds[i]);
    str(a, o.testId);
    a.endRow();
  }
  a.closeSync();
}

/** A sighting that lacks a session, a thread or a time: every load tries again to complete it. */
export function isOpen(o: Observation): boolean {
  return !o.session_key || !o.thread_ts || o.ts === null;
}

const CONTEXT_TABLE = `CREATE TEMP TABLE error_context (
  record_id BIGINT, ts TIMESTAMPTZ, source_file VARCHAR, kind VARCHAR,
  ${CORRELATION_COLUMNS.map((c) => `${c} VARCHAR`).join(', ')},
  context_from VARCHAR, ts_from VARCHAR
)`;

/**
 * Sightings that lack a session, a thread or a time get them from the
 * evidence around them (error_context.sql), through a small table of those
 * sightings only.
 */
export async function completeContext(db: Database, observations: Observation[]): Promise<void> {
  const open = observations.flatMap((o, i) => (isOpen(o) ? [i] : []));
  if (open.length === 0) return;
  await db.exec(CONTEXT_TABLE);
  const a = await db.appender('error_context');
  for (const i of open) {
    const o = observations[i]!;
    a.appendBigInt(BigInt(i));
    ts(a, o.ts);
    str(a, o.sourceFile);
    str(a, o.kind);
    for (const c of CORRELATION_COLUMNS) str(a, o[c]);
    str(a, o.contextFrom);
    str(a, o.tsFrom);
    a.endRow();
  }
  a.closeSync();
  await db.exec(sqlFile('error_context.sql'));
  const { rows } = await db.query(
    `SELECT record_id, epoch_us(ts) AS ts_us, ${CORRELATION_COLUMNS.join(', ')}, context_from, ts_from FROM error_context`,
  );
  await db.exec('DROP TABLE error_context');
  for (const r of rows) {
    const o = observations[Number(r['record_id'])];
    if (!o) continue;
    o.ts = typeof r['ts_us'] === 'number' ? r['ts_us'] : null;
    for (const c of CORRELATION_COLUMNS) o[c] = (r[c] as string | null) ?? null;
    o.contextFrom = r['context_from'] as ContextFrom;
    o.tsFrom = (r['ts_from'] as Observation['tsFrom']) ?? null;
  }
}

/** A short id that stays the same for the same inputs. */
function errorIdOf(o: Occurrence, taken: Set<string>): string {
  const seed = [o.fingerprint, o.ts ?? '', o.correlation.session_key ?? '', path.basename(o.primary.sourceFile), o.primary.sourceLine].join('|');
  let id = createHash('sha1').update(seed).digest('hex').slice(0, 12);
  for (let n = 2; taken.has(id); n++) id = createHash('sha1').update(`${seed}|${n}`).digest('hex').slice(0, 12);
  taken.add(id);
  return id;
}

async function appendOccurrences(db: Database, occurrences: readonly Occurrence[]): Promise<void> {
  const a = await db.appender('errors');
  for (const o of occurrences) {
    str(a, o.errorId);
    ts(a, o.ts);
    ts(a, o.lastTs);
    str(a, o.primary.sourceFile);
    a.appendBigInt(BigInt(o.primary.sourceLine));
    str(a, o.primary.sourceKind);
    for (const c of CORRELATION_COLUMNS) str(a, o.correlation[c]);
    appendErrorFields(a, o);
    str(a, o.fingerprint);
    a.appendBigInt(BigInt(o.seenIn.length));
    str(a, JSON.stringify(o.seenIn));
    str(a, o.testId);
    a.endRow();
  }
  a.closeSync();
}

/**
 * A sighting that knew nothing of its session, or only guessed it from nearby
 * records, takes the context of the error it was merged into when another
 * sighting knew it for sure.
 */
function shareContext(observations: Observation[], o: Occurrence): void {
  if (o.contextFrom === 'nearby' || o.contextFrom === 'none') return;
  for (const i of o.members) {
    const m = observations[i]!;
    if (m.contextFrom !== 'nearby' && m.contextFrom !== 'none') continue;
    for (const c of CORRELATION_COLUMNS) m[c] = o.correlation[c];
    m.contextFrom = 'merged';
  }
}

/** Where a merge put each sighting: its occurrence (errors.error_id) and its row (error_records.record_id). */
export interface Stored {
  errorIds: string[];
  recordIds: number[];
}

/**
 * Merges sightings whose context is complete into occurrences and appends
 * both, batch after batch. New ids follow those the tables hold (rows read
 * from an obs export, or the occurrences a cache keeps), never repeating
 * them.
 */
export class Merger {
  private constructor(
    private readonly db: Database,
    private readonly taken: Set<string>,
    private nextRecordId: number,
  ) {}

  static async start(db: Database): Promise<Merger> {
    const { rows } = await db.query('SELECT error_id FROM errors');
    const taken = new Set(rows.map((r) => r['error_id']).filter((id): id is string => typeof id === 'string'));
    const next = await db.query('SELECT coalesce(max(record_id) + 1, 0) AS id FROM error_records');
    return new Merger(db, taken, Number(next.rows[0]?.['id'] ?? 0));
  }

  /** Sightings that can merge only among themselves (whole runs of them, see sightings.ts). */
  async merge(observations: Observation[]): Promise<Stored> {
    const firstId = this.nextRecordId;
    this.nextRecordId += observations.length;
    const occurrences = groupObservations(observations)
      .map((members) => buildOccurrence(observations, members))
      .sort((x, y) => (x.ts ?? Number.MAX_SAFE_INTEGER) - (y.ts ?? Number.MAX_SAFE_INTEGER));
    for (const o of occurrences) o.errorId = errorIdOf(o, this.taken);
    const errorIds: string[] = [];
    for (const o of occurrences) {
      shareContext(observations, o);
      for (const m of o.members) errorIds[m] = o.errorId;
    }
    await appendOccurrences(this.db, occurrences);
    await appendObservations(this.db, observations, errorIds, firstId);
    return { errorIds, recordIds: observations.map((_, i) => firstId + i) };
  }
}
