/**
 * `obs query` on the sample corpus, against a real Prometheus serving the
 * same run's metrics (fixtures/prometheus/metrics.om). Expectations come from
 * truth.json (recorded by the harness that played Slack and the LLM provider)
 * and from Prometheus itself, never from obs's own output.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CORPUS, obs, obsJson } from '../helpers/cli.js';
import { freePort, startPrometheus, WARNING_SELECTOR, type PrometheusServer } from '../helpers/prometheus.js';

/** A port nothing listens on: a free one, closed again. */
const closedPort = freePort;

type Row = Record<string, unknown>;

interface Thread {
  session_key: string;
  thread_ts: string;
  channel_id: string;
  start_utc: string;
  end_utc: string;
  stages_visited: string[];
  trace_ids_processed: string[];
  turns: Array<{ stage: string | null; next_stage: string | null }>;
  llm_calls: { total: number; by_model: Record<string, number>; by_stage: Record<string, number>; by_status: Record<string, number> };
  tokens: { prompt: number; completion: number; total: number };
  errors: Array<{ exception_type: string; stage: string }>;
}

interface Series {
  name: string;
  query: string;
  labels: Record<string, string>;
  match: string;
  matched_labels: string[];
  other_labels: string[];
  points: Array<[number, number | null]>;
}

interface QueryDoc {
  selector: { kind: string; value: string; channel?: string };
  window: { from: string; to: string; first_record: string; last_record: string; pad_seconds: number } | null;
  stages: string[];
  sessions: Row[];
  timeline: Row[];
  llm: {
    calls: number;
    errors: number;
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    latency_ms: { p50: number; p95: number; max: number } | null;
    by_model: Row[];
    by_stage: Row[];
  };
  errors: Row[];
  metrics: {
    url: string | null;
    queried: boolean;
    step_seconds: number | null;
    series: Series[];
    queries: Array<{ name: string; query: string; series: number; error: string | null }>;
    warnings: string[];
    error: string | null;
  };
  warnings: string[];
}

const truth = JSON.parse(readFileSync(path.join(CORPUS, 'truth.json'), 'utf8')) as {
  threads: Thread[];
  global: { model_metric_label: Record<string, string> };
};
const LOGS = ['--logs', path.join(CORPUS, 'logs'), '--logs', path.join(CORPUS, 'tracebacks')];
const url = inject('prometheusUrl');
const sanitized = (model: string): string => truth.global.model_metric_label[model] ?? model;
/** Stages a thread's records name: those its turns ran in, and those a turn moved it to (a turn's end is logged in the next stage). */
const stagesNamed = (t: Thread): Set<string> =>
  new Set([...t.stages_visited, ...t.turns.map((x) => x.next_stage).filter((x): x is string => x !== null)]);

async function query(args: string[], env: Record<string, string> = {}): Promise<{ data: QueryDoc; stderr: string; exitCode: number }> {
  return obsJson<QueryDoc>(['query', ...LOGS, ...args], { env });
}

/** The same range query, straight from the server. */
async function promRange(q: string, start: number, end: number, step: number): Promise<Array<{ metric: Record<string, string>; values: Array<[number, string]> }>> {
  const body = new URLSearchParams({ query: q, start: String(start), end: String(end), step: String(step) });
  const res = await fetch(`${url}/api/v1/query_range`, { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  const json = (await res.json()) as { data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } };
  return json.data.result;
}

function configDir(config: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'obs-query-'));
  writeFileSync(path.join(dir, 'obs.config.json'), JSON.stringify(config));
  return dir;
}

describe.each(truth.threads.map((t) => [t.thread_ts, t] as const))('obs query --thread %s', (ts, thread) => {
  let doc: QueryDoc;
  let exitCode: number;
  beforeAll(async () => {
    const r = await query(['--thread', ts, '--prometheus', url]);
    doc = r.data;
    exitCode = r.exitCode;
  });

  it('answers in full, metrics included', () => {
    expect(exitCode).toBe(0);
    expect(doc.metrics.error).toBeNull();
    expect(doc.metrics.queried).toBe(true);
    expect(doc.selector).toEqual({ kind: 'thread', value: ts });
    expect(doc.sessions.map((s) => s['session_key'])).toEqual([thread.session_key]);
  });

  it('has the LLM usage the provider recorded', () => {
    expect(doc.llm.calls).toBe(thread.llm_calls.total);
    expect(doc.llm.errors).toBe(thread.llm_calls.by_status['error'] ?? 0);
    expect(doc.llm.prompt_tokens).toBe(thread.tokens.prompt);
    expect(doc.llm.completion_tokens).toBe(thread.tokens.completion);
    expect(doc.llm.total_tokens).toBe(thread.tokens.total);
    expect(Object.fromEntries(doc.llm.by_model.map((m) => [m['model'], m['calls']]))).toEqual(thread.llm_calls.by_model);
    expect(Object.fromEntries(doc.llm.by_stage.map((m) => [m['stage'], m['calls']]))).toEqual(thread.llm_calls.by_stage);
  });

  it('computes latency percentiles from the calls themselves', () => {
    const latencies = doc.timeline
      .filter((e) => e['kind'] === 'llm_call' && typeof e['latency_ms'] === 'number')
      .map((e) => e['latency_ms'] as number)
      .sort((a, b) => a - b);
    const q = (p: number): number => {
      const pos = (latencies.length - 1) * p;
      const lo = Math.floor(pos);
      const hi = Math.ceil(pos);
      return latencies[lo]! + (latencies[hi]! - latencies[lo]!) * (pos - lo);
    };
    expect(latencies.length).toBe(thread.llm_calls.total);
    expect(doc.llm.latency_ms?.p50).toBeCloseTo(q(0.5), 6);
    expect(doc.llm.latency_ms?.p95).toBeCloseTo(q(0.95), 6);
    expect(doc.llm.latency_ms?.max).toBe(latencies[latencies.length - 1]);
  });

  it('covers the thread from its first to its last record, padded by 60 s', () => {
    const first = Date.parse(doc.window!.first_record);
    const last = Date.parse(doc.window!.last_record);
    expect(first).toBeGreaterThanOrEqual(Date.parse(thread.start_utc) - 1000);
    expect(last).toBeLessThanOrEqual(Date.parse(thread.end_utc) + 1000);
    expect(first - Date.parse(doc.window!.from)).toBe(60_000);
    expect(Date.parse(doc.window!.to) - last).toBe(60_000);
    for (const st of thread.stages_visited) expect(doc.stages).toContain(st);
    for (const st of doc.stages) expect(stagesNamed(thread)).toContain(st);
  });

  it('merges every source into one time-ordered timeline, with every trace of the thread', () => {
    const times = doc.timeline.map((e) => Date.parse(String(e['ts'])));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(doc.timeline.filter((e) => e['kind'] === 'llm_call')).toHaveLength(thread.llm_calls.total);
    const traces = new Set(doc.timeline.map((e) => e['trace_id']));
    for (const t of thread.trace_ids_processed) expect(traces).toContain(t);
    const files = new Set(doc.timeline.map((e) => path.basename(String(e['source_file']))));
    for (const f of ['app.jsonl', 'gateway.pino.jsonl', path.basename(String(doc.sessions[0]?.['log_file']))]) expect(files).toContain(f);
    // No record twice.
    const keys = doc.timeline.map((e) => `${e['kind']}|${e['source_file']}:${e['source_line']}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('lists the errors the thread raised, in their stages', () => {
    // An exception raised inside another (an ExceptionGroup's members, a cause) is in that error's chain.
    const found = doc.errors.flatMap((e) =>
      [e['error_type'], ...((e['chain'] as Array<{ type: string | null }> | null) ?? []).map((l) => l.type)].map(
        (type) => `${String(type).split('.').pop()}|${e['stage']}`,
      ),
    );
    for (const e of thread.errors) expect(found).toContain(`${e.exception_type}|${e.stage}`);
  });

  it("joins metric series by the thread's labels: its models and stages in, others out", () => {
    const models = new Set(Object.keys(thread.llm_calls.by_model).map(sanitized));
    const calls = doc.metrics.series.filter((s) => s.name.endsWith('_llm_calls_total'));
    expect(calls.length).toBeGreaterThan(0);
    for (const s of calls) {
      if (!models.has(String(s.labels['model']))) {
        expect(s.match).toBe('other');
        expect(s.other_labels).toContain('model');
      } else if (s.match === 'thread') {
        expect(s.matched_labels).toContain('model');
      }
    }
    expect(calls.some((s) => s.match === 'thread')).toBe(true);
    const stages = doc.metrics.series.filter((s) => s.labels['stage'] !== undefined && s.name.includes('stage_duration'));
    for (const s of stages) expect(s.match).toBe(doc.stages.includes(String(s.labels['stage'])) ? 'thread' : 'other');
    expect(stages.some((s) => s.match === 'other') || doc.stages.length === 4).toBe(true);
  });

  it('returns the points Prometheus returns for the same query and window', async () => {
    const s = doc.metrics.series.find((x) => x.name.endsWith('_llm_tokens_total'))!;
    const from = Date.parse(doc.window!.from) / 1000;
    const to = Date.parse(doc.window!.to) / 1000;
    const direct = await promRange(s.query, from, to, doc.metrics.step_seconds!);
    const same = direct.find((d) => JSON.stringify(d.metric) === JSON.stringify(s.labels))!;
    expect(s.points).toEqual(same.values.map(([t, v]) => [t, Number(v)]));
    for (const [t] of s.points) {
      expect(t).toBeGreaterThanOrEqual(from);
      expect(t).toBeLessThanOrEqual(to);
    }
  });
});

describe('obs query on the first thread', () => {
  const thread = truth.threads[0]!;

  it('finds the same records by session key, by permalink and by ts without the dot', async () => {
    const byThread = await query(['--thread', thread.thread_ts, '--no-metrics']);
    const bySession = await query(['--session', thread.session_key, '--no-metrics']);
    const link = `https://acme.slack.com/archives/${thread.channel_id}/p${thread.thread_ts.replace('.', '')}`;
    const byLink = await query(['--thread', link, '--no-metrics']);
    const bare = await query(['--thread', thread.thread_ts.replace('.', ''), '--no-metrics']);
    expect(byLink.data.selector).toEqual({ kind: 'thread', value: thread.thread_ts, channel: thread.channel_id });
    for (const r of [bySession, byLink, bare]) {
      expect(r.data.timeline.length).toBe(byThread.data.timeline.length);
      expect(r.data.llm.total_tokens).toBe(thread.tokens.total);
    }
  });

  it('adds the gateway lines of the thread\'s traces that carry no session, and says so', async () => {
    const { data } = await query(['--thread', thread.thread_ts, '--no-metrics']);
    const viaTrace = data.timeline.filter((e) => e['via'] === 'trace');
    expect(viaTrace.length).toBeGreaterThan(0);
    for (const e of viaTrace) {
      expect(e['session_key']).toBeNull();
      expect(thread.trace_ids_processed).toContain(e['trace_id']);
    }
  });

  it('looks up one trace: only its records', async () => {
    const trace = thread.trace_ids_processed[0]!;
    const { data, exitCode } = await query(['--trace', trace, '--no-metrics']);
    expect(exitCode).toBe(0);
    expect(data.timeline.length).toBeGreaterThan(0);
    for (const e of data.timeline) expect(e['trace_id'] === trace || e['via'] === 'sighting' || e['kind'] === 'error').toBe(true);
    expect(data.sessions.map((s) => s['session_key'])).toEqual([thread.session_key]);
  });

  it('looks up one request id: its records, plus those of its traces', async () => {
    const ids = await obsJson<{ rows: Array<{ request_id: string }> }>([
      'sql', ...LOGS, 'SELECT DISTINCT request_id FROM events WHERE request_id IS NOT NULL ORDER BY 1 LIMIT 1',
    ]);
    const id = ids.data.rows[0]!.request_id;
    const { data } = await query(['--request', id, '--no-metrics']);
    const direct = data.timeline.filter((e) => e['via'] === 'selector');
    expect(direct.length).toBeGreaterThan(0);
    const rows = await obsJson<{ rows: Array<{ source_file: string; source_line: number }> }>([
      'sql', ...LOGS, `SELECT source_file, source_line FROM events WHERE request_id = '${id}' ORDER BY ts, source_file, source_line`,
    ]);
    expect(direct.map((e) => `${e['source_file']}:${e['source_line']}`).sort()).toEqual(
      rows.data.rows.map((r) => `${r.source_file}:${r.source_line}`).sort(),
    );
    const traces = new Set(direct.map((e) => e['trace_id']).filter((t) => t !== null));
    for (const e of data.timeline.filter((x) => x['via'] === 'trace')) expect(traces).toContain(e['trace_id']);
  });

  it('answers `jq .llm.total_tokens` and prints the timeline as NDJSON', async () => {
    const { data } = await query(['--thread', thread.thread_ts, '--prometheus', url]);
    expect(data.llm.total_tokens).toBe(thread.tokens.total);
    const nd = await obs(['query', ...LOGS, '--thread', thread.thread_ts, '--no-metrics', '--ndjson']);
    const lines = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as Row);
    expect(lines.length).toBe(data.timeline.length);
  });

  it('prints a terminal view with the timeline, LLM usage, errors and a sparkline per series', async () => {
    const r = await obs(['query', ...LOGS, '--thread', thread.thread_ts, '--prometheus', url, '-o', 'table']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`thread ${thread.thread_ts}`);
    expect(r.stdout).toMatch(/^Timeline \(\d+ records/m);
    expect(r.stdout).toContain(`LLM calls: ${thread.llm_calls.total}`);
    expect(r.stdout).toMatch(/^Errors \(/m);
    expect(r.stdout).toContain(`Metrics from ${url}`);
    expect(r.stdout).toMatch(/[▁▂▃▄▅▆▇█]{10,}/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('shows the alerts that fired in the window', async () => {
    const { data } = await query(['--thread', thread.thread_ts, '--prometheus', url]);
    const alerts = data.metrics.series.filter((s) => s.labels['alertname'] !== undefined);
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) expect(a.labels['alertstate']).toBe('firing');
    // An alert about a stage the thread went through is joined to it.
    expect(alerts.some((a) => a.match === 'thread')).toBe(true);
  });

  it('fills PromQL templates from the config file with the thread\'s models and stages', async () => {
    const cwd = configDir({
      prometheus: {
        url,
        queries: [
          { name: 'calls', query: 'sum by (model) (increase(planner_llm_calls_total{model=~"$models"}[$rate_interval]))' },
          { name: 'stage p95', query: 'histogram_quantile(0.95, sum by (le, stage) (rate(planner_stage_duration_seconds_bucket{stage=~"$stages"}[$window])))' },
        ],
      },
    });
    const r = await obsJson<QueryDoc>(['query', ...LOGS, '--thread', truth.threads[5]!.thread_ts], { cwd });
    const t5 = truth.threads[5]!;
    expect(r.exitCode).toBe(0);
    expect(r.data.metrics.queries.map((q) => q.name)).toEqual(['calls', 'stage p95']);
    const models = new Set(Object.keys(t5.llm_calls.by_model).map(sanitized));
    const calls = r.data.metrics.series.filter((s) => s.name === 'calls');
    expect(new Set(calls.map((s) => s.labels['model']))).toEqual(models);
    const stages = r.data.metrics.series.filter((s) => s.name === 'stage p95').map((s) => s.labels['stage']);
    expect(new Set(stages)).toEqual(new Set(r.data.stages));
    expect(stages).not.toContain('confirm');
    expect(r.data.metrics.queries[0]!.query).not.toContain('$models');
  });

  it('takes the URL from OBS_PROMETHEUS_URL', async () => {
    const r = await query(['--thread', thread.thread_ts], { OBS_PROMETHEUS_URL: url });
    expect(r.data.metrics.url).toBe(url);
    expect(r.data.metrics.series.length).toBeGreaterThan(0);
  });

  it('without Prometheus: the rest of the answer, a note, exit 0', async () => {
    const r = await query(['--thread', thread.thread_ts]);
    expect(r.exitCode).toBe(0);
    expect(r.data.metrics).toMatchObject({ queried: false, url: null, error: null, series: [] });
    expect(r.stderr).toContain('metrics not queried: no Prometheus configured');
    expect(r.data.llm.total_tokens).toBe(thread.tokens.total);
  });

  it('unreachable Prometheus: the rest of the answer, the error in metrics.error, exit 4, no password shown', async () => {
    const port = await closedPort();
    const r = await query(['--thread', thread.thread_ts, '--prometheus', `http://obs:s3cret-pw@127.0.0.1:${port}`]);
    expect(r.exitCode).toBe(4);
    expect(r.data.metrics.error).toContain(`cannot reach Prometheus at http://127.0.0.1:${port}`);
    expect(r.data.llm.total_tokens).toBe(thread.tokens.total);
    expect(r.stderr).toContain(`warning: metrics incomplete: cannot reach Prometheus at http://127.0.0.1:${port}`);
    expect(r.stderr + JSON.stringify(r.data)).not.toContain('s3cret-pw');
  });

  it('a PromQL syntax error in a configured query: the message from Prometheus, exit 4', async () => {
    const cwd = configDir({ prometheus: { url, queries: [{ name: 'broken', query: 'sum(rate(planner_llm_calls_total[1m]' }, { name: 'fine', query: 'sum(up)' }] } });
    const r = await obsJson<QueryDoc>(['query', ...LOGS, '--thread', thread.thread_ts], { cwd });
    expect(r.exitCode).toBe(4);
    expect(r.data.metrics.queries[0]!.error).toMatch(/HTTP 400 bad_data: .*parse error/);
    expect(r.data.metrics.queries[1]).toMatchObject({ name: 'fine', error: null, series: 1 });
    expect(r.stderr).toContain('Prometheus rejected the query');
  });

  it('nothing found: a note naming the flag the value belongs to', async () => {
    const r = await query(['--thread', thread.session_key, '--prometheus', url]);
    expect(r.exitCode).toBe(0);
    expect(r.data.timeline).toEqual([]);
    expect(r.data.metrics.queried).toBe(false);
    expect(r.stderr).toContain(`try obs query --session ${thread.session_key}`);
  });

  it('refuses two selectors, or none', async () => {
    const two = await obs(['query', ...LOGS, '--thread', thread.thread_ts, '--session', thread.session_key]);
    expect(two.exitCode).toBe(2);
    expect(two.stderr).toContain('give one selector, not --thread and --session');
    const none = await obs(['query', ...LOGS]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('say what to look up');
  });
});

describe('obs query with ids that hold escapes', () => {
  it('finds the records of a trace id and session key with a line break, a quote, a comma and a backslash in them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'obs-query-ids-'));
    const trace = 'tr\n"1",\\x';
    const session = 'C1:\t"s",1';
    const lines = [
      { ts: '2026-11-21T10:00:00Z', level: 'info', message: 'turn', thread_ts: '1795000000.000001', session_key: session, trace_id: trace },
      // The gateway's line: the trace id only, found through the trace.
      { ts: '2026-11-21T10:00:01Z', level: 'info', message: 'gateway', trace_id: trace },
      { ts: '2026-11-21T10:00:02Z', level: 'info', message: 'other', trace_id: 'tr' },
    ];
    writeFileSync(path.join(dir, 'app.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const { data, exitCode } = await obsJson<QueryDoc>(['query', '--logs', dir, '--thread', '1795000000.000001', '--no-metrics', '--no-cache']);
    expect(exitCode).toBe(0);
    expect(data.timeline.map((e) => [e['message'], e['via']])).toEqual([
      ['turn', 'selector'],
      ['gateway', 'trace'],
    ]);
    expect(data.sessions.map((x) => x['session_key'])).toEqual([session]);
  });
});

describe('configuration errors fail at once with exit 2, naming the key', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['an unknown key', { prometheus: { urll: 'http://127.0.0.1:9090' } }, /unknown key "prometheus\.urll".*\n(.*\n)*help: the keys of "prometheus" are: url, timeout/],
    ['an invalid URL', { prometheus: { url: 'localhost:9090' } }, /invalid value for "prometheus\.url"(.*\n)*reason: not an http\(s\) URL/],
    ['a wrong type', { prometheus: { url: 'http://127.0.0.1:9090', timeout: 10 } }, /invalid value for "prometheus\.timeout"/],
    ['a query without a name', { prometheus: { queries: [{ query: 'up' }] } }, /invalid value for "prometheus\.queries\.0\.name"/],
  ];
  it.each(cases)('%s', async (_what, config, message) => {
    const r = await obs(['query', ...LOGS, '--thread', truth.threads[0]!.thread_ts], { cwd: configDir(config) });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a bad --prometheus URL, and a bad OBS_PROMETHEUS_URL', async () => {
    const flag = await obs(['query', ...LOGS, '--thread', '1', '--prometheus', 'ftp://x']);
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toContain('--prometheus is not an http(s) URL');
    const env = await obs(['query', ...LOGS, '--thread', '1'], { env: { OBS_PROMETHEUS_URL: 'nope' } });
    expect(env.exitCode).toBe(2);
    expect(env.stderr).toContain('OBS_PROMETHEUS_URL is not an http(s) URL');
  });
});

describe('obs metrics', () => {
  const from = '2026-11-21T22:18:05Z';
  const to = '2026-11-21T22:20:01Z';

  it('runs one range query: points in JSON equal to the server\'s', async () => {
    const q = 'sum by (model) (increase(planner_llm_calls_total[1m]))';
    const r = await obsJson<{ series: Array<{ labels: Record<string, string>; points: Array<[number, number]> }>; step_seconds: number }>([
      'metrics', q, '--prometheus', url, '--from', from, '--to', to,
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.data.step_seconds).toBe(1);
    const direct = await promRange(q, Date.parse(from) / 1000, Date.parse(to) / 1000, 1);
    expect(r.data.series.map((s) => s.labels)).toEqual(direct.map((d) => d.metric));
    expect(r.data.series[0]!.points).toEqual(direct[0]!.values.map(([t, v]) => [t, Number(v)]));
  });

  it('keeps --step unless it would exceed 11,000 points per series', async () => {
    const r = await obsJson<{ step_seconds: number }>(['metrics', 'sum(up)', '--prometheus', url, '--from', '2026-11-20T00:00:00Z', '--to', '2026-11-21T22:20:00Z', '--step', '1s']);
    expect(r.exitCode).toBe(0);
    expect(r.data.step_seconds).toBe(Math.ceil((Date.parse('2026-11-21T22:20:00Z') - Date.parse('2026-11-20T00:00:00Z')) / 1000 / 10_999));
    expect(r.stderr).toContain('would give more than 11,000 points per series');
  });

  it('a syntax error is exit 2 with the position Prometheus reports', async () => {
    const r = await obs(['metrics', 'sum(rate(x[1m]', '--prometheus', url, '--from', from, '--to', to]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/error: Prometheus rejected the query\nreason: HTTP 400 bad_data: 1:\d+: parse error/);
  });

  it('an unreachable server is exit 3; no server configured is exit 2', async () => {
    const port = await closedPort();
    const down = await obs(['metrics', 'up', '--prometheus', `http://127.0.0.1:${port}`, '--from', from, '--to', to]);
    expect(down.exitCode).toBe(3);
    expect(down.stderr).toContain('connection refused');
    const none = await obs(['metrics', 'up', '--from', from, '--to', to]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('no Prometheus to query');
  });
});

describe('against a Prometheus with basic auth and a failing remote read', () => {
  // bcrypt of the password below (cost 4), as Prometheus' web config wants it.
  const auth = { username: 'obs', password: 'obs-test-pass', bcrypt: '$2b$04$DFcxEUiWE4woVRTkTSvAoOx2mjPtCMUPKtCtNgYpzUCThPkXx1g5C' };
  let server: PrometheusServer;
  beforeAll(async () => {
    server = await startPrometheus({ remoteReadWarnings: true, basicAuth: auth });
  });
  afterAll(async () => {
    await server?.stop();
  });
  const thread = truth.threads[0]!;

  it('sends the credentials from the environment and never prints them', async () => {
    const env = { OBS_PROMETHEUS_URL: server.url, OBS_PROMETHEUS_USERNAME: auth.username, OBS_PROMETHEUS_PASSWORD: auth.password };
    const r = await query(['--thread', thread.thread_ts], env);
    expect(r.exitCode).toBe(0);
    expect(r.data.metrics.series.length).toBeGreaterThan(0);
    expect(r.stderr + JSON.stringify(r.data)).not.toContain(auth.password);
  });

  it('without credentials: HTTP 401 explained, exit 4, the rest answered', async () => {
    const r = await query(['--thread', thread.thread_ts, '--prometheus', server.url]);
    expect(r.exitCode).toBe(4);
    expect(r.data.metrics.error).toContain('refused the request (HTTP 401)');
    expect(r.stderr).toContain('OBS_PROMETHEUS_USERNAME');
    expect(r.data.llm.calls).toBe(thread.llm_calls.total);
  });

  it('surfaces Prometheus warnings on stderr and in JSON', async () => {
    const cwd = configDir({ prometheus: { url: server.url, basic_auth: { username: auth.username, password: auth.password }, queries: [{ name: 'remote', query: `sum(${WARNING_SELECTOR}) or sum(up)` }] } });
    const r = await obsJson<QueryDoc>(['query', ...LOGS, '--thread', thread.thread_ts], { cwd });
    expect(r.exitCode).toBe(0);
    expect(r.data.metrics.warnings.length).toBeGreaterThan(0);
    expect(r.data.metrics.warnings[0]).toMatch(/^remote_read: /);
    expect(r.data.warnings.some((w) => w.startsWith('Prometheus: remote_read: '))).toBe(true);
    expect(r.stderr).toContain('warning: Prometheus: remote_read: ');
    const m = await obsJson<{ warnings: string[] }>(['metrics', WARNING_SELECTOR, '--from', '2026-11-21T22:18:05Z', '--to', '2026-11-21T22:20:01Z'], { cwd });
    expect(m.data.warnings[0]).toMatch(/^remote_read: /);
  });

  it('a server that stops answering: the timeout, exit 4, the rest answered', async () => {
    const env = { OBS_PROMETHEUS_USERNAME: auth.username, OBS_PROMETHEUS_PASSWORD: auth.password };
    server.pause();
    try {
      const started = Date.now();
      const r = await query(['--thread', thread.thread_ts, '--prometheus', server.url, '--prometheus-timeout', '700ms'], env);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(r.exitCode).toBe(4);
      expect(r.data.metrics.error).toContain(`Prometheus at ${server.url} did not answer within 0.7s`);
      expect(r.stderr).toContain('raise --prometheus-timeout');
      expect(r.data.llm.calls).toBe(thread.llm_calls.total);
    } finally {
      server.resume();
    }
  });
});
