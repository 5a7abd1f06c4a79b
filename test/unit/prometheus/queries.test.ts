import { describe, expect, it } from 'vitest';
import { MAX_POINTS } from '../../../src/prometheus/client.js';
import { alternation, chooseStep, defaultQueries, fillTemplate, regexLiteral } from '../../../src/prometheus/queries.js';
import { onGrid, sparkline } from '../../../src/output/sparkline.js';

describe('chooseStep', () => {
  it('aims at 250 points per series, at least 1 s', () => {
    expect(chooseStep(180).seconds).toBe(1);
    expect(chooseStep(3600).seconds).toBe(15);
    expect(chooseStep(86_400).seconds).toBe(346);
  });
  it('keeps a requested step unless the window would need more than 11,000 points', () => {
    expect(chooseStep(3600, 5)).toEqual({ seconds: 5 });
    const week = 7 * 86_400;
    const r = chooseStep(week, 1);
    expect(r.raisedFrom).toBe(1);
    expect(week / r.seconds).toBeLessThanOrEqual(MAX_POINTS);
  });
});

describe('PromQL templates', () => {
  it('escapes regex metacharacters for a double-quoted PromQL string', () => {
    expect(regexLiteral('gpt-4.1')).toBe('gpt-4\\\\.1');
    expect(regexLiteral('a"b')).toBe('a\\"b');
    expect(regexLiteral('x|y(z)')).toBe('x\\\\|y\\\\(z\\\\)');
  });
  it('matches a model as written and as client libraries sanitise it', () => {
    expect(alternation(['google/gemini-2.5-flash'])).toBe('google/gemini-2\\\\.5-flash|google_gemini-2\\\\.5-flash');
    expect(alternation([])).toBe('.*');
  });
  it('fills the window, step, rate interval and label variables, and leaves unknown ones', () => {
    const q = fillTemplate('sum(increase(x{stage=~"$stages",model=~"$models"}[$rate_interval])) / $window $step $nope', {
      windowSeconds: 179.69,
      stepSeconds: 1,
      labels: { stage: ['plan', 'refine'], model: ['gpt-4o-mini'] },
    });
    expect(q).toBe('sum(increase(x{stage=~"plan|refine",model=~"gpt-4o-mini"}[60s])) / 180s 1s $nope');
  });
});

describe('defaultQueries', () => {
  it('picks counters and histograms by agent naming conventions, skips runtime metrics, adds firing alerts', () => {
    const names = [
      'planner_errors_total', 'planner_llm_calls_total', 'planner_llm_tokens_total', 'planner_tool_calls_total',
      'planner_stage_duration_seconds_bucket', 'nodejs_gc_duration_seconds_bucket', 'process_cpu_seconds_total',
      'http_requests_total', 'ALERTS',
    ];
    const q = defaultQueries(names);
    expect(q.map((x) => x.name)).toEqual([
      'planner_errors_total', 'planner_llm_calls_total', 'planner_llm_tokens_total', 'planner_tool_calls_total',
      'planner_stage_duration_seconds p95', 'alerts firing',
    ]);
    expect(q[4]!.query).toBe('histogram_quantile(0.95, sum by (le, stage) (rate(planner_stage_duration_seconds_bucket[$rate_interval])))');
    expect(defaultQueries(['up'])).toEqual([]);
  });
});

describe('sparkline', () => {
  it('scales between the lowest and highest value and keeps spikes when squeezed', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([0, 0, 9, 0, 0, 0], 3)).toBe('▁█▁');
    expect(sparkline([2, 2, 2])).toBe('███');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([1, null, 3])).toBe('▁ █');
  });
  it('places points on the query\'s time grid, gaps where a series had no sample', () => {
    expect(onGrid([[12, 1], [14, 1]], 10, 16, 2)).toEqual([null, 1, 1, null]);
    expect(sparkline(onGrid([[12.5, 1]], 10.5, 16.5, 2))).toBe(' █  ');
  });
});
