/**
 * End to end on fixtures/formats/: one Slack thread whose requests pass
 * through a Node gateway (pino, winston, bunyan, logfmt, OpenTelemetry spans
 * and log records) and a Python agent (stdlib logging in three formats,
 * structlog, a JSON envelope, uvicorn, gunicorn), plus a mixed container
 * stream and rotated files. Every file was written by the real library;
 * expected.json was written by the generator from what it emitted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, obs, obsJson } from '../helpers/cli.js';

type Row = Record<string, unknown>;

interface Expected {
  thread: { thread_ts: string; session_key: string; channel: string };
  traces: Array<{
    trace_id: string;
    span_count: number;
    spans: Array<{ name: string; kind: string; span_id: string; parent_span_id: string | null; status: string }>;
    exception: { span_id: string; type: string; message: string } | null;
    traceparent_sent: string;
    agent: { exception: { type: string; message: string; cause_type: string } | null };
  }>;
  files: Record<string, { physical_lines: number; records: number; levels: Record<string, number>; trace_ids: string[] }>;
}

const DIR = `${FIXTURES}/formats`;
const REL = 'fixtures/formats';
const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as Expected;
const LOGS = ['--logs', DIR, '-q'];
/** Level names as the libraries write them → obs's. */
const LEVEL: Record<string, string> = { warning: 'warn', critical: 'fatal' };

describe('formats: every file of the run is read whole, by the right format', () => {
  let files: Row[] = [];
  let events: Row[] = [];
  beforeAll(async () => {
    const s = await obsJson<{ files: Row[] }>(['sources', ...LOGS]);
    expect(s.exitCode).toBe(0);
    files = s.data.files;
    const e = await obsJson<{ events: Row[] }>(['events', ...LOGS, '--limit', '10000']);
    events = e.data.events;
  });

  const logFiles = Object.entries(expected.files).filter(([f]) => !f.startsWith('otel/'));

  it.each(logFiles)('%s: lines and records as the library wrote them, nothing rejected', (file, x) => {
    const f = files.find((r) => r['path'] === `${REL}/${file}`);
    expect(f, file).toBeDefined();
    expect(f).toMatchObject({ status: 'loaded', lines: x.physical_lines, records: x.records, rejected: 0 });
  });

  it.each(logFiles)('%s: records at each level as logged', (file, x) => {
    const counts: Record<string, number> = {};
    for (const e of events.filter((r) => r['source_file'] === `${REL}/${file}` && r['level'] !== null)) {
      counts[String(e['level'])] = (counts[String(e['level'])] ?? 0) + 1;
    }
    const want: Record<string, number> = {};
    for (const [level, n] of Object.entries(x.levels)) want[LEVEL[level] ?? level] = (want[LEVEL[level] ?? level] ?? 0) + n;
    expect(counts).toEqual(want);
  });

  it.each(Object.entries(expected.files))('%s: carries the trace ids the generator logged', (file, x) => {
    const ids = new Set(events.filter((r) => r['source_file'] === `${REL}/${file}`).map((r) => r['trace_id']).filter((t) => t !== null));
    // Spans are not events: the spans test checks them.
    if (file.startsWith('otel/spans')) return;
    expect([...ids].sort()).toEqual([...x.trace_ids].sort());
  });

  it('the mixed container stream is read line by line: JSON of two libraries, text, print lines and a thread traceback', () => {
    const f = files.find((r) => r['path'] === `${REL}/mixed/container.log`);
    expect(f?.['formats']).toEqual({ text: 4, structlog: 3, python_logging: 3, pino: 3 });
    const tb = events.find((r) => r['source_file'] === `${REL}/mixed/container.log` && String(r['message']).startsWith('Exception in thread'));
    expect(String(tb?.['message'])).toMatch(/\njson\.decoder\.JSONDecodeError: Expecting property name/);
  });

  it('a traceparent written in a text line links it to its trace and span', () => {
    for (const t of expected.traces) {
      const line = events.find((r) => r['source_file'] === `${REL}/logs/python/agent.log` && String(r['message']).includes(t.traceparent_sent));
      const [, trace, span] = t.traceparent_sent.split('-');
      expect(line?.['trace_id']).toBe(trace);
      expect(line?.['span_id']).toBe(span);
    }
  });
});

describe('formats: spans', () => {
  it('every span of the OTLP export is loaded with its parent, kind and status', async () => {
    const { data } = await obsJson<{ rows: Row[] }>(['sql', ...LOGS, 'select trace_id, span_id, parent_span_id, name, kind, status from spans']);
    const want = expected.traces.flatMap((t) =>
      t.spans.map((s) => ({ trace_id: t.trace_id, span_id: s.span_id, parent_span_id: s.parent_span_id, name: s.name, kind: s.kind.toLowerCase(), status: s.status.toLowerCase() })),
    );
    const key = (r: Row): string => `${r['trace_id']}${r['span_id']}`;
    expect([...data.rows].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(want.sort((a, b) => key(a).localeCompare(key(b))));
  });

  it('a recorded exception is an error of its trace, with the Node stack parsed', async () => {
    const { data } = await obsJson<{ errors: Row[] }>(['errors', ...LOGS, '--source', 'spans.otlp.jsonl']);
    const failing = expected.traces.filter((t) => t.exception !== null);
    expect(failing.length).toBeGreaterThan(0);
    for (const t of failing) {
      const e = data.errors.find((r) => r['trace_id'] === t.trace_id && r['error_type'] === t.exception?.type);
      expect(e?.['message']).toBe(t.exception?.message);
      expect((e?.['frames'] as Row[]).length).toBeGreaterThan(0);
    }
  });
});

describe('formats: thread ↔ trace, both ways', () => {
  it('obs query --thread shows records from every logger and the spans of its traces', async () => {
    const { data, exitCode } = await obsJson<{ timeline: Row[]; traces: Row[]; counts: Row }>(['query', '--thread', expected.thread.thread_ts, ...LOGS, '--no-metrics']);
    expect(exitCode).toBe(0);
    expect(data.traces.map((t) => t['trace_id']).sort()).toEqual(expected.traces.map((t) => t.trace_id).sort());
    expect(data.counts['spans']).toBe(expected.traces.reduce((n, t) => n + t.span_count, 0));
    const sources = new Set(data.timeline.map((r) => path.basename(String(r['source_file']))));
    for (const f of ['gateway.pino.jsonl', 'gateway.winston.jsonl', 'audit.bunyan.jsonl', 'gateway.logfmt.log', 'logs.otlp.jsonl', 'spans.otlp.jsonl',
      'agent.log', 'agent.structlog.jsonl', 'agent.envelope.jsonl', 'basic.log', 'container.log']) {
      expect(sources, f).toContain(f);
    }
    // A gateway line with only a trace id joins through the trace.
    const viaTrace = data.timeline.filter((r) => r['via'] === 'trace' && r['session_key'] === null);
    expect(viaTrace.length).toBeGreaterThan(0);
  });

  it('obs trace gives the span tree, the thread it belongs to, and the errors of both services', async () => {
    const t = expected.traces.find((x) => x.exception !== null)!;
    const { data, exitCode } = await obsJson<{ sessions: string[]; spans: Row[]; errors: Row[]; counts: Row }>(['trace', t.trace_id.slice(0, 10), ...LOGS]);
    expect(exitCode).toBe(0);
    expect(data.sessions).toEqual([expected.thread.session_key]);
    const names = (s: Row): unknown => [s['name'], (s['children'] as Row[]).map(names)];
    const root = t.spans.find((s) => s.parent_span_id === null)!;
    const tree = (id: string): unknown => {
      const s = t.spans.find((x) => x.span_id === id)!;
      return [s.name, t.spans.filter((c) => c.parent_span_id === id).map((c) => tree(c.span_id))];
    };
    expect(data.spans.map(names)).toEqual([tree(root.span_id)]);
    const types = data.errors.map((e) => String(e['error_type']).split('.').pop());
    expect(types).toContain(t.exception?.type);
    expect(types).toContain(t.agent.exception?.type);
    // Records that carry the span id sit on that span.
    const flat = (s: Row): Row[] => [s, ...(s['children'] as Row[]).flatMap(flat)];
    for (const s of data.spans.flatMap(flat)) {
      for (const r of s['records'] as Row[]) if (r['placed_by'] === 'span_id') expect(r['span_id']).toBe(s['span_id']);
    }
  });

  it('an id that is no trace id is a usage error; an unknown prefix says so', async () => {
    const bad = await obs(['trace', 'xyz', ...LOGS]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/not a trace id/);
    const none = await obs(['trace', 'ffffffffffff', ...LOGS]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/no trace id starts with ffffffffffff/);
  });
});

describe('obs trace waterfall (sample corpus)', () => {
  it('draws the waterfall of the agent-500 trace as the golden file shows', async () => {
    const r = await obs(['trace', 'a79b034cab0d9b2deb6173cf62266e44', '--logs', `${FIXTURES}/sample-corpus`, '-o', 'table', '-q']);
    expect(r.exitCode).toBe(0);
    const golden = readFileSync(`${FIXTURES}/../test/e2e/golden/trace-a79b034c.txt`, 'utf8');
    expect(r.stdout).toBe(golden);
  });
});

describe('formats of your own, in the config file', () => {
  it('a config format is tried first and reads its lines; one that does not read its sample exits 2 naming it', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'obs-formats-'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(dir, 'logs'));
    writeFileSync(path.join(dir, 'logs', 'app.log'), 'T=2026-11-21T22:18:05Z|WARN|gateway|slow reply trace_id=9465f94d535fee2ffad61a7b3d314529\n');
    const format = {
      name: 'pipes',
      type: 'regex',
      pattern: '^T=(?<ts>\\S+)\\|(?<level>[A-Z]+)\\|(?<logger>[^|]+)\\|(?<message>.*)$',
      samples: [{ line: 'T=2026-11-21T22:18:05Z|WARN|gateway|slow reply', expect: { level: 'warn', logger: 'gateway' } }],
    };
    writeFileSync(path.join(dir, 'obs.config.json'), JSON.stringify({ logs: ['logs'], formats: [format] }));
    const { data, exitCode } = await obsJson<{ events: Row[] }>(['events', '-q'], { cwd: dir });
    expect(exitCode).toBe(0);
    expect(data.events.map((e) => [e['format'], e['level'], e['logger'], e['message'], e['trace_id'], e['ts']])).toEqual([
      ['pipes', 'warn', 'gateway', 'slow reply trace_id=9465f94d535fee2ffad61a7b3d314529', '9465f94d535fee2ffad61a7b3d314529', '2026-11-21T22:18:05.000Z'],
    ]);
    writeFileSync(path.join(dir, 'obs.config.json'), JSON.stringify({ logs: ['logs'], formats: [{ ...format, samples: [{ line: format.samples[0]!.line, expect: { level: 'error' } }] }] }));
    const bad = await obs(['events'], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('format "pipes" in obs.config.json does not read its sample 1');
    expect(bad.stderr).toContain('level: expected "error", read "warn"');
    writeFileSync(path.join(dir, 'obs.config.json'), JSON.stringify({ formats: [{ name: 'x', type: 'regex', pattern: '(' }] }));
    const invalid = await obs(['events'], { cwd: dir });
    expect(invalid.exitCode).toBe(2);
    expect(invalid.stderr).toMatch(/formats\.0\.pattern/);
  });
});
