/**
 * The smallest inputs that broke a parser when test/fuzz found them: a stack
 * overflow on deeply nested JSON or a spread of 10^5 values, a regular
 * expression that backtracks in quadratic time on a long line, a number too
 * large to store, a line the loader read but counted nowhere. Each is read
 * through the loader or the parser it broke. A quadratic regression makes its
 * test time out: the inputs are long enough for seconds to hours of
 * backtracking.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database, type Row } from '../../../src/db/database.js';
import { FormatSet } from '../../../src/formats/formats.js';
import { PriceBook } from '../../../src/llm/prices.js';
import type { Observation } from '../../../src/load/errors/extract.js';
import { normalizeMessage } from '../../../src/load/errors/fingerprint.js';
import { buildOccurrence, groupObservations } from '../../../src/load/errors/merge.js';
import { loadSources, type FileReport } from '../../../src/load/load.js';
import { asText } from '../../../src/sources/fields.js';
import { nodeTestParser } from '../../../src/sources/node-test/index.js';
import { parseTapYaml } from '../../../src/sources/node-test/yaml.js';
import { anyValue } from '../../../src/sources/otlp/index.js';
import { pytestParser } from '../../../src/sources/pytest/index.js';
import type { EventRow, LineParser, RecordSink } from '../../../src/sources/types.js';
import { parseTracebacks } from '../../../src/tracebacks/index.js';
import { parseFaulthandler } from '../../../src/tracebacks/faulthandler.js';
import { hasNodeStack, parseNode } from '../../../src/tracebacks/node.js';
import { parsePython } from '../../../src/tracebacks/python.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../fixtures');
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** Loads the files (name → text) of one folder; the reports and every event. */
async function load(files: Record<string, string>): Promise<{ files: FileReport[]; events: Row[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'obs-fuzz-found-'));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return loadDir(dir);
}

async function loadDir(dir: string): Promise<{ files: FileReport[]; events: Row[] }> {
  const db = await Database.open();
  try {
    const r = await loadSources(db, [dir], { tz: 'UTC', cwd: dir, formats: FormatSet.create(), prices: new PriceBook() });
    const events = (await db.query('SELECT source_file, source_line, format, message, parse_error FROM events ORDER BY source_file, source_line')).rows;
    return { files: r.files, events };
  } finally {
    db.close();
  }
}

/** Every line counted once: inside a record, rejected or blank. */
function accounted(f: FileReport): void {
  expect({ path: f.path, status: f.status, lines: f.lines }).toEqual({ path: f.path, status: 'loaded', lines: f.recordLines + f.rejected + f.blank });
}

function lines(parser: (ctx: never, sink: RecordSink) => LineParser, text: string): EventRow[] {
  const events: EventRow[] = [];
  const sink: RecordSink = { event: (r) => events.push(r), llmCall: () => {}, span: () => {}, indexEntry: () => {}, reject: () => {}, blank: () => {} };
  const p = parser({ path: 'x', tz: 'UTC', defaults: {}, formats: FormatSet.create(), prices: new PriceBook() } as never, sink);
  text.split('\n').forEach((t, i) => p.line({ lineNo: i + 1, text: t, invalidUtf8: false, nulBytes: false, unterminated: false }));
  p.end();
  return events;
}

const nestedArrays = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
const nestedObjects = (n: number): string => `${'{"a":'.repeat(n)}{}${'}'.repeat(n)}`;

describe('JSON nested 10^4 levels deep: read, cut at 100 levels, not the end of the file', () => {
  it('asText and OTLP AnyValue', () => {
    const text = asText(JSON.parse(nestedArrays(10_000)));
    expect(text).toBe(`${'['.repeat(100)}"…"${']'.repeat(100)}`);
    let v = '{"stringValue":"leaf"}';
    for (let i = 0; i < 10_000; i++) v = `{"kvlistValue":{"values":[{"key":"k","value":${v}}]}}`;
    expect(JSON.stringify(anyValue(JSON.parse(v)))).toMatch(/^(\{"k":){100}"…"\}+$/);
  });

  it('in every source that reads JSON, the lines after it are read', async () => {
    const deepAttr = `{"kvlistValue":{"values":[${'{"key":"k","value":{"kvlistValue":{"values":['.repeat(10_000)}${']}}}'.repeat(10_000)}]}}`;
    const ok = '{"ts":"2026-11-21T22:18:19Z","level":"info","message":"after"}';
    const { files, events } = await load({
      'app.jsonl': `{"ts":"2026-11-21T22:18:19Z","level":"error","message":${nestedArrays(10_000)}}\n${ok}\n`,
      'app.log': `2026-11-21 22:18:30,766 ERROR [x] boom\n{"message":${nestedObjects(10_000)}}\n2026-11-21 22:18:31,000 INFO [x] after\n`,
      'timeboxing_session_20261121_221819_C0AA6HC1RJL_1795299499.694654_7824.log': `2026-11-21 22:18:19,705 INFO {"event": ${nestedArrays(10_000)}}\n2026-11-21 22:18:20,000 INFO {"event": "after"}\n`,
      'llm_io_20261121_221805_7824.jsonl': `{"event_type": "LLMCall", "model": "gpt-4.1", "status": "error", "error": ${nestedObjects(10_000)}}\n{"event_type": "exception", "error": ${nestedObjects(10_000)}}\n{"event_type": "exception", "error": "after"}\n`,
      'timeboxing_session_index.jsonl': `{"log_path": "x.log"}\n{"log_path": ${nestedObjects(10_000)}}\n`,
      'spans.otlp.jsonl': `{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"deep","attributes":[{"key":"k","value":${deepAttr}}]}]}]}]}\n{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"after"}}]}]}]}\n`,
    });
    expect(files).toHaveLength(6);
    for (const f of files) accounted(f);
    expect(files.every((f) => f.rejected === 0)).toBe(true);
    const after = events.filter((e) => e['message'] === 'after' || (e['message'] as string | null)?.startsWith('after'));
    expect(after.map((e) => e['source_file']).sort()).toEqual(['app.jsonl', 'app.log', 'llm_io_20261121_221805_7824.jsonl', 'spans.otlp.jsonl']);
    const deep = events.find((e) => e['source_file'] === 'app.jsonl' && e['source_line'] === 1);
    expect(deep?.['message']).toBe(`${'['.repeat(100)}"…"${']'.repeat(100)}`);
  });
});

describe('OTLP export requests with nothing in them', () => {
  it('are counted as blank lines; a request whose list is not a list is rejected', async () => {
    const { files, events } = await load({
      'spans.otlp.jsonl': '{"resourceSpans":[]}\n{"resourceLogs":[{"scopeLogs":[]}]}\n{"resourceSpans":[{"scopeSpans":[{"spans":[]}]}]}\n{"resourceSpans":5}\n',
    });
    const [f] = files;
    expect(f).toMatchObject({ kind: 'otlp', lines: 4, records: 0, blank: 3, rejected: 1 });
    accounted(f as FileReport);
    expect(events.map((e) => [e['source_line'], e['parse_error']])).toEqual([[4, 'not an OTLP/JSON export request: "resourceSpans" is not a list']]);
  });
});

describe('numbers too large to store', () => {
  it('a pid or a token count of 1e20 is no number; a pino time of 1e308 ms is no time', async () => {
    const { files, events } = await load({
      'timeboxing_session_index.jsonl': '{"log_path": "x.log", "session_key": "C0AA6HC1RJL:1795299499.694654", "pid": 1e20}\n',
      'llm_io_20261121_221805_7824.jsonl': '{"event_type": "LLMCall", "model": "gpt-4.1", "prompt_tokens": 1e20, "completion_tokens": 12345678901234567890}\n',
      'app.jsonl': '{"level":30,"time":1e308,"pid":1,"msg":"far"}\n{"level":30,"time":-1e20,"pid":1,"msg":"before"}\n',
    });
    for (const f of files) accounted(f);
    expect(events.map((e) => e['message'])).toEqual(['far', 'before']);
  });
});

// Linear, these take milliseconds; quadratic, seconds to hours.
describe('long lines, read in linear time', { timeout: 10_000 }, () => {
  const MB = 1 << 20;

  it('the fingerprint of an error whose message is one 1 MB word', () => {
    expect(normalizeMessage('x'.repeat(MB))).toBe('x'.repeat(200));
    expect(normalizeMessage('req_1554d9c88dc0 took 15ms at a.b: 0x7f3a, retry 2/3 of v1.2-rc')).toBe('<n> took <n> at a.b: <addr>, retry <n>/<n> of <n>');
  });

  it('a Python frame line of 1 MB of spaces and a letter; trailing spaces are trimmed', () => {
    const [e] = parsePython(`Traceback (most recent call last):\n  File "x.py", line 1, in f${' '.repeat(MB)}x\n  File "y.py", line 2, in g   \n  File "z.py", line 3   \nValueError: x`);
    expect(e?.frames.map((f) => [f.file, f.line, f.function?.length])).toEqual([
      ['x.py', 1, MB + 2],
      ['y.py', 2, 1],
      ['z.py', 3, undefined],
    ]);
  });

  it('a faulthandler frame line of 1 MB of spaces and a letter', () => {
    const dump = parseFaulthandler(`Fatal Python error: Aborted\n\nThread 0x00007f (most recent call first):\n  File "x.py", line 1 in f${' '.repeat(MB)}x\n  File "y.py", line 2 in g  `);
    expect(dump?.frames.map((f) => f.function?.length)).toEqual([1, MB + 2]);
  });

  it('a record with a Python traceback and 10^5 blank lines (the Node stack test)', () => {
    const text = `Traceback (most recent call last):\n  File "x.py", line 1, in f\nValueError: x${'\n'.repeat(100_000)}end`;
    expect(hasNodeStack(text)).toBe(false);
    expect(hasNodeStack(`TypeError: x\n\n\n    at f (/app/x.js:1:2)`)).toBe(true);
    expect(parseTracebacks(text).map((e) => e.type)).toEqual(['ValueError']);
  });

  it('a Node frame of 300,000 " (" with no closing parenthesis', () => {
    const [e] = parseNode(`TypeError: x\n    at ${'f ('.repeat(300_000)}\n    at g (/app/x.js:1:2)`);
    expect(e?.frames.map((f) => f.function)).toEqual(['g', null]);
  });

  it('a spec failure and a TAP block scalar with 300,000 blank lines inside', () => {
    const spec = lines(nodeTestParser, `✖ a (1ms)\n  Error: x\n${'\n'.repeat(300_000)}  y\n`);
    expect(spec.find((e) => e.event === 'test_failed')?.errors?.[0]?.text.endsWith('\ny')).toBe(true);
    const yaml = parseTapYaml(['  error: |-', '    x', ...Array.from({ length: 300_000 }, () => ''), '    y', '', '']);
    expect(yaml['error']).toBe(`x${'\n'.repeat(300_001)}y`);
    expect(parseTapYaml(['  error: |', '    x', '', ''])['error']).toBe('x\n');
  });

  it("pytest's rootdir line and a report line of 50,000 short locations before a lone CR", () => {
    const events = lines(
      pytestParser,
      [
        '============================= test session starts ==============================',
        `rootdir: /home/app${' '.repeat(MB)}x`,
        '=================================== FAILURES ===================================',
        '___ test_a ___',
        `${'a:1: in b '.repeat(50_000)}\rx`,
        'E   ValueError: x',
        'tests/test_a.py:3: ValueError',
      ].join('\n'),
    );
    expect(events.find((e) => e.event === 'test_failed')?.errors?.[0]?.type).toBe('ValueError');
  });
});

describe('10^5 values where the parsers spread them into one call', () => {
  it('a pytest failure of 150,000 E lines', () => {
    const events = lines(
      pytestParser,
      `============================= test session starts ==============================\n=================================== FAILURES ===================================\n___ test_a ___\n${'E       x\n'.repeat(150_000)}tests/test_a.py:1: AssertionError`,
    );
    expect(events.find((e) => e.event === 'test_failed')?.errors?.[0]?.type).toBe('AssertionError');
  });

  it('a TAP YAML block, a block scalar and a spec failure of 150,000 lines', () => {
    expect(parseTapYaml([...Array.from({ length: 150_000 }, () => "  error: 'x'"), '  name: AssertionError'])).toEqual({ error: 'x', name: 'AssertionError' });
    const tap = lines(nodeTestParser, `TAP version 13\nnot ok 1 - a\n  ---\n  stack: |-\n${'    f (/app/x.js:1:2)\n'.repeat(150_000)}  ...`);
    expect(tap.find((e) => e.event === 'test_failed')?.errors?.[0]?.frames).toHaveLength(150_000);
    const spec = lines(nodeTestParser, `✖ a (1ms)\n${'  Error: x\n'.repeat(150_000)}`);
    expect(spec.find((e) => e.event === 'test_failed')?.errors).toHaveLength(1);
  });

  it('150,000 tracebacks in one text', () => {
    expect(parseTracebacks('Traceback (most recent call last):\nValueError: x\n'.repeat(150_000))).toHaveLength(150_000);
    expect(parseTracebacks('E: x\n    at f (/app/x.js:1:2)\n'.repeat(150_000))).toHaveLength(150_000);
  });

  it('the same error logged 130,000 times in one second: one occurrence (found beside the others, not by the fuzz test)', () => {
    const T = Date.UTC(2026, 10, 21, 22, 18, 36) * 1000;
    const seen: Observation[] = Array.from({ length: 130_000 }, (_, i) => ({
      ts: T + i,
      sourceFile: 'app.log',
      sourceLine: i + 1,
      sourceKind: 'text',
      tsFrom: 'record',
      level: 'error',
      kind: 'exception',
      language: 'python',
      errorType: 'ValueError',
      message: 'boom',
      frames: [],
      chain: [],
      traceback: null,
      logger: null,
      contextFrom: 'none',
      testId: null,
    }));
    const [members, ...rest] = groupObservations(seen);
    expect(rest).toEqual([]);
    const o = buildOccurrence(seen, members as number[]);
    expect([o.ts, o.lastTs, o.seenIn.length]).toEqual([T, T + 129_999, 130_000]);
  });

  it('Node errors whose [cause] blocks nest 30,000 deep', () => {
    const text = `Error: outer {\n${'  [cause]: Error: inner {\n'.repeat(30_000)}${'}\n'.repeat(30_000)}`;
    const [e] = parseNode(text);
    expect(e?.type).toBe('Error');
    expect(e?.chain.length).toBe(100);
  });
});

describe('the lines of a pytest report are all inside its records', () => {
  it('the blank line after a failure title, which the report leaves out of its text, is counted', async () => {
    const { files } = await loadDir(path.join(FIXTURES, 'triage/artifacts'));
    const pytest = files.find((f) => f.kind === 'pytest');
    expect(pytest?.lines).toBe(127);
    for (const f of files) accounted(f);
  });
});
