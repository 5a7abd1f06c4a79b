/**
 * The report's renderers on documents built here: the LLM table as the cost
 * roll-up will return it (cost, its basis, cache tokens, more percentiles),
 * the totals row, markdown escaping, and no escape codes without colour.
 */
import { describe, expect, it } from 'vitest';
import { llmTotal } from '../../../src/commands/report.js';
import { palette } from '../../../src/output/color.js';
import { mdCell } from '../../../src/output/markdown.js';
import { renderReport, renderReportMarkdown, usd, type ReportDoc } from '../../../src/output/report.js';

/** Rows as rollupLlmCalls returns them once LLM cost is reported. */
const costRows = [
  {
    model: 'gpt-4.1', calls: 3, errors: 1, error_rate: 0.3333, prompt_tokens: 3000, completion_tokens: 600, total_tokens: 3600,
    cache_read_tokens: 1200, cache_write_tokens: 0, reasoning_tokens: 0, cost_usd: 0.01234, cost_logged_calls: 2,
    cost_computed_calls: 0, cost_unknown_calls: 1, latency_known: 3, latency_p50_ms: 900, latency_p90_ms: 1500, latency_p95_ms: 1600, latency_p99_ms: 1700,
  },
  {
    model: 'mystery-model', calls: 2, errors: 0, error_rate: 0, prompt_tokens: 100, completion_tokens: 50, total_tokens: 150,
    cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, cost_usd: null, cost_logged_calls: 0,
    cost_computed_calls: 0, cost_unknown_calls: 2, latency_known: 2, latency_p50_ms: 300, latency_p90_ms: 400, latency_p95_ms: 410, latency_p99_ms: 420,
  },
  {
    model: 'gpt-4o-mini', calls: 4, errors: 0, error_rate: 0, prompt_tokens: 400, completion_tokens: 100, total_tokens: 500,
    cache_read_tokens: 0, cache_write_tokens: 64, reasoning_tokens: 0, cost_usd: 0.00021, cost_logged_calls: 1,
    cost_computed_calls: 3, cost_unknown_calls: 0, latency_known: 4, latency_p50_ms: 200, latency_p90_ms: 250, latency_p95_ms: 260, latency_p99_ms: 270,
  },
];
const allLatency = { latency_known: 9, latency_p50_ms: 400, latency_p90_ms: 1400, latency_p95_ms: 1550, latency_p99_ms: 1690 };

function doc(llm: ReportDoc['llm']): ReportDoc {
  const none = { sessions: 0, runs: 0, ok: 0, failed: 0, unfinished: 0, success_rate: null, avg_duration_ms: null, p95_duration_ms: null };
  return {
    window: { from: '2026-11-21T00:00:00.000Z', to: '2026-11-22T00:00:00.000Z', tz: 'UTC' },
    definitions: {},
    inputs: { files: 1, loaded: 1, skipped: 0, unreadable: 0, lines: 9, records: 9, untimed: 0, rejected: 0, repaired: 0, passed_over: 0, missing_index_targets: 0, issues: [] },
    sessions: { count: 0, with_errors: 0, with_failed_runs: 0, runs: none, by_stage: [], by_agent: [] },
    errors: {
      count: 1,
      fingerprints: 1,
      top: [{ fingerprint: 'abc', count: 1, error_type: 'KeyError', kind: 'exception', example_message: "bad <tag> | a_b *x* `c`\nsecond line", session_count: 1, stages: ['plan'], first_seen: '2026-11-21T10:00:00.000Z', last_seen: '2026-11-21T10:00:00.000Z' }],
    },
    llm,
    busiest_sessions: { ranked_by: ['total_tokens'], sessions: [] },
    per_hour: { hours: ['2026-11-21T10:00:00Z'], records: [9], errors: [1], llm_calls: [9], llm_errors: [1], runs: [0], failed_runs: [0], error_rate: [null] },
    alerts: null,
    alerts_reason: 'no Prometheus configured',
    warnings: [],
  };
}

describe('the LLM totals row', () => {
  it('adds up counts and tokens, sums the known costs, and recomputes the error rate', () => {
    const total = llmTotal(costRows, allLatency);
    expect(total).toMatchObject({
      calls: 9, errors: 1, error_rate: 0.1111, prompt_tokens: 3500, completion_tokens: 750, total_tokens: 4250,
      cache_read_tokens: 1200, cache_write_tokens: 64, cost_usd: 0.01255, cost_logged_calls: 3, cost_computed_calls: 3,
      cost_unknown_calls: 3, latency_known: 9, latency_p50_ms: 400, latency_p99_ms: 1690,
    });
    expect(Object.keys(total ?? {})).not.toContain('model');
  });
  it('keeps an unknown cost unknown, and has only the keys the rows have', () => {
    const rows = [{ model: 'x', calls: 1, errors: 0, error_rate: 0, total_tokens: 5, cost_usd: null, latency_p50_ms: 10 }];
    expect(llmTotal(rows, allLatency)).toEqual({ calls: 1, errors: 0, error_rate: 0, total_tokens: 5, cost_usd: null, latency_p50_ms: 400 });
    expect(llmTotal([], allLatency)).toBeNull();
  });
});

describe('markdown', () => {
  const md = renderReportMarkdown(doc({ by_model: costRows, total: llmTotal(costRows, allLatency) }));
  const llmSection = md.slice(md.indexOf('## LLM usage'), md.indexOf('## Busiest'));

  it('shows cost to 4 decimals, unknown costs as unknown, the cost basis, cache tokens and every percentile', () => {
    const lines = llmSection.split('\n').filter((l) => l.startsWith('|'));
    expect(lines[0]).toBe('| model | calls | errors | prompt | completion | total tokens | cache read | cache write | cost | cost from | p50 | p90 | p95 | p99 |');
    expect(lines[1]).toBe('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |');
    expect(lines[2]).toBe('| gpt-4.1 | 3 | 1 | 3,000 | 600 | 3,600 | 1,200 | 0 | $0.0123 | 2 logged | 900 ms | 1.50 s | 1.60 s | 1.70 s |');
    expect(lines[3]).toBe('| mystery-model | 2 | 0 | 100 | 50 | 150 | 0 | 0 | unknown | none | 300 ms | 400 ms | 410 ms | 420 ms |');
    expect(lines[4]).toBe('| gpt-4o-mini | 4 | 0 | 400 | 100 | 500 | 0 | 64 | $0.0002 | 1 logged, 3 computed | 200 ms | 250 ms | 260 ms | 270 ms |');
    expect(lines[5]).toBe('| **total** | **9** | **1** | **3,500** | **750** | **4,250** | **1,200** | **64** | **$0.0126** | **3 logged, 3 computed** | **400 ms** | **1.40 s** | **1.55 s** | **1.69 s** |');
    expect(llmSection).toContain('Note: 3 calls without a known cost (gpt-4.1 1, mystery-model 2): not in the cost figures.');
    // $0.0123 + $0.0002 as printed is $0.0125: the note says why the total shows $0.0126.
    expect(llmSection).toContain('Note: costs are rounded to $0.0001 per line; the total adds up the unrounded costs, $0.012550.');
  });

  it('escapes what markdown or HTML would read in a cell, and keeps each row on one line', () => {
    expect(mdCell("bad <tag> | a_b *x* `c` _y_\nnext")).toBe('bad &lt;tag&gt; \\| a_b \\*x\\* \\`c\\` \\_y\\_ next');
    expect(md).toContain('| 1 | KeyError | bad &lt;tag&gt; \\| a_b \\*x\\* \\`c\\` | 1 | plan |');
  });

  it('has no cost columns while the roll-up has no cost', () => {
    const rows = [{ model: 'm', calls: 1, errors: 0, error_rate: 0, prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, cached_tokens: 0, reasoning_tokens: 0, latency_known: 1, latency_p50_ms: 5, latency_p95_ms: 5 }];
    const plain = renderReportMarkdown(doc({ by_model: rows, total: llmTotal(rows, allLatency) }));
    expect(plain).toContain('| model | calls | errors | prompt | completion | total tokens | p50 | p95 |');
    expect(plain).not.toMatch(/cost from|without a known cost|\$/);
  });

  it('never renders a missing cost as zero', () => {
    expect(usd(null)).toBe('unknown');
    expect(usd(undefined)).toBe('unknown');
    expect(usd(0)).toBe('$0.0000');
  });
});

describe('terminal', () => {
  const capture = async (colour: boolean): Promise<string> => {
    let out = '';
    renderReport({ write: (s) => ((out += s), true) }, doc({ by_model: costRows, total: llmTotal(costRows, allLatency) }), { color: await palette(colour), width: 160 });
    return out;
  };
  it('writes no escape code without colour, and colours headings with it', async () => {
    expect(await capture(false)).not.toMatch(/\u001b\[/);
    expect(await capture(true)).toMatch(/\u001b\[1mobs report/);
  });
  it('shows the unknown cost and the note', async () => {
    const out = await capture(false);
    expect(out).toMatch(/mystery-model +2 +0 +100 +50 +150 +0 +0 +unknown/);
    expect(out).toContain('3 calls without a known cost (gpt-4.1 1, mystery-model 2): not in the cost figures');
  });
});
