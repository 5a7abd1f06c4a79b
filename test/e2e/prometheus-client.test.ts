/** The Prometheus client against the real fixture server: every endpoint obs uses, and its errors. */
import { describe, expect, inject, it } from 'vitest';
import { PrometheusClient, PrometheusError } from '../../src/prometheus/client.js';
import { FIXTURE_WINDOW } from '../helpers/prometheus.js';

const client = new PrometheusClient({ url: inject('prometheusUrl'), auth: null, timeoutMs: 10_000, from: 'test' });
const { start, end } = FIXTURE_WINDOW;

describe('PrometheusClient', () => {
  it('lists the metric names of a window', async () => {
    const r = await client.metricNames(start, end);
    expect(r.data).toContain('planner_llm_calls_total');
    expect(r.data).toContain('ALERTS');
    expect(r.warnings).toEqual([]);
  });

  it('lists series by selector', async () => {
    const r = await client.series(['planner_stage_duration_seconds_count'], start, end);
    expect(r.data.map((s) => s['stage']).sort()).toEqual(['collect', 'confirm', 'plan', 'refine']);
  });

  it('runs instant and range queries', async () => {
    const instant = await client.query('count(planner_stage_duration_seconds_count)', end);
    expect(instant.data.resultType).toBe('vector');
    if (instant.data.resultType === 'vector') expect(instant.data.result[0]?.value[1]).toBe('4');
    const range = await client.queryRange('count(planner_stage_duration_seconds_count)', start, end, 10);
    expect(range.data).toHaveLength(1);
    const times = range.data[0]!.values.map(([t]) => t);
    expect(times.length).toBeGreaterThan(5);
    for (const [i, t] of times.entries()) {
      expect(t).toBeGreaterThanOrEqual(start);
      expect(t).toBeLessThanOrEqual(end);
      if (i > 0) expect(((t - times[i - 1]!) * 1000) % 10_000).toBeCloseTo(0, 3);
    }
  });

  it('reads the alerts endpoint (no rules are loaded: none are active)', async () => {
    expect((await client.alerts()).data).toEqual([]);
  });

  it('reads exemplars: none from a server without exemplar storage, none for an expression that selects no series', async () => {
    const r = await client.queryExemplars('planner_stage_duration_seconds_bucket', start, end);
    expect(r.data).toEqual([]);
    expect(r.warnings).toEqual([]);
    // Prometheus answers HTTP 204 with no body to an expression without a selector.
    expect((await client.queryExemplars('vector(1)', start, end)).data).toEqual([]);
  });

  it('turns an exemplar query Prometheus cannot parse into a usage error', async () => {
    const err = await client.queryExemplars('sum(rate(planner_llm_calls_total[1m]', start, end).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusError);
    expect((err as PrometheusError).status).toBe(400);
    expect((err as PrometheusError).kind).toBe('bad_query');
    expect((err as PrometheusError).reason).toMatch(/parse error/);
  });

  it('turns a 422 execution error into a usage error with the server\'s message', async () => {
    const err = await client.queryRange('planner_llm_calls_total * on (model) planner_llm_tokens_total', start, end, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusError);
    expect((err as PrometheusError).status).toBe(422);
    expect((err as PrometheusError).errorType).toBe('execution');
    expect((err as PrometheusError).exitCode).toBe(2);
  });
});
