/**
 * Cost arithmetic, worked by hand from the published rates (USD per million
 * tokens) the test states; the figures are not read back from the code.
 */
import { describe, expect, it } from 'vitest';
import { PRICE_TABLE, PriceBook, type PriceOverride } from '../../../src/llm/prices.js';
import { usageOf } from '../../../src/llm/usage.js';

const AT = Date.parse('2026-11-21T23:00:00Z') * 1000;

function cost(book: PriceBook, model: string | null, record: Record<string, unknown>, ts: number | null = AT) {
  return book.cost({ model, ts, usage: usageOf(record), record });
}

describe('PriceBook: the shipped table', () => {
  const book = new PriceBook();

  it('names the table with its version', () => {
    expect(PRICE_TABLE).toMatch(/^genai-prices \d+\.\d+\.\d+$/);
  });

  it('gpt-4.1 with cached input: uncached input at $2, cache reads at $0.50, output at $8', () => {
    // 1200 input of which 1000 cached, 300 output: 200·2 + 1000·0.5 + 300·8 = 3300 µ$
    const c = cost(book, 'gpt-4.1', { usage: { input_tokens: 1200, input_tokens_details: { cached_tokens: 1000 }, output_tokens: 300 } });
    expect(c.source).toBe('computed');
    expect(c.usd).toBeCloseTo(0.0033, 12);
    expect(c.detail).toMatchObject({
      table: PRICE_TABLE, provider: 'openai', model: 'gpt-4.1',
      usd_per_mtok: { input: 2, cache_read: 0.5, output: 8 },
      tokens: { input: 200, cache_read: 1000, cache_write: 0, output: 300 },
    });
  });

  it('o3-mini: reasoning tokens are output and priced as output', () => {
    // 2000 prompt (1500 cached), 900 completion of which 640 reasoning:
    // 500·1.10 + 1500·0.55 + 900·4.40 = 550 + 825 + 3960 = 5335 µ$ (pricing only 260 visible output tokens would give 2519)
    const c = cost(book, 'o3-mini', {
      usage: { prompt_tokens: 2000, completion_tokens: 900, prompt_tokens_details: { cached_tokens: 1500 }, completion_tokens_details: { reasoning_tokens: 640 } },
    });
    expect(c.usd).toBeCloseTo(0.005335, 12);
  });

  it('Anthropic cache writes and reads at their own rates', () => {
    // claude-sonnet-4: input $3, cache write $3.75, cache read $0.30, output $15:
    // 50·3 + 2000·3.75 + 8000·0.3 + 400·15 = 150 + 7500 + 2400 + 6000 = 16050 µ$
    const c = cost(book, 'claude-sonnet-4-20250514', { usage: { input_tokens: 50, cache_creation_input_tokens: 2000, cache_read_input_tokens: 8000, output_tokens: 400 } });
    expect(c.usd).toBeCloseTo(0.01605, 12);
    expect(c.detail).toMatchObject({ usd: { input: 0.00015, cache_write: 0.0075, cache_read: 0.0024, output: 0.006 } });
  });

  it('Gemini thoughts are billed as output; a "provider/model" name is looked up with its provider', () => {
    // gemini-2.5-flash: input $0.30, cache read $0.03, output $2.50: 1000·0.3 + 2000·0.03 + (200 + 800)·2.5 = 2860 µ$
    const c = cost(book, 'gemini-2.5-flash', { usageMetadata: { promptTokenCount: 3000, cachedContentTokenCount: 2000, candidatesTokenCount: 200, thoughtsTokenCount: 800 } });
    expect(c.usd).toBeCloseTo(0.00286, 12);
    const prefixed = cost(book, 'google/gemini-2.5-flash', { prompt_tokens: 1000, completion_tokens: 150 });
    expect(prefixed.usd).toBeCloseTo(0.000675, 12);
    expect(prefixed.detail).toMatchObject({ provider: 'google', model: 'gemini-2.5-flash', match: 'google:gemini-2.5-flash' });
  });

  it('an unknown model is unknown with the reason, never 0', () => {
    const c = cost(book, 'acme-llm-7b', { prompt_tokens: 500, completion_tokens: 50 });
    expect(c).toEqual({ usd: null, source: 'unknown', detail: { source: 'unknown', reason: `${PRICE_TABLE} has no price for model "acme-llm-7b"; add one under "prices" in obs.config.json` } });
  });

  it('no token counts, no model, or cache counts larger than the input: unknown', () => {
    expect(cost(book, 'gpt-4.1', { prompt_tokens: null, completion_tokens: null }).detail).toEqual({ source: 'unknown', reason: 'the call logged no token counts' });
    expect(cost(book, 'gpt-4.1', { prompt_tokens: 10 }).detail).toEqual({ source: 'unknown', reason: 'the call logged no output token count' });
    expect(cost(book, null, { prompt_tokens: 10, completion_tokens: 1 }).usd).toBeNull();
    expect(cost(book, 'gpt-4.1', { prompt_tokens: 10, completion_tokens: 1, cached_tokens: 20 }).detail).toMatchObject({ source: 'unknown', reason: expect.stringContaining('exceed the input tokens (10)') });
  });

  it('a logged cost is kept as logged, even where the table would say otherwise', () => {
    expect(cost(book, 'gpt-4.1', { prompt_tokens: 100, completion_tokens: 10, cost_usd: 0.00042 })).toEqual({ usd: 0.00042, source: 'logged', detail: { source: 'logged', field: 'cost_usd' } });
    expect(cost(book, 'x', { usage: { prompt_tokens: 1, completion_tokens: 1, cost: '0.5' } })).toMatchObject({ usd: 0.5, source: 'logged', detail: { field: 'usage.cost' } });
    // A negative or non-numeric cost is not a cost.
    expect(cost(book, 'gpt-4.1', { prompt_tokens: 100, completion_tokens: 10, cost: -1 }).source).toBe('computed');
  });
});

describe('PriceBook: the config file prices', () => {
  const prices: PriceOverride[] = [
    { model: 'ft:gpt-4o-mini:*', input: 0.3, cache_read: 0.15, output: 1.2 },
    { model: 'ft:gpt-4o-mini:*', since: '2026-11-21T23:00:52Z', input: 0.25, output: 1.0 },
    { model: 'gpt-4o-mini', since: '2026-12-01', input: 0.1, output: 0.4 },
  ];
  const book = new PriceBook(prices);
  const call = { prompt_tokens: 1000, completion_tokens: 200, cached_tokens: 400 };

  it('a pattern prices a model the table does not know; cache reads at their rate', () => {
    // 600·0.3 + 400·0.15 + 200·1.2 = 180 + 60 + 240 = 480 µ$
    const c = cost(book, 'FT:gpt-4o-mini:acme::abc123', call);
    expect(c.usd).toBeCloseTo(0.00048, 12);
    expect(c.detail).toMatchObject({ table: 'config prices[0]', match: 'ft:gpt-4o-mini:*', since: null });
  });

  it('the price in effect is the latest one started by the call; cache reads default to the input rate', () => {
    // From 23:00:52: 600·0.25 + 400·0.25 + 200·1.0 = 450 µ$
    const c = cost(book, 'ft:gpt-4o-mini:acme::abc123', call, Date.parse('2026-11-21T23:00:52Z') * 1000);
    expect(c.usd).toBeCloseTo(0.00045, 12);
    expect(c.detail).toMatchObject({ table: 'config prices[1]', since: '2026-11-21T23:00:52Z', usd_per_mtok: { cache_read: 0.25 } });
  });

  it('a price that starts later does not apply; the table prices the call', () => {
    // gpt-4o-mini in the table: input $0.15, cache read $0.075, output $0.60: 600·0.15 + 400·0.075 + 200·0.6 = 90 + 30 + 120 = 240 µ$
    const c = cost(book, 'gpt-4o-mini', call);
    expect(c.usd).toBeCloseTo(0.00024, 12);
    expect(c.detail).toMatchObject({ table: PRICE_TABLE });
    expect(cost(book, 'gpt-4o-mini', call, Date.parse('2026-12-02T00:00:00Z') * 1000).detail).toMatchObject({ table: 'config prices[2]' });
  });

  it('a call without a time takes only a price without a start', () => {
    expect(cost(book, 'ft:gpt-4o-mini:x', call, null).detail).toMatchObject({ table: 'config prices[0]' });
    expect(cost(book, 'gpt-4o-mini', call, null).detail).toMatchObject({ table: PRICE_TABLE });
  });
});
