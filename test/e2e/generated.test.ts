/**
 * End to end on fixtures/generated/logs (written by generate.py with Python
 * logging; see fixtures/generated/README.md). Every expected number below was
 * counted by hand from the files once and is hard-coded; the comments say how.
 *
 * Sessions: A C0AAAAAAAAA:1772442000.100200 (in the index, log present),
 * B C0BBBBBBBBB:1772442300.200300 (in the index, log present),
 * C C0CCCCCCCCC:1772442600.300400 (log present, not in the index),
 * D C0DDDDDDDDD:1772442900.400500 (in the index, log file deleted).
 *
 * Record counts per file: session log A 35 lines / 27 records (the 8-line
 * traceback on lines 12-19 belongs to line 11), B 14/14, C 3/3, app.jsonl 10,
 * worker.jsonl 6, gateway.jsonl 6, misc.jsonl 3, llm_io 13 (12 LLMCall + the
 * exception record on line 4). Events = everything but LLMCall records and
 * index entries: 27 + 14 + 3 + 10 + 6 + 6 + 3 + 1 = 70.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obs, obsJson } from '../helpers/cli.js';

type Row = Record<string, unknown>;

const DIR = 'fixtures/generated/logs';
const LOGS = ['--logs', DIR];

const A = 'C0AAAAAAAAA:1772442000.100200';
const B = 'C0BBBBBBBBB:1772442300.200300';
const C = 'C0CCCCCCCCC:1772442600.300400';
const D = 'C0DDDDDDDDD:1772442900.400500';
const A_TS = '1772442000.100200';
const B_TS = '1772442300.200300';

const A_LOG = `${DIR}/timeboxing_session_20260302_090000_C0AAAAAAAAA_1772442000.100200_4242.log`;
const B_LOG = `${DIR}/timeboxing_session_20260302_090500_C0BBBBBBBBB_1772442300.200300_4242.log`;
const C_LOG = `${DIR}/timeboxing_session_20260302_091000_C0CCCCCCCCC_1772442600.300400_4242.log`;
const LLM_IO = `${DIR}/llm_io_20260302_090000_4242.jsonl`;
const SESSION_INDEX = `${DIR}/timeboxing_session_index.jsonl`;
const D_MISSING = '/srv/planner/var/logs/timeboxing_session_20260302_091500_C0DDDDDDDDD_1772442900.400500_4242.log';

const ESC = '\u001b';

/** The one warning every full load of the folder prints: D's log file is gone. */
function expectOnlyMissingDWarning(stderr: string): void {
  const warnings = stderr.split('\n').filter((l) => l.startsWith('warning:'));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain(`${SESSION_INDEX}:3`);
  expect(warnings[0]).toContain(D_MISSING);
}

const pick = (r: Row, keys: string[]): Row => Object.fromEntries(keys.map((k) => [k, r[k]]));
const where = (r: Row): string => `${path.basename(String(r['source_file']))}:${r['source_line']}`;
const sum = (rows: Row[], k: string): number => rows.reduce((n, r) => n + (typeof r[k] === 'number' ? (r[k] as number) : 0), 0);

// ---------------------------------------------------------------------------

describe('generated: loading, and the session whose log file is gone', () => {
  it('warns about D naming the index file:line and the missing path, and still exits 0', async () => {
    const r = await obs(['sessions', ...LOGS, '--json']);
    expect(r.exitCode).toBe(0);
    expectOnlyMissingDWarning(r.stderr);
    expect(r.stderr).toContain(`warning: ${SESSION_INDEX}:3: the index names ${D_MISSING}`);
    expect(JSON.parse(r.stdout).count).toBe(4);
  });

  it('obs sources --json accounts for every file and lists the missing index target', async () => {
    const { data, exitCode, stderr } = await obsJson<{ files: Row[]; totals: Row; missing_index_targets: Row[] }>(['sources', ...LOGS]);
    expect(exitCode).toBe(0);
    expectOnlyMissingDWarning(stderr);
    const byName = Object.fromEntries(data.files.map((f) => [path.basename(String(f['path'])), pick(f, ['kind', 'status', 'lines', 'records', 'rejected', 'repaired'])]));
    expect(byName).toEqual({
      'app.jsonl': { kind: 'jsonl', status: 'loaded', lines: 10, records: 10, rejected: 0, repaired: 0 },
      'gateway.jsonl': { kind: 'jsonl', status: 'loaded', lines: 6, records: 6, rejected: 0, repaired: 0 },
      'llm_io_20260302_090000_4242.jsonl': { kind: 'llm_io', status: 'loaded', lines: 13, records: 13, rejected: 0, repaired: 0 },
      'llm_io_index.jsonl': { kind: 'log_index', status: 'loaded', lines: 1, records: 1, rejected: 0, repaired: 0 },
      'misc.jsonl': { kind: 'jsonl', status: 'loaded', lines: 3, records: 3, rejected: 0, repaired: 0 },
      [path.basename(A_LOG)]: { kind: 'session_log', status: 'loaded', lines: 35, records: 27, rejected: 0, repaired: 0 },
      [path.basename(B_LOG)]: { kind: 'session_log', status: 'loaded', lines: 14, records: 14, rejected: 0, repaired: 0 },
      [path.basename(C_LOG)]: { kind: 'session_log', status: 'loaded', lines: 3, records: 3, rejected: 0, repaired: 0 },
      'timeboxing_session_index.jsonl': { kind: 'log_index', status: 'loaded', lines: 3, records: 3, rejected: 0, repaired: 0 },
      'worker.jsonl': { kind: 'jsonl', status: 'loaded', lines: 6, records: 6, rejected: 0, repaired: 0 },
    });
    // 10 + 6 + 13 + 1 + 3 + 35 + 14 + 3 + 3 + 6 physical lines.
    expect(data.totals).toMatchObject({ files: 10, lines: 94, rejected: 0, unreadable: 0 });
    expect(data.missing_index_targets).toEqual([{ index: SESSION_INDEX, line: 3, log_path: D_MISSING }]);
  });
});

describe('generated: obs sessions', () => {
  const FIELDS = [
    'session_key', 'thread_ts', 'channel_id', 'user_id', 'first_ts', 'last_ts', 'duration_ms', 'stages',
    'event_count', 'error_count', 'llm_call_count', 'llm_error_count', 'prompt_tokens', 'completion_tokens',
    'total_tokens', 'log_file', 'log_missing',
  ];

  it('lists A, B, C and D with their ids, times, stages, counts and tokens', async () => {
    const { data, exitCode } = await obsJson<{ sessions: Row[]; count: number }>(['sessions', ...LOGS]);
    expect(exitCode).toBe(0);
    expect(data.count).toBe(4);
    expect(data.sessions.map((s) => pick(s, FIELDS))).toEqual([
      {
        // first: gateway.jsonl:2 (epoch ms 1772442000105); last: session log A line 35.
        // events: 27 session-log records + app 2,3,4,5 + worker 2,3 + gateway 2,3 + llm_io exception = 36.
        // errors: the ToolCallError of session log line 8 (a warning with an error), and one
        // PlanValidationError seen three times (session log line 11, app.jsonl:5, llm_io:4) = 2.
        // LLM: llm_io lines 1,2,3,5,6,7,8; prompt 640+300+1500+1520+900+310+450, completion 198+40+480+505+260+30+120.
        session_key: A, thread_ts: A_TS, channel_id: 'C0AAAAAAAAA', user_id: 'U0AAAAAAA01',
        first_ts: '2026-03-02T09:00:00.105Z', last_ts: '2026-03-02T09:04:11.502Z', duration_ms: 251397,
        stages: ['collect', 'plan', 'refine', 'confirm'],
        event_count: 36, error_count: 2, llm_call_count: 7, llm_error_count: 0,
        prompt_tokens: 5620, completion_tokens: 1633, total_tokens: 7253,
        log_file: A_LOG, log_missing: false,
      },
      {
        // first: app.jsonl:6 (09:05:00.210); last: misc.jsonl:2 (09:08:01.500).
        // events: 14 session-log + app 6,7,8 + worker 4,5 + gateway 4 + misc 1,2 = 22.
        // errors: the RateLimitError (session log line 2 and llm_io:9) and worker.jsonl:5's IntegrityError = 2.
        // LLM: llm_io lines 9-13, line 9 the error call with null tokens.
        session_key: B, thread_ts: B_TS, channel_id: 'C0BBBBBBBBB', user_id: 'U0BBBBBBB02',
        first_ts: '2026-03-02T09:05:00.210Z', last_ts: '2026-03-02T09:08:01.500Z', duration_ms: 181290,
        stages: ['collect', 'plan'],
        event_count: 22, error_count: 2, llm_call_count: 5, llm_error_count: 1,
        prompt_tokens: 3070, completion_tokens: 845, total_tokens: 3915,
        log_file: B_LOG, log_missing: false,
      },
      {
        // first: gateway.jsonl:5 (1772442600305); last: session log C line 3; events 3 + app 9 + gateway 5.
        session_key: C, thread_ts: '1772442600.300400', channel_id: 'C0CCCCCCCCC', user_id: null,
        first_ts: '2026-03-02T09:10:00.305Z', last_ts: '2026-03-02T09:10:00.750Z', duration_ms: 445,
        stages: ['collect'],
        event_count: 5, error_count: 0, llm_call_count: 0, llm_error_count: 0,
        prompt_tokens: 0, completion_tokens: 0, total_tokens: 0,
        log_file: C_LOG, log_missing: false,
      },
      {
        // first: the index entry's created_at; the only record is gateway.jsonl:6 (level 50).
        session_key: D, thread_ts: '1772442900.400500', channel_id: 'C0DDDDDDDDD', user_id: 'U0DDDDDDD04',
        first_ts: '2026-03-02T09:15:00.412Z', last_ts: '2026-03-02T09:15:02.500Z', duration_ms: 2088,
        stages: [],
        event_count: 1, error_count: 1, llm_call_count: 0, llm_error_count: 0,
        prompt_tokens: 0, completion_tokens: 0, total_tokens: 0,
        log_file: null, log_missing: true,
      },
    ]);
  });

  it('--stage refine keeps only the session that reached it', async () => {
    const { data, exitCode } = await obsJson<{ sessions: Row[] }>(['sessions', ...LOGS, '--stage', 'refine']);
    expect(exitCode).toBe(0);
    expect(data.sessions.map((s) => s['session_key'])).toEqual([A]);
  });

  it('--where on session fields', async () => {
    const { data, exitCode } = await obsJson<{ sessions: Row[] }>(['sessions', ...LOGS, '--where', 'error_count >= 1 and llm_call_count > 0']);
    expect(exitCode).toBe(0);
    expect(data.sessions.map((s) => s['session_key'])).toEqual([A, B]);
  });
});

// ---------------------------------------------------------------------------

describe('generated: obs events', () => {
  it('--thread A returns the 36 records of A from every file, with their fields', async () => {
    const { data, exitCode, stderr } = await obsJson<{ events: Row[]; count: number }>(['events', ...LOGS, '--thread', A_TS]);
    expect(exitCode).toBe(0);
    expectOnlyMissingDWarning(stderr);
    expect(data.count).toBe(36);
    expect(data.events).toHaveLength(36);
    for (const e of data.events) {
      for (const k of ['ts', 'level', 'event', 'message', 'session_key', 'source_file', 'source_line', 'parse_error', 'raw']) {
        expect(e).toHaveProperty(k);
      }
      expect(e['session_key']).toBe(A);
      expect(e['parse_error']).toBeNull();
    }
    const perFile: Record<string, number> = {};
    for (const e of data.events) perFile[path.basename(String(e['source_file']))] = (perFile[path.basename(String(e['source_file']))] ?? 0) + 1;
    expect(perFile).toEqual({ [path.basename(A_LOG)]: 27, 'app.jsonl': 4, 'gateway.jsonl': 2, 'worker.jsonl': 2, 'llm_io_20260302_090000_4242.jsonl': 1 });
    // In time order: the gateway saw the mention first, the session log ends with graph_turn_end.
    expect(where(data.events[0] as Row)).toBe('gateway.jsonl:2');
    expect(data.events[0]?.['ts']).toBe('2026-03-02T09:00:00.105Z');
    expect(where(data.events[35] as Row)).toBe(`${path.basename(A_LOG)}:35`);
    expect(data.events[35]?.['ts']).toBe('2026-03-02T09:04:11.502Z');
  });

  it('keeps the 8-line traceback with the ERROR record on line 11 and the plain-text record on line 20', async () => {
    const { data } = await obsJson<{ events: Row[] }>(['events', ...LOGS, '--thread', A_TS]);
    const fromA = data.events.filter((e) => e['source_file'] === A_LOG);
    expect(fromA.map((e) => e['source_line'])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35]);
    const err = fromA.find((e) => e['source_line'] === 11) as Row;
    expect(err['level']).toBe('error');
    expect(err['event']).toBe('graph_turn_error');
    expect(err['ts']).toBe('2026-03-02T09:01:35.311Z');
    const message = String(err['message']);
    expect(message.split('\n')).toHaveLength(8);
    expect(message.startsWith('Traceback (most recent call last):')).toBe(true);
    expect(message.endsWith("PlanValidationError: skeleton blocks overlap: 'Deep work' ends 10:30 after 'Team sync' starts 10:15")).toBe(true);
    expect((err['raw'] as Row)['error_type']).toBe('PlanValidationError');

    const plain = fromA.find((e) => e['source_line'] === 20) as Row;
    expect(pick(plain, ['ts', 'level', 'event', 'message', 'raw', 'session_key'])).toEqual({
      ts: '2026-03-02T09:02:35.004Z', level: 'info', event: null, message: 'session resumed after restart', raw: null, session_key: A,
    });
  });

  it('normalises levels: WARNING → warn, lowercase warning → warn, pino 40 → warn and 50 → error', async () => {
    const { data } = await obsJson<{ events: Row[] }>(['events', ...LOGS]);
    const level = (file: string, line: number): unknown =>
      data.events.find((e) => path.basename(String(e['source_file'])) === file && e['source_line'] === line)?.['level'];
    expect(level(path.basename(A_LOG), 8)).toBe('warn'); // "WARNING {...tool_call...}"
    expect(level(path.basename(A_LOG), 11)).toBe('error'); // "ERROR {...graph_turn_error...}"
    expect(level('app.jsonl', 4)).toBe('warn'); // "level": "warning"
    expect(level('gateway.jsonl', 1)).toBe('info'); // 30
    expect(level('gateway.jsonl', 4)).toBe('warn'); // 40
    expect(level('gateway.jsonl', 6)).toBe('error'); // 50
    expect(level('misc.jsonl', 2)).toBe('warn'); // "log.level": "warn"
    expect(level('worker.jsonl', 2)).toBe('debug');
    expect(level('llm_io_20260302_090000_4242.jsonl', 4)).toBe('error'); // exception record, no level field
    const levels = [...new Set(data.events.map((e) => e['level']))].sort();
    expect(levels).toEqual(['debug', 'error', 'info', 'warn']);
  });

  it('--level warn returns warn, error and fatal records (11), --level error the 5 errors', async () => {
    // warn: app 4, app 7, session A line 8, session B line 2, gateway 4, misc 2 (6);
    // error: app 5, llm_io 4, session A line 11, worker 5, gateway 6 (5); no fatal in these files.
    const warn = await obsJson<{ events: Row[]; count: number }>(['events', ...LOGS, '--level', 'warn']);
    expect(warn.exitCode).toBe(0);
    expect(warn.data.count).toBe(11);
    expect(warn.data.events.filter((e) => e['level'] === 'warn')).toHaveLength(6);
    expect(warn.data.events.filter((e) => e['level'] === 'error')).toHaveLength(5);
    const warning = await obsJson<{ count: number }>(['events', ...LOGS, '--level', 'WARNING']);
    expect(warning.data.count).toBe(11);
    const error = await obsJson<{ events: Row[] }>(['events', ...LOGS, '--level', 'error']);
    expect(error.data.events.map(where)).toEqual([
      'app.jsonl:5', 'llm_io_20260302_090000_4242.jsonl:4', `${path.basename(A_LOG)}:11`, 'worker.jsonl:5', 'gateway.jsonl:6',
    ]);
  });

  it("--event 'graph_turn_*' matches start, end and error events (17)", async () => {
    // A: starts 1,7,21,26,31, ends 6,25,30,35, error 11 (10); B: starts 1,7,13, ends 6,12 (5); C: start 1, end 3 (2).
    const { data, exitCode } = await obsJson<{ events: Row[]; count: number }>(['events', ...LOGS, '--event', 'graph_turn_*']);
    expect(exitCode).toBe(0);
    expect(data.count).toBe(17);
    const names = data.events.map((e) => e['event']);
    expect(names.filter((n) => n === 'graph_turn_start')).toHaveLength(9);
    expect(names.filter((n) => n === 'graph_turn_end')).toHaveLength(7);
    expect(names.filter((n) => n === 'graph_turn_error')).toHaveLength(1);
  });

  it("--event graph_turn_end --where 'duration_ms > 1000' gives 2 turns for A and 3 across all files", async () => {
    // A: 1240.7 (line 6) and 1502.3 (line 35) above 1000, 640.2 and 905.0 below; B: 3020.0 (line 12); C: 430.0.
    const a = await obsJson<{ events: Row[]; count: number }>(['events', ...LOGS, '--session', A, '--event', 'graph_turn_end', '--where', 'duration_ms > 1000']);
    expect(a.exitCode).toBe(0);
    expect(a.data.count).toBe(2);
    expect(a.data.events.map((e) => (e['raw'] as Row)['duration_ms'])).toEqual([1240.7, 1502.3]);
    const all = await obsJson<{ events: Row[]; count: number }>(['events', ...LOGS, '--event', 'graph_turn_end', '--where', 'duration_ms > 1000']);
    expect(all.data.count).toBe(3);
    expect(all.data.events.map(where)).toEqual([`${path.basename(A_LOG)}:6`, `${path.basename(A_LOG)}:35`, `${path.basename(B_LOG)}:12`]);
    // Without --event the numeric field also matches app.jsonl:3 (1240.7) and gateway.jsonl:3 (1295).
    const any = await obsJson<{ count: number }>(['events', ...LOGS, '--where', 'duration_ms > 1000']);
    expect(any.data.count).toBe(5);
  });

  it('--contains finds text in messages and in raw fields', async () => {
    // app.jsonl:5 (message), llm_io:4 (error field), session log A:11 (traceback + error_type).
    const { data, exitCode } = await obsJson<{ events: Row[] }>(['events', ...LOGS, '--contains', 'PlanValidationError']);
    expect(exitCode).toBe(0);
    expect(data.events.map(where)).toEqual(['app.jsonl:5', 'llm_io_20260302_090000_4242.jsonl:4', `${path.basename(A_LOG)}:11`]);
    // Non-ASCII text: session log B lines 1 (user_text) and 4 (constraints); "Café" on line 11 differs in case.
    const cafe = await obsJson<{ events: Row[] }>(['events', ...LOGS, '--contains', 'café']);
    expect(cafe.data.events.map(where)).toEqual([`${path.basename(B_LOG)}:1`, `${path.basename(B_LOG)}:4`]);
  });

  it("--where on a nested raw field of the pino log: err.type = 'AgentHTTPError'", async () => {
    const { data, exitCode } = await obsJson<{ events: Row[] }>(['events', ...LOGS, '--where', "err.type = 'AgentHTTPError'"]);
    expect(exitCode).toBe(0);
    expect(data.events.map(where)).toEqual(['gateway.jsonl:6']);
    expect(data.events[0]?.['message']).toBe('agent call failed');
    expect(data.events[0]?.['session_key']).toBe(D);
    const numeric = await obsJson<{ events: Row[] }>(['events', ...LOGS, '--where', 'err.status >= 500']);
    expect(numeric.data.events.map(where)).toEqual(['gateway.jsonl:6']);
  });

  it('--key request_id=..., --request, and the requestId alias of worker.jsonl', async () => {
    const key = await obsJson<{ events: Row[] }>(['events', ...LOGS, '--key', 'request_id=req-0a02']);
    expect(key.exitCode).toBe(0);
    expect(key.data.events.map(where)).toEqual(['app.jsonl:4', 'app.jsonl:5']);
    const req = await obsJson<{ events: Row[] }>(['events', ...LOGS, '--request', 'req-0a02']);
    expect(req.data.events.map(where)).toEqual(['app.jsonl:4', 'app.jsonl:5']);
    const worker = await obsJson<{ events: Row[] }>(['events', ...LOGS, '--request', 'job-a1b2c3d4e5f6']);
    expect(worker.data.events.map(where)).toEqual(['worker.jsonl:2', 'worker.jsonl:3']);
    expect(worker.data.events.map((e) => e['session_key'])).toEqual([A, A]);
  });

  it('--session B includes the gateway line linked by thread_ts, and the misc.jsonl lines keyed by session_id', async () => {
    const { data, exitCode } = await obsJson<{ events: Row[]; count: number }>(['events', ...LOGS, '--session', B]);
    expect(exitCode).toBe(0);
    expect(data.count).toBe(22);
    const gateway = data.events.filter((e) => path.basename(String(e['source_file'])) === 'gateway.jsonl');
    expect(gateway.map((e) => e['source_line'])).toEqual([4]);
    expect(gateway[0]?.['message']).toBe('duplicate slack delivery ignored');
    expect(gateway[0]?.['thread_ts']).toBe(B_TS);
    expect(data.events.filter((e) => path.basename(String(e['source_file'])) === 'misc.jsonl').map((e) => e['source_line'])).toEqual([1, 2]);
  });

  it('reads every time field: ts, timestamp (µs Z), time (epoch ms), @timestamp, time (epoch s)', async () => {
    const { data } = await obsJson<{ events: Row[] }>(['events', ...LOGS]);
    const ts = (file: string, line: number): unknown =>
      data.events.find((e) => path.basename(String(e['source_file'])) === file && e['source_line'] === line)?.['ts'];
    expect(ts('app.jsonl', 1)).toBe('2026-03-02T09:00:00.010Z');
    expect(ts('worker.jsonl', 2)).toBe('2026-03-02T09:00:01.330Z');
    expect(ts('gateway.jsonl', 6)).toBe('2026-03-02T09:15:02.500Z');
    expect(ts('misc.jsonl', 1)).toBe('2026-03-02T09:08:00.125Z');
    expect(ts('misc.jsonl', 3)).toBe('2026-03-02T09:09:00.250Z');
    expect(data.events).toHaveLength(70);
    expect(data.events.filter((e) => e['ts'] === null)).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------

describe('generated: obs llm', () => {
  it('--thread A: 7 calls, 5620 prompt / 1633 completion / 7253 total tokens', async () => {
    const { data, exitCode } = await obsJson<{ llm_calls: Row[]; count: number }>(['llm', ...LOGS, '--thread', A_TS]);
    expect(exitCode).toBe(0);
    expect(data.count).toBe(7);
    expect(data.llm_calls.map((c) => c['source_line'])).toEqual([1, 2, 3, 5, 6, 7, 8]);
    expect(sum(data.llm_calls, 'prompt_tokens')).toBe(5620);
    expect(sum(data.llm_calls, 'completion_tokens')).toBe(1633);
    expect(sum(data.llm_calls, 'total_tokens')).toBe(7253);
  });

  it('--thread B: 5 calls, 1 error, 3070 prompt / 845 completion', async () => {
    const { data } = await obsJson<{ llm_calls: Row[]; count: number }>(['llm', ...LOGS, '--thread', B_TS]);
    expect(data.count).toBe(5);
    expect(data.llm_calls.filter((c) => c['status'] === 'error')).toHaveLength(1);
    expect(sum(data.llm_calls, 'prompt_tokens')).toBe(3070);
    expect(sum(data.llm_calls, 'completion_tokens')).toBe(845);
  });

  it('keeps the special records as logged: total 838 on line 1, cached/reasoning on line 12, no latency on line 5, null tokens on the error', async () => {
    const { data } = await obsJson<{ llm_calls: Row[]; count: number }>(['llm', ...LOGS]);
    expect(data.count).toBe(12);
    const line = (n: number): Row => data.llm_calls.find((c) => c['source_line'] === n) as Row;
    expect(pick(line(1), ['model', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'latency_ms'])).toEqual({
      model: 'gpt-4.1', prompt_tokens: 640, completion_tokens: 198, total_tokens: 838, latency_ms: 812.5,
    });
    expect(pick(line(12), ['cache_read_tokens', 'reasoning_tokens', 'total_tokens'])).toEqual({ cache_read_tokens: 1024, reasoning_tokens: 128, total_tokens: 1950 });
    expect(line(5)['latency_ms']).toBeNull();
    expect(line(5)['total_tokens']).toBe(2025);
    expect(pick(line(9), ['status', 'prompt_tokens', 'completion_tokens', 'total_tokens'])).toEqual({
      status: 'error', prompt_tokens: null, completion_tokens: null, total_tokens: null,
    });
    expect(line(9)['error']).toBe('RateLimitError: HTTP 429 Too Many Requests: rate limit reached for gpt-4.1');
    expect(data.llm_calls.filter((c) => c['latency_ms'] !== null)).toHaveLength(11);
  });

  it('--by model: calls, errors, tokens and latency percentiles over known latencies', async () => {
    const { data, exitCode } = await obsJson<{ groups: Row[]; by: string[]; count: number }>(['llm', ...LOGS, '--by', 'model']);
    expect(exitCode).toBe(0);
    expect(data.by).toEqual(['model']);
    expect(data.count).toBe(3);
    const KEYS = ['model', 'calls', 'errors', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'latency_known', 'latency_p50_ms', 'latency_p95_ms'];
    // Percentiles by hand (linear interpolation, rounded to 0.1 ms):
    // gpt-4.1 known latencies 95.3, 812.5, 1420.9, 1830.4 (line 5 has none): p50 1116.7, p95 1420.9 + 0.85 × 409.5 = 1769.0.
    // gpt-4o-mini 150, 380.5, 420, 530.1: p50 400.25 → 400.3, p95 420 + 0.85 × 110.1 = 513.6.
    // claude-sonnet-4 610.7, 700.2, 980: p50 700.2, p95 700.2 + 0.9 × 279.8 = 952.0.
    expect(data.groups.map((g) => pick(g, KEYS))).toEqual([
      { model: 'gpt-4.1', calls: 5, errors: 1, prompt_tokens: 5140, completion_tokens: 1653, total_tokens: 6793, latency_known: 4, latency_p50_ms: 1116.7, latency_p95_ms: 1769 },
      { model: 'gpt-4o-mini', calls: 4, errors: 0, prompt_tokens: 1670, completion_tokens: 380, total_tokens: 2050, latency_known: 4, latency_p50_ms: 400.3, latency_p95_ms: 513.6 },
      { model: 'claude-sonnet-4', calls: 3, errors: 0, prompt_tokens: 1880, completion_tokens: 445, total_tokens: 2325, latency_known: 3, latency_p50_ms: 700.2, latency_p95_ms: 952 },
    ]);
    expect(sum(data.groups, 'calls')).toBe(12);
    expect(sum(data.groups, 'errors')).toBe(1);
    expect(sum(data.groups, 'prompt_tokens')).toBe(8690);
    expect(sum(data.groups, 'completion_tokens')).toBe(2478);
    expect(sum(data.groups, 'latency_known')).toBe(11);
  });

  it('--by stage,model: 8 groups', async () => {
    const { data, exitCode } = await obsJson<{ groups: Row[]; by: string[] }>(['llm', ...LOGS, '--by', 'stage,model']);
    expect(exitCode).toBe(0);
    expect(data.by).toEqual(['stage', 'model']);
    // (stage, model) of llm_io lines: collect/4.1 (1, 9), plan/4o-mini (2), plan/4.1 (3, 5, 12), refine/claude (6),
    // refine/4o-mini (7), confirm/4o-mini (8), collect/4o-mini (10), plan/claude (11, 13).
    const calls = Object.fromEntries(data.groups.map((g) => [`${g['stage']}/${g['model']}`, g['calls']]));
    expect(calls).toEqual({
      'plan/gpt-4.1': 3, 'collect/gpt-4.1': 2, 'plan/claude-sonnet-4': 2, 'collect/gpt-4o-mini': 1,
      'confirm/gpt-4o-mini': 1, 'plan/gpt-4o-mini': 1, 'refine/claude-sonnet-4': 1, 'refine/gpt-4o-mini': 1,
    });
    const planGpt41 = data.groups.find((g) => g['stage'] === 'plan' && g['model'] === 'gpt-4.1') as Row;
    expect(pick(planGpt41, ['prompt_tokens', 'completion_tokens', 'errors', 'latency_known'])).toEqual({
      prompt_tokens: 4500, completion_tokens: 1455, errors: 0, latency_known: 2,
    });
    const collectGpt41 = data.groups.find((g) => g['stage'] === 'collect' && g['model'] === 'gpt-4.1') as Row;
    expect(pick(collectGpt41, ['prompt_tokens', 'completion_tokens', 'errors'])).toEqual({ prompt_tokens: 640, completion_tokens: 198, errors: 1 });
  });

  it("--model 'gpt-4*' matches gpt-4.1 and gpt-4o-mini (9 calls)", async () => {
    const { data, exitCode } = await obsJson<{ llm_calls: Row[]; count: number }>(['llm', ...LOGS, '--model', 'gpt-4*']);
    expect(exitCode).toBe(0);
    expect(data.count).toBe(9);
    expect([...new Set(data.llm_calls.map((c) => c['model']))].sort()).toEqual(['gpt-4.1', 'gpt-4o-mini']);
    expect(sum(data.llm_calls, 'prompt_tokens')).toBe(5140 + 1670);
  });

  it('--limit 1 with --by model returns at most one group', async () => {
    const { data, exitCode } = await obsJson<{ groups: Row[] }>(['llm', ...LOGS, '--by', 'model', '--limit', '1']);
    expect(exitCode).toBe(0);
    expect(data.groups).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------

describe('generated: obs sql', () => {
  let tmp = '';
  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'obs-sql-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('answers a select with JSON rows', async () => {
    const { data, exitCode } = await obsJson<{ rows: Row[]; count: number }>([
      'sql', ...LOGS, 'select model, count(*) as n, sum(prompt_tokens) as p from llm_calls group by model order by model',
    ]);
    expect(exitCode).toBe(0);
    expect(data.count).toBe(3);
    expect(data.rows).toEqual([
      { model: 'claude-sonnet-4', n: 3, p: 1880 },
      { model: 'gpt-4.1', n: 5, p: 5140 },
      { model: 'gpt-4o-mini', n: 4, p: 1670 },
    ]);
  });

  it('counts the events and the sessions table', async () => {
    const { data } = await obsJson<{ rows: Row[] }>([
      'sql', ...LOGS, 'select (select count(*) from events) as events, (select count(*) from sessions) as sessions, (select count(*) from session_index) as idx',
    ]);
    expect(data.rows).toEqual([{ events: 70, sessions: 4, idx: 3 }]);
  });

  it('--schema lists the tables and their columns', async () => {
    const { data, exitCode } = await obsJson<{ rows: Row[] }>(['sql', ...LOGS, '--schema']);
    expect(exitCode).toBe(0);
    expect([...new Set(data.rows.map((r) => r['table']))].sort()).toEqual(['error_records', 'errors', 'events', 'files', 'line_issues', 'llm_calls', 'metric_samples', 'session_index', 'sessions', 'spans']);
    const col = (t: string, c: string): Row | undefined => data.rows.find((r) => r['table'] === t && r['column'] === c);
    expect(col('llm_calls', 'latency_ms')?.['type']).toBe('DOUBLE');
    expect(col('events', 'parse_error')?.['type']).toBe('VARCHAR');
    expect(col('spans', 'duration_ms')?.['type']).toBe('DOUBLE');
    expect(col('events', 'format')?.['type']).toBe('VARCHAR');
    expect(col('sessions', 'log_missing')?.['type']).toBe('BOOLEAN');
  });

  it.each([
    ['create table x(a int)'],
    ['insert into events (source_file, source_line, source_kind) values (\'a\', 1, \'b\')'],
    ['select 1; select 2'],
  ])('refuses %s with exit 2', async (query) => {
    const r = await obs(['sql', ...LOGS, query]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: obs sql /m);
    expect(r.stderr).toMatch(/read-only: (CREATE|INSERT) statements are refused|runs one SQL statement/);
  });

  it('refuses COPY ... TO a file and writes nothing', async () => {
    const target = path.join(tmp, 'x.csv');
    const r = await obs(['sql', ...LOGS, `copy (select 1) to '${target}'`]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: obs sql /m);
    expect(r.stderr).toMatch(/read-only: COPY statements are refused/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("refuses read_csv('/etc/passwd') and shows nothing of the file", async () => {
    const r = await obs(['sql', ...LOGS, "select * from read_csv('/etc/passwd')"]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: obs sql /m);
    expect(r.stderr).toMatch(/reads only the loaded tables: the table function read_csv is refused/);
    expect(r.stdout + r.stderr).not.toContain('root:');
  });

  it('--thread narrows the sessions table to that thread too', async () => {
    // "Filters narrow events and llm_calls (and the sessions built from them) first."
    const { data, exitCode } = await obsJson<{ rows: Row[] }>(['sql', ...LOGS, '--thread', A_TS, 'select session_key, event_count from sessions order by 1']);
    expect(exitCode).toBe(0);
    expect(data.rows).toEqual([{ session_key: A, event_count: 36 }]);
  });

  it('--thread narrows events and llm_calls', async () => {
    const { data } = await obsJson<{ rows: Row[] }>([
      'sql', ...LOGS, '--thread', A_TS, 'select (select count(*) from events) as e, (select count(*) from llm_calls) as l',
    ]);
    expect(data.rows).toEqual([{ e: 36, l: 7 }]);
  });
});

// ---------------------------------------------------------------------------

describe('generated: output formats', () => {
  it('--ndjson prints one JSON object per line, with no envelope', async () => {
    const r = await obs(['llm', ...LOGS, '--by', 'model', '--ndjson']);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(3);
    const rows = lines.map((l) => JSON.parse(l) as Row);
    expect(rows.map((g) => g['model'])).toEqual(['gpt-4.1', 'gpt-4o-mini', 'claude-sonnet-4']);
    for (const g of rows) {
      expect(g).not.toHaveProperty('window');
      expect(g).not.toHaveProperty('groups');
    }
    const ev = await obs(['events', ...LOGS, '--thread', A_TS, '--ndjson']);
    const evLines = ev.stdout.trimEnd().split('\n');
    expect(evLines).toHaveLength(36);
    for (const l of evLines) expect((JSON.parse(l) as Row)['session_key']).toBe(A);
  });

  it('piped, the default is TSV with one header line and no ANSI codes', async () => {
    const r = await obs(['sessions', ...LOGS]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain(ESC);
    expect(r.stdout.endsWith('\n')).toBe(true);
    const lines = r.stdout.slice(0, -1).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('session_key\tfirst_ts\tduration_ms\tstages\tevent_count\terror_count\tllm_call_count\tllm_error_count\ttotal_tokens\tcost_usd\tlast_event');
    // Cost of A's 7 calls, USD per million tokens (input/output): gpt-4.1 2/8, gpt-4o-mini 0.15/0.6, claude-sonnet-4 3/15:
    // (640·2 + 198·8) + (1500·2 + 480·8) + (1520·2 + 505·8) + (300·0.15 + 40·0.6) + (310·0.15 + 30·0.6)
    // + (450·0.15 + 120·0.6) + (900·3 + 260·15) = 2864 + 6840 + 7080 + 69 + 64.5 + 139.5 + 6600 = 23657 µ$.
    expect(lines[1]).toBe(`${A}\t2026-03-02T09:00:00.105Z\t251397\tcollect,plan,refine,confirm\t36\t2\t7\t0\t7253\t0.023657\tgraph_turn_end`);
    for (const l of lines) expect(l.split('\t')).toHaveLength(11);
  });

  it('piped TSV stays free of ANSI codes even with FORCE_COLOR=1, and multi-line messages stay on one line', async () => {
    const r = await obs(['events', ...LOGS, '--level', 'error'], { env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain(ESC);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe('ts\tlevel\tsession_key\tstage\tevent\tdetails\tsource');
    const tb = lines.find((l) => l.includes('graph_turn_error')) as string;
    expect(tb).toContain('Traceback (most recent call last):\\n  File ');
    expect(tb.endsWith(`\t${A_LOG}:11`)).toBe(true);
  });

  it('-o table with NO_COLOR=1 has no ANSI codes', async () => {
    const r = await obs(['events', ...LOGS, '--level', 'error', '-o', 'table'], { env: { NO_COLOR: '1' } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain(ESC);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^ts\s+level\s+session\s+stage\s+event\s+details\s+source$/);
  });

  it('-o table with FORCE_COLOR=1 colours headers and levels', async () => {
    const r = await obs(['events', ...LOGS, '--level', 'error', '-o', 'table'], { env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`${ESC}[1mts${ESC}[22m`);
    expect(r.stdout.split(`${ESC}[31merror${ESC}[39m`)).toHaveLength(6);
  });

  it('--no-color wins over FORCE_COLOR=1', async () => {
    const r = await obs(['events', ...LOGS, '--level', 'error', '-o', 'table', '--no-color'], { env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain(ESC);
  });
});

// ---------------------------------------------------------------------------

describe('generated: time windows', () => {
  it('--from 09:05 --to 09:10 (UTC): 23 events, 5 LLM calls, 1 session', async () => {
    // Events with 09:05:00 <= ts <= 09:10:00, counted from the files:
    //   session log B, all 14 lines (09:05:00.220 .. 09:07:00.004)       14
    //   app.jsonl lines 6, 7, 8 (line 9 is 09:10:00.315)                    3
    //   worker.jsonl lines 4, 5                                             2
    //   gateway.jsonl line 4 (1772442301250; line 5 is 09:10:00.305)        1
    //   misc.jsonl lines 1, 2 and 3 (epoch 1772442540.25 = 09:09:00.250)    3
    //   session logs A (ends 09:04:11) and C (starts 09:10:00.320)          0
    const win = ['--from', '2026-03-02T09:05:00Z', '--to', '2026-03-02T09:10:00Z'];
    const ev = await obsJson<{ count: number; window: Row }>(['events', ...LOGS, ...win]);
    expect(ev.exitCode).toBe(0);
    expect(ev.data.count).toBe(23);
    expect(ev.data.window).toEqual({ from: '2026-03-02T09:05:00.000Z', to: '2026-03-02T09:10:00.000Z', tz: 'UTC' });
    // llm_io lines 9-13 (09:05:00.3185 .. 09:06:03.1155).
    const llm = await obsJson<{ llm_calls: Row[] }>(['llm', ...LOGS, ...win]);
    expect(llm.data.llm_calls.map((c) => c['source_line'])).toEqual([9, 10, 11, 12, 13]);
    // Sessions active in the window: only B (A ends 09:04:11.502, C starts 09:10:00.305, D 09:15).
    const ses = await obsJson<{ sessions: Row[] }>(['sessions', ...LOGS, ...win]);
    expect(ses.data.sessions.map((s) => s['session_key'])).toEqual([B]);
  });

  it('--since 10m with OBS_NOW=09:10:00Z starts the window at 09:00:00 and leaves the end open', async () => {
    const env = { OBS_NOW: '2026-03-02T09:10:00Z' };
    // Every record is at or after 09:00:00.005 (gateway.jsonl:1), so all 70 events and 12 calls.
    const ev = await obsJson<{ count: number; window: Row }>(['events', ...LOGS, '--since', '10m'], { env });
    expect(ev.exitCode).toBe(0);
    expect(ev.data.window).toEqual({ from: '2026-03-02T09:00:00.000Z', to: null, tz: 'UTC' });
    expect(ev.data.count).toBe(70);
    // --until 5m ends at 09:05:00: session log A 27 + app 1-5 + worker 1-3 + gateway 1-3 + llm_io exception = 39.
    const early = await obsJson<{ count: number; window: Row }>(['events', ...LOGS, '--since', '10m', '--until', '5m'], { env });
    expect(early.data.window).toEqual({ from: '2026-03-02T09:00:00.000Z', to: '2026-03-02T09:05:00.000Z', tz: 'UTC' });
    expect(early.data.count).toBe(39);
    // --since 5m: the other 70 - 39 = 31 events; LLM calls 9-13; sessions B, C, D.
    const late = await obsJson<{ count: number }>(['events', ...LOGS, '--since', '5m'], { env });
    expect(late.data.count).toBe(31);
    const lateLlm = await obsJson<{ count: number }>(['llm', ...LOGS, '--since', '5m'], { env });
    expect(lateLlm.data.count).toBe(5);
    const lateSessions = await obsJson<{ sessions: Row[] }>(['sessions', ...LOGS, '--since', '5m'], { env });
    expect(lateSessions.data.sessions.map((s) => s['session_key'])).toEqual([B, C, D]);
  });

  it('a reversed window exits 2 and says so', async () => {
    const r = await obs(['events', ...LOGS, '--from', '2026-03-02T09:10:00Z', '--to', '2026-03-02T09:05:00Z']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: the time window is reversed: it starts at 2026-03-02T09:10:00.000Z but ends at 2026-03-02T09:05:00.000Z');
  });

  it('--tz Europe/Amsterdam reads the naive session-log times one hour earlier, and leaves zoned times alone', async () => {
    const { data, exitCode } = await obsJson<{ events: Row[]; window: Row }>(['events', ...LOGS, '--thread', A_TS, '--tz', 'Europe/Amsterdam']);
    expect(exitCode).toBe(0);
    expect(data.window).toEqual({ from: null, to: null, tz: 'Europe/Amsterdam' });
    const at = (file: string, line: number): unknown => data.events.find((e) => e['source_file'] === file && e['source_line'] === line)?.['ts'];
    // "2026-03-02 09:00:00,115" is UTC wall time; read as Amsterdam (+01:00) it is 08:00:00.115Z.
    expect(at(A_LOG, 1)).toBe('2026-03-02T08:00:00.115Z');
    expect(at(A_LOG, 35)).toBe('2026-03-02T08:04:11.502Z');
    // Zoned / epoch times do not move.
    expect(at(`${DIR}/app.jsonl`, 2)).toBe('2026-03-02T09:00:00.250Z');
    expect(at(`${DIR}/gateway.jsonl`, 2)).toBe('2026-03-02T09:00:00.105Z');
    expect(at(LLM_IO, 4)).toBe('2026-03-02T09:01:35.311Z');
    // The session log now sorts first.
    expect(data.events[0]?.['source_file']).toBe(A_LOG);
  });

  it('OBS_TZ does what --tz does', async () => {
    const { data } = await obsJson<{ events: Row[]; window: Row }>(['events', ...LOGS, '--session', C], { env: { OBS_TZ: 'Europe/Amsterdam' } });
    expect(data.window['tz']).toBe('Europe/Amsterdam');
    expect(data.events.map((e) => e['ts'])).toEqual([
      '2026-03-02T08:10:00.320Z', '2026-03-02T08:10:00.540Z', '2026-03-02T08:10:00.750Z', // session log C, shifted
      '2026-03-02T09:10:00.305Z', '2026-03-02T09:10:00.315Z', // gateway.jsonl:5, app.jsonl:9
    ]);
  });

  it('--tz applies to a naive --from / --to', async () => {
    // 10:05-10:10 Amsterdam = 09:05-09:10Z; session log B moves out to 08:05-08:07Z: 23 - 14 = 9 events.
    const { data } = await obsJson<{ count: number; window: Row }>([
      'events', ...LOGS, '--tz', 'Europe/Amsterdam', '--from', '2026-03-02T10:05:00', '--to', '2026-03-02T10:10:00',
    ]);
    expect(data.window).toEqual({ from: '2026-03-02T09:05:00.000Z', to: '2026-03-02T09:10:00.000Z', tz: 'Europe/Amsterdam' });
    expect(data.count).toBe(9);
  });

  it('--tz applies to a naive time in --where as it does to --from', async () => {
    // --from 2026-03-02T10:10:00 --tz Europe/Amsterdam keeps 5 events (gateway 5, app 9, gateway 6, worker 6, app 10);
    // the same instant written in --where should keep the same 5.
    const from = await obsJson<{ count: number }>(['events', ...LOGS, '--tz', 'Europe/Amsterdam', '--from', '2026-03-02T10:10:00']);
    expect(from.data.count).toBe(5);
    const w = await obsJson<{ count: number }>(['events', ...LOGS, '--tz', 'Europe/Amsterdam', '--where', "ts >= '2026-03-02T10:10:00'"]);
    expect(w.exitCode).toBe(0);
    expect(w.data.count).toBe(5);
  });
});

// ---------------------------------------------------------------------------

describe('generated: stdout is data, notes go to stderr', () => {
  const win = ['--from', '2026-03-02T09:05:00Z', '--to', '2026-03-02T09:10:00Z'];

  it('--json stdout is one JSON document; the window note is on stderr', async () => {
    const r = await obs(['events', ...LOGS, ...win, '--json']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.startsWith('{')).toBe(true);
    expect((JSON.parse(r.stdout) as Row)['count']).toBe(23);
    expect(r.stdout).not.toContain('note:');
    expect(r.stdout).not.toContain('warning:');
    expect(r.stderr).toContain('note: window 2026-03-02T09:05:00.000Z to 2026-03-02T09:10:00.000Z\n');
  });

  it('-q removes the notes but keeps the warning', async () => {
    const r = await obs(['events', ...LOGS, ...win, '--json', '-q']);
    expect(r.exitCode).toBe(0);
    expect((JSON.parse(r.stdout) as Row)['count']).toBe(23);
    expect(r.stderr).not.toContain('note:');
    expectOnlyMissingDWarning(r.stderr);
  });

  it('nothing matched: stdout is an empty result, the note is on stderr', async () => {
    const r = await obs(['events', ...LOGS, '--event', 'no_such_event', '--json']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as Row;
    expect(doc['count']).toBe(0);
    expect(doc['events']).toEqual([]);
    expect(r.stderr).toContain('note: no events matched');
    const tsv = await obs(['events', ...LOGS, '--event', 'no_such_event', '-q']);
    expect(tsv.stdout).toBe('ts\tlevel\tsession_key\tstage\tevent\tdetails\tsource\n');
    expect(tsv.stderr).not.toContain('note:');
  });

  it('--limit cuts the rows, says so on stderr and marks the document truncated', async () => {
    const r = await obs(['events', ...LOGS, '--limit', '5', '--json']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as { count: number; truncated: boolean; events: Row[] };
    expect(doc.count).toBe(5);
    expect(doc.truncated).toBe(true);
    expect(doc.events).toHaveLength(5);
    expect(r.stderr).toContain('note: showing the first 5 events; raise --limit for more');
  });
});
