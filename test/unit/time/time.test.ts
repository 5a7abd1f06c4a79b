import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { ObsError } from '../../../src/errors.js';
import { namesUtc } from '../../../src/time/zone.js';
import {
  defaultTimeZone,
  formatIsoMicros,
  isValidTimeZone,
  parseAsctime,
  parseDuration,
  parseInstant,
  parseTimestampValue,
  resolveWindow,
  zonedToUtcMicros,
} from '../../../src/time/time.js';

const H = 3_600_000;

/** Epoch µs of a UTC wall time, via Date.UTC (independent of the code under test). */
function utcMicros(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, micros = 0): number {
  return Date.UTC(y, mo - 1, d, h, mi, s) * 1000 + micros;
}

/** Epoch µs of a wall time at a fixed, known offset in hours (e.g. +1, -5, +5.5). */
function atOffset(offsetHours: number, y: number, mo: number, d: number, h = 0, mi = 0, s = 0, micros = 0): number {
  return (Date.UTC(y, mo - 1, d, h, mi, s) - offsetHours * H) * 1000 + micros;
}

function usageErr(fn: () => unknown): ObsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ObsError);
    const e = err as ObsError;
    expect(e.exitCode).toBe(2);
    return e;
  }
  throw new Error('expected a usage error, but nothing was thrown');
}

const NOW = utcMicros(2026, 11, 21, 22, 18, 19, 705_217);

describe('parseDuration', () => {
  it('parses single units', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('1h')).toBe(H);
    expect(parseDuration('2d')).toBe(48 * H);
    expect(parseDuration('1w')).toBe(7 * 24 * H);
  });

  it('parses compound and decimal durations', () => {
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('1d2h3m4s5ms')).toBe(26 * H + 3 * 60_000 + 4000 + 5);
    expect(parseDuration('1.5h')).toBe(90 * 60_000);
    expect(parseDuration('0.25s')).toBe(250);
    expect(parseDuration(' 10m ')).toBe(600_000);
  });

  it('rejects empty, negative, unit-less and unknown units, naming the value', () => {
    for (const bad of ['', '   ', '-1h', '5', '1y', '1H', 'h', '1h 30m', '1..5h', 'abc', '1h-', '1.h.5']) {
      const e = usageErr(() => parseDuration(bad));
      expect(e.message).toContain(`'${bad}'`);
      expect(e.help).toMatch(/1h30m/);
    }
    expect(usageErr(() => parseDuration('3y')).reason).toContain("'y'");
    expect(usageErr(() => parseDuration('-1h')).reason).toMatch(/negative/);
  });
});

describe('time zones', () => {
  it('knows valid and invalid zone names', () => {
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Europe/Amsterdam')).toBe(true);
    expect(isValidTimeZone('Asia/Kolkata')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('defaultTimeZone returns a valid zone', () => {
    expect(isValidTimeZone(defaultTimeZone())).toBe(true);
  });

  it('knows a machine on UTC by TZ or the /etc/localtime link, as Intl names it, and leaves other zones to Intl', () => {
    const intl = (tz: string): string =>
      execFileSync(process.execPath, ['-e', 'process.stdout.write(new Intl.DateTimeFormat().resolvedOptions().timeZone)'], { env: { TZ: tz } }).toString();
    for (const tz of ['UTC', 'Etc/UTC', ':UTC', 'UCT', 'Etc/Universal', 'Zulu', 'GMT', 'Etc/GMT0', 'GMT+0', 'Etc/GMT-0']) {
      expect(namesUtc({ TZ: tz }), tz).toBe(true);
      expect(intl(tz), tz).toBe('UTC');
    }
    for (const tz of ['Europe/Amsterdam', 'Etc/GMT+1', 'America/New_York', '']) expect(namesUtc({ TZ: tz }), tz).toBe(false);
    const dir = mkdtempSync(path.join(tmpdir(), 'obs-tz-'));
    try {
      symlinkSync('/usr/share/zoneinfo/Etc/UTC', path.join(dir, 'utc'));
      symlinkSync('../usr/share/zoneinfo/Europe/Amsterdam', path.join(dir, 'amsterdam'));
      writeFileSync(path.join(dir, 'copied'), 'TZif');
      expect(namesUtc({}, path.join(dir, 'utc'))).toBe(true);
      expect(namesUtc({}, path.join(dir, 'amsterdam'))).toBe(false);
      expect(namesUtc({}, path.join(dir, 'copied'))).toBe(false);
      // TZ comes first.
      expect(namesUtc({ TZ: 'Europe/Amsterdam' }, path.join(dir, 'utc'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws a usage error for an unknown zone', () => {
    const e = usageErr(() => zonedToUtcMicros(2026, 1, 1, 0, 0, 0, 0, 'Nowhere/Special'));
    expect(e.message).toContain('Nowhere/Special');
    expect(e.help).toContain('Europe/Amsterdam');
  });
});

describe('zonedToUtcMicros', () => {
  it('UTC aliases are identity', () => {
    for (const tz of ['UTC', 'Etc/UTC', 'GMT']) {
      expect(zonedToUtcMicros(2026, 11, 21, 22, 18, 19, 705_217, tz)).toBe(utcMicros(2026, 11, 21, 22, 18, 19, 705_217));
    }
  });

  it('Europe/Amsterdam winter is +01:00, summer +02:00', () => {
    expect(zonedToUtcMicros(2026, 1, 15, 12, 0, 0, 0, 'Europe/Amsterdam')).toBe(atOffset(1, 2026, 1, 15, 12));
    expect(zonedToUtcMicros(2026, 11, 21, 23, 18, 19, 705_000, 'Europe/Amsterdam')).toBe(
      utcMicros(2026, 11, 21, 22, 18, 19, 705_000),
    );
    expect(zonedToUtcMicros(2026, 7, 15, 12, 0, 0, 0, 'Europe/Amsterdam')).toBe(atOffset(2, 2026, 7, 15, 12));
  });

  it('spring-forward gap (2026-03-29 02:30 Amsterdam) moves forward by the gap', () => {
    // 02:30 does not exist; read with the +01:00 in force before: 01:30Z (= 03:30 CEST).
    expect(zonedToUtcMicros(2026, 3, 29, 2, 30, 0, 0, 'Europe/Amsterdam')).toBe(utcMicros(2026, 3, 29, 1, 30));
    // Either side of the gap.
    expect(zonedToUtcMicros(2026, 3, 29, 1, 59, 59, 0, 'Europe/Amsterdam')).toBe(atOffset(1, 2026, 3, 29, 1, 59, 59));
    expect(zonedToUtcMicros(2026, 3, 29, 3, 0, 0, 0, 'Europe/Amsterdam')).toBe(atOffset(2, 2026, 3, 29, 3));
    expect(zonedToUtcMicros(2026, 3, 29, 3, 30, 0, 0, 'Europe/Amsterdam')).toBe(utcMicros(2026, 3, 29, 1, 30));
  });

  it('fall-back ambiguity (2026-10-25 02:30 Amsterdam) takes the earlier, +02:00, instant', () => {
    expect(zonedToUtcMicros(2026, 10, 25, 2, 30, 0, 0, 'Europe/Amsterdam')).toBe(atOffset(2, 2026, 10, 25, 2, 30));
    expect(zonedToUtcMicros(2026, 10, 25, 2, 0, 0, 0, 'Europe/Amsterdam')).toBe(atOffset(2, 2026, 10, 25, 2));
    expect(zonedToUtcMicros(2026, 10, 25, 1, 59, 59, 0, 'Europe/Amsterdam')).toBe(atOffset(2, 2026, 10, 25, 1, 59, 59));
    expect(zonedToUtcMicros(2026, 10, 25, 3, 0, 0, 0, 'Europe/Amsterdam')).toBe(atOffset(1, 2026, 10, 25, 3));
  });

  it('America/New_York: EST, EDT, gap and overlap', () => {
    expect(zonedToUtcMicros(2026, 11, 21, 17, 18, 19, 0, 'America/New_York')).toBe(atOffset(-5, 2026, 11, 21, 17, 18, 19));
    expect(zonedToUtcMicros(2026, 7, 4, 12, 0, 0, 0, 'America/New_York')).toBe(atOffset(-4, 2026, 7, 4, 12));
    // 2026-03-08 02:30 does not exist → 03:30 EDT = 07:30Z.
    expect(zonedToUtcMicros(2026, 3, 8, 2, 30, 0, 0, 'America/New_York')).toBe(utcMicros(2026, 3, 8, 7, 30));
    // 2026-11-01 01:30 happens twice → the EDT one, 05:30Z.
    expect(zonedToUtcMicros(2026, 11, 1, 1, 30, 0, 0, 'America/New_York')).toBe(utcMicros(2026, 11, 1, 5, 30));
  });

  it('Asia/Kolkata is +05:30', () => {
    expect(zonedToUtcMicros(2026, 11, 22, 3, 48, 19, 705_000, 'Asia/Kolkata')).toBe(
      utcMicros(2026, 11, 21, 22, 18, 19, 705_000),
    );
    expect(zonedToUtcMicros(2026, 6, 1, 0, 0, 0, 0, 'Asia/Kolkata')).toBe(atOffset(5.5, 2026, 6, 1));
  });

  it('a transition at half past a UTC hour (Australia/Lord_Howe, +10:30 → +11:00)', () => {
    // 2026-10-04 02:00 LHST (15:30Z on Oct 3) jumps to 02:30 LHDT.
    const tz = 'Australia/Lord_Howe';
    expect(zonedToUtcMicros(2026, 10, 4, 1, 59, 59, 0, tz)).toBe(utcMicros(2026, 10, 3, 15, 29, 59));
    expect(zonedToUtcMicros(2026, 10, 4, 2, 15, 0, 0, tz)).toBe(utcMicros(2026, 10, 3, 15, 45));
    expect(zonedToUtcMicros(2026, 10, 4, 2, 30, 0, 0, tz)).toBe(utcMicros(2026, 10, 3, 15, 30));
    expect(zonedToUtcMicros(2026, 10, 4, 2, 45, 0, 0, tz)).toBe(utcMicros(2026, 10, 3, 15, 45));
  });

  it('round-trips every half hour of 2026 in Amsterdam against the formatted wall time', () => {
    const fmt = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Amsterdam',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    let ambiguous = 0;
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += H / 2) {
      // en-GB: "dd/mm/yyyy, hh:mm:ss"
      const m = /^(\d\d)\/(\d\d)\/(\d{4}), (\d\d):(\d\d):(\d\d)$/.exec(fmt.format(t));
      expect(m).not.toBeNull();
      const [, d, mo, y, h, mi, s] = m!.map(Number) as number[];
      const got = zonedToUtcMicros(y!, mo!, d!, h!, mi!, s!, 123, 'Europe/Amsterdam');
      if (got !== t * 1000 + 123) {
        // Only the second pass through the fall-back hour may differ: it maps one hour earlier.
        expect(got).toBe((t - H) * 1000 + 123);
        ambiguous++;
      }
    }
    expect(ambiguous).toBe(2); // 02:00 and 02:30 on 2026-10-25, second time round
  });
});

describe('parseAsctime', () => {
  it('parses the Python default with comma millis in UTC', () => {
    const v = parseAsctime('2026-11-21 22:18:19,705', 'UTC');
    expect(v).toBe(utcMicros(2026, 11, 21, 22, 18, 19, 705_000));
    expect(formatIsoMicros(v!)).toBe('2026-11-21T22:18:19.705Z');
  });

  it('accepts a dot fraction, no fraction, and longer fractions', () => {
    expect(parseAsctime('2026-11-21 22:18:19.705', 'UTC')).toBe(utcMicros(2026, 11, 21, 22, 18, 19, 705_000));
    expect(parseAsctime('2026-11-21 22:18:19', 'UTC')).toBe(utcMicros(2026, 11, 21, 22, 18, 19));
    expect(parseAsctime('2026-11-21 22:18:19,7', 'UTC')).toBe(utcMicros(2026, 11, 21, 22, 18, 19, 700_000));
    expect(parseAsctime('2026-11-21 22:18:19.123456789', 'UTC')).toBe(utcMicros(2026, 11, 21, 22, 18, 19, 123_456));
  });

  it('reads the wall time in the given zone', () => {
    expect(parseAsctime('2026-11-21 23:18:19,705', 'Europe/Amsterdam')).toBe(utcMicros(2026, 11, 21, 22, 18, 19, 705_000));
    expect(parseAsctime('2026-07-15 12:00:00,000', 'Europe/Amsterdam')).toBe(atOffset(2, 2026, 7, 15, 12));
    expect(parseAsctime('2026-11-22 03:48:19,705', 'Asia/Kolkata')).toBe(utcMicros(2026, 11, 21, 22, 18, 19, 705_000));
  });

  it('returns null for anything else', () => {
    for (const bad of [
      '',
      '2026-11-21',
      '2026-11-21T22:18:19,705',
      '2026-11-21 22:18:19,',
      '2026-11-21 22:18:19,70a',
      '2026-11-21 22:18:19,705 INFO',
      '2026-13-21 22:18:19,705',
      '2026-02-29 22:18:19,705',
      '2026-11-21 24:18:19,705',
      '2026-11-21 22:60:19,705',
      '2026-11-21 22:18:60,705',
      '2026/11/21 22:18:19,705',
      'x026-11-21 22:18:19,705',
      '2026-11-21 22:18:19,1234567890',
    ]) {
      expect(parseAsctime(bad, 'UTC'), bad).toBeNull();
    }
    expect(parseAsctime('2028-02-29 00:00:00', 'UTC')).toBe(utcMicros(2028, 2, 29));
  });
});

describe('parseTimestampValue', () => {
  it('ISO with Z keeps microseconds', () => {
    expect(parseTimestampValue('2026-11-21T22:18:05.771307Z', 'UTC')).toBe(utcMicros(2026, 11, 21, 22, 18, 5, 771_307));
  });

  it('ISO with +00:00, +0000, +01 and a space separator', () => {
    const want = utcMicros(2026, 11, 21, 22, 18, 19, 705_217);
    expect(parseTimestampValue('2026-11-21T22:18:19.705217+00:00', 'Asia/Kolkata')).toBe(want);
    expect(parseTimestampValue('2026-11-21T22:18:19.705217+0000', 'Asia/Kolkata')).toBe(want);
    expect(parseTimestampValue('2026-11-21T23:18:19.705217+01', 'UTC')).toBe(want);
    expect(parseTimestampValue('2026-11-21 23:18:19.705217+01:00', 'UTC')).toBe(want);
    expect(parseTimestampValue('2026-11-21T17:18:19.705217-05:00', 'UTC')).toBe(want);
    expect(parseTimestampValue('2026-11-22T03:48:19.705217+05:30', 'UTC')).toBe(want);
    expect(parseTimestampValue('2026-11-21 22:18:19,705217 +0000', 'Asia/Kolkata')).toBe(want);
    expect(parseTimestampValue('2026-11-21t22:18:19.705217z', 'Asia/Kolkata')).toBe(want);
  });

  it('fractions of 0–9 digits, truncated to µs', () => {
    expect(parseTimestampValue('2026-11-21T22:18:19Z', 'UTC')).toBe(utcMicros(2026, 11, 21, 22, 18, 19));
    expect(parseTimestampValue('2026-11-21T22:18:19.7Z', 'UTC')).toBe(utcMicros(2026, 11, 21, 22, 18, 19, 700_000));
    expect(parseTimestampValue('2026-11-21T22:18:19.705217999Z', 'UTC')).toBe(utcMicros(2026, 11, 21, 22, 18, 19, 705_217));
    expect(parseTimestampValue('2026-11-21T22:18Z', 'UTC')).toBe(utcMicros(2026, 11, 21, 22, 18));
  });

  it('naive ISO and dates are read in the zone', () => {
    expect(parseTimestampValue('2026-01-15T12:00:00', 'Europe/Amsterdam')).toBe(atOffset(1, 2026, 1, 15, 12));
    expect(parseTimestampValue('2026-07-15 12:00:00.5', 'Europe/Amsterdam')).toBe(atOffset(2, 2026, 7, 15, 12, 0, 0, 500_000));
    expect(parseTimestampValue('2026-11-21', 'UTC')).toBe(utcMicros(2026, 11, 21));
    expect(parseTimestampValue('2026-11-21', 'America/New_York')).toBe(atOffset(-5, 2026, 11, 21));
    expect(parseTimestampValue('2026-11-21 22:18:19,705', 'UTC')).toBe(utcMicros(2026, 11, 21, 22, 18, 19, 705_000));
  });

  it('epoch numbers by magnitude', () => {
    expect(parseTimestampValue(1795299499, 'UTC')).toBe(1795299499_000_000);
    expect(parseTimestampValue(1795299499.694654, 'UTC')).toBe(1795299499_694_654);
    expect(parseTimestampValue(1795299485764, 'UTC')).toBe(1795299485764_000);
    expect(formatIsoMicros(parseTimestampValue(1795299485764, 'UTC')!)).toBe('2026-11-21T22:18:05.764Z');
    expect(parseTimestampValue(1795299485764123, 'UTC')).toBe(1795299485764123);
    expect(parseTimestampValue(1795299485764000000, 'UTC')).toBe(1795299485764000);
    expect(parseTimestampValue(0, 'UTC')).toBe(0);
  });

  it('epoch digit strings by magnitude, exact to the microsecond', () => {
    expect(parseTimestampValue('1795299499', 'UTC')).toBe(1795299499_000_000);
    expect(parseTimestampValue('1795299499.694654', 'UTC')).toBe(1795299499_694_654);
    expect(parseTimestampValue('1795299499.6946549', 'UTC')).toBe(1795299499_694_654);
    expect(parseTimestampValue('1795299485764', 'UTC')).toBe(1795299485764_000);
    expect(parseTimestampValue('1795299485764.5', 'UTC')).toBe(1795299485764_500);
    expect(parseTimestampValue('1795299485764123', 'UTC')).toBe(1795299485764123);
    expect(parseTimestampValue('1795299485764000000', 'UTC')).toBe(1795299485764000);
    // Not representable as a float: the µs must still come out exact.
    expect(parseTimestampValue('1795299485764123999', 'UTC')).toBe(1795299485764123);
    expect(parseTimestampValue(' 1795299499 ', 'UTC')).toBe(1795299499_000_000);
  });

  it('returns null for anything else, without throwing', () => {
    for (const bad of [
      null,
      undefined,
      true,
      {},
      [],
      '',
      '  ',
      'yesterday',
      'now',
      '2026-11-21T25:00:00Z',
      '2026-02-30',
      '2026-11-21T22:18:19+25:00',
      '2026-11-21T22:18:19 INFO',
      '2026-11-21T22:18:19.Z',
      '2026-11-21X22:18:19Z',
      '-1795299499',
      '1795299499.',
      '1.2.3',
      '0x1F',
      '1e9',
      NaN,
      Infinity,
      -1,
      '1'.repeat(30),
    ]) {
      expect(parseTimestampValue(bad, 'UTC'), String(bad)).toBeNull();
    }
  });
});

describe('parseInstant', () => {
  const rel = { tz: 'UTC', now: NOW, allowRelative: true };
  const abs = { tz: 'UTC', now: NOW, allowRelative: false };

  it('now', () => {
    expect(parseInstant('now', abs)).toBe(NOW);
  });

  it('relative durations count back from now', () => {
    expect(parseInstant('1h', rel)).toBe(NOW - 3_600_000_000);
    expect(parseInstant('30m', rel)).toBe(NOW - 1_800_000_000);
    expect(parseInstant('2d', rel)).toBe(NOW - 2 * 86_400_000_000);
    expect(parseInstant('1h30m', rel)).toBe(NOW - 5_400_000_000);
    expect(parseInstant('500ms', rel)).toBe(NOW - 500_000);
  });

  it('rejects relative durations when not allowed', () => {
    const e = usageErr(() => parseInstant('1h', abs));
    expect(e.message).toContain("'1h'");
    expect(e.reason).toMatch(/relative/);
  });

  it('ISO with and without a zone, and dates', () => {
    expect(parseInstant('2026-11-21T22:18:19.705Z', abs)).toBe(utcMicros(2026, 11, 21, 22, 18, 19, 705_000));
    expect(parseInstant('2026-11-21T23:18:19+01:00', abs)).toBe(utcMicros(2026, 11, 21, 22, 18, 19));
    expect(parseInstant('2026-11-21 23:18', { ...abs, tz: 'Europe/Amsterdam' })).toBe(utcMicros(2026, 11, 21, 22, 18));
    expect(parseInstant('2026-07-15T12:00:00', { ...abs, tz: 'Europe/Amsterdam' })).toBe(atOffset(2, 2026, 7, 15, 12));
    expect(parseInstant('2026-11-21', { ...abs, tz: 'Asia/Kolkata' })).toBe(atOffset(5.5, 2026, 11, 21));
  });

  it('Unix seconds, milliseconds and Slack ts', () => {
    expect(parseInstant('1795299499', abs)).toBe(1795299499_000_000);
    expect(parseInstant('1795299485764', abs)).toBe(1795299485764_000);
    expect(parseInstant('1795299499.694654', abs)).toBe(1795299499_694_654);
    expect(formatIsoMicros(parseInstant('1795299499.694654', abs))).toBe('2026-11-21T22:18:19.694Z');
  });

  it('rejects everything else, naming the value and listing accepted forms', () => {
    for (const bad of [
      '',
      'yesterday',
      '1y',
      '-1h',
      '42',
      '20261121',
      '1795299485764123',
      '2026-13-01',
      '2026-11-21T22:18:19+99',
      '2026-11-21T',
      'Nov 21 2026',
    ]) {
      const e = usageErr(() => parseInstant(bad, rel));
      expect(e.message).toContain(`'${bad}'`);
      expect(e.help).toContain('1795299499.694654');
      expect(e.help).toContain('2026-11-21');
    }
    expect(usageErr(() => parseInstant('2026-13-01', rel)).reason).toMatch(/month 13/);
    expect(usageErr(() => parseInstant('-1h', rel)).reason).toMatch(/write 1h/);
  });
});

describe('resolveWindow', () => {
  const opts = { tz: 'UTC', now: NOW };

  it('open on both sides with no flags', () => {
    expect(resolveWindow({}, opts)).toEqual({ from: null, to: null });
  });

  it('--since relative leaves the end open', () => {
    expect(resolveWindow({ since: '1h' }, opts)).toEqual({ from: NOW - 3_600_000_000, to: null });
  });

  it('--since / --until relative and absolute', () => {
    expect(resolveWindow({ since: '2h', until: '1h' }, opts)).toEqual({
      from: NOW - 7_200_000_000,
      to: NOW - 3_600_000_000,
    });
    expect(resolveWindow({ since: '2026-11-21T22:00:00Z', until: 'now' }, opts)).toEqual({
      from: utcMicros(2026, 11, 21, 22),
      to: NOW,
    });
  });

  it('--from / --to absolute, naive read in tz', () => {
    expect(
      resolveWindow({ from: '2026-11-21 23:00', to: '2026-11-22' }, { tz: 'Europe/Amsterdam', now: NOW }),
    ).toEqual({ from: utcMicros(2026, 11, 21, 22), to: utcMicros(2026, 11, 21, 23) });
    expect(resolveWindow({ to: '1795299499' }, opts)).toEqual({ from: null, to: 1795299499_000_000 });
  });

  it('a relative --from or --to is a usage error pointing at --since / --until', () => {
    const e1 = usageErr(() => resolveWindow({ from: '1h' }, opts));
    expect(e1.message).toContain('--from');
    expect(e1.help).toContain('--since 1h');
    const e2 = usageErr(() => resolveWindow({ to: '30m' }, opts));
    expect(e2.message).toContain('--to');
    expect(e2.help).toContain('--until 30m');
  });

  it('conflicting start or end flags are usage errors', () => {
    const e1 = usageErr(() => resolveWindow({ since: '1h', from: '2026-11-21' }, opts));
    expect(e1.message).toContain('--since');
    expect(e1.message).toContain('--from');
    const e2 = usageErr(() => resolveWindow({ until: '1h', to: '2026-11-21' }, opts));
    expect(e2.message).toContain('--until');
    expect(e2.message).toContain('--to');
  });

  it('a bad value names the flag', () => {
    const e = usageErr(() => resolveWindow({ since: 'yesterday' }, opts));
    expect(e.message).toContain('--since');
    expect(e.message).toContain("'yesterday'");
  });

  it('a reversed window is a usage error showing both instants', () => {
    const e = usageErr(() => resolveWindow({ since: '1h', until: '2h' }, opts));
    expect(e.message).toContain('the time window is reversed');
    expect(e.message).toContain('2026-11-21T21:18:19.705Z');
    expect(e.message).toContain('2026-11-21T20:18:19.705Z');
    const e2 = usageErr(() => resolveWindow({ from: '2026-11-22', to: '2026-11-21' }, opts));
    expect(e2.message).toContain('the time window is reversed');
    expect(e2.message).toContain('2026-11-22T00:00:00.000Z');
    expect(e2.message).toContain('2026-11-21T00:00:00.000Z');
  });

  it('an empty window (start = end) is allowed', () => {
    expect(resolveWindow({ from: '2026-11-21', to: '2026-11-21' }, opts)).toEqual({
      from: utcMicros(2026, 11, 21),
      to: utcMicros(2026, 11, 21),
    });
  });
});

describe('formatIsoMicros', () => {
  it('formats with milliseconds, truncating the sub-millisecond part', () => {
    expect(formatIsoMicros(utcMicros(2026, 11, 21, 22, 18, 19, 705_999))).toBe('2026-11-21T22:18:19.705Z');
    expect(formatIsoMicros(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(formatIsoMicros(-1)).toBe('1969-12-31T23:59:59.999Z');
  });
});
