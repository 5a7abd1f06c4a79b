/**
 * obs llm on fixtures/llm: one call per provider usage shape, a logged cost,
 * an unknown model, a failed call without tokens and a fine-tuned model priced
 * by the config file (see fixtures/llm/README.md). Costs are worked by hand in
 * the comments; percentiles are computed here from the raw file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, obs, obsJson } from '../helpers/cli.js';

type Row = Record<string, unknown>;
const DIR = `${FIXTURES}/llm`;
const ARGS = ['--logs', `${DIR}/logs`, '--config', `${DIR}/obs.config.json`];
const S1 = 'C0LLMFIXT01:1795302000.000100';
const S2 = 'C0LLMFIXT01:1795302060.000200';
const RAW = readFileSync(`${DIR}/logs/llm_io_20261121_230000_4242.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);

/** Linear interpolation between closest ranks, as DuckDB's quantile_cont. */
function quantile(values: number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (v[lo] as number) + ((v[hi] as number) - (v[lo] as number)) * (pos - lo);
}

describe('obs llm: cost per call with its source', () => {
  it('prices each provider shape, keeps the logged cost, and leaves unknown costs null', async () => {
    const { data, exitCode } = await obsJson<{ llm_calls: Row[]; price_table: string }>(['llm', ...ARGS]);
    expect(exitCode).toBe(0);
    expect(data.price_table).toMatch(/^genai-prices /);
    const by = Object.fromEntries(data.llm_calls.map((c) => [`${c['call_label']}@${c['source_line']}`, c]));
    const usd = (label: string): unknown => by[label]?.['cost_usd'];
    // USD per million tokens; "in" is uncached input.
    expect(usd('openai_chat@1')).toBeCloseTo(0.005335, 12); // o3-mini: 500·1.1 + 1500·0.55 + 900·4.4
    expect(usd('openai_responses@2')).toBeCloseTo(0.0033, 12); // gpt-4.1: 200·2 + 1000·0.5 + 300·8
    expect(usd('anthropic@3')).toBeCloseTo(0.01605, 12); // claude-sonnet-4: 50·3 + 2000·3.75 + 8000·0.3 + 400·15
    expect(usd('gemini_rest@4')).toBeCloseTo(0.00286, 12); // gemini-2.5-flash: 1000·0.3 + 2000·0.03 + (200+800)·2.5
    expect(usd('gemini_python@5')).toBeCloseTo(0.000675, 12); // 1000·0.3 + (100+50)·2.5
    expect(usd('otel_gen_ai@6')).toBeCloseTo(0.000165, 12); // gpt-4o-mini: 400·0.15 + 600·0.075 + 100·0.6
    expect(by['logged_cost@7']).toMatchObject({ cost_usd: 0.00042, cost_source: 'logged', cost_detail: { field: 'cost_usd' } });
    expect(by['unknown_model@8']).toMatchObject({ cost_usd: null, cost_source: 'unknown', cost_detail: { reason: expect.stringContaining('no price for model "acme-llm-7b"') } });
    expect(by['failed@9']).toMatchObject({ cost_usd: null, cost_source: 'unknown', cost_detail: { reason: 'the call logged no token counts' } });
    expect(by['fine_tuned@10']).toMatchObject({ cost_source: 'computed', cost_detail: { table: 'config prices[0]' } });
    expect(usd('fine_tuned@10')).toBeCloseTo(0.00054, 12); // config: 1000·0.3 + 200·1.2
    expect(usd('fine_tuned@11')).toBeCloseTo(0.00045, 12); // config from 23:00:52: 1000·0.25 + 200·1.0
    // Token types in one meaning.
    expect(by['anthropic@3']).toMatchObject({ prompt_tokens: 10050, cache_read_tokens: 8000, cache_write_tokens: 2000, completion_tokens: 400 });
    expect(by['gemini_rest@4']).toMatchObject({ prompt_tokens: 3000, cache_read_tokens: 2000, completion_tokens: 1000, reasoning_tokens: 800, total_tokens: 4000 });
    expect(by['otel_gen_ai@6']).toMatchObject({ model: 'gpt-4o-mini', usage_source: 'gen_ai.usage (otel_gen_ai)' });
    // The detail adds up to the cost.
    for (const c of data.llm_calls.filter((x) => x['cost_source'] === 'computed')) {
      const parts = (c['cost_detail'] as { usd: Record<string, number> }).usd;
      expect(Object.values(parts).reduce((a, b) => a + b, 0)).toBeCloseTo(c['cost_usd'] as number, 12);
    }
  });

  it('session totals sum the known costs and count the unknown ones', async () => {
    const { data } = await obsJson<{ groups: Row[]; totals: Row }>(['llm', ...ARGS, '--by', 'session']);
    const s = Object.fromEntries(data.groups.map((g) => [g['session'], g]));
    // S1: o3-mini 0.005335 (computed) + 0.00042 (logged); acme-llm-7b and the failed call unknown.
    expect(s[S1]).toMatchObject({ calls: 4, cost_logged_calls: 1, cost_computed_calls: 1, cost_unknown_calls: 2 });
    expect(s[S1]?.['cost_usd']).toBeCloseTo(0.005755, 12);
    // S2: 0.0033 + 0.01605 + 0.00286 + 0.000675 + 0.000165 + 0.00054 + 0.00045
    expect(s[S2]).toMatchObject({ calls: 7, cost_computed_calls: 7, cost_unknown_calls: 0 });
    expect(s[S2]?.['cost_usd']).toBeCloseTo(0.02404, 12);
    // The tables behind the computed costs: the shipped one, and in S2 the config's two prices of the fine-tuned model.
    expect(s[S1]?.['price_tables']).toEqual([expect.stringMatching(/^genai-prices \d/)]);
    expect(s[S2]?.['price_tables']).toEqual(['config prices[0]', 'config prices[1]', expect.stringMatching(/^genai-prices \d/)]);
    expect(data.totals).toMatchObject({ calls: 11, cost_unknown_calls: 2, usage_unknown_calls: 1 });
    expect(data.totals['cost_usd']).toBeCloseTo(0.029795, 12);

    const sessions = await obsJson<{ sessions: Row[] }>(['sessions', ...ARGS]);
    const one = sessions.data.sessions.find((x) => x['session_key'] === S1);
    expect(one?.['cost_unknown_calls']).toBe(2);
    expect(one?.['cost_usd']).toBeCloseTo(0.005755, 12);
  });

  it('lists why costs are unknown in the JSON, and nothing (no note either) when every matched call has a cost', async () => {
    const all = await obsJson<{ totals: Row; cost_unknown_reasons: Array<{ reason: string; calls: number }> }>(['llm', ...ARGS, '--by', 'model']);
    expect(all.data.cost_unknown_reasons.map((r) => r.reason)).toContain('the call logged no token counts');
    expect(all.data.cost_unknown_reasons.reduce((n, r) => n + r.calls, 0)).toBe(all.data.totals['cost_unknown_calls']);
    const known = await obsJson<{ totals: Row; cost_unknown_reasons: unknown[] }>(['llm', ...ARGS, '--by', 'model', '--model', 'ft:*']);
    expect(known.data.totals).toMatchObject({ cost_unknown_calls: 0 });
    expect(known.data.totals['calls']).toBeGreaterThan(0);
    expect(known.data.cost_unknown_reasons).toEqual([]);
    expect(known.stderr).not.toContain('no known cost');
  });

  it('all-unknown groups have a null cost, not 0', async () => {
    const { data } = await obsJson<{ groups: Row[] }>(['llm', ...ARGS, '--by', 'model', '--model', 'acme-*']);
    expect(data.groups).toEqual([expect.objectContaining({ model: 'acme-llm-7b', cost_usd: null, cost_unknown_calls: 1 })]);
  });

  it('latency percentiles by model match an independent computation over the raw records', async () => {
    const { data } = await obsJson<{ groups: Row[]; totals: Row }>(['llm', ...ARGS, '--by', 'model']);
    const all = RAW.map((r) => r['latency_ms'] as number);
    for (const q of [50, 90, 95, 99]) {
      expect(data.totals[`latency_p${q}_ms`]).toBeCloseTo(quantile(all, q / 100), 1);
    }
    const gpt41 = RAW.filter((r) => r['model'] === 'gpt-4.1').map((r) => r['latency_ms'] as number);
    const g = data.groups.find((x) => x['model'] === 'gpt-4.1') as Row;
    expect(g['latency_known']).toBe(gpt41.length);
    expect(g['latency_p90_ms']).toBeCloseTo(quantile(gpt41, 0.9), 1);
    expect(g['latency_p99_ms']).toBeCloseTo(quantile(gpt41, 0.99), 1);
  });

  it('on a terminal: unknown is written "unknown", a total row closes the table, and stderr says which calls have no cost', async () => {
    const r = await obs(['llm', ...ARGS, '--by', 'session', '-o', 'table']);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^session\s+calls\s+errors\s+input\s+cached\s+cache_write\s+output\s+reasoning\s+cost\s+no_cost\s+p50_ms/);
    expect(lines.at(-1)).toMatch(/^total\s+11\s+1\s+20850\s+13100\s+2000\s+3310\s+1490\s+\$0\.0298\s+2\s/);
    expect(r.stderr).toContain('2 of 11 LLM calls have no known cost, and cost sums the other 9: ');
    expect(r.stderr).toContain('1 × the call logged no token counts');
    const calls = await obs(['llm', ...ARGS, '-o', 'table', '--call-label', 'unknown_model']);
    expect(calls.stdout).toMatch(/acme-llm-7b .* unknown\s+unknown\s+150/);
    // TSV is rows only: no total line.
    const tsv = await obs(['llm', ...ARGS, '--by', 'session']);
    expect(tsv.stdout.trimEnd().split('\n')).toHaveLength(3);
  });

  it('obs report lists the prices behind each computed cost, so tokens × rates give the cost', async () => {
    const env = { OBS_NOW: '2026-11-21T23:30:00Z' };
    const { data } = await obsJson<{ llm: { prices: Row[]; total: Row } }>(['report', ...ARGS, '--since', '24h', '--no-alerts'], { env });
    const ft = data.llm.prices.filter((p) => p['model'] === 'ft:gpt-4o-mini:acme::abc123');
    expect(ft).toEqual([
      expect.objectContaining({ price_table: 'config prices[0]', since: null, input_usd_per_mtok: 0.3, output_usd_per_mtok: 1.2, calls: 1, cost_usd: 0.00054 }),
      expect.objectContaining({ price_table: 'config prices[1]', since: '2026-11-21T23:00:52Z', input_usd_per_mtok: 0.25, output_usd_per_mtok: 1, calls: 1, cost_usd: 0.00045 }),
    ]);
    expect(data.llm.prices.find((p) => p['model'] === 'claude-sonnet-4-20250514')).toMatchObject({
      provider: 'anthropic', input_usd_per_mtok: 3, cache_read_usd_per_mtok: 0.3, cache_write_usd_per_mtok: 3.75, output_usd_per_mtok: 15,
    });
    // Every computed call is under one price; the prices' costs add up to the computed part of the total.
    expect(data.llm.prices.reduce((a, p) => a + (p['calls'] as number), 0)).toBe(8);
    expect(data.llm.prices.reduce((a, p) => a + (p['cost_usd'] as number), 0)).toBeCloseTo(0.029795 - 0.00042, 12);
    const md = await obs(['report', ...ARGS, '--since', '24h', '--no-alerts', '--format', 'markdown'], { env });
    expect(md.stdout).toContain('| model | priced as | price table | since | input | cache read | cache write | output | calls | cost |');
    expect(md.stdout).toContain('| ft:gpt-4o-mini:acme::abc123 | ft:gpt-4o-mini:acme::abc123 | config prices\\[1\\] | 2026-11-21T23:00:52Z | $0.25 | $0.25 | $0.25 | $1 | 1 | $0.0004 |');
    expect(md.stdout).toContain('Note: 2 calls without a known cost (gpt-4.1 1, acme-llm-7b 1): not in the cost figures.');
  });

  it('--by hour and day group in time order', async () => {
    const { data } = await obsJson<{ groups: Row[] }>(['llm', ...ARGS, '--by', 'day,hour']);
    expect(data.groups).toEqual([expect.objectContaining({ day: '2026-11-21', hour: '2026-11-21T23:00Z', calls: 11 })]);
  });

  it('a bad price in the config file stops before reading logs, naming the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-prices-'));
    writeFileSync(`${dir}/obs.config.json`, JSON.stringify({ prices: [{ model: 'x', input: -1, output: 2 }] }));
    const bad = await obs(['llm', '--logs', `${DIR}/logs`], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('invalid value for "prices.0.input"');
    expect(bad.stderr).toContain('USD per million tokens');
    writeFileSync(`${dir}/obs.config.json`, JSON.stringify({ prices: [{ model: 'x', input: 1, output: 2, cached: 1 }] }));
    const unknownKey = await obs(['llm', '--logs', `${DIR}/logs`], { cwd: dir });
    expect(unknownKey.stderr).toContain('unknown key "prices.0.cached"');
    expect(unknownKey.stderr).toContain('model, input, output, cache_read, cache_write, since');
  });
});
