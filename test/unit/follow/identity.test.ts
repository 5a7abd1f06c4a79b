/**
 * The row identity of --follow: content keys that survive rotation and
 * re-linking, the multiset of rows printed, and the rows held back while a
 * file is still being written.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_IDENTITY, EVENT_IDENTITY, holdBack, Ledger, LLM_IDENTITY, unprinted, type FileActivity } from '../../../src/follow/identity.js';

type Row = Record<string, unknown>;

const event = (over: Row = {}): Row => ({
  ts: '2026-03-02T09:00:00.250Z',
  level: 'info',
  event: null,
  message: 'received app_mention',
  logger: 'planner.slack',
  session_key: null,
  source_kind: 'jsonl',
  format: 'json',
  source_file: 'logs/app.jsonl',
  source_line: 2,
  parse_error: null,
  raw: { ts: '2026-03-02T09:00:00.250Z', level: 'info', message: 'received app_mention', thread_ts: '1772442000.100200' },
  ...over,
});

describe('content keys', () => {
  it('an event keeps its key when rotation moves it, the source kind changes, or a session is linked to it', () => {
    const k = EVENT_IDENTITY.key(event());
    expect(EVENT_IDENTITY.key(event({ source_file: 'logs/app.jsonl.1', source_line: 7, source_kind: 'text', source: 'app.jsonl.1:7' }))).toBe(k);
    expect(EVENT_IDENTITY.key(event({ session_key: 'C0AAAAAAAAA:1772442000.100200', thread_ts: '1772442000.100200' }))).toBe(k);
  });

  it('an event with other content, time, level or a parse error has another key', () => {
    const k = EVENT_IDENTITY.key(event());
    expect(EVENT_IDENTITY.key(event({ ts: '2026-03-02T09:00:00.251Z' }))).not.toBe(k);
    expect(EVENT_IDENTITY.key(event({ level: 'warn' }))).not.toBe(k);
    expect(EVENT_IDENTITY.key(event({ raw: { ...(event()['raw'] as Row), extra: 1 } }))).not.toBe(k);
    expect(EVENT_IDENTITY.key(event({ parse_error: 'not JSON' }))).not.toBe(k);
    // Parts cannot run into each other: "ab" + "c" is not "a" + "bc".
    expect(EVENT_IDENTITY.key(event({ message: 'ab', logger: 'c' }))).not.toBe(EVENT_IDENTITY.key(event({ message: 'a', logger: 'bc' })));
  });

  it('an error is its fingerprint, first time and message, whatever its id, sightings or session', () => {
    const e: Row = { error_id: '3956eb88039d', fingerprint: 'f1', ts: '2026-11-21T22:18:36.913Z', message: 'timed out', seen_count: 1, session_key: null };
    const k = ERROR_IDENTITY.key(e);
    expect(ERROR_IDENTITY.key({ ...e, error_id: '7a1c00000000', seen_count: 3, session_key: 'C0A:1.2', source_file: 'app.log.1' })).toBe(k);
    expect(ERROR_IDENTITY.key({ ...e, ts: '2026-11-21T22:19:36.913Z' })).not.toBe(k);
    expect(ERROR_IDENTITY.places({ ...e, seen_in: [{ source_file: 'a.log', source_line: 3 }, { source_file: 'b.jsonl', source_line: 9 }] })).toEqual([
      { file: 'a.log', line: 3 },
      { file: 'b.jsonl', line: 9 },
    ]);
  });

  it('an LLM call is its record as logged', () => {
    const c: Row = { ts: '2026-11-21T23:00:05.000Z', model: 'o3-mini', raw: { event_type: 'LLMCall', model: 'o3-mini' }, source_file: 'a.jsonl', source_line: 1 };
    const k = LLM_IDENTITY.key(c);
    expect(LLM_IDENTITY.key({ ...c, source_file: 'a.jsonl.1', source_line: 4, session_key: 'x' })).toBe(k);
    expect(LLM_IDENTITY.key({ ...c, raw: { event_type: 'LLMCall', model: 'gpt-4.1' } })).not.toBe(k);
  });
});

describe('unprinted: the rows past those already printed, as a multiset', () => {
  it('prints every row the first time, two identical rows included', () => {
    expect(unprinted(new Map(), ['a', 'b', 'a'])).toEqual([0, 1, 2]);
  });

  it('prints nothing again when the same rows come back, from any file, in any order', () => {
    expect(unprinted(new Map([['a', 2], ['b', 1]]), ['b', 'a', 'a'])).toEqual([]);
  });

  it('prints the second of two identical rows when the second arrives', () => {
    expect(unprinted(new Map([['a', 1]]), ['a', 'b', 'a'])).toEqual([1, 2]);
  });

  it('prints nothing when rows went away (a file deleted)', () => {
    expect(unprinted(new Map([['a', 3]]), ['a'])).toEqual([]);
  });
});

describe('Ledger', () => {
  it('counts what was printed and never forgets it', () => {
    const l = new Ledger();
    expect(l.unprinted(['a', 'a', 'b'])).toEqual([0, 1, 2]);
    l.add(['a', 'a', 'b']);
    // Rotation: the same rows, now in app.log.1, and one new row in app.log.
    expect(l.unprinted(['a', 'a', 'b', 'c'])).toEqual([3]);
    l.add(['c']);
    // app.log.1 deleted: a and b are gone from the result; a new "a" later is not printed again.
    expect(l.unprinted(['c'])).toEqual([]);
    expect(l.unprinted(['a', 'c'])).toEqual([]);
    expect(l.count('a')).toBe(2);
    expect(l.size).toBe(3);
  });
});

describe('holdBack', () => {
  const row = (file: string, line: number, message: string): Row => event({ source_file: file, source_line: line, message, raw: null });
  const files = (o: { active?: string[]; renewing?: string[]; last?: Record<string, number> }): FileActivity => ({
    active: (f) => (o.active ?? []).includes(f),
    renewing: (f) => (o.renewing ?? []).includes(f),
    lastRecord: (f) => o.last?.[f],
  });

  it('holds the last record of a file still being written, and nothing of a quiet file', () => {
    const rows = [row('app.log', 1, 'one'), row('app.log', 2, 'two'), row('other.log', 5, 'five')];
    const keys = rows.map((r) => EVENT_IDENTITY.key(r));
    const ledger = new Ledger();
    const last = { 'app.log': 2, 'other.log': 5 };
    expect([...holdBack(rows, keys, [0, 1, 2], EVENT_IDENTITY, files({ active: ['app.log'], last }), ledger)]).toEqual([1]);
    expect([...holdBack(rows, keys, [0, 1, 2], EVENT_IDENTITY, files({ last }), ledger)]).toEqual([]);
  });

  it('holds rows printed before that appear again in a file being copied (copytruncate), not new rows there', () => {
    // app.log was copied into app.log.1, which is still being written; app.log is not truncated yet.
    const rows = [row('app.log.1', 1, 'one'), row('app.log', 1, 'one'), row('app.log', 2, 'two'), row('app.log.1', 2, 'new in the copy')];
    const keys = rows.map((r) => EVENT_IDENTITY.key(r));
    const ledger = new Ledger();
    ledger.add([keys[1] as string]);
    const fresh = ledger.unprinted(keys);
    expect(fresh).toEqual([1, 2, 3]);
    const held = holdBack(rows, keys, fresh, EVENT_IDENTITY, files({ active: ['app.log.1'], renewing: ['app.log.1'], last: { 'app.log.1': 2, 'app.log': 2 } }), ledger);
    // "one" again (either copy): held; "two" in the live file: printed; the copy's last record: held as the last record.
    expect([...held].sort()).toEqual([1, 3]);
  });

  it('does not hold a repeated row of a live file that was not renewed (the same line logged twice)', () => {
    const rows = [row('app.log', 1, 'retrying'), row('app.log', 2, 'retrying'), row('app.log', 3, 'done')];
    const keys = rows.map((r) => EVENT_IDENTITY.key(r));
    const ledger = new Ledger();
    ledger.add([keys[0] as string]);
    const held = holdBack(rows, keys, ledger.unprinted(keys), EVENT_IDENTITY, files({ active: ['app.log'], last: { 'app.log': 3 } }), ledger);
    expect([...held]).toEqual([2]);
  });

  it('holds an error seen in the last record of a file still being written, by any of its sightings', () => {
    const err: Row = { fingerprint: 'f', ts: 't', message: 'm', seen_in: [{ source_file: 'a.log', source_line: 3 }, { source_file: 'b.log', source_line: 10 }] };
    const keys = [ERROR_IDENTITY.key(err)];
    const ledger = new Ledger();
    expect([...holdBack([err], keys, [0], ERROR_IDENTITY, files({ active: ['b.log'], last: { 'a.log': 9, 'b.log': 10 } }), ledger)]).toEqual([0]);
    expect([...holdBack([err], keys, [0], ERROR_IDENTITY, files({ active: ['a.log'], last: { 'a.log': 9, 'b.log': 10 } }), ledger)]).toEqual([]);
  });
});
