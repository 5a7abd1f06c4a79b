/**
 * The Prometheus fixture (fixtures/prometheus/metrics.om, served by the
 * globalSetup in test/setup/prometheus.ts) tells the same story as the
 * harness' record of the run (fixtures/sample-corpus/truth.json).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { CORPUS } from '../helpers/cli.js';
import { FIXTURE_WINDOW } from '../helpers/prometheus.js';

interface Truth {
  run: { start_utc: string; end_utc: string };
  global: {
    model_metric_label: Record<string, string>;
    llm_calls: { total: number; by_model_status: Record<string, number> };
    tokens: {
      prompt: number;
      completion: number;
      by_model: Record<string, { prompt: number; completion: number }>;
    };
    expected_final_counters: Record<string, Array<{ labels: Record<string, string>; value: number }>>;
  };
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
interface Series {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}
interface ApiResponse<T> {
  status: 'success' | 'error';
  data: { resultType: string; result: T[] };
  warnings?: string[];
  errorType?: string;
  error?: string;
}

const truth = JSON.parse(readFileSync(`${CORPUS}/truth.json`, 'utf8')) as Truth;
const url = inject('prometheusUrl');

/** The whole run as a PromQL range, rounded up to whole seconds. */
const RUN_RANGE = `${Math.ceil(FIXTURE_WINDOW.end - FIXTURE_WINDOW.start)}s`;

async function api<T>(path: string, params: Record<string, string>): Promise<ApiResponse<T>> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  const body = (await response.json()) as ApiResponse<T>;
  expect(body, `${path} ${JSON.stringify(params)}`).toMatchObject({ status: 'success' });
  return body;
}

async function instant(query: string, time = FIXTURE_WINDOW.end): Promise<Sample[]> {
  const body = await api<Sample>('/api/v1/query', { query, time: time.toFixed(3) });
  expect(body.warnings ?? [], query).toEqual([]);
  return body.data.result;
}

/** The last value of every series of `name` in the run, by the given labels (zeros left out). */
async function finalValues(name: string, by: string[]): Promise<Map<string, number>> {
  const result = await instant(`sum by (${by.join(', ')}) (last_over_time(${name}[${RUN_RANGE}]))`);
  const values = new Map<string, number>();
  for (const { metric, value } of result) {
    const v = Number(value[1]);
    if (v !== 0) values.set(by.map((label) => metric[label] ?? '').join('|'), v);
  }
  return values;
}

function metricModel(model: string): string {
  const label = truth.global.model_metric_label[model];
  expect(label, `truth.json global.model_metric_label has no entry for ${model}`).toBeDefined();
  return label ?? model;
}

describe('Prometheus fixture vs truth.json', () => {
  it('FIXTURE_WINDOW is the run of truth.json', () => {
    expect(FIXTURE_WINDOW.start * 1000).toBe(Date.parse(truth.run.start_utc));
    expect(FIXTURE_WINDOW.end * 1000).toBe(Date.parse(truth.run.end_utc));
  });

  it('holds samples only inside the run', async () => {
    // Every stored sample, over an hour around the run.
    const body = await api<Series>('/api/v1/query', {
      query: '{__name__=~".+"}[1h]',
      time: (FIXTURE_WINDOW.end + 1800).toFixed(3),
    });
    const times = body.data.result.flatMap((s) => s.values.map(([t]) => t));
    expect(times.length).toBeGreaterThan(0);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(FIXTURE_WINDOW.start);
    expect(Math.max(...times)).toBeLessThanOrEqual(FIXTURE_WINDOW.end);
  });

  it('counts the LLM calls of truth.json, in total and by model and status', async () => {
    const [total] = await instant(`sum(last_over_time(planner_llm_calls_total[${RUN_RANGE}]))`);
    expect(Number(total?.value[1])).toBe(truth.global.llm_calls.total);

    const expected = new Map(
      Object.entries(truth.global.llm_calls.by_model_status).map(([key, n]) => {
        const [model = '', status = ''] = key.split('|');
        return [`${metricModel(model)}|${status}`, n] as const;
      }),
    );
    expect(await finalValues('planner_llm_calls_total', ['model', 'status'])).toEqual(expected);
  });

  it('counts the tokens of truth.json, in total and by model', async () => {
    const expected = new Map<string, number>();
    for (const [model, tokens] of Object.entries(truth.global.tokens.by_model)) {
      expected.set(`${metricModel(model)}|prompt`, tokens.prompt);
      expected.set(`${metricModel(model)}|completion`, tokens.completion);
    }
    expect(await finalValues('planner_llm_tokens_total', ['model', 'type'])).toEqual(expected);
    expect(await finalValues('planner_llm_tokens_total', ['type'])).toEqual(
      new Map([
        ['prompt', truth.global.tokens.prompt],
        ['completion', truth.global.tokens.completion],
      ]),
    );
  });

  it('ends every counter listed in truth.json at its final value', async () => {
    for (const [name, series] of Object.entries(truth.global.expected_final_counters)) {
      if (!Array.isArray(series)) continue; // the "notes" entry
      const labels = [...new Set(series.flatMap((s) => Object.keys(s.labels)))].sort();
      const expected = new Map(series.map((s) => [labels.map((l) => s.labels[l] ?? '').join('|'), s.value]));
      expect(await finalValues(name, labels), name).toEqual(expected);
    }
  });

  it('has ALERTS firing inside the run for the failures truth.json records', async () => {
    const body = await api<Series>('/api/v1/query', {
      query: `ALERTS{alertstate="firing"}[${RUN_RANGE}]`,
      time: FIXTURE_WINDOW.end.toFixed(3),
    });
    const firing = body.data.result;
    expect(firing.length).toBeGreaterThan(0);
    for (const { metric, values } of firing) {
      expect(metric['severity'], JSON.stringify(metric)).toMatch(/^(warning|critical)$/);
      for (const [t] of values) {
        expect(t).toBeGreaterThanOrEqual(FIXTURE_WINDOW.start);
        expect(t).toBeLessThanOrEqual(FIXTURE_WINDOW.end);
      }
    }
    const fired = (alertname: string, label: string): Set<string> =>
      new Set(firing.filter((s) => s.metric['alertname'] === alertname).map((s) => s.metric[label] ?? ''));

    // Every model that had a failed call, and every component/error type counted in
    // planner_errors_total, raised its alert at some point of the run.
    const failingModels = Object.entries(truth.global.llm_calls.by_model_status)
      .filter(([key, n]) => key.endsWith('|error') && n > 0)
      .map(([key]) => metricModel(key.split('|')[0] ?? ''));
    expect([...fired('PlannerLLMCallErrors', 'model')].sort()).toEqual([...new Set(failingModels)].sort());

    const errorTypes = (truth.global.expected_final_counters['planner_errors_total'] ?? []).map(
      (s) => `${s.labels['component']}/${s.labels['error_type']}`,
    );
    const firedErrors = new Set(
      firing
        .filter((s) => s.metric['alertname'] === 'PlannerComponentErrors')
        .map((s) => `${s.metric['component']}/${s.metric['error_type']}`),
    );
    expect([...firedErrors].sort()).toEqual([...errorTypes].sort());
  });
});
