/**
 * obs against VictoriaMetrics (Debian's 1.79 package, single node, default query
 * settings; test/setup/victoriametrics.ts) holding the samples the fixture
 * Prometheus serves (fixtures/prometheus/metrics.om): `obs metrics`, `obs query`
 * and `obs report` answer as they do against Prometheus, modulo the differences
 * below. Each difference is stated as a rule, and VictoriaMetrics' answer is
 * compared with what the real Prometheus answers under that rule (usually as a
 * PromQL expression that computes it), so any other difference still fails.
 *
 * D1 Step alignment. With its response cache on (the default), VictoriaMetrics
 *    moves a range query of 50 points or more to start at a multiple of the
 *    step, keeping the number of points: start' = start − (start mod step),
 *    end' = start' + (points − 1) × step. Its points are then Prometheus' points
 *    for [start', end'], up to one step before the window obs asked for.
 * D2 Staleness. Prometheus takes an instant vector's sample from the last
 *    5 minutes (the lookback delta; backfilled data has no staleness markers).
 *    VictoriaMetrics takes it from the last max(step, 5 × the series' sample
 *    interval) when that interval is at most 2 s (more for longer intervals):
 *    here 5 s for 1 s samples at a 1 s step. A series stops 5 s after its last
 *    sample instead of 5 minutes. In PromQL on Prometheus:
 *    `S unless (time() - timestamp(S) >= 5)`.
 * D3 increase() and rate() without extrapolation. Prometheus extrapolates the
 *    increase between the first and last sample inside the range to the
 *    range's edges (1.016 where one call was made). VictoriaMetrics' increase(S[d])
 *    is the exact difference between the last sample in (t − d, t] and the last
 *    one at or before t − d, taking 0 for a series that starts inside the range
 *    with a small first value (it does so when the first value is under
 *    10 × (the next increase + 1)): in PromQL on Prometheus,
 *    `S - (S offset d or S * 0)`. Its rate() divides that difference by the time
 *    between the two samples, which is d for a series sampled every second
 *    since at least t − d; for a series that starts inside the range it starts
 *    from the first sample instead. So a p95 over histograms summed across
 *    series born at different times differs until d after the last birth.
 * D4 NaN. Where Prometheus answers NaN (a histogram_quantile over buckets that
 *    all grew by 0), VictoriaMetrics leaves the point out (obs: null, or no point).
 * D5 Range selectors. A range selector's samples are those in (t − d, t] for
 *    VictoriaMetrics, [t − d, t] for Prometheus 2.42. obs's alerts keep the
 *    evaluations in (from, to], so both give the same report.
 * D6 Label order. VictoriaMetrics does not always write label names in order
 *    (the raw samples of a range selector in an instant query, which obs's
 *    alerts read, and /api/v1/series); obs sorts them, so the documents are
 *    the same text.
 * D7 Metric names and series are looked up by whole UTC days: a window on the
 *    run's day without samples still names the run's metrics (Prometheus: none).
 *    obs then runs queries that return no series.
 * D8 Errors. A syntax error is HTTP 422 (errorType "422") naming the text left
 *    unparsed, not HTTP 400 with a position; obs still says the query was
 *    rejected, exit 2. MetricsQL accepts some expressions PromQL rejects
 *    (`rate(x)` without a range): those are answered.
 * D9 Exemplars: VictoriaMetrics 1.79 stores none and answers every exemplar
 *    query with an empty list (HTTP 200, also where Prometheus answers 204);
 *    /api/v1/alerts answers no alerts unless it proxies to vmalert.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { PrometheusClient } from '../../src/prometheus/client.js';
import { CORPUS, obs, obsJson } from '../helpers/cli.js';
import { FIXTURE_WINDOW } from '../helpers/prometheus.js';

const vm = inject('victoriaMetricsUrl');
const prom = inject('prometheusUrl');

type Labels = Record<string, string>;
type Point = [number, number | null];

interface SeriesDoc {
  name: string;
  query: string;
  labels: Labels;
  match: string;
  matched_labels: string[];
  other_labels: string[];
  points: Point[];
}

interface QueryDoc {
  window: { from: string; to: string };
  metrics: {
    url: string;
    queried: boolean;
    step_seconds: number;
    rate_interval_seconds: number;
    queries: Array<{ name: string; query: string; series: number; error: string | null }>;
    series: SeriesDoc[];
    exemplars: unknown[];
    exemplars_error: string | null;
    warnings: string[];
    error: string | null;
  };
  warnings: string[];
  [key: string]: unknown;
}

interface MetricsDoc {
  url: string;
  window: { from: string; to: string };
  step_seconds: number;
  series: Array<{ labels: Labels; points: Point[] }>;
  warnings: string[];
}

const truth = JSON.parse(readFileSync(path.join(CORPUS, 'truth.json'), 'utf8')) as { global: { llm_calls: { total: number } } };
const THREAD = '1795299499.694654';
const QUERY_LOGS = ['--logs', path.join(CORPUS, 'logs'), '--logs', path.join(CORPUS, 'tracebacks')];
/** D2: 5 × the fixture's 1 s sample interval. */
const VM_STALENESS_SECONDS = 5;
/** The whole run as a range, rounded up to whole seconds. */
const RUN_RANGE = `${Math.ceil(FIXTURE_WINDOW.end - FIXTURE_WINDOW.start)}s`;

const key = (labels: Labels): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

async function api<T>(url: string, endpoint: string, params: Record<string, string>): Promise<T> {
  const response = await fetch(`${url}/api/v1/${endpoint}`, { method: 'POST', body: new URLSearchParams(params) });
  const body = (await response.json()) as { status: string; data: T };
  expect(body.status, `${url} ${endpoint} ${JSON.stringify(params)}: ${JSON.stringify(body)}`).toBe('success');
  return body.data;
}

/** A range query's series by label set (times in seconds; times and step given in milliseconds, exact). */
async function range(url: string, query: string, startMs: number, endMs: number, stepMs: number): Promise<Map<string, Array<[number, string]>>> {
  const data = await api<{ result: Array<{ metric: Labels; values: Array<[number, string]> }> }>(url, 'query_range', {
    query,
    start: String(startMs / 1000),
    end: String(endMs / 1000),
    step: String(stepMs / 1000),
  });
  return new Map(data.result.map((s) => [key(s.metric), s.values]));
}

/** D1: the window VictoriaMetrics evaluates a range query over. */
function vmWindow(startMs: number, endMs: number, stepMs: number): { startMs: number; endMs: number } {
  const points = Math.floor((endMs - startMs) / stepMs) + 1;
  if (points < 50) return { startMs, endMs };
  const aligned = startMs - (startMs % stepMs);
  return { startMs: aligned, endMs: aligned + (points - 1) * stepMs };
}

const SELECTOR = String.raw`[A-Za-z_:][A-Za-z0-9_:]*(?:\{[^}]*\})?`;

function durationSeconds(d: string): number {
  const m = /^(\d+)(s|m)$/.exec(d);
  if (!m) throw new Error(`unexpected duration ${d}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

/**
 * The PromQL whose answer on Prometheus is VictoriaMetrics' answer to `query`
 * (D2, D3). Only the shapes obs's default queries and these tests use are
 * known; any other query fails the test rather than being compared loosely.
 */
function promEquivalent(query: string, stepSeconds: number): string {
  if (new RegExp(`^${SELECTOR}$`).test(query.trim())) {
    return `(${query} unless (time() - timestamp(${query}) >= ${Math.max(stepSeconds, VM_STALENESS_SECONDS)}))`;
  }
  let rewritten = 0;
  const out = query.replace(new RegExp(`\\b(increase|rate)\\((${SELECTOR})\\[(\\d+[sm])\\]\\)`, 'g'), (_whole, fn: string, s: string, d: string) => {
    rewritten++;
    const delta = `(${s} - (${s} offset ${d} or ${s} * 0))`;
    return fn === 'increase' ? delta : `(${delta} / ${durationSeconds(d)})`;
  });
  if (rewritten === 0) throw new Error(`no VictoriaMetrics equivalent known for ${query}`);
  return out;
}

/** The first sample time of the last series of `metric` to start, from Prometheus' stored samples (D3). */
async function lastBirth(metric: string): Promise<number> {
  const data = await api<{ result: Array<{ values: Array<[number, string]> }> }>(prom, 'query', {
    query: `${metric}[${RUN_RANGE}]`,
    time: String(FIXTURE_WINDOW.end),
  });
  expect(data.result.length, metric).toBeGreaterThan(0);
  return Math.max(...data.result.map((s) => s.values[0]![0]));
}

/**
 * VictoriaMetrics' points (as obs printed them) against Prometheus' answer to
 * the equivalent query over VictoriaMetrics' window: the same label sets (a
 * series that is NaN throughout has none, D4), the same times, the same values
 * (to `relative` for histogram_quantile, whose arithmetic differs in the last
 * bits). `from` leaves out earlier points (D3's precondition for rate()).
 */
function expectSameSeries(
  got: Array<{ labels: Labels; points: Point[] }>,
  expected: Map<string, Array<[number, string]>>,
  options: { relative?: number; from?: number } = {},
): number {
  const from = options.from ?? -Infinity;
  const want = new Map(
    [...expected]
      .map(([k, values]) => [k, values.filter(([, v]) => v !== 'NaN').map(([t, v]) => [t, Number(v)] as [number, number])] as const)
      .filter(([, values]) => values.length > 0)
      .map(([k, values]) => [k, values.filter(([t]) => t >= from)] as const),
  );
  const have = new Map(got.map((s) => [key(s.labels), s.points.filter(([t]) => t >= from)]));
  expect([...have.keys()].sort()).toEqual([...want.keys()].sort());
  let compared = 0;
  for (const [k, points] of have) {
    const expectedPoints = want.get(k)!;
    expect(points.map(([t]) => t), k).toEqual(expectedPoints.map(([t]) => t));
    for (const [i, [t, v]] of points.entries()) {
      const w = expectedPoints[i]![1];
      if (options.relative === undefined) expect(v, `${k} at ${t}`).toBe(w);
      else expect(Math.abs((v ?? NaN) - w), `${k} at ${t}: ${v} vs ${w}`).toBeLessThanOrEqual(options.relative * Math.max(1, Math.abs(w)));
      compared++;
    }
  }
  return compared;
}

const ms = (iso: string): number => Date.parse(iso);

describe('obs metrics against VictoriaMetrics', () => {
  it('increase(): the exact increase, where Prometheus extrapolates (D3)', async () => {
    const q = 'sum by (model) (increase(planner_llm_calls_total[1m]))';
    const from = '2026-11-21T22:18:05Z';
    const to = '2026-11-21T22:20:01Z';
    const r = await obsJson<MetricsDoc>(['metrics', q, '--prometheus', vm, '--from', from, '--to', to]);
    expect(r.exitCode).toBe(0);
    expect(r.data.url).toBe(vm);
    expect(r.data.step_seconds).toBe(1);
    expect(r.data.warnings).toEqual([]);
    const w = vmWindow(ms(from), ms(to), 1000);
    const same = await range(prom, promEquivalent(q, 1), w.startMs, w.endMs, 1000);
    expect(expectSameSeries(r.data.series, same)).toBeGreaterThan(300);
    // Integer counters, integer increases: 1 where Prometheus says 1.016.
    for (const s of r.data.series) for (const [, v] of s.points) expect(Number.isInteger(v)).toBe(true);
    const promOwn = await obsJson<MetricsDoc>(['metrics', q, '--prometheus', prom, '--from', from, '--to', to]);
    expect(promOwn.data.series.map((s) => key(s.labels)).sort()).toEqual(r.data.series.map((s) => key(s.labels)).sort());
    const extrapolated = promOwn.data.series.flatMap((s) => s.points).filter(([, v]) => v !== null && !Number.isInteger(v));
    expect(extrapolated.length).toBeGreaterThan(0);
  });

  it('a selector: Prometheus\' samples, each for 5 s after it instead of 5 minutes, on the step grid (D1, D2)', async () => {
    const q = 'ALERTS{alertstate="firing"}';
    // The thread's metrics window: its start is not on the 1 s grid.
    const from = '2026-11-21T22:17:19.698Z';
    const to = '2026-11-21T22:20:19.388Z';
    const r = await obsJson<MetricsDoc>(['metrics', q, '--prometheus', vm, '--from', from, '--to', to]);
    expect(r.exitCode).toBe(0);
    expect(r.data.series).toHaveLength(19);
    // D1: every point on a whole second, the first ones before --from.
    for (const s of r.data.series) for (const [t] of s.points) expect(Number.isInteger(t)).toBe(true);
    const w = vmWindow(ms(from), ms(to), 1000);
    expect(w.startMs).toBe(ms('2026-11-21T22:17:19Z'));
    expect(expectSameSeries(r.data.series, await range(prom, promEquivalent(q, 1), w.startMs, w.endMs, 1000))).toBeGreaterThan(1000);

    // Against Prometheus itself: its points are at --from + k s, and go on to the window's end.
    const promOwn = await obsJson<MetricsDoc>(['metrics', q, '--prometheus', prom, '--from', from, '--to', to]);
    for (const s of promOwn.data.series) {
      expect(s.points[0]![0] % 1).toBeCloseTo(0.698, 3);
      expect(s.points.at(-1)![0]).toBeCloseTo(ms(to) / 1000 - 0.69, 1);
    }
    for (const s of r.data.series) expect(s.points.at(-1)![0]).toBeLessThanOrEqual(Math.ceil(FIXTURE_WINDOW.end) + VM_STALENESS_SECONDS);
  });

  it('an aggregation over many days, --step raised to stay under 11,000 points (D1, D2 at a 16 s step)', async () => {
    const from = '2026-11-20T00:00:00Z';
    const to = '2026-11-21T22:20:00Z';
    const r = await obsJson<MetricsDoc>(['metrics', 'sum(up)', '--prometheus', vm, '--from', from, '--to', to, '--step', '1s']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('would give more than 11,000 points per series');
    const step = r.data.step_seconds;
    expect(step).toBe(Math.ceil((ms(to) - ms(from)) / 1000 / 10_999));
    const w = vmWindow(ms(from), ms(to), step * 1000);
    const same = await range(prom, `sum(up unless (time() - timestamp(up) >= ${Math.max(step, VM_STALENESS_SECONDS)}))`, w.startMs, w.endMs, step * 1000);
    expect(expectSameSeries(r.data.series, same)).toBeGreaterThan(5);
  });

  it('a syntax error: HTTP 422 naming the text left unparsed, said as a rejected query, exit 2 (D8)', async () => {
    const args = ['--from', '2026-11-21T22:18:05Z', '--to', '2026-11-21T22:20:01Z'];
    const r = await obs(['metrics', 'sum(rate(x[1m]', '--prometheus', vm, ...args]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: Prometheus rejected the query\nreason: HTTP 422: error when executing query="sum\(rate\(x\[1m\]".*unparsed data/m);
    const p = await obs(['metrics', 'sum(rate(x[1m]', '--prometheus', prom, ...args]);
    expect(p.exitCode).toBe(2);
    expect(p.stderr).toMatch(/^error: Prometheus rejected the query\nreason: HTTP 400 bad_data: 1:\d+: parse error/m);

    const manyToMany = 'planner_llm_calls_total * on (model) planner_llm_tokens_total';
    for (const url of [vm, prom]) {
      const m = await obs(['metrics', manyToMany, '--prometheus', url, ...args]);
      expect(m.exitCode, url).toBe(2);
      expect(m.stderr, url).toMatch(/^error: Prometheus could not evaluate the query\nreason: HTTP 422/m);
    }
  });

  it('MetricsQL answers some expressions PromQL rejects (D8)', async () => {
    const args = ['metrics', 'sum(rate(planner_llm_calls_total))', '--from', '2026-11-21T22:18:05Z', '--to', '2026-11-21T22:20:01Z'];
    const v = await obsJson<MetricsDoc>([...args, '--prometheus', vm]);
    expect(v.exitCode).toBe(0);
    expect(v.data.series).toHaveLength(1);
    const p = await obs([...args, '--prometheus', prom]);
    expect(p.exitCode).toBe(2);
    expect(p.stderr).toContain('error: Prometheus rejected the query');
  });
});

describe(`obs query --thread ${THREAD} against VictoriaMetrics`, async () => {
  const [v, p] = await Promise.all([
    obsJson<QueryDoc>(['query', ...QUERY_LOGS, '--thread', THREAD, '--prometheus', vm]),
    obsJson<QueryDoc>(['query', ...QUERY_LOGS, '--thread', THREAD, '--prometheus', prom]),
  ]);

  it('answers in full, metrics included, exit 0, as against Prometheus', () => {
    expect(v.exitCode).toBe(0);
    expect(p.exitCode).toBe(0);
    expect(v.data.metrics.error).toBeNull();
    expect(v.data.metrics.url).toBe(vm);
    expect(v.data.metrics.warnings).toEqual([]);
    expect(v.data.warnings).toEqual([]);
    // Everything but the metrics is the logs' answer.
    const { metrics: _v, ...restV } = v.data;
    const { metrics: _p, ...restP } = p.data;
    expect(restV).toEqual(restP);
  });

  it('runs the same queries at the same step, and finds the same series joined to the thread the same way (D6)', () => {
    expect(v.data.metrics.step_seconds).toBe(p.data.metrics.step_seconds);
    expect(v.data.metrics.rate_interval_seconds).toBe(p.data.metrics.rate_interval_seconds);
    expect(v.data.metrics.queries).toEqual(p.data.metrics.queries);
    expect(v.data.metrics.queries.length).toBeGreaterThanOrEqual(8);
    const shape = (d: QueryDoc): string[] =>
      d.metrics.series.map((s) => JSON.stringify([s.name, s.query, s.labels, s.match, s.matched_labels, s.other_labels])).sort();
    // Labels printed with their names in order, so the JSON is the same text.
    expect(shape(v.data)).toEqual(shape(p.data));
    expect(v.data.metrics.series.some((s) => s.match === 'thread')).toBe(true);
  });

  it("has Prometheus' points, modulo step alignment, staleness, increase and rate, and NaN (D1-D4)", async () => {
    const step = v.data.metrics.step_seconds;
    const rateInterval = v.data.metrics.rate_interval_seconds;
    const w = vmWindow(ms(v.data.window.from), ms(v.data.window.to), step * 1000);
    expect(w.startMs).not.toBe(ms(v.data.window.from));
    let compared = 0;
    for (const q of v.data.metrics.queries) {
      const got = v.data.metrics.series.filter((s) => s.name === q.name);
      expect(got.length, q.name).toBe(q.series);
      for (const s of got) for (const [t, value] of s.points) {
        expect(t % step, `${q.name} at ${t}`).toBe(0);
        expect(value, `${q.name} at ${t}`).not.toBeNull();
      }
      const expected = await range(prom, promEquivalent(q.query, step), w.startMs, w.endMs, step * 1000);
      const histogram = /^histogram_quantile\(0\.95, sum by \(le, stage\) \(rate\((\w+_bucket)\[/.exec(q.query);
      if (histogram) {
        const from = (await lastBirth(histogram[1]!)) + rateInterval;
        compared += expectSameSeries(got, expected, { relative: 1e-9, from });
      } else {
        compared += expectSameSeries(got, expected);
      }
    }
    expect(compared).toBeGreaterThan(5000);
  });

  it('reads no exemplars, and says nothing is wrong (D9)', () => {
    expect(v.data.metrics.exemplars).toEqual([]);
    expect(v.data.metrics.exemplars_error).toBeNull();
    expect(v.stderr).not.toContain('exemplars not read');
  });

  it('prints the terminal view with a sparkline per series', async () => {
    const r = await obs(['query', ...QUERY_LOGS, '--thread', THREAD, '--prometheus', vm, '-o', 'table']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`Metrics from ${vm}`);
    expect(r.stdout).toMatch(/[▁▂▃▄▅▆▇█]{10,}/);
  });
});

interface Report {
  window: { from: string; to: string };
  alerts: { url: string; query: string; count: number; firing: Array<{ alertname: string; labels: Labels; first_firing: string; samples: number }> } | null;
  alerts_reason: string | null;
  [key: string]: unknown;
}

describe('obs report against VictoriaMetrics', () => {
  const ENV = { OBS_NOW: '2026-11-21T22:20:05Z' };

  it('gives the report it gives against Prometheus, alerts included (D5, D6)', async () => {
    const args = ['report', '--logs', CORPUS, '--since', '24h'];
    const [v, p] = await Promise.all([obsJson<Report>([...args, '--prometheus', vm], { env: ENV }), obsJson<Report>([...args, '--prometheus', prom], { env: ENV })]);
    expect(v.exitCode).toBe(0);
    expect(v.data.alerts_reason).toBeNull();
    expect(v.data.alerts!.url).toBe(vm);
    expect(v.data.alerts!.count).toBe(19);
    // The same text, label names in the same order (toEqual would not see the order).
    expect(JSON.stringify({ ...v.data, alerts: { ...v.data.alerts, url: null } })).toBe(JSON.stringify({ ...p.data, alerts: { ...p.data.alerts, url: null } }));
  });

  it('leaves out an evaluation exactly at the window\'s start, as obs does with Prometheus (D5)', async () => {
    const from = '2026-11-21T22:19:00.547Z';
    const to = '2026-11-21T22:20:05Z';
    // The servers' own answers differ there: Prometheus 2.42 includes t - range.
    const query = `ALERTS{alertstate="firing"}[${ms(to) - ms(from)}ms]`;
    const times = async (url: string): Promise<number[]> => {
      const data = await api<{ result: Array<{ values: Array<[number, string]> }> }>(url, 'query', { query, time: String(ms(to) / 1000) });
      return data.result.flatMap((s) => s.values.map(([t]) => t));
    };
    const [vmTimes, promTimes] = await Promise.all([times(vm), times(prom)]);
    expect(Math.min(...promTimes)).toBe(ms(from) / 1000);
    expect(Math.min(...vmTimes)).toBe(ms(from) / 1000 + 1);
    expect(promTimes.length - vmTimes.length).toBe(promTimes.filter((t) => t === ms(from) / 1000).length);

    const args = ['report', '--logs', CORPUS, '--from', from, '--to', to];
    const [v, p] = await Promise.all([obsJson<Report>([...args, '--prometheus', vm], { env: ENV }), obsJson<Report>([...args, '--prometheus', prom], { env: ENV })]);
    expect(v.exitCode).toBe(0);
    expect(JSON.stringify(v.data.alerts!.firing)).toBe(JSON.stringify(p.data.alerts!.firing));
    expect(v.data.alerts!.firing.every((a) => a.first_firing > from)).toBe(true);
  });
});

describe('PrometheusClient against VictoriaMetrics', () => {
  const client = new PrometheusClient({ url: vm, auth: null, timeoutMs: 10_000, from: 'test' });
  const promClient = new PrometheusClient({ url: prom, auth: null, timeoutMs: 10_000, from: 'test' });
  const { start, end } = FIXTURE_WINDOW;

  it('answers the fixture tests\' instant queries as Prometheus does', async () => {
    for (const q of [
      `sum(last_over_time(planner_llm_calls_total[${RUN_RANGE}]))`,
      `sum by (model, status) (last_over_time(planner_llm_calls_total[${RUN_RANGE}]))`,
      `sum by (model, type) (last_over_time(planner_llm_tokens_total[${RUN_RANGE}]))`,
      'count(planner_stage_duration_seconds_count)',
    ]) {
      const [a, b] = await Promise.all([client.query(q, end), promClient.query(q, end)]);
      expect(a.data.resultType, q).toBe('vector');
      const values = (d: typeof a.data): string[] =>
        d.resultType === 'vector' ? d.result.map((s) => `${key(s.metric)} ${s.value[1]}`).sort() : [];
      expect(values(a.data), q).toEqual(values(b.data));
    }
    const total = await client.query(`sum(last_over_time(planner_llm_calls_total[${RUN_RANGE}]))`, end);
    expect(total.data.resultType === 'vector' && Number(total.data.result[0]!.value[1])).toBe(truth.global.llm_calls.total);
  });

  it('lists the same series; metric names by whole days (D7)', async () => {
    const [a, b] = await Promise.all([client.series(['planner_stage_duration_seconds_count'], start, end), promClient.series(['planner_stage_duration_seconds_count'], start, end)]);
    // JSON text: the label names in the same order too (D6).
    const sorted = (labels: Labels[]): string[] => labels.map((l) => JSON.stringify(l)).sort();
    expect(sorted(a.data)).toEqual(sorted(b.data));
    expect(a.data).toHaveLength(4);
    const names = (await client.metricNames(start, end)).data;
    expect(names).toEqual((await promClient.metricNames(start, end)).data);
    // Two hours before the run, on the same UTC day: Prometheus has no names, VictoriaMetrics the day's.
    expect((await promClient.metricNames(start - 7200, start - 3600)).data).toEqual([]);
    expect((await client.metricNames(start - 7200, start - 3600)).data).toEqual(names);
    // The day before: none on either.
    expect((await client.metricNames(start - 86400, start - 86400 + 3600)).data).toEqual([]);
  });

  it('answers exemplar and alert queries with none (D9)', async () => {
    expect(await client.queryExemplars('planner_stage_duration_seconds_bucket', start, end)).toEqual({ data: [], warnings: [], infos: [] });
    expect((await client.queryExemplars('vector(1)', start, end)).data).toEqual([]);
    expect((await client.alerts()).data).toEqual([]);
  });
});
