/**
 * appendInstant writes an epoch-µs instant into a TIMESTAMPTZ column through
 * the appender's TIMESTAMP call: the stored instant is the one given, whatever
 * the session's time zone, to the microsecond.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendInstant, Database } from '../../../src/db/database.js';

let db: Database;

beforeAll(async () => {
  db = await Database.open();
  await db.exec('CREATE TABLE instants (n INTEGER, t TIMESTAMPTZ)');
});

afterAll(() => db.close());

describe('appendInstant', () => {
  it('stores the instant given, to the microsecond, under any session time zone', async () => {
    // Before 1970, the epoch itself, a leap day, and a time with all six fractional digits.
    const given = [-86_400_000_123, 0, Date.UTC(2028, 1, 29, 23, 59, 59) * 1000 + 999_999, 1_795_577_023_261_312];
    for (const zone of ['UTC', 'America/New_York', 'Asia/Kolkata']) {
      await db.exec(`SET TimeZone = '${zone}'`);
      await db.exec('DELETE FROM instants');
      const a = await db.appender('instants');
      given.forEach((micros, n) => {
        a.appendInteger(n);
        appendInstant(a, micros);
        a.endRow();
      });
      a.closeSync();
      const { rows } = await db.query('SELECT n, epoch_us(t)::VARCHAR AS us FROM instants ORDER BY n');
      expect(rows.map((r) => Number(r['us']))).toEqual(given);
    }
    await db.exec("SET TimeZone = 'UTC'");
  });

  it('drops a fraction of a microsecond rather than rounding into the next', async () => {
    await db.exec('DELETE FROM instants');
    const a = await db.appender('instants');
    a.appendInteger(0);
    appendInstant(a, 1_000_000.9);
    a.endRow();
    a.closeSync();
    const { rows } = await db.query("SELECT strftime(t, '%Y-%m-%d %H:%M:%S.%f') AS t FROM instants");
    expect(rows[0]?.['t']).toBe('1970-01-01 00:00:01.000000');
  });
});
