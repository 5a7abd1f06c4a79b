/**
 * The inputs of the parser fuzz test, generated from a seed: real records
 * from fixtures/ (one shape per source kind, log format and traceback style)
 * mutated (lines cut at random points, random and invalid UTF-8 bytes, NULs,
 * CRLF and lone CR, traceback and test-report headers with no body, lines
 * dropped, repeated or indented, JSON values replaced), random bytes, and
 * fixed extremes (JSON nested 10^4 to 10^5 deep, lines of several MB, long
 * runs of blank lines, reports of 10^5 lines).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_FORMATS } from '../../src/formats/builtin.js';
import { Prng } from './prng.js';

export interface FuzzCase {
  id: number;
  /** What the input is, for the failure report. */
  what: string;
  /**
   * `load`: the files go through the loader. `direct`: also, each file's text
   * goes to the traceback parsers and every log format directly. `parsers`:
   * only that (inputs that would make thousands of error records, slow to
   * store but not what is tested).
   */
  mode: 'load' | 'direct' | 'parsers';
  /** File name → content; all in one folder. */
  files: Record<string, Buffer>;
  /** The source kind the first file was made for (a mutation may make it another). */
  intended: string;
}

/** A group of fixture files read as one kind, under a file name that selects it. */
interface Shape {
  kind: string;
  name: string;
  fixtures: string[];
  /** JSON lines: mutations may replace values inside the objects. */
  json?: boolean;
}

const SESSION_LOG = 'timeboxing_session_20261121_221819_C0AA6HC1RJL_1795299499.694654_7824.log';
const LLM_IO = 'llm_io_20261121_221805_7824.jsonl';

const SHAPES: Shape[] = [
  {
    kind: 'jsonl',
    name: 'app.jsonl',
    json: true,
    fixtures: [
      'sample-corpus/logs/app.jsonl',
      'sample-corpus/logs/gateway.pino.jsonl',
      'sample-corpus/logs/gateway.winston.jsonl',
      'formats/logs/node/audit.bunyan.jsonl',
      'formats/logs/python/agent.structlog.jsonl',
      'formats/logs/python/agent.envelope.jsonl',
      'tracebacks/node/pino.jsonl',
      'tracebacks/node/winston.jsonl',
      'tracebacks/python/structlog.jsonl',
      'tracebacks/python/json_envelope.jsonl',
      'generated/logs/misc.jsonl',
    ],
  },
  { kind: 'jsonl', name: 'container.log', fixtures: ['formats/mixed/container.log'] },
  {
    kind: 'session_log',
    name: SESSION_LOG,
    fixtures: ['sample-corpus/logs/timeboxing_session_20261121_221819_C0AA6HC1RJL_1795299499.694654_7824.log', 'generated/logs/timeboxing_session_20260302_090000_C0AAAAAAAAA_1772442000.100200_4242.log'],
  },
  { kind: 'log_index', name: 'timeboxing_session_index.jsonl', json: true, fixtures: ['sample-corpus/logs/timeboxing_session_index.jsonl', 'sample-corpus/logs/llm_io_index.jsonl'] },
  { kind: 'llm_io', name: LLM_IO, json: true, fixtures: ['sample-corpus/logs/llm_io_20261121_221805_7824.jsonl', 'llm/logs/llm_io_20261121_230000_4242.jsonl'] },
  { kind: 'otlp', name: 'spans.otlp.jsonl', json: true, fixtures: ['formats/otel/spans.otlp.jsonl', 'formats/otel/logs.otlp.jsonl', 'sample-corpus/traces/spans.otlp.jsonl'] },
  {
    kind: 'text',
    name: 'app.log',
    fixtures: [
      'sample-corpus/logs/app.log',
      'sample-corpus/logs/prometheus.log',
      'formats/logs/python/agent.log',
      'formats/logs/python/basic.log',
      'formats/logs/python/tools.log',
      'formats/logs/node/gateway.logfmt.log',
      'formats/gunicorn/error.log',
      'formats/gunicorn/access.log',
      'formats/uvicorn/stdout.log',
      'formats/uvicorn/stderr.log',
      'tracebacks/python/chained.log',
      'tracebacks/python/exception_group.log',
      'tracebacks/python/multiline_message.log',
      'tracebacks/python/recursion.log',
      'tracebacks/python/syntax_error.log',
      'tracebacks/python/uvicorn_stderr.txt',
      'sample-corpus/tracebacks/faulthandler_20261121_221928_7824.log',
    ],
  },
  { kind: 'pytest', name: 'pytest.txt', fixtures: ['triage/artifacts/pytest.txt', 'triage/next/pytest.txt'] },
  { kind: 'node_test', name: 'node-test.txt', fixtures: ['triage/artifacts/node-test.txt'] },
  { kind: 'json_document', name: 'report.json', fixtures: ['tracebacks/python/truth.json', 'tracebacks/node/truth.json'] },
];

/** Texts for the traceback parsers: every style the parsers read. */
const TRACEBACKS = [
  'tracebacks/python/chained.log',
  'tracebacks/python/exception_group.log',
  'tracebacks/python/faulthandler_crash.txt',
  'tracebacks/python/faulthandler_dump.txt',
  'tracebacks/python/keyboard_interrupt.txt',
  'tracebacks/python/multiline_message.log',
  'tracebacks/python/plain.log',
  'tracebacks/python/recursion.log',
  'tracebacks/python/syntax_error.log',
  'tracebacks/python/uvicorn_stderr.txt',
  'tracebacks/node/aggregate_error.txt',
  'tracebacks/node/error_with_props.txt',
  'tracebacks/node/type_error_cause.txt',
  'tracebacks/node/unhandled_rejection.txt',
  'tracebacks/node/unhandled_rejection_value.txt',
  'sample-corpus/tracebacks/faulthandler_20261121_221928_7824.log',
];

/** Lines that open a traceback, a crash dump or a test report, for inserting with no body after them. */
const HEADERS = [
  'Traceback (most recent call last):',
  'Exception in thread Thread-1:',
  'Exception ignored in: <function f at 0x7f>',
  'Fatal Python error: Segmentation fault',
  'Thread 0x00007f3a1b2c3700 (most recent call first):',
  'Current thread 0x00007f3a1b2c3700 (most recent call first):',
  'Stack (most recent call first):',
  'During handling of the above exception, another exception occurred:',
  'The above exception was the direct cause of the following exception:',
  'Exception Group Traceback (most recent call last):',
  '  + Exception Group Traceback (most recent call last):',
  '  | ValueError: x',
  '  +-+---------------- 1 ----------------',
  '+-+---------------- 1 ----------------',
  '  +------------------------------------',
  '  File "/app/x.py", line 10, in f',
  '  File "/app/x.py", line 10',
  '  File "/app/x.py", line ???, in f',
  '    [Previous line repeated 996 more times]',
  '    ^^^^^^',
  'ValueError: boom',
  'SyntaxError: invalid syntax',
  '/app/checkout.js:10',
  'file:///app/invoices.mjs:9',
  'node:internal/process/promises:389',
  'Uncaught TypeError: x is not a function',
  'TypeError: x is not a function',
  '    at f (/app/x.js:1:2)',
  '    at /app/x.js:1:2',
  '    at new Promise (<anonymous>)',
  '    ... 4 lines matching cause stack trace ...',
  '  [cause]: Error: inner {',
  'Error: outer {',
  '[AggregateError: all failed] {',
  '  [errors]: [',
  '  ]',
  '}',
  'caused by: Error: inner',
  'panic: boom',
  'goroutine 1 [running]:',
  '============================= test session starts ==============================',
  '=================================== FAILURES ===================================',
  '==================================== ERRORS ====================================',
  '=============================== warnings summary ===============================',
  '=========================== short test summary info ============================',
  '========================= 1 failed, 1 passed in 0.04s ==========================',
  '1 failed in 0.01s',
  '________________________________ test_with_tax _________________________________',
  '_______________________ ERROR at setup of test_currency ________________________',
  '_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _',
  '>       assert 1 == 2',
  'E       assert 1 == 2',
  'E',
  'tests/test_x.py:9: AssertionError',
  'tests/test_x.py:9: in f',
  '---------------------------- Captured stdout call -----------------------------',
  '  /app/x.py:21: DeprecationWarning: old',
  'tests/test_x.py::test_a: 2 warnings',
  '-- Docs: https://docs.pytest.org/en/stable/how-to/capture-warnings.html',
  'FAILED tests/test_x.py::test_a - KeyError: 1',
  'ERROR tests/test_x.py::test_b',
  'tests/test_x.py F.F..FE                                            [100%]',
  'TAP version 13',
  '# Subtest: quote',
  '    # Subtest: adds the tax',
  'not ok 1 - adds the tax',
  'ok 2 - skipped # SKIP',
  '  ---',
  '  ...',
  "  error: |-",
  "  stack: |-",
  '✖ adds the tax (1.2ms)',
  '✔ passes (0.1ms)',
  '▶ quote',
  '﹣ skipped # SKIP',
  '✖ failing tests:',
  'INFO:     Started server process [7824]',
  '2026-11-21 22:18:30,766 ERROR [planner.llm.client] failed',
  '2026-11-21 22:18:30,766 INFO {"event": "x"',
  'ts=2026-11-21T22:18:05.637Z level=info msg="unterminated',
];

/** Bytes that are not valid UTF-8. */
const INVALID_UTF8 = [[0xff], [0xfe], [0xc0, 0x80], [0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]];
/** Bytes a random splice favours: JSON and line structure. */
const SPECIAL = [0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x5c, 0x3a, 0x2c, 0x0a, 0x0d, 0x00, 0x09, 0x20, 0x3d, 0xff];
/** Whitespace that String.trim() removes, as UTF-8: blank-looking lines. */
const BLANKS = ['', ' ', '\t', '   \t ', '\u00a0', '\ufeff', '\u2028', '\u3000', ' \u00a0 '];

/** Odd JSON values for a field: wrong types, extremes, escapes. */
function oddValue(rng: Prng): unknown {
  const depth = rng.int(20, 400);
  return rng.pick<() => unknown>([
    () => null,
    () => true,
    () => 0,
    () => -1,
    () => 1e308,
    () => -0.0,
    () => 12345678901234567890,
    () => -1e20,
    () => 8.64e15 + 1,
    () => '+275760-09-13T00:00:00Z',
    () => '',
    () => 'x'.repeat(rng.int(1, 5000)),
    () => '\ud800',
    () => '\u0000\u2028\r\n',
    () => '2026-13-45T99:99:99Z',
    () => '99999999999999999999',
    () => [],
    () => {},
    () => [1, 'a', null, { a: [] }],
    () => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown,
    () => JSON.parse('{"a":'.repeat(depth) + '{}' + '}'.repeat(depth)) as unknown,
    () => ({ stringValue: 'x' }),
    () => ({ kvlistValue: { values: [{ key: 'session.id', value: { intValue: '99999999999999999999' } }] } }),
    () => ({ arrayValue: { values: [{ doubleValue: 'NaN' }, { boolValue: 'yes' }] } }),
    () => 'Traceback (most recent call last):\n  File "x.py", line 1, in f\nValueError: x',
    () => 'TypeError: x\n    at f (/app/x.js:1:2)',
  ])();
}

/** Every string and number value's place in a JSON value: [container, key] pairs. */
function places(v: unknown, out: Array<[Record<string, unknown> | unknown[], string | number]>, depth = 0): void {
  if (depth > 8 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push([v, i]);
      places(x, out, depth + 1);
    });
    return;
  }
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    out.push([v as Record<string, unknown>, k]);
    places(x, out, depth + 1);
  }
}

type Lines = Buffer[];

function splitLines(b: Buffer): Lines {
  const out: Lines = [];
  let start = 0;
  for (;;) {
    const nl = b.indexOf(0x0a, start);
    if (nl === -1) break;
    out.push(b.subarray(start, nl));
    start = nl + 1;
  }
  if (start < b.length) out.push(b.subarray(start));
  return out;
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

/** One mutation of the lines in place; returns what it did. `keep` lines are left alone (the head that selects the kind). */
function mutate(rng: Prng, lines: Lines, keep: number, json: boolean): string {
  const at = (): number => (lines.length <= keep ? lines.length : rng.int(keep, lines.length - 1));
  const line = (i: number): Buffer => lines[i] ?? Buffer.alloc(0);
  const kinds = ['cut', 'cut', 'bytes', 'utf8', 'nul', 'cr', 'headers', 'headers', 'shuffle', 'blank', 'indent'];
  if (json) kinds.push('value', 'value', 'value');
  const kind = rng.pick(kinds);
  switch (kind) {
    case 'cut': {
      const i = at();
      const l = line(i);
      const cut = rng.int(0, Math.max(0, l.length - 1));
      // A record cut where a crash stopped the writer: the file may end there, or go on (the process restarted).
      if (rng.chance(0.5)) {
        lines.splice(i, lines.length - i, l.subarray(0, cut));
        return `cut line ${i + 1} at byte ${cut}, file ends there`;
      }
      lines[i] = l.subarray(0, cut);
      return `cut line ${i + 1} at byte ${cut}`;
    }
    case 'bytes': {
      const i = at();
      const l = line(i);
      const pos = rng.int(0, l.length);
      const n = rng.int(1, 16);
      const junk = Buffer.from(Array.from({ length: n }, () => (rng.chance(0.6) ? rng.pick(SPECIAL) : rng.int(0, 255))));
      lines[i] = Buffer.concat([l.subarray(0, pos), junk, l.subarray(rng.chance(0.5) ? pos : Math.min(l.length, pos + n))]);
      return `random bytes ${junk.toString('hex')} at line ${i + 1} byte ${pos}`;
    }
    case 'utf8': {
      const i = at();
      const l = line(i);
      const pos = rng.int(0, l.length);
      const bad = Buffer.from(rng.pick(INVALID_UTF8));
      lines[i] = Buffer.concat([l.subarray(0, pos), bad, l.subarray(pos)]);
      return `invalid UTF-8 ${bad.toString('hex')} at line ${i + 1} byte ${pos}`;
    }
    case 'nul': {
      const i = at();
      const n = rng.int(1, 4096);
      if (rng.chance(0.3)) {
        lines.splice(i, 0, Buffer.alloc(n));
        return `a line of ${n} NUL bytes before line ${i + 1}`;
      }
      if (rng.chance(0.3)) {
        lines.push(Buffer.alloc(n));
        return `${n} NUL bytes at the end (crash padding)`;
      }
      const l = line(i);
      const pos = rng.int(0, l.length);
      lines[i] = Buffer.concat([l.subarray(0, pos), Buffer.alloc(rng.int(1, 8)), l.subarray(pos)]);
      return `NUL bytes in line ${i + 1} at byte ${pos}`;
    }
    case 'cr': {
      const how = rng.int(0, 2);
      if (how === 0) {
        for (let i = 0; i < lines.length; i++) if (rng.chance(0.7)) lines[i] = Buffer.concat([line(i), text('\r')]);
        return 'CRLF line ends';
      }
      const i = at();
      if (how === 1) {
        const l = line(i);
        const pos = rng.int(0, l.length);
        lines[i] = Buffer.concat([l.subarray(0, pos), text('\r'.repeat(rng.int(1, 3))), l.subarray(pos)]);
        return `lone CR in line ${i + 1} at byte ${pos}`;
      }
      // Lines ended by CR alone (old Mac, progress bars): one physical line.
      const n = Math.min(lines.length - i, rng.int(2, 20));
      lines.splice(i, n, Buffer.concat(lines.slice(i, i + n).flatMap((l) => [l, text('\r')])));
      return `lines ${i + 1}-${i + n} joined by lone CRs`;
    }
    case 'headers': {
      const n = rng.int(1, 6);
      const added: string[] = [];
      for (let k = 0; k < n; k++) {
        const h = rng.pick(HEADERS);
        added.push(h);
        lines.splice(rng.chance(0.15) ? lines.length : at(), 0, text(h));
      }
      return `headers with no body: ${JSON.stringify(added)}`;
    }
    case 'shuffle': {
      const i = at();
      const j = at();
      const how = rng.int(0, 2);
      if (how === 0) {
        lines.splice(i, Math.min(rng.int(1, 5), lines.length - i));
        return `lines from ${i + 1} deleted`;
      }
      if (how === 1) {
        lines.splice(j, 0, ...lines.slice(i, i + rng.int(1, 10)));
        return `lines from ${i + 1} repeated at ${j + 1}`;
      }
      const a = line(i);
      lines[i] = line(j);
      lines[j] = a;
      return `lines ${i + 1} and ${j + 1} swapped`;
    }
    case 'blank': {
      const i = at();
      const n = rng.int(1, 30);
      for (let k = 0; k < n; k++) lines.splice(i, 0, text(rng.pick(BLANKS)));
      return `${n} blank-looking lines before line ${i + 1}`;
    }
    case 'indent': {
      const i = at();
      const n = rng.int(1, 10);
      const pad = rng.pick(['  ', '    ', '\t', ' ']);
      for (let k = i; k < Math.min(lines.length, i + n); k++) lines[k] = Buffer.concat([text(pad), line(k)]);
      return `lines ${i + 1}-${i + n} indented`;
    }
    case 'value': {
      const i = at();
      let obj: unknown;
      try {
        obj = JSON.parse(line(i).toString('utf8'));
      } catch {
        return 'a value replaced (line not JSON: unchanged)';
      }
      const found: Array<[Record<string, unknown> | unknown[], string | number]> = [];
      places(obj, found);
      if (found.length === 0) return 'a value replaced (no values: unchanged)';
      const n = rng.int(1, 3);
      const keys: string[] = [];
      for (let k = 0; k < n; k++) {
        const [container, key] = rng.pick(found);
        (container as Record<string | number, unknown>)[key] = oddValue(rng);
        keys.push(String(key));
      }
      lines[i] = text(JSON.stringify(obj));
      return `values of ${JSON.stringify(keys)} replaced in line ${i + 1}`;
    }
  }
  return kind;
}

function joinLines(lines: Lines, rng: Prng): { bytes: Buffer; end: string } {
  const parts: Buffer[] = [];
  lines.forEach((l, i) => {
    parts.push(l);
    if (i < lines.length - 1) parts.push(text('\n'));
  });
  // A last line end, or none (cut), or CRLF.
  const end = rng.pick(['\n', '\n', '\n', '', '\r\n']);
  if (lines.length > 0) parts.push(text(end));
  return { bytes: Buffer.concat(parts), end: JSON.stringify(end) };
}

/** A JSON line whose message is nested `depth` deep. */
function deepArray(depth: number): string {
  return `{"ts":"2026-11-21T22:18:19Z","level":"error","message":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}
function deepObject(depth: number, key = 'a'): string {
  return `${`{"${key}":`.repeat(depth)}{}${'}'.repeat(depth)}`;
}
function deepKvlist(depth: number): string {
  let v = '{"stringValue":"leaf"}';
  for (let i = 0; i < depth; i++) v = `{"kvlistValue":{"values":[{"key":"k","value":${v}}]}}`;
  return v;
}
function deepArrayValue(depth: number): string {
  return `${'{"arrayValue":{"values":['.repeat(depth)}{"intValue":"1"}${']}}'.repeat(depth)}`;
}

const PY_LINE = '2026-11-21 22:18:30,766 ERROR [planner.llm.client] ';
const SESSION_LINE = '2026-11-21 22:18:19,705 INFO ';

/** Inputs at the extremes, made the same whatever the seed. */
function extremes(): Array<Omit<FuzzCase, 'id'>> {
  const out: Array<Omit<FuzzCase, 'id'>> = [];
  const add = (intended: string, what: string, name: string, content: string | Buffer, mode: FuzzCase['mode'] = 'load'): void => {
    out.push({ intended, what, mode, files: { [name]: typeof content === 'string' ? text(content) : content } });
  };
  const MB = 1 << 20;
  // Deep nesting.
  add('jsonl', 'message nested 10^5 arrays deep', 'app.jsonl', `${deepArray(100_000)}\n`);
  add('jsonl', 'a record nested 10^4 objects deep', 'app.jsonl', `{"ts":"2026-11-21T22:18:19Z","level":"info","message":"m","extra":${deepObject(10_000)}}\n`);
  add('jsonl', 'err.stack nested 10^4 deep in an error record', 'app.jsonl', `{"level":50,"time":1795299496333,"pid":1,"msg":"x","err":{"stack":${deepObject(10_000, 'stack')}}}\n`);
  add('jsonl', 'a line of 10^5 unclosed [', 'app.jsonl', `{"ts":"2026-11-21T22:18:19Z","message":"ok"}\n${'['.repeat(100_000)}\n`);
  add('jsonl', 'an object line with 10^5 unclosed [', 'app.jsonl', `{"a":${'['.repeat(100_000)}\n`);
  add('jsonl', 'JSON array nested 10^5 deep as a line', 'app.jsonl', `{"ts":"2026-11-21T22:18:19Z","message":"ok"}\n${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
  add('text', 'text log with a deeply nested JSON line', 'app.log', `${PY_LINE}boom\n${deepArray(50_000)}\n`);
  add('session_log', 'session log whose JSON message is nested 10^4 deep', SESSION_LOG, `${SESSION_LINE}{"event": "x", "payload": ${deepObject(10_000)}}\n`);
  add('session_log', 'session log whose message is 10^5 nested arrays', SESSION_LOG, `${SESSION_LINE}{"event": "x"}\n${SESSION_LINE}{"event": ${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`);
  add('llm_io', 'LLM call whose usage is nested 10^4 deep', LLM_IO, `{"event_type": "LLMCall", "model": "gpt-4.1", "status": "error", "error": ${deepObject(10_000, 'error')}, "usage": ${deepObject(10_000, 'usage')}, "response_excerpt": ${deepObject(10_000, 'usage')}}\n`);
  add('llm_io', 'exception record with fields nested 10^4 deep', LLM_IO, `{"event_type": "exception", "error": ${deepObject(10_000)}, "component": ${'['.repeat(10_000)}${']'.repeat(10_000)}}\n`);
  add('log_index', 'index entry with log_path nested 10^4 deep', 'timeboxing_session_index.jsonl', `{"log_path": "x.log"}\n{"log_path": ${deepObject(10_000)}, "session_key": ${deepObject(10_000)}}\n`);
  add('otlp', 'span attribute kvlistValue nested 10^4 deep', 'spans.otlp.jsonl', `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"758cf417b3059ccd6607af41f8a9225b","spanId":"f9a47f2c5d2b97ef","name":"x","attributes":[{"key":"k","value":${deepKvlist(10_000)}}]}]}]}]}\n`);
  add('otlp', 'log record body arrayValue nested 10^4 deep', 'logs.otlp.jsonl', `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1795299496333000000","body":${deepArrayValue(10_000)}}]}]}]}\n`);
  add('otlp', 'span status and events nested 10^4 deep', 'spans.otlp.jsonl', `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":${deepKvlist(10_000)}}]},"scopeSpans":[{"scope":{"name":${deepObject(10_000)}},"spans":[{"name":"x","status":{"code":2,"message":${deepObject(10_000)}},"events":[{"name":"exception","attributes":[{"key":"exception.type","value":${deepKvlist(10_000)}}]}]}]}]}]}\n`);
  add('otlp', 'empty export requests', 'spans.otlp.jsonl', '{"resourceSpans":[]}\n{"resourceLogs":[{"scopeLogs":[]}]}\n{"resourceSpans":[{"scopeSpans":[{"spans":[]}]}]}\n');
  // Huge lines.
  add('jsonl', 'a JSON line with a 4 MB message', 'app.jsonl', `{"ts":"2026-11-21T22:18:19Z","level":"error","message":"${'x'.repeat(4 * MB)}"}\n`);
  add('text', 'a 4 MB text line of letters', 'app.log', `${'a'.repeat(4 * MB)}\n`);
  add('text', 'a Python logging line with a 3 MB message of spaces and a lone CR', 'app.log', `${PY_LINE}${' '.repeat(3 * MB)}\rx\n`);
  add('text', 'a timestamp, 2 MB of spaces, then a lone CR', 'app.log', `2026-11-21T22:18:19Z${' '.repeat(2 * MB)}\r\n`);
  add('text', 'a 2 MB line of key=value pairs', 'app.log', `${'level=info msg=x '.repeat((2 * MB) / 18)}\n`);
  add('text', 'a 2 MB line of colons and digits', 'app.log', `${'1:'.repeat(MB)}\n`);
  add('text', 'a 1 MB frame line ending in spaces and a letter', 'crash.log', `Traceback (most recent call last):\n  File "x.py", line 1, in f${' '.repeat(MB)}x\nValueError: x\n`, 'direct');
  add('text', 'a 1 MB faulthandler frame ending in spaces and a letter', 'crash.log', `Fatal Python error: Aborted\n\nThread 0x00007f (most recent call first):\n  File "x.py", line 1 in f${' '.repeat(MB)}x\n`, 'direct');
  add('text', 'a 1 MB Node frame of spaces', 'crash.log', `TypeError: x\n    at f${' '.repeat(MB)}(x.js:1:2)\n    at ${' '.repeat(MB)}x\n`, 'direct');
  add('text', 'a 1 MB Node header of dotted names', 'crash.log', `Error${'.a'.repeat(MB / 2)}: x\n    at f (x.js:1:2)\n`, 'direct');
  add('text', 'a 1 MB pytest location line', 'pytest.txt', `============================= test session starts ==============================\n=================================== FAILURES ===================================\n___ test_a ___\n${'a'.repeat(MB)}:1: in f\n${'a:1 '.repeat(MB / 4)}:\nE   x\n`);
  // Many lines in one record.
  const blankRun = Array.from({ length: 40_000 }, () => ' ').join('\n');
  add('text', 'an error record, 40,000 lines of one space, then a Node frame', 'app.log', `${PY_LINE}boom\n${blankRun}\n    at f (/app/x.js:1:2)\n`);
  add('text', 'an error record, 40,000 blank lines, then a Python traceback', 'app.log', `${PY_LINE}boom\nTraceback (most recent call last):\n${'\n'.repeat(40_000)}  File "x.py", line 1, in f\nValueError: x\n`);
  add('text', '150,000 tracebacks with no frames', 'app.log', `${'Traceback (most recent call last):\nValueError: x\n'.repeat(150_000)}`, 'parsers');
  add('text', '100,000 traceback headers with no body', 'app.log', `${'Traceback (most recent call last):\n'.repeat(100_000)}`, 'parsers');
  add('text', '150,000 Node errors with one frame each', 'crash.log', `${'E: x\n    at f (/app/x.js:1:2)\n'.repeat(150_000)}`, 'parsers');
  add('text', 'an error line with a 1 MB word', 'app.log', `${PY_LINE}${'x'.repeat(MB)}\n`);
  add('pytest', 'a pytest report line of 50,000 short locations and a lone CR', 'pytest.txt', `============================= test session starts ==============================\n=================================== FAILURES ===================================\n___ test_a ___\n${'a:1: in b '.repeat(50_000)}\rx\nE   x\n`);
  add('text', '50,000 "During handling" separators', 'app.log', `Traceback (most recent call last):\n  File "x.py", line 1, in f\nValueError: x\n${'\nDuring handling of the above exception, another exception occurred:\n'.repeat(50_000)}`, 'direct');
  add('text', '50,000 frames', 'crash.log', `Traceback (most recent call last):\n${'  File "x.py", line 1, in f\n    g()\n'.repeat(50_000)}ValueError: x\n`, 'direct');
  add('text', '30,000 nested [cause] blocks', 'crash.log', `Error: outer {\n${'  [cause]: Error: inner {\n'.repeat(30_000)}${'}\n'.repeat(30_000)}`, 'direct');
  add('text', '500 nested group members', 'crash.log', `  + Exception Group Traceback (most recent call last):\n${Array.from({ length: 500 }, (_, i) => `${'  | '.repeat(i)}  +-+---------------- 1 ----------------\n${'  | '.repeat(i + 1)}Exception Group Traceback (most recent call last):`).join('\n')}\n`, 'direct');
  add('text', '100,000 Node frames after one header', 'crash.log', `TypeError: x\n${'    at f (/app/x.js:1:2)\n'.repeat(100_000)}`, 'direct');
  add('text', '20,000 thread stacks', 'crash.log', `Fatal Python error: Aborted\n\n${'Thread 0x00007f (most recent call first):\n  File "x.py", line 1 in f\n\n'.repeat(20_000)}`, 'direct');
  add('pytest', 'a pytest failure of 150,000 E lines', 'pytest.txt', `============================= test session starts ==============================\n=================================== FAILURES ===================================\n___ test_a ___\n${'E       x\n'.repeat(150_000)}tests/test_a.py:1: AssertionError\n`);
  add('pytest', 'a pytest warning of 150,000 lines', 'pytest.txt', `============================= test session starts ==============================\n=============================== warnings summary ===============================\ntests/test_a.py::test_a\n${'  x.py:1: DeprecationWarning: old\n'.repeat(150_000)}`);
  add('node_test', 'a TAP YAML block of 150,000 lines', 'node-test.txt', `TAP version 13\nnot ok 1 - a\n  ---\n${"  error: 'x'\n".repeat(150_000)}  stack: |-\n${'    at f (/app/x.js:1:2)\n'.repeat(1000)}  ...\n`);
  add('node_test', 'a TAP block scalar of 150,000 lines', 'node-test.txt', `TAP version 13\nnot ok 1 - a\n  ---\n  stack: |-\n${'    f (/app/x.js:1:2)\n'.repeat(150_000)}  ...\n`);
  add('node_test', 'a spec failure of 150,000 lines', 'node-test.txt', `✖ a (1ms)\n${'  Error: x\n'.repeat(150_000)}`);
  add('node_test', 'a spec failure with 300,000 blank lines inside', 'node-test.txt', `✖ a (1ms)\n  Error: x\n${'\n'.repeat(300_000)}  x\n`);
  add('node_test', 'a TAP block scalar with 300,000 blank lines inside', 'node-test.txt', `TAP version 13\nnot ok 1 - a\n  ---\n  error: |-\n    x\n${'\n'.repeat(300_000)}    y\n  ...\n`);
  add('text', 'a Node frame of 300,000 " (" and no closing parenthesis', 'crash.log', `TypeError: x\n    at ${'f ('.repeat(300_000)}\n`, 'direct');
  add('node_test', '1,000 nested subtests', 'node-test.txt', `TAP version 13\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i * 4)}# Subtest: s${i}`).join('\n')}\n`);
  add('text', '100,000 logfmt-like pairs with an unclosed quote', 'app.log', `level=info ${'k="v\\" '.repeat(100_000)}\n`);
  // Line ends and bytes.
  add('text', '100,000 lone CRs', 'app.log', '\r'.repeat(100_000));
  add('jsonl', '100,000 CRLF blank lines', 'app.jsonl', `{"ts":"2026-11-21T22:18:19Z"}\n${'\r\n'.repeat(100_000)}`);
  add('text', '100,000 line ends', 'app.log', '\n'.repeat(100_000));
  add('text', 'empty', 'app.log', '');
  add('text', 'one NUL-only line after text', 'app.log', Buffer.concat([text('hello\n'), Buffer.alloc(100_000)]));
  add('jsonl', 'a JSON line then NUL padding without a line end', 'app.jsonl', Buffer.concat([text('{"ts":"2026-11-21T22:18:19Z"}\n'), Buffer.alloc(4096)]));
  add('text', 'invalid UTF-8 only', 'app.log', Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i % 100 === 99 ? 0x0a : 0xff))));
  add('text', 'a traceback header as the unterminated last line', 'app.log', `${PY_LINE}boom\nTraceback (most recent call last):`);
  add('session_log', 'a session log line cut inside its JSON, no line end', SESSION_LOG, `${SESSION_LINE}{"event": "graph_turn_start"}\n${SESSION_LINE}{"event": "tool_c`);
  add('jsonl', 'a UTF-8 BOM before the first record', 'app.jsonl', `\ufeff{"ts":"2026-11-21T22:18:19Z","message":"x"}\n{"ts":"2026-11-21T22:18:20Z","message":"y"}\n`);
  add('text', 'U+2028 and U+2029 inside lines', 'app.log', `${PY_LINE}a\u2028b\n2026-11-21 22:18:30,767 INFO [x] c\u2029d\n`);
  add('text', 'surrogate halves in UTF-8 (CESU)', 'app.log', Buffer.concat([text(PY_LINE), Buffer.from([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]), text('\n')]));
  return out;
}

function readFixture(fixtures: string, rel: string): Buffer {
  return readFileSync(path.join(fixtures, rel));
}

/**
 * Every case for a seed: `perShape` mutated inputs for each shape and
 * traceback style, random bytes, and the extremes.
 */
export function generateCases(seed: number, perShape: number, fixtures: string): FuzzCase[] {
  const rng = new Prng(seed);
  const cases: Array<Omit<FuzzCase, 'id'>> = [];

  for (const shape of SHAPES) {
    const sources = shape.fixtures.map((f) => readFixture(fixtures, f));
    for (let n = 0; n < perShape; n++) {
      const r = rng.fork();
      const src = r.int(0, sources.length - 1);
      let lines = splitLines(sources[src] as Buffer);
      // A stretch of the fixture, from its start (the head selects the kind).
      lines = lines.slice(0, r.int(1, Math.min(lines.length, 80)));
      const keep = r.chance(0.85) ? 1 : 0;
      const done: string[] = [];
      const count = r.int(1, 4);
      for (let k = 0; k < count; k++) done.push(mutate(r, lines, keep, shape.json === true));
      const { bytes, end } = joinLines(lines, r);
      cases.push({
        intended: shape.kind,
        mode: 'load',
        what: `${shape.kind}: ${shape.fixtures[src]} (first ${lines.length} lines), ${done.join('; ')}; last line end ${end}`,
        files: { [shape.name]: bytes },
      });
    }
  }

  // Each built-in format's sample lines, mixed and mutated, in a text log.
  const samples = BUILTIN_FORMATS.flatMap((f) => (f.samples ?? []).map((s) => s.line));
  for (let n = 0; n < perShape; n++) {
    const r = rng.fork();
    const lines = Array.from({ length: r.int(1, 30) }, () => text(r.pick(samples)));
    const done: string[] = [];
    const count = r.int(1, 4);
    for (let k = 0; k < count; k++) done.push(mutate(r, lines, 0, true));
    const { bytes, end } = joinLines(lines, r);
    cases.push({ intended: 'text', mode: 'direct', what: `format samples: ${done.join('; ')}; last line end ${end}`, files: { 'formats.log': bytes } });
  }

  // Tracebacks, to the parsers directly and through the loader.
  const tracebacks = TRACEBACKS.map((f) => readFixture(fixtures, f));
  for (let n = 0; n < perShape * 2; n++) {
    const r = rng.fork();
    const src = r.int(0, tracebacks.length - 1);
    const lines = splitLines(tracebacks[src] as Buffer);
    const done: string[] = [];
    const count = r.int(1, 5);
    for (let k = 0; k < count; k++) done.push(mutate(r, lines, 0, false));
    const { bytes, end } = joinLines(lines, r);
    cases.push({ intended: 'text', mode: 'direct', what: `traceback ${TRACEBACKS[src]}: ${done.join('; ')}; last line end ${end}`, files: { 'crash.log': bytes } });
  }

  // Random bytes and random text, under names of several kinds.
  for (let n = 0; n < Math.max(2, Math.ceil(perShape / 2)); n++) {
    const r = rng.fork();
    const name = r.pick(['app.log', 'app.jsonl', SESSION_LOG, LLM_IO, 'timeboxing_session_index.jsonl', 'pytest.txt']);
    const size = r.int(1, 64 * 1024);
    if (r.chance(0.5)) {
      cases.push({ intended: 'any', mode: 'direct', what: `${size} random bytes as ${name}`, files: { [name]: r.bytes(size) } });
    } else {
      const alphabet = '{}[]":,\\ \t\n\r\0aZ09=-_.()<>|+^~E>#/✖▶';
      const chars = Array.from({ length: size }, () => r.pick([...alphabet]));
      cases.push({ intended: 'any', mode: 'direct', what: `${size} random characters of log syntax as ${name}`, files: { [name]: text(chars.join('')) } });
    }
  }

  return [...cases, ...extremes()].map((c, id) => ({ ...c, id }));
}
