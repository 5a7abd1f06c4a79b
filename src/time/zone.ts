/**
 * Wall-clock time in an IANA time zone → UTC instant, without a dependency.
 *
 * Offsets come from Intl.DateTimeFormat and are cached twice per zone:
 * - per UTC hour: the zone's offset at that instant (so Intl runs at most
 *   twice per UTC hour seen);
 * - per local (wall-clock) hour: the resolved offset for every wall time in
 *   that hour, when the hour contains no transition, gap or overlap.
 * A log file's lines mostly share a handful of local hours, so converting a
 * line costs a little arithmetic and one Map lookup (or none, via the
 * last-hit memo).
 */

import { readlinkSync } from 'node:fs';
import { usageError } from '../errors.js';

const MS_PER_SECOND = 1000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;
/** Offsets are cached per hour; past this many hours a cache starts over. */
const MAX_CACHED_HOURS = 100_000;

/** Zone names that are UTC with no offset, ever: no Intl needed. */
const UTC_NAMES = new Set([
  'UTC',
  'Etc/UTC',
  'GMT',
  'Etc/GMT',
  'Etc/GMT0',
  'Etc/GMT+0',
  'Etc/GMT-0',
  'GMT0',
  'GMT+0',
  'GMT-0',
  'UCT',
  'Etc/UCT',
  'Universal',
  'Etc/Universal',
  'Zulu',
  'Etc/Zulu',
]);

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1–12). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return MONTH_DAYS[m - 1] ?? 0;
}

/** Milliseconds since the epoch of a wall time read as if it were UTC. */
export function civilToMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  return daysFromCivil(y, mo, d) * MS_PER_DAY + h * MS_PER_HOUR + mi * 60_000 + s * MS_PER_SECOND;
}

interface Zone {
  readonly utc: boolean;
  readonly fmt: Intl.DateTimeFormat | null;
  /** UTC hour index → offset (ms) for the whole hour, or NaN if it changes within the hour. */
  readonly utcHours: Map<number, number>;
  /** Local hour index → offset (ms) for every wall time in the hour, or NaN if not uniform. */
  readonly localHours: Map<number, number>;
  lastLocalHour: number;
  lastLocalOffset: number;
}

const zones = new Map<string, Zone>();
const validity = new Map<string, boolean>();

/** True if `tz` is an IANA zone name this runtime knows (e.g. Europe/Amsterdam, UTC). */
export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz === '') return false;
  // UTC's names need no Intl (whose first use costs 12 ms).
  if (UTC_NAMES.has(tz)) return true;
  const known = validity.get(tz);
  if (known !== undefined) return known;
  let ok: boolean;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    ok = true;
  } catch {
    ok = false;
  }
  validity.set(tz, ok);
  return ok;
}

/**
 * Whether TZ, else the link /etc/localtime, names UTC. False when neither
 * names a zone (a copied zone file, another system): Intl is asked then.
 */
export function namesUtc(env: Record<string, string | undefined>, localtime = '/etc/localtime'): boolean {
  let name = env['TZ'];
  if (name === undefined) {
    try {
      name = readlinkSync(localtime).split('/zoneinfo/')[1];
    } catch {
      return false;
    }
  }
  // TZ=:UTC is UTC read from the zone files.
  return name !== undefined && UTC_NAMES.has(name.replace(/^:/, ''));
}

/**
 * The machine's zone (honours TZ); 'UTC' if it cannot be determined. A
 * machine on UTC (most servers) is told without Intl, whose first zone
 * costs a run 12 ms of loading time zone data.
 */
export function defaultTimeZone(): string {
  if (namesUtc(process.env)) return 'UTC';
  try {
    const tz = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && isValidTimeZone(tz)) return tz;
  } catch {
    // fall through
  }
  return 'UTC';
}

function getZone(tz: string): Zone {
  const cached = zones.get(tz);
  if (cached !== undefined) return cached;
  if (!isValidTimeZone(tz)) {
    throw usageError(`unknown time zone '${tz}'`, {
      reason: 'a time zone must be an IANA zone name',
      help: 'use a zone such as --tz UTC, --tz Europe/Amsterdam or --tz America/New_York',
    });
  }
  let utc = UTC_NAMES.has(tz);
  let fmt: Intl.DateTimeFormat | null = null;
  if (!utc) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (UTC_NAMES.has(fmt.resolvedOptions().timeZone)) {
      utc = true;
      fmt = null;
    }
  }
  const zone: Zone = {
    utc,
    fmt,
    utcHours: new Map(),
    localHours: new Map(),
    lastLocalHour: NaN,
    lastLocalOffset: 0,
  };
  zones.set(tz, zone);
  return zone;
}

/** Offset (ms, local − UTC) at UTC instant `t` (ms), straight from Intl. */
function intlOffset(fmt: Intl.DateTimeFormat, t: number): number {
  const whole = Math.floor(t / MS_PER_SECOND) * MS_PER_SECOND;
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const part of fmt.formatToParts(whole)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value) % 24;
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      case 'era':
        bc = part.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  if (bc) year = 1 - year;
  return civilToMs(year, month, day, hour, minute, second) - whole;
}

/** Offset (ms) of `zone` at UTC instant `t` (ms), cached per UTC hour. */
function offsetAt(zone: Zone, t: number): number {
  const fmt = zone.fmt;
  if (fmt === null) return 0;
  const hour = Math.floor(t / MS_PER_HOUR);
  let off = zone.utcHours.get(hour);
  if (off === undefined) {
    const start = hour * MS_PER_HOUR;
    const a = intlOffset(fmt, start);
    const b = intlOffset(fmt, start + MS_PER_HOUR - MS_PER_SECOND);
    off = a === b ? a : NaN;
    if (zone.utcHours.size >= MAX_CACHED_HOURS) zone.utcHours.clear();
    zone.utcHours.set(hour, off);
  }
  // A transition inside this UTC hour (rare: e.g. Lord Howe at :30): ask Intl directly.
  return off === off ? off : intlOffset(fmt, t);
}

/**
 * Resolves a wall time (ms, read as if UTC, whole seconds) to a UTC instant (ms).
 * Gap (spring forward): shifted forward by the gap. Overlap (fall back): the
 * earlier instant. `unique` is false in either case.
 */
function resolveLocal(zone: Zone, local: number): { t: number; unique: boolean } {
  const before = offsetAt(zone, local - MS_PER_DAY);
  const after = offsetAt(zone, local + MS_PER_DAY);
  const t1 = local - before;
  const ok1 = offsetAt(zone, t1) === before;
  if (before === after) {
    if (ok1) return { t: t1, unique: true };
  }
  const t2 = local - after;
  const ok2 = offsetAt(zone, t2) === after;
  if (ok1 && ok2) return t1 === t2 ? { t: t1, unique: true } : { t: Math.min(t1, t2), unique: false };
  if (ok1) return { t: t1, unique: true };
  if (ok2) return { t: t2, unique: true };
  // Nonexistent wall time: read it with the offset in force before the transition.
  return { t: t1, unique: false };
}

/**
 * A wall-clock time in IANA zone `tz` → epoch microseconds. `mo` is 1–12,
 * `s` whole seconds, `micros` the sub-second part (0–999999). Nonexistent
 * times (spring-forward gap) move forward by the gap; ambiguous ones
 * (fall-back) take the earlier instant. Throws a usage error for an unknown zone.
 */
export function zonedToUtcMicros(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  micros: number,
  tz: string,
): number {
  const local = civilToMs(y, mo, d, h, mi, s);
  const zone = getZone(tz);
  if (zone.utc) return local * 1000 + micros;
  const hour = Math.floor(local / MS_PER_HOUR);
  if (hour === zone.lastLocalHour) return (local - zone.lastLocalOffset) * 1000 + micros;
  let off = zone.localHours.get(hour);
  if (off === undefined) {
    const start = hour * MS_PER_HOUR;
    const a = resolveLocal(zone, start);
    const b = resolveLocal(zone, start + MS_PER_HOUR - MS_PER_SECOND);
    const offA = start - a.t;
    const offB = start + MS_PER_HOUR - MS_PER_SECOND - b.t;
    off = a.unique && b.unique && offA === offB ? offA : NaN;
    if (zone.localHours.size >= MAX_CACHED_HOURS) zone.localHours.clear();
    zone.localHours.set(hour, off);
  }
  if (off === off) {
    zone.lastLocalHour = hour;
    zone.lastLocalOffset = off;
    return (local - off) * 1000 + micros;
  }
  // This local hour holds a transition: resolve this wall time on its own.
  return resolveLocal(zone, local).t * 1000 + micros;
}

/** Offset (minutes, local − UTC) of `tz` at an instant; for tests and display. */
export function zoneOffsetMinutes(tz: string, micros: number): number {
  return offsetAt(getZone(tz), Math.floor(micros / 1000)) / 60_000;
}
