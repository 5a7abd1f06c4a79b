/**
 * End to end on fixtures/edge/<scenario>/ (hand-made files, see
 * fixtures/edge/README.md): malformed lines are rejected with file:line and
 * kept searchable (exit 4), damaged bytes are repaired (exit 0), CRLF and
 * blank lines are invisible, a folder with no log is exit 3.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obs, obsJson } from '../helpers/cli.js';

type Row = Record<string, unknown>;

const EDGE = 'fixtures/edge';
const logs = (scenario: string): string[] => ['--logs', `${EDGE}/${scenario}`];
const SESSION = 'C0EEEEEEEEE:1772442000.000100';
const SESSION_LOG = 'timeboxing_session_20260302_090000_C0EEEEEEEEE_1772442000.000100_4242.log';

interface SourcesDoc {
  count: number;
  totals: Row;
  files: Array<Row & { issues: Row[] }>;
}

const warnings = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('warning:'));

describe('edge: malformed-json (line 3 is broken JSON)', () => {
  it('loads the 5 good records, rejects line 3 with a warning naming app.jsonl:3, exits 4', async () => {
    const r = await obs(['events', ...logs('malformed-json'), '--json']);
    expect(r.exitCode).toBe(4);
    const w = warnings(r.stderr);
    expect(w).toHaveLength(1);
    expect(w[0]).toContain(`${EDGE}/malformed-json/app.jsonl:3: line rejected: invalid JSON`);
    const doc = JSON.parse(r.stdout) as { count: number; events: Row[] };
    // 5 records plus the rejected line, kept as an event with parse_error.
    expect(doc.count).toBe(6);
    expect(doc.events.filter((e) => e['parse_error'] === null).map((e) => e['source_line'])).toEqual([1, 2, 4, 5, 6]);
  });

  it('--contains unterminated still finds the rejected line, with parse_error set', async () => {
    const { data, exitCode } = await obsJson<{ events: Row[]; count: number }>(['events', ...logs('malformed-json'), '--contains', 'unterminated']);
    expect(exitCode).toBe(4);
    expect(data.count).toBe(1);
    const e = data.events[0] as Row;
    expect(e['source_file']).toBe(`${EDGE}/malformed-json/app.jsonl`);
    expect(e['source_line']).toBe(3);
    expect(e['parse_error']).toMatch(/^invalid JSON/);
    expect(e['message']).toBe('{"ts": "2026-03-02T09:01:00Z", "level": "info", "message": "unterminated');
    expect(e['raw']).toBeNull();
  });

  it('obs sources --json lists line 3 among the file issues', async () => {
    const { data, exitCode } = await obsJson<SourcesDoc>(['sources', ...logs('malformed-json')]);
    expect(exitCode).toBe(4);
    expect(data.count).toBe(1);
    const f = data.files[0] as SourcesDoc['files'][number];
    expect(f).toMatchObject({ path: `${EDGE}/malformed-json/app.jsonl`, kind: 'jsonl', status: 'loaded', lines: 6, records: 5, rejected: 1, repaired: 0 });
    expect(f.issues).toHaveLength(1);
    expect(f.issues[0]).toMatchObject({ line: 3, problem: 'rejected' });
    expect(f.issues[0]?.['reason']).toMatch(/^invalid JSON/);
  });

  it('obs sources --issues --json has one issue, app.jsonl:3', async () => {
    const { data, exitCode } = await obsJson<{ issues: Row[]; count: number }>(['sources', '--issues', ...logs('malformed-json')]);
    expect(exitCode).toBe(4);
    expect(data.count).toBe(1);
    expect(data.issues[0]).toMatchObject({ source_file: `${EDGE}/malformed-json/app.jsonl`, source_line: 3, problem: 'rejected' });
    expect(data.issues[0]?.['excerpt']).toBe('{"ts": "2026-03-02T09:01:00Z", "level": "info", "message": "unterminated');
  });

  it('the session still counts the 5 good records, one of them an error', async () => {
    const { data } = await obsJson<{ sessions: Row[] }>(['sessions', ...logs('malformed-json')]);
    expect(data.sessions.map((s) => [s['session_key'], s['event_count'], s['error_count']])).toEqual([[SESSION, 5, 1]]);
  });
});

describe('edge: non-json-line (line 3 is plain text)', () => {
  it('reads line 3 as a text record of its own, between the 4 JSON records; nothing rejected, exit 0', async () => {
    const { data, exitCode, stderr } = await obsJson<SourcesDoc>(['sources', ...logs('non-json-line')]);
    expect(exitCode).toBe(0);
    expect(warnings(stderr)).toHaveLength(0);
    const f = data.files[0] as SourcesDoc['files'][number];
    expect(f).toMatchObject({ lines: 5, records: 5, rejected: 0, untimed: 1, formats: { json: 4, level_prefix: 1 } });
    expect(f.issues).toEqual([]);
  });

  it('the text line is an event with its level and no time, and stays searchable', async () => {
    const { data, exitCode } = await obsJson<{ events: Row[] }>(['events', ...logs('non-json-line'), '--contains', 'disk almost full']);
    expect(exitCode).toBe(0);
    expect(data.events.map((e) => [e['source_line'], e['message'], e['level'], e['ts'], e['format'], e['parse_error']])).toEqual([
      [3, 'disk almost full', 'warn', null, 'level_prefix', null],
    ]);
  });
});

describe('edge: truncated-last-line (line 4 cut, no line end)', () => {
  it('loads 3 records and rejects line 4, saying the line end is missing; exit 4', async () => {
    const { data, exitCode, stderr } = await obsJson<SourcesDoc>(['sources', ...logs('truncated-last-line')]);
    expect(exitCode).toBe(4);
    expect(stderr).toContain(`${EDGE}/truncated-last-line/app.jsonl:4: line rejected`);
    const f = data.files[0] as SourcesDoc['files'][number];
    expect(f).toMatchObject({ lines: 4, records: 3, rejected: 1, last_ts: '2026-03-02T09:01:00.000Z' });
    expect(f.issues.map((i) => i['line'])).toEqual([4]);
    expect(f.issues[0]?.['reason']).toMatch(/no line end/);
  });

  it('the cut record is not counted in its session', async () => {
    const { data } = await obsJson<{ sessions: Row[] }>(['sessions', ...logs('truncated-last-line')]);
    expect(data.sessions.map((s) => [s['session_key'], s['event_count'], s['last_ts']])).toEqual([[SESSION, 3, '2026-03-02T09:01:00.000Z']]);
  });
});

describe('edge: invalid-utf8', () => {
  it('repairs the bad bytes as U+FFFD, loads 4 + 3 records and exits 0', async () => {
    const { data, exitCode, stderr } = await obsJson<SourcesDoc>(['sources', ...logs('invalid-utf8')]);
    expect(exitCode).toBe(0);
    expect(data.totals).toMatchObject({ files: 2, lines: 7, records: 7, rejected: 0, repaired: 2 });
    const w = warnings(stderr);
    expect(w).toHaveLength(2);
    expect(w[0]).toContain(`${EDGE}/invalid-utf8/app.jsonl:2: line repaired`);
    expect(w[1]).toContain(`${EDGE}/invalid-utf8/${SESSION_LOG}:2: line repaired`);
    for (const f of data.files) {
      expect(f.issues.map((i) => [i['line'], i['problem']])).toEqual([[2, 'repaired']]);
      expect(f.issues[0]?.['reason']).toMatch(/invalid UTF-8/);
    }
  });

  it('the message holds U+FFFD where the bad bytes were', async () => {
    const { data, exitCode } = await obsJson<{ events: Row[]; count: number }>(['events', ...logs('invalid-utf8')]);
    expect(exitCode).toBe(0);
    expect(data.count).toBe(7);
    const line2 = data.events.find((e) => e['source_file'] === `${EDGE}/invalid-utf8/app.jsonl` && e['source_line'] === 2) as Row;
    expect(line2['message']).toBe('user text: \uFFFD\uFFFD caf\uFFFD ok');
    expect(line2['level']).toBe('warn');
    const sessionLine2 = data.events.find((e) => e['source_file'] === `${EDGE}/invalid-utf8/${SESSION_LOG}` && e['source_line'] === 2) as Row;
    expect(sessionLine2['event']).toBe('constraint_extraction_result');
    expect(JSON.stringify(sessionLine2['raw'])).toContain('caf\uFFFD');
    expect(data.events.every((e) => e['parse_error'] === null)).toBe(true);
  });
});

describe('edge: nul-bytes', () => {
  it('removes the NULs of line 2 (message "flushed"), reads the trailing NUL run as padding; exit 0', async () => {
    const { data, exitCode } = await obsJson<{ events: Row[]; count: number }>(['events', ...logs('nul-bytes')]);
    expect(exitCode).toBe(0);
    expect(data.count).toBe(4);
    expect(data.events.map((e) => e['message'])).toEqual(['turn started', 'flushed', 'llm call ok', 'turn finished']);
    expect(data.events.every((e) => e['parse_error'] === null)).toBe(true);
  });

  it('reports lines 2 and 5 as repaired, nothing rejected', async () => {
    const { data, exitCode, stderr } = await obsJson<SourcesDoc>(['sources', ...logs('nul-bytes')]);
    expect(exitCode).toBe(0);
    const f = data.files[0] as SourcesDoc['files'][number];
    expect(f).toMatchObject({ lines: 5, records: 4, rejected: 0, repaired: 2, blank: 1 });
    expect(f.issues.map((i) => [i['line'], i['problem']])).toEqual([[2, 'repaired'], [5, 'repaired']]);
    expect(stderr).toContain(`${EDGE}/nul-bytes/app.jsonl:2: line repaired: NUL bytes removed`);
    expect(stderr).not.toContain('rejected');
  });
});

describe('edge: crlf', () => {
  it.each(['--json', '--ndjson', '-o tsv', '-o table'])('no \\r anywhere in obs events %s', async (fmt) => {
    const r = await obs(['events', ...logs('crlf'), ...fmt.split(' ')]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain('\r');
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).not.toContain('warning:');
  });

  it('no \\r in sessions, sources or sql output either', async () => {
    for (const args of [['sessions', '--json'], ['sources', '--json'], ['sql', 'select * from events', '--json'], ['sessions']]) {
      const r = await obs([...args, ...logs('crlf')]);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).not.toContain('\r');
    }
  });

  it('reads 3 + 4 records exactly as with \\n, including the session-log llm_call event', async () => {
    const src = await obsJson<SourcesDoc>(['sources', ...logs('crlf')]);
    expect(src.data.files.map((f) => [path.basename(String(f['path'])), f['lines'], f['records'], f['rejected'], f['repaired']])).toEqual([
      ['app.jsonl', 3, 3, 0, 0],
      [SESSION_LOG, 4, 4, 0, 0],
    ]);
    const { data } = await obsJson<{ events: Row[] }>(['events', ...logs('crlf')]);
    const fromLog = data.events.filter((e) => e['source_file'] === `${EDGE}/crlf/${SESSION_LOG}`);
    expect(fromLog.map((e) => e['event'])).toEqual(['graph_turn_start', 'llm_call', 'stage_transition', 'graph_turn_end']);
    const call = fromLog[1]?.['raw'] as Row;
    expect([call['model'], call['status'], call['prompt_tokens'], call['completion_tokens']]).toEqual(['gpt-4.1', 'ok', 500, 120]);
    expect((fromLog[3]?.['raw'] as Row)['next_stage']).toBe('plan');
    const fromApp = data.events.filter((e) => e['source_file'] === `${EDGE}/crlf/app.jsonl`);
    expect(fromApp.map((e) => [e['message'], e['level'], e['session_key']])).toEqual([
      ['turn started', 'info', SESSION],
      ['tool call slow', 'warn', SESSION],
      ['turn finished', 'info', SESSION],
    ]);
  });
});

describe('edge: empty', () => {
  it('lists the two files with 0 records and exits 0', async () => {
    const { data, exitCode, stderr } = await obsJson<SourcesDoc>(['sources', ...logs('empty')]);
    expect(exitCode).toBe(0);
    expect(warnings(stderr)).toEqual([]);
    expect(data.count).toBe(2);
    expect(data.files.map((f) => [path.basename(String(f['path'])), f['status'], f['lines'], f['records'], f['blank'], f['rejected']])).toEqual([
      ['app.jsonl', 'loaded', 0, 0, 0, 0],
      ['blank-lines.jsonl', 'loaded', 3, 0, 3, 0],
    ]);
    expect(data.totals).toMatchObject({ files: 2, records: 0, rejected: 0 });
  });

  it('obs events answers with nothing and exit 0', async () => {
    const r = await obs(['events', ...logs('empty'), '--json']);
    expect(r.exitCode).toBe(0);
    expect((JSON.parse(r.stdout) as Row)['count']).toBe(0);
    expect(r.stderr).toContain('note: no events matched');
    expect(r.stderr).not.toContain('warning:');
  });
});

describe('edge: not-json-object', () => {
  it('loads the 4 objects and rejects lines 2, 4, 5 and 7; exit 4', async () => {
    const { data, exitCode, stderr } = await obsJson<SourcesDoc>(['sources', ...logs('not-json-object')]);
    expect(exitCode).toBe(4);
    expect(stderr).toContain(`${EDGE}/not-json-object/app.jsonl:2: line rejected: JSON value is an array, not an object`);
    expect(stderr).toContain('(and 3 more line(s) in this file)');
    const f = data.files[0] as SourcesDoc['files'][number];
    expect(f).toMatchObject({ lines: 8, records: 4, rejected: 4 });
    expect(f.issues.map((i) => [i['line'], i['excerpt']])).toEqual([[2, '[1,2]'], [4, '"text"'], [5, '42'], [7, 'null']]);
    expect(f.issues.map((i) => i['reason'])).toEqual([
      'JSON value is an array, not an object',
      'JSON value is a string, not an object',
      'JSON value is a number, not an object',
      'JSON value is null, not an object',
    ]);
  });

  it('the events of the 4 objects are intact', async () => {
    const { data } = await obsJson<{ events: Row[] }>(['events', ...logs('not-json-object'), '--where', 'parse_error is null']);
    expect(data.events.map((e) => [e['source_line'], e['message']])).toEqual([
      [1, 'turn started'], [3, 'tool call ok'], [6, 'llm call ok'], [8, 'turn finished'],
    ]);
  });
});

describe('edge: no-log-files', () => {
  it.each([['sessions'], ['events'], ['llm'], ['sources'], ['sql', 'select 1']])('obs %s exits 3 and names the folder', async (...cmd) => {
    const r = await obs([...cmd, ...logs('no-log-files')]);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: no log file to read in ${EDGE}/no-log-files`);
    expect(r.stderr).toMatch(/^help: /m);
  });
});

describe('edge: levels from every logger normalise to trace..fatal', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'obs-levels-'));
    writeFileSync(
      path.join(dir, 'levels.jsonl'),
      [
        { time: 1772442000000, level: 10, msg: 'p10' },
        { time: 1772442001000, level: 20, msg: 'p20' },
        { time: 1772442002000, level: 30, msg: 'p30' },
        { time: 1772442003000, level: 40, msg: 'p40' },
        { time: 1772442004000, level: 50, msg: 'p50' },
        { time: 1772442005000, level: 60, msg: 'p60' },
        { ts: '2026-03-02T09:01:00Z', levelname: 'WARNING', message: 'py warning' },
        { ts: '2026-03-02T09:01:01Z', levelname: 'CRITICAL', message: 'py critical' },
        { ts: '2026-03-02T09:01:02Z', severity: 'Error', message: 'gcp error' },
        { ts: '2026-03-02T09:01:03Z', level: 'notice', message: 'syslog notice' },
      ].map((o) => JSON.stringify(o)).join('\n') + '\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('maps pino numbers, Python and syslog names', async () => {
    const { data, exitCode } = await obsJson<{ events: Row[] }>(['events', '--logs', dir]);
    expect(exitCode).toBe(0);
    expect(data.events.map((e) => [e['message'], e['level']])).toEqual([
      ['p10', 'trace'], ['p20', 'debug'], ['p30', 'info'], ['p40', 'warn'], ['p50', 'error'], ['p60', 'fatal'],
      ['py warning', 'warn'], ['py critical', 'fatal'], ['gcp error', 'error'], ['syslog notice', 'info'],
    ]);
  });

  it('--level warn returns warn, error and fatal', async () => {
    const { data } = await obsJson<{ events: Row[] }>(['events', '--logs', dir, '--level', 'warn']);
    expect(data.events.map((e) => e['message'])).toEqual(['p40', 'p50', 'p60', 'py warning', 'py critical', 'gcp error']);
    const fatal = await obsJson<{ events: Row[] }>(['events', '--logs', dir, '--level', 'critical']);
    expect(fatal.data.events.map((e) => e['message'])).toEqual(['p60', 'py critical']);
  });

  it('an unknown --level is a usage error', async () => {
    const r = await obs(['events', '--logs', dir, '--level', 'loud']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: unknown level "loud"');
  });
});
