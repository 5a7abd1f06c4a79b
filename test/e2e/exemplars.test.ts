/**
 * Exemplars in `obs query`, against a real Prometheus that keeps them
 * (--enable-feature=exemplar-storage) and scrapes, every second, a small
 * OpenMetrics endpoint served here: a stage histogram whose bucket carries an
 * exemplar of one of thread 1795299499.694654's traces (ids from the sample
 * corpus), and an LLM-call counter whose exemplar names a trace no log knows.
 * The exemplars are stamped with the time of the first scrape, so the
 * thread's records are written at the current time too, into a temporary
 * log; the metrics window ([first record − 60s, last record + 60s]) then
 * covers them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PrometheusClient } from '../../src/prometheus/client.js';
import { CORPUS, obs, obsJson } from '../helpers/cli.js';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';

interface Exemplar {
  metric: string;
  series_labels: Record<string, string>;
  labels: Record<string, string>;
  ts: string;
  value: number | null;
  trace_id: string | null;
  span_id: string | null;
  in_subject: boolean;
}

interface QueryDoc {
  traces: Array<{ trace_id: string }>;
  metrics: { queried: boolean; error: string | null; exemplars: Exemplar[]; exemplars_error: string | null; warnings: string[] };
  warnings: string[];
}

interface Thread {
  thread_ts: string;
  session_key: string;
  channel_id: string;
  trace_ids_processed: string[];
}

const THREAD = '1795299499.694654';
const truth = JSON.parse(readFileSync(path.join(CORPUS, 'truth.json'), 'utf8')) as { threads: Thread[] };
const thread = truth.threads.find((t) => t.thread_ts === THREAD)!;
const [TRACE, SECOND_TRACE] = thread.trace_ids_processed as [string, string];
/** A span of TRACE, as the corpus' app log names it. */
const SPAN = readFileSync(path.join(CORPUS, 'logs', 'app.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Record<string, unknown>)
  .find((r) => r['trace_id'] === TRACE && typeof r['span_id'] === 'string')!['span_id'] as string;
/** A trace id in no log. */
const UNKNOWN_TRACE = 'feedfacefeedfacefeedfacefeedface';

/**
 * The scraped page. The histogram's exemplar is a second older than the
 * counter's, so time order and name order differ.
 */
function page(stamp: number): string {
  return [
    '# TYPE planner_stage_duration_seconds histogram',
    '# HELP planner_stage_duration_seconds Time spent in a stage.',
    'planner_stage_duration_seconds_bucket{stage="plan",le="1"} 0',
    `planner_stage_duration_seconds_bucket{stage="plan",le="5"} 3 # {trace_id="${TRACE}",span_id="${SPAN}"} 4.2 ${(stamp - 1).toFixed(3)}`,
    'planner_stage_duration_seconds_bucket{stage="plan",le="+Inf"} 3',
    'planner_stage_duration_seconds_sum{stage="plan"} 9.1',
    'planner_stage_duration_seconds_count{stage="plan"} 3',
    '# TYPE planner_llm_calls counter',
    '# HELP planner_llm_calls LLM calls.',
    `planner_llm_calls_total{model="gpt-4.1",status="ok"} 7 # {traceID="${UNKNOWN_TRACE}"} 1 ${stamp.toFixed(3)}`,
    '# EOF',
    '',
  ].join('\n');
}

let target: Server;
let targetAddress = '';
/** Unix seconds (ms precision) of the first scrape: the counter's exemplar time. */
let stamp: number | undefined;
let prometheus: PrometheusServer;
let logs = '';

async function serveMetrics(): Promise<void> {
  target = createServer((req, res) => {
    stamp ??= Date.now() / 1000;
    res.writeHead(200, { 'Content-Type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
    res.end(page(stamp));
  });
  await new Promise<void>((resolve, reject) => {
    target.once('error', reject);
    target.listen(0, '127.0.0.1', () => resolve());
  });
  const address = target.address();
  if (address === null || typeof address !== 'object') throw new Error('the metrics endpoint has no address');
  targetAddress = `127.0.0.1:${address.port}`;
}

/** Polls /api/v1/query_exemplars until both exemplars are stored (at most 30 s). */
async function waitForExemplars(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = '';
  for (;;) {
    const now = Date.now() / 1000;
    const body = new URLSearchParams({ query: '{__name__=~"planner_.+"}', start: String(now - 600), end: String(now + 60) });
    try {
      const res = await fetch(`${url}/api/v1/query_exemplars`, { method: 'POST', body, signal: AbortSignal.timeout(5_000) });
      last = `HTTP ${res.status}: ${await res.text()}`;
      const json = JSON.parse(last.slice(last.indexOf(':') + 2)) as { data?: Array<{ exemplars: unknown[] }> };
      if ((json.data ?? []).reduce((n, s) => n + s.exemplars.length, 0) >= 2) return;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline) {
      const targets = await fetch(`${url}/api/v1/targets`).then((r) => r.text(), (e: unknown) => String(e));
      throw new Error(
        `Prometheus at ${url} had not stored the 2 exemplars served at http://${targetAddress}/metrics after 30 s.\n` +
          `Last answer of /api/v1/query_exemplars: ${last}\nIts scrape targets: ${targets}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A log of the thread written now: two records, each with one of its trace ids. */
function writeLogs(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'obs-exemplars-'));
  const now = Date.now();
  const record = (ms: number, trace: string, message: string): string =>
    JSON.stringify({
      ts: new Date(ms).toISOString(),
      level: 'info',
      logger: 'planner.agents.timeboxing.agent',
      message,
      session_key: thread.session_key,
      trace_id: trace,
      stage: 'plan',
      thread_ts: thread.thread_ts,
      channel_id: thread.channel_id,
    });
  writeFileSync(
    path.join(dir, 'app.jsonl'),
    `${record(now - 2_000, TRACE, 'turn start stage=plan')}\n${record(now - 1_000, SECOND_TRACE, 'turn end stage=plan')}\n`,
  );
  return dir;
}

function configDir(config: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'obs-exemplars-config-'));
  writeFileSync(path.join(dir, 'obs.config.json'), JSON.stringify(config));
  return dir;
}

beforeAll(async () => {
  await serveMetrics();
  prometheus = await startPrometheus({
    openmetrics: null,
    remoteReadWarnings: false,
    exemplarStorage: true,
    scrape: { targets: [targetAddress], intervalSeconds: 1 },
  });
  await waitForExemplars(prometheus.url);
  logs = writeLogs();
});

afterAll(async () => {
  await prometheus?.stop();
  await new Promise((resolve) => (target ? target.close(resolve) : resolve(undefined)));
});

describe('PrometheusClient.queryExemplars against a server that stores them', () => {
  it('returns each series with its exemplars: labels, value as written, time in seconds', async () => {
    const client = new PrometheusClient({ url: prometheus.url, auth: null, timeoutMs: 10_000, from: 'test' });
    const at = stamp!;
    const r = await client.queryExemplars('planner_stage_duration_seconds_bucket', at - 60, at + 60);
    expect(r.warnings).toEqual([]);
    expect(r.data).toEqual([
      {
        seriesLabels: { __name__: 'planner_stage_duration_seconds_bucket', instance: targetAddress, job: 'obs-test', le: '5', stage: 'plan' },
        exemplars: [{ labels: { trace_id: TRACE, span_id: SPAN }, value: '4.2', timestamp: Math.round((at - 1) * 1000) / 1000 }],
      },
    ]);
    // A window that ends before the exemplar: none.
    expect((await client.queryExemplars('planner_stage_duration_seconds_bucket', at - 60, at - 2)).data).toEqual([]);
  });
});

describe(`obs query --thread ${THREAD} with exemplars`, () => {
  let doc: QueryDoc;
  let exitCode: number;
  beforeAll(async () => {
    const r = await obsJson<QueryDoc>(['query', '--logs', logs, '--thread', THREAD, '--prometheus', prometheus.url]);
    doc = r.data;
    exitCode = r.exitCode;
  });

  it('lists every exemplar of the queried series in the window, in time order', () => {
    expect(exitCode).toBe(0);
    expect(doc.metrics.error).toBeNull();
    expect(doc.metrics.exemplars_error).toBeNull();
    expect(doc.warnings).toEqual([]);
    expect(doc.metrics.exemplars.map((e) => e.metric)).toEqual(['planner_stage_duration_seconds_bucket', 'planner_llm_calls_total']);
    const times = doc.metrics.exemplars.map((e) => Date.parse(e.ts));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("flags the exemplar of the thread's trace, with its span and the series it belongs to", () => {
    expect(doc.traces.map((t) => t.trace_id)).toContain(TRACE);
    expect(doc.metrics.exemplars[0]).toEqual({
      metric: 'planner_stage_duration_seconds_bucket',
      series_labels: { instance: targetAddress, job: 'obs-test', le: '5', stage: 'plan' },
      labels: { trace_id: TRACE, span_id: SPAN },
      ts: new Date(Math.round((stamp! - 1) * 1000)).toISOString(),
      value: 4.2,
      trace_id: TRACE,
      span_id: SPAN,
      in_subject: true,
    });
  });

  it('reads a traceID label too, and leaves a trace of no loaded record out of the subject', () => {
    expect(doc.metrics.exemplars[1]).toMatchObject({
      metric: 'planner_llm_calls_total',
      series_labels: { model: 'gpt-4.1', status: 'ok' },
      ts: new Date(Math.round(stamp! * 1000)).toISOString(),
      value: 1,
      trace_id: UNKNOWN_TRACE,
      span_id: null,
      in_subject: false,
    });
  });

  it("shows the thread's exemplars under Metrics, with the command that follows one", async () => {
    const r = await obs(['query', '--logs', logs, '--thread', THREAD, '--prometheus', prometheus.url, '-o', 'table']);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    const metrics = lines.findIndex((l) => l.startsWith('Metrics from '));
    const block = lines.slice(metrics);
    expect(block).toContain("  exemplars  2 in the window, 1 from the thread's traces");
    const clock = new Date(Math.round((stamp! - 1) * 1000)).toISOString().slice(11, 23);
    expect(block.some((l) => l.startsWith(`    ${clock}  planner_stage_duration_seconds_bucket  4.2  trace ${TRACE}`))).toBe(true);
    expect(block).toContain('    obs trace <trace_id> follows one');
    expect(r.stdout).not.toContain(UNKNOWN_TRACE);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('asks each query on its own when a scalar query keeps them from being joined with `or`', async () => {
    const cwd = configDir({
      prometheus: {
        url: prometheus.url,
        queries: [
          { name: 'calls', query: 'sum(increase(planner_llm_calls_total[$rate_interval]))' },
          { name: 'plan count', query: 'scalar(sum(planner_stage_duration_seconds_count))' },
          { name: 'plan p95', query: 'histogram_quantile(0.95, sum by (le) (rate(planner_stage_duration_seconds_bucket[$rate_interval])))' },
        ],
      },
    });
    const r = await obsJson<QueryDoc>(['query', '--logs', logs, '--thread', THREAD], { cwd });
    expect(r.exitCode).toBe(0);
    expect(r.data.metrics.exemplars_error).toBeNull();
    expect(r.data.metrics.exemplars.map((e) => [e.trace_id, e.in_subject])).toEqual([
      [TRACE, true],
      [UNKNOWN_TRACE, false],
    ]);
  });
});

describe('obs query against a Prometheus without exemplar storage', () => {
  it('has no exemplars, no exemplar error and no warning', async () => {
    const url = inject('prometheusUrl');
    const r = await obsJson<QueryDoc>([
      'query', '--logs', path.join(CORPUS, 'logs'), '--logs', path.join(CORPUS, 'traces'), '--thread', THREAD, '--prometheus', url,
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.data.metrics.queried).toBe(true);
    expect(r.data.traces.map((t) => t.trace_id)).toContain(TRACE);
    expect(r.data.metrics.exemplars).toEqual([]);
    expect(r.data.metrics.exemplars_error).toBeNull();
    expect(r.data.metrics.warnings).toEqual([]);
    expect(r.data.warnings).toEqual([]);
    expect(r.stderr).not.toContain('exemplar');
  });
});
