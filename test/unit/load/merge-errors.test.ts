import { describe, expect, it } from 'vitest';
import type { Observation } from '../../../src/load/errors/extract.js';
import { fingerprint } from '../../../src/load/errors/fingerprint.js';
import { buildOccurrence, groupObservations } from '../../../src/load/errors/merge.js';
import type { Frame } from '../../../src/tracebacks/index.js';

const T0 = Date.UTC(2026, 10, 21, 22, 18, 36) * 1000;
const S1 = 'C0AA6HC1RJL:1795299499.694654';
const S2 = 'C07PLN4R2KD:1795299510.264323';

const frame = (fn: string, line: number, file = '/app/planner/planner_agent.py'): Frame => ({ file, line, function: fn, code: null });
const FRAMES = [frame('_handle_turn_locked', 720), frame('_stage_plan', 592), frame('_llm_call', 363)];

function obs(over: Partial<Observation>): Observation {
  return {
    ts: T0,
    sourceFile: 'logs/app.log',
    sourceLine: 1,
    sourceKind: 'text',
    level: 'error',
    kind: 'exception',
    language: 'python',
    errorType: 'LLMTimeoutError',
    message: 'LLM call plan_draft (gpt-4.1) timed out after 2.5s',
    frames: [],
    chain: [],
    traceback: null,
    logger: null,
    contextFrom: 'record',
    tsFrom: 'record',
    testId: null,
    session_key: S1,
    ...over,
  };
}

const groups = (list: Observation[]): number[][] =>
  groupObservations(list)
    .map((g) => [...g].sort((a, b) => a - b))
    .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));

describe('merging sightings of one failure', () => {
  it('merges the same exception written to several files within 2 s', () => {
    const list = [
      obs({ sourceFile: 'logs/llm_io.jsonl', sourceKind: 'llm_io' }),
      obs({ sourceFile: 'logs/app.log', ts: T0 + 8_000, frames: FRAMES }),
      obs({ sourceFile: 'logs/app.jsonl', ts: T0 + 9_000, frames: FRAMES }),
      obs({ sourceFile: 'logs/session.log', ts: T0 + 1_900_000 }),
    ];
    expect(groups(list)).toEqual([[0, 1, 2, 3]]);
    const o = buildOccurrence(list, [0, 1, 2, 3]);
    expect(o.frames).toBe(FRAMES);
    expect(o.seenIn.map((s) => s.source_file)).toEqual(['logs/llm_io.jsonl', 'logs/app.log', 'logs/app.jsonl', 'logs/session.log']);
  });

  it('merges a qualified and a bare type, and keeps the qualified one', () => {
    const list = [
      obs({ errorType: 'urllib.error.HTTPError', message: 'HTTP Error 429: Too Many Requests' }),
      obs({ errorType: 'HTTPError', message: 'HTTP Error 429: Too Many Requests', sourceFile: 'logs/app.jsonl' }),
    ];
    expect(groups(list)).toEqual([[0, 1]]);
    expect(buildOccurrence(list, [0, 1]).errorType).toBe('urllib.error.HTTPError');
  });

  it('a sighting without a session joins the one occurrence that matches, and takes its session', () => {
    const list = [obs({ session_key: null, contextFrom: 'none' }), obs({ sourceFile: 'logs/app.jsonl', ts: T0 + 1000 })];
    expect(groups(list)).toEqual([[0, 1]]);
    expect(buildOccurrence(list, [0, 1]).correlation.session_key).toBe(S1);
  });

  it('a session guessed from nearby records does not keep a sighting from its error', () => {
    const list = [obs({ sourceFile: 'logs/app.jsonl' }), obs({ session_key: S2, contextFrom: 'nearby', ts: T0 + 500 })];
    expect(groups(list)).toEqual([[0, 1]]);
    expect(buildOccurrence(list, [0, 1]).correlation.session_key).toBe(S1);
  });

  it('does not merge the same error in two sessions, nor pick one for a sighting that knows no session', () => {
    const list = [obs({}), obs({ session_key: S2, sourceFile: 'logs/app.jsonl' }), obs({ session_key: null, contextFrom: 'none', sourceFile: 'logs/stderr.log' })];
    expect(groups(list)).toEqual([[0], [1], [2]]);
  });

  it('does not merge the same error seconds apart in one session', () => {
    expect(groups([obs({}), obs({ ts: T0 + 2_500_000, sourceFile: 'logs/app.jsonl' })])).toEqual([[0], [1]]);
  });

  it('does not merge two raises from different call sites, even within a second', () => {
    const other = [frame('_handle_turn_locked', 720), frame('_stage_refine', 640), frame('_llm_call', 371)];
    expect(groups([obs({ frames: FRAMES }), obs({ frames: other, ts: T0 + 300_000, sourceFile: 'logs/app.jsonl' })])).toEqual([[0], [1]]);
  });

  it('does not merge sightings of different traces', () => {
    expect(groups([obs({ trace_id: 'aaaa' }), obs({ trace_id: 'bbbb', sourceFile: 'logs/app.jsonl' })])).toEqual([[0], [1]]);
  });

  it('a sighting without a time joins only when exactly one occurrence matches', () => {
    const one = [obs({}), obs({ ts: null, session_key: null, contextFrom: 'none', sourceFile: 'stderr.log' })];
    expect(groups(one)).toEqual([[0, 1]]);
    const two = [obs({}), obs({ session_key: S2, ts: T0 + 60_000_000 }), obs({ ts: null, session_key: null, contextFrom: 'none', sourceFile: 'stderr.log' })];
    expect(groups(two)).toEqual([[0], [1], [2]]);
  });

  it('an error-level line without a type joins the exception with its message, or with a cause it names', () => {
    const list = [
      obs({ chain: [{ relation: 'context', depth: 0, type: 'PlanValidationError', message: 'skeleton blocks overlap', frames: [] }] }),
      obs({ errorType: null, kind: 'log', sourceFile: 'gateway.winston.jsonl', ts: T0 + 2000 }),
      obs({ errorType: null, kind: 'log', message: 'skeleton blocks overlap', sourceFile: 'session.log', ts: T0 + 1000 }),
    ];
    expect(groups(list)).toEqual([[0, 1, 2]]);
  });

  it('the same error-level line in two files is one error; twice in one file it is two', () => {
    const line = { errorType: null, kind: 'log' as const, message: '[diag] TIMEOUT in timeboxing:plan after 2.5s' };
    expect(groups([obs(line), obs({ ...line, sourceFile: 'logs/app.jsonl' })])).toEqual([[0, 1]]);
    expect(groups([obs(line), obs({ ...line, sourceLine: 2 })])).toEqual([[0], [1]]);
  });

  it('a failed test is one occurrence per report: two runs of it are two, its report and a test-less sighting one', () => {
    const test = (over: Partial<Observation>): Observation =>
      obs({ ts: null, tsFrom: null, session_key: null, contextFrom: 'none', sourceKind: 'pytest', testId: 'tests/test_x.py::test_a', ...over });
    // Untimed and sessionless: before test ids, the only candidate was always taken.
    expect(groups([test({ sourceFile: 'run-1/pytest.txt' }), test({ sourceFile: 'run-2/pytest.txt' })])).toEqual([[0], [1]]);
    expect(groups([test({ sourceFile: 'pytest.txt' }), test({ sourceFile: 'pytest.txt', testId: 'tests/test_x.py::test_b', sourceLine: 40 })])).toEqual([[0], [1]]);
    expect(groups([test({ sourceFile: 'pytest.txt' }), test({ sourceFile: 'pytest.txt', sourceLine: 90 })])).toEqual([[0, 1]]);
    const list = [test({ sourceFile: 'pytest.txt' }), test({ sourceFile: 'junit.log', testId: null })];
    expect(groups(list)).toEqual([[0, 1]]);
    expect(buildOccurrence(list, [0, 1]).testId).toBe('tests/test_x.py::test_a');
  });
});

describe('fingerprint', () => {
  it('survives line shifts and a different message, not a different type or call site', () => {
    const base = fingerprint({ type: 'KeyError', message: "'op'", frames: FRAMES, logger: null });
    const shifted = FRAMES.map((f) => ({ ...f, line: (f.line ?? 0) + 12 }));
    expect(fingerprint({ type: 'KeyError', message: "'kind'", frames: shifted, logger: null })).toBe(base);
    expect(fingerprint({ type: 'builtins.KeyError', message: "'op'", frames: FRAMES, logger: null })).toBe(base);
    expect(fingerprint({ type: 'ValueError', message: "'op'", frames: FRAMES, logger: null })).not.toBe(base);
    expect(fingerprint({ type: 'KeyError', message: "'op'", frames: [...FRAMES.slice(0, 2), frame('_apply', 10)], logger: null })).not.toBe(base);
  });

  it('ignores library frames, so a deeper stack in the standard library changes nothing', () => {
    const lib = [...FRAMES, frame('to_thread', 25, '/usr/lib/python3.11/asyncio/threads.py'), frame('run', 58, '/usr/lib/python3.11/concurrent/futures/thread.py')];
    expect(fingerprint({ type: 'TimeoutError', message: 'x', frames: lib, logger: null })).toBe(fingerprint({ type: 'TimeoutError', message: 'x', frames: FRAMES, logger: null }));
  });

  it('without frames, numbers and ids in the message do not split a group', () => {
    const a = fingerprint({ type: 'RateLimitError', message: 'Used 29636, Requested 1036. Try again in 622ms (req_1554d9c88dc0)', frames: [], logger: null });
    const b = fingerprint({ type: 'RateLimitError', message: 'Used 28508, Requested 3064. Try again in 1648ms (req_fd7b6c145d8d)', frames: [], logger: null });
    expect(a).toBe(b);
  });
});
