/**
 * Time parsing for obs. Instants are epoch MICROseconds in a JS number
 * (exact up to year 2255; later instants lose sub-microsecond-scale precision).
 *
 * - parseDuration: `1h30m` → milliseconds.
 * - parseAsctime / parseTimestampValue: per log line; never throw on bad values.
 * - parseInstant / resolveWindow: command-line flags; throw usage errors.
 */

import { usageError } from '../errors.js';
import { civilToMs, daysInMonth, zonedToUtcMicros } from './zone.js';

export { defaultTimeZone, isValidTimeZone, zonedToUtcMicros } from './zone.js';

/** Largest |µs| a Date can format (±8.64e15 ms). */
const MAX_MICROS = 8.64e18;

/** A time in µs that can be stored and printed: finite, and within a Date's range. */
export function inTimeRange(micros: number): boolean {
  return Number.isFinite(micros) && Math.abs(micros) <= MAX_MICROS;
}

// ---------------------------------------------------------------------------
// Durations

const DURATION_HELP =
  'give a number followed by a unit (ms, s, m, h, d or w), e.g. 500ms, 45s, 30m, 1h, 1h30m, 1.5h, 2d or 1w';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Milliseconds, or why `text` is not a duration. */
function durationOrReason(text: string): number | string {
  const s = text.trim();
  if (s === '') return 'the duration is empty';
  if (s.startsWith('-')) return 'a duration cannot be negative';
  let i = 0;
  let total = 0;
  const n = s.length;
  while (i < n) {
    const numStart = i;
    let digits = 0;
    while (i < n && isDigit(s.charCodeAt(i))) {
      i++;
      digits++;
    }
    if (i < n && s.charCodeAt(i) === 46 /* . */) {
      i++;
      while (i < n && isDigit(s.charCodeAt(i))) {
        i++;
        digits++;
      }
    }
    if (digits === 0) {
      return i < n ? `expected a number at '${s.slice(numStart)}'` : 'expected a number';
    }
    const value = Number(s.slice(numStart, i));
    const unitStart = i;
    while (i < n && isLower(s.charCodeAt(i))) i++;
    const unit = s.slice(unitStart, i);
    if (unit === '') {
      return i < n ? `unexpected '${s.slice(i)}'` : `'${s.slice(numStart)}' has no unit`;
    }
    const per = UNIT_MS[unit];
    if (per === undefined) return `'${unit}' is not a duration unit`;
    total += value * per;
  }
  if (!Number.isFinite(total)) return 'the duration is too large';
  return total;
}

/**
 * A duration such as `500ms`, `45s`, `30m`, `1h`, `2d`, `1w`, `1h30m` or
 * `1.5h` → milliseconds. Throws a usage error for anything else.
 */
export function parseDuration(text: string): number {
  const r = durationOrReason(String(text));
  if (typeof r === 'number') return r;
  throw usageError(`invalid duration '${text}'`, { reason: r, help: DURATION_HELP });
}

/** Milliseconds, or null when `text` is not a duration. */
export function parseDurationOrNull(text: string): number | null {
  const r = durationOrReason(String(text));
  return typeof r === 'number' ? r : null;
}

// ---------------------------------------------------------------------------
// Character helpers

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

/** Value of the 2 digits at i, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  // NaN (past the end) fails these tests too.
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9)) return -1;
  return a * 10 + b;
}

/** Value of the 4 digits at i, or -1. */
function four(s: string, i: number): number {
  const hi = two(s, i);
  const lo = two(s, i + 2);
  if (hi < 0 || lo < 0) return -1;
  return hi * 100 + lo;
}

// ---------------------------------------------------------------------------
// ISO 8601 scanner (no regex: runs per log line)

/** Fields of the last successful scanIso; reused to avoid an allocation per line. */
const iso = {
  year: 0,
  month: 0,
  day: 0,
  hour: 0,
  minute: 0,
  second: 0,
  micros: 0,
  hasOffset: false,
  /** Offset in seconds (local − UTC). */
  offset: 0,
  /** Why the last scan failed, when the input looked like a date. */
  why: '',
};

/**
 * `YYYY-MM-DD` optionally followed by `T`/space `HH:MM[:SS[.frac|,frac]]`
 * and an optional offset (`Z`, `±HH`, `±HHMM`, `±HH:MM`; one space allowed
 * before it). Fills `iso`; false if `s` is not such a time.
 */
function scanIso(s: string): boolean {
  iso.why = '';
  const n = s.length;
  if (n < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  const year = four(s, 0);
  const month = two(s, 5);
  const day = two(s, 8);
  if (year < 0 || month < 0 || day < 0) return false;
  if (month < 1 || month > 12) return fail(`month ${month} is out of range`);
  if (day < 1 || day > daysInMonth(year, month)) return fail(`day ${day} is out of range for ${s.slice(0, 7)}`);
  iso.year = year;
  iso.month = month;
  iso.day = day;
  iso.hour = 0;
  iso.minute = 0;
  iso.second = 0;
  iso.micros = 0;
  iso.hasOffset = false;
  iso.offset = 0;
  if (n === 10) return true;

  const sep = s.charCodeAt(10);
  if (sep !== 84 /* T */ && sep !== 116 /* t */ && sep !== 32 /* space */) return false;
  if (n < 16 || s.charCodeAt(13) !== 58 /* : */) return false;
  const hour = two(s, 11);
  const minute = two(s, 14);
  if (hour < 0 || minute < 0) return false;
  if (hour > 23) return fail(`hour ${hour} is out of range`);
  if (minute > 59) return fail(`minute ${minute} is out of range`);
  iso.hour = hour;
  iso.minute = minute;
  let i = 16;
  if (i < n && s.charCodeAt(i) === 58) {
    const second = two(s, i + 1);
    if (second < 0) return false;
    if (second > 59) return fail(`second ${second} is out of range`);
    iso.second = second;
    i += 3;
    const c = s.charCodeAt(i);
    if (i < n && (c === 46 /* . */ || c === 44) /* , */) {
      i++;
      const fracStart = i;
      let micros = 0;
      while (i < n) {
        const d = s.charCodeAt(i) - 48;
        if (d < 0 || d > 9) break;
        if (i - fracStart < 6) micros = micros * 10 + d;
        i++;
      }
      const len = i - fracStart;
      if (len === 0) return false;
      for (let k = len; k < 6; k++) micros *= 10;
      iso.micros = micros;
    }
  }
  if (i === n) return true;

  // Offset.
  if (s.charCodeAt(i) === 32 && i + 1 < n) i++;
  const c = s.charCodeAt(i);
  if (c === 90 /* Z */ || c === 122 /* z */) {
    if (i + 1 !== n) return false;
    iso.hasOffset = true;
    return true;
  }
  if (c !== 43 /* + */ && c !== 45 /* - */) return false;
  const oh = two(s, i + 1);
  if (oh < 0) return false;
  let om = 0;
  let j = i + 3;
  if (j < n) {
    if (s.charCodeAt(j) === 58) j++;
    om = two(s, j);
    if (om < 0) return false;
    j += 2;
  }
  if (j !== n) return false;
  if (oh > 23 || om > 59) return fail(`offset ${s.slice(i)} is out of range`);
  iso.hasOffset = true;
  iso.offset = (c === 45 ? -1 : 1) * (oh * 3600 + om * 60);
  return true;
}

function fail(why: string): false {
  iso.why = why;
  return false;
}

/** Epoch µs of the last scanIso result; naive times are read in `tz`. */
function isoMicros(tz: string): number {
  if (iso.hasOffset) {
    const ms = civilToMs(iso.year, iso.month, iso.day, iso.hour, iso.minute, iso.second) - iso.offset * 1000;
    return ms * 1000 + iso.micros;
  }
  return zonedToUtcMicros(iso.year, iso.month, iso.day, iso.hour, iso.minute, iso.second, iso.micros, tz);
}

// ---------------------------------------------------------------------------
// Per-line parsers

/**
 * Python logging's default asctime, `2026-11-21 22:18:19,705` (also `.705`
 * or no fraction; 1–9 fraction digits, truncated to µs), read in `tz` →
 * epoch µs. The whole string must be the timestamp; null otherwise.
 */
export function parseAsctime(text: string, tz: string): number | null {
  if (typeof text !== 'string') return null;
  const n = text.length;
  if (n < 19 || text.charCodeAt(10) !== 32) return null;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return null;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return null;
  const year = four(text, 0);
  const month = two(text, 5);
  const day = two(text, 8);
  const hour = two(text, 11);
  const minute = two(text, 14);
  const second = two(text, 17);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  let micros = 0;
  if (n > 19) {
    const sep = text.charCodeAt(19);
    if ((sep !== 44 && sep !== 46) || n === 20 || n > 29) return null;
    for (let i = 20; i < n; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return null;
      if (i < 26) micros = micros * 10 + d;
    }
    for (let k = n - 20; k < 6; k++) micros *= 10;
  }
  return zonedToUtcMicros(year, month, day, hour, minute, second, micros, tz);
}

/**
 * Epoch µs of a digit string `int[.frac]`, the unit chosen by the magnitude
 * of the integer part: < 1e11 seconds, < 1e14 ms, < 1e17 µs, else ns.
 * Exact (no float rounding); null if not such a string or out of range.
 */
function epochDigitsToMicros(s: string): number | null {
  const n = s.length;
  let i = 0;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  const intEnd = i;
  if (intEnd === 0) return null;
  let frac = '';
  if (i < n) {
    if (s.charCodeAt(i) !== 46) return null;
    i++;
    const fracStart = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i !== n || i === fracStart) return null;
    frac = s.slice(fracStart);
  }
  let lead = 0;
  while (lead < intEnd - 1 && s.charCodeAt(lead) === 48) lead++;
  const int = s.slice(lead, intEnd);
  const digits = int === '0' ? 0 : int.length;
  let micros: number;
  if (digits <= 11) {
    micros = Number(int) * 1_000_000 + Number((frac + '000000').slice(0, 6));
  } else if (digits <= 14) {
    micros = Number(int) * 1000 + Number((frac + '000').slice(0, 3));
  } else if (digits <= 17) {
    micros = Number(int);
  } else if (digits <= 22) {
    micros = Number(int.slice(0, -3));
  } else {
    return null;
  }
  return micros <= MAX_MICROS ? micros : null;
}

/** Epoch µs of a JSON number, unit by magnitude (see epochDigitsToMicros). */
function epochNumberToMicros(v: number): number | null {
  if (!Number.isFinite(v) || v < 0) return null;
  let micros: number;
  if (v < 1e11) micros = Math.round(v * 1e6);
  else if (v < 1e14) micros = Math.round(v * 1e3);
  else if (v < 1e17) micros = Math.trunc(v);
  else micros = Math.floor(v / 1000);
  return micros <= MAX_MICROS ? micros : null;
}

/**
 * A log record's time field as found in JSON → epoch µs, or null (never
 * throws for a bad value). Accepts ISO 8601 (`T` or space, 0–9 fraction
 * digits truncated to µs, `Z`/`±HH:MM`/`±HHMM`/`±HH`; naive times and
 * dates read in `tz`), epoch numbers and digit strings (unit by magnitude:
 * < 1e11 s, < 1e14 ms, < 1e17 µs, else ns). Throws only if `tz` itself is
 * not a valid zone (validate it once up front with isValidTimeZone).
 */
export function parseTimestampValue(value: unknown, tz: string): number | null {
  if (typeof value === 'number') return epochNumberToMicros(value);
  if (typeof value === 'bigint') return value < 0n ? null : epochDigitsToMicros(value.toString());
  if (typeof value !== 'string') return null;
  let s = value;
  const n = s.length;
  if (n === 0) return null;
  if (s.charCodeAt(0) <= 32 || s.charCodeAt(n - 1) <= 32) s = s.trim();
  if (s.length === 0) return null;
  if (s.length >= 10 && s.charCodeAt(4) === 45) {
    return scanIso(s) ? isoMicros(tz) : null;
  }
  return epochDigitsToMicros(s);
}

/**
 * A time written at the start of a text log line: Python's asctime
 * (`2026-11-21 22:18:19,705`), ISO 8601, or either with a space before the
 * zone (`2026-11-21 22:18:05 +0000`, gunicorn). Naive times are read in `tz`.
 */
export function parseLogTime(text: string, tz: string): number | null {
  const asctime = parseAsctime(text, tz);
  if (asctime !== null) return asctime;
  const iso = text.replace(',', '.');
  return parseTimestampValue(iso, tz) ?? parseTimestampValue(iso.replace(/ ([+-]\d{2}:?\d{2})$/, '$1'), tz);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const CLF = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** The access-log time `21/Nov/2026:22:18:05 +0000` → epoch µs, or null. */
export function parseClfTime(text: string): number | null {
  const m = CLF.exec(text);
  if (!m) return null;
  const month = MONTHS.indexOf(m[2] ?? '') + 1;
  const [d, y, h, mi, s] = [m[1], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  if (month === 0 || d < 1 || d > daysInMonth(y, month) || h > 23 || mi > 59 || s > 60) return null;
  const offsetMin = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  return (civilToMs(y, month, d, h, mi, s) - offsetMin * 60_000) * 1000;
}

// ---------------------------------------------------------------------------
// Command-line instants and windows

export interface InstantOptions {
  /** Zone for naive times and dates. */
  tz: string;
  /** The current instant, epoch µs. */
  now: number;
  /** Whether `1h` (meaning 1 hour before now) is accepted. */
  allowRelative: boolean;
}

function instantHelp(tz: string, allowRelative: boolean): string {
  const forms = [
    'now',
    ...(allowRelative ? ['a duration meaning that long ago (30m, 1h, 2d, 1h30m)'] : []),
    `an ISO 8601 time (2026-11-21T22:18:19Z, 2026-11-21T23:18:19+01:00, or 2026-11-21 22:18:19 read in ${tz})`,
    `a date (2026-11-21, midnight in ${tz})`,
    'Unix seconds (1795299499)',
    'Unix milliseconds (1795299499694)',
    'a Slack ts (1795299499.694654)',
  ];
  return `give one of: ${forms.join('; ')}`;
}

/** Milliseconds if `text` is a relative duration, else null. */
function relativeMs(text: string): number | null {
  const r = durationOrReason(text);
  return typeof r === 'number' ? r : null;
}

function parseInstantAs(text: string, opts: InstantOptions, what: string): number {
  const raw = String(text);
  const s = raw.trim();
  const bad = (reason?: string) =>
    usageError(`invalid ${what} '${raw}'`, {
      ...(reason ? { reason } : {}),
      help: instantHelp(opts.tz, opts.allowRelative),
    });
  if (s === '') throw bad('the value is empty');
  if (s.toLowerCase() === 'now') return opts.now;
  if (opts.allowRelative && s.startsWith('-') && relativeMs(s.slice(1)) !== null) {
    throw bad(`a duration already means that long ago: write ${s.slice(1)}, not ${s}`);
  }

  const c0 = s.charCodeAt(0);
  if (isDigit(c0) && s.length >= 5 && s.charCodeAt(4) === 45) {
    if (scanIso(s)) return isoMicros(opts.tz);
    throw bad(iso.why || 'not an ISO 8601 time such as 2026-11-21T22:18:19Z');
  }

  if (isDigit(c0) || c0 === 46) {
    // Unix seconds / milliseconds / Slack ts.
    let i = 0;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    let j = i;
    if (j < s.length && s.charCodeAt(j) === 46) {
      j++;
      while (j < s.length && isDigit(s.charCodeAt(j))) j++;
    }
    if (j === s.length && i > 0) {
      let lead = 0;
      while (lead < i - 1 && s.charCodeAt(lead) === 48) lead++;
      const digits = i - lead;
      if (digits >= 9 && digits <= 14) {
        const micros = epochDigitsToMicros(s);
        if (micros !== null) return micros;
      }
      throw bad(
        `${s} is not a Unix time in seconds (9–11 digits) or milliseconds (12–14 digits)` +
          (opts.allowRelative ? '; a duration needs a unit, e.g. 30m' : ''),
      );
    }
    const r = durationOrReason(s);
    if (typeof r === 'number') {
      if (!opts.allowRelative) throw bad('a relative duration is not accepted here; give an absolute time');
      const micros = opts.now - Math.round(r * 1000);
      if (Math.abs(micros) > MAX_MICROS) throw bad('the duration reaches too far back');
      return micros;
    }
    throw bad(opts.allowRelative ? r : undefined);
  }
  throw bad();
}

/**
 * A time given on the command line → epoch µs: `now`; a relative duration
 * (`1h` = now − 1h) when `allowRelative`; ISO 8601 with or without an
 * offset (naive → `tz`); a date (midnight in `tz`); Unix seconds; Unix
 * milliseconds; a Slack ts (`1795299499.694654`, exact µs). Throws a usage
 * error naming the value and listing the accepted forms otherwise.
 */
export function parseInstant(text: string, opts: InstantOptions): number {
  return parseInstantAs(text, opts, 'time');
}

export interface WindowFlags {
  since?: string;
  until?: string;
  from?: string;
  to?: string;
}

export interface TimeWindow {
  /** Start, epoch µs, inclusive; null = open. */
  from: number | null;
  /** End, epoch µs; null = open. */
  to: number | null;
}

function absoluteOnly(flag: '--from' | '--to', value: string, instead: '--since' | '--until'): void {
  if (relativeMs(value) === null) return;
  const v = value.trim();
  throw usageError(`${flag} takes an absolute time, but '${value}' is a relative duration`, {
    help:
      `use ${instead} ${v} for a time ${v} ago, or give an absolute time such as ` +
      `${flag} 2026-11-21T22:00:00Z`,
  });
}

function conflict(a: string, b: string, end: 'start' | 'end'): never {
  throw usageError(`${a} and ${b} both set the ${end} of the time window; give only one`, {
    help:
      end === 'start'
        ? `use ${a} 1h for a relative start or ${b} 2026-11-21T22:00:00Z for an absolute one`
        : `use ${a} 30m for a relative end or ${b} 2026-11-21T23:00:00Z for an absolute one`,
  });
}

/**
 * The time window from `--since`/`--from` (start) and `--until`/`--to`
 * (end). `--since`/`--until` take relative or absolute times, `--from`/`--to`
 * absolute only. A missing side stays null (open). Throws a usage error for
 * conflicting flags, bad values or a reversed window.
 */
export function resolveWindow(flags: WindowFlags, opts: { tz: string; now: number }): TimeWindow {
  const { since, until, from, to } = flags;
  if (since !== undefined && from !== undefined) conflict('--since', '--from', 'start');
  if (until !== undefined && to !== undefined) conflict('--until', '--to', 'end');
  if (from !== undefined) absoluteOnly('--from', from, '--since');
  if (to !== undefined) absoluteOnly('--to', to, '--until');

  const rel = { tz: opts.tz, now: opts.now, allowRelative: true };
  const abs = { tz: opts.tz, now: opts.now, allowRelative: false };
  let start: number | null = null;
  let end: number | null = null;
  if (since !== undefined) start = parseInstantAs(since, rel, '--since value');
  if (from !== undefined) start = parseInstantAs(from, abs, '--from value');
  if (until !== undefined) end = parseInstantAs(until, rel, '--until value');
  if (to !== undefined) end = parseInstantAs(to, abs, '--to value');

  if (start !== null && end !== null && start > end) {
    const a = formatIsoMicros(start);
    const b = formatIsoMicros(end);
    throw usageError(`the time window is reversed: it starts at ${a} but ends at ${b}`, {
      note: `start ${a}, end ${b}`,
      help: 'give a start before the end, e.g. --since 2h --until 1h, or --from 2026-11-21T22:00:00Z --to 2026-11-21T23:00:00Z',
    });
  }
  return { from: start, to: end };
}

// ---------------------------------------------------------------------------
// Formatting

/** Epoch µs → `2026-11-21T22:18:19.705Z` (sub-millisecond part truncated). */
export function formatIsoMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return `invalid time (${micros})`;
  return new Date(ms).toISOString();
}
