/**
 * The cost of one LLM call and where it comes from:
 *
 *   logged    the record carried its cost (cost_usd, cost, usage.cost, ...)
 *   computed  tokens × the price of the model: the config file's `prices` first,
 *             then the maintained table of @pydantic/genai-prices (named with its version)
 *   unknown   no logged cost and no price, or no token counts: cost_usd is null, never 0
 *
 * Prices are USD per million tokens by token type. Cache reads and writes are
 * parts of the input: input tokens not read from or written to the cache are
 * priced at the input rate, the rest at the cache rates. Reasoning tokens are
 * part of the output and priced as output.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { calcPrice as CalcPrice, ModelPrice } from '@pydantic/genai-prices';

let calcPriceFn: typeof CalcPrice | null = null;

/**
 * genai-prices' calcPrice. The library carries its whole price table as half a megabyte of code,
 * so it is read on the first price asked for, not when obs starts (obs --help never needs it).
 */
function calcPrice(...args: Parameters<typeof CalcPrice>): ReturnType<typeof CalcPrice> {
  calcPriceFn ??= (createRequire(import.meta.url)('@pydantic/genai-prices') as { calcPrice: typeof CalcPrice }).calcPrice;
  return calcPriceFn(...args);
}
import { asNumber, getPath, type JsonObject } from '../sources/fields.js';
import type { Usage } from './usage.js';

export type CostSource = 'logged' | 'computed' | 'unknown';

/** One price of the config file: a model pattern, its rates, and the day they start. */
export interface PriceOverride {
  model: string;
  input: number;
  output: number;
  cache_read?: number;
  cache_write?: number;
  since?: string;
}

/** USD per million tokens, as applied. */
export interface Rates {
  input: number;
  cache_read: number;
  cache_write: number;
  output: number;
}

export interface Cost {
  usd: number | null;
  source: CostSource;
  /** How the figure was reached, enough to redo it by hand (stored as JSON). */
  detail: CostDetail;
}

export type CostDetail =
  | { source: 'logged'; field: string }
  | {
      source: 'computed';
      /** "genai-prices 0.1.8" or "config prices[2]". */
      table: string;
      provider: string | null;
      /** The priced model as the table names it. */
      model: string;
      /** The config price's pattern, or the name looked up in the table ("provider:model" for a "provider/model" name). */
      match: string;
      since: string | null;
      usd_per_mtok: Rates | null;
      tokens: { input: number; cache_read: number; cache_write: number; output: number };
      usd: { input: number; cache_read: number; cache_write: number; output: number } | null;
    }
  | { source: 'unknown'; reason: string };

/** Field names a record may log its own cost under, in USD. */
const COST_FIELDS = ['cost_usd', 'costUsd', 'total_cost_usd', 'total_cost', 'cost', 'response_cost', 'usage.cost', 'gen_ai.usage.cost'];

function packageVersion(): string {
  try {
    const pkg = fileURLToPath(new URL('../package.json', import.meta.resolve('@pydantic/genai-prices')));
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown version';
  }
}

/** The price table obs ships, by name and version, e.g. "genai-prices 0.1.8". */
export const PRICE_TABLE = `genai-prices ${packageVersion()}`;

function globRegex(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${body}$`, 'i');
}

function round(usd: number): number {
  // Sums of binary fractions: keep 12 decimal places (a millionth of a micro-dollar).
  return Math.round(usd * 1e12) / 1e12;
}

function parts(usage: { input: number; cacheRead: number; cacheWrite: number; output: number }, rates: Rates) {
  const tokens = {
    input: usage.input - usage.cacheRead - usage.cacheWrite,
    cache_read: usage.cacheRead,
    cache_write: usage.cacheWrite,
    output: usage.output,
  };
  const usd = {
    input: round((tokens.input * rates.input) / 1e6),
    cache_read: round((tokens.cache_read * rates.cache_read) / 1e6),
    cache_write: round((tokens.cache_write * rates.cache_write) / 1e6),
    output: round((tokens.output * rates.output) / 1e6),
  };
  return { tokens, usd };
}

/** The table's rates when they are flat numbers (tiered prices have none to show). */
function flatRates(price: ModelPrice): Rates | null {
  const num = (k: string): number | null => (typeof price[k] === 'number' ? (price[k] as number) : null);
  const input = num('input_mtok');
  const output = num('output_mtok');
  if (input === null || output === null) return null;
  return { input, output, cache_read: num('cache_read_mtok') ?? input, cache_write: num('cache_write_mtok') ?? input };
}

export interface PricedCall {
  model: string | null;
  /** Epoch µs, or null when the call has no time. */
  ts: number | null;
  usage: Usage;
  record: JsonObject;
}

interface FlatPrice {
  provider: string;
  model: string;
  match: string;
  rates: Rates;
}

function sumUsd(usd: { input: number; cache_read: number; cache_write: number; output: number }): number {
  return usd.input + usd.cache_read + usd.cache_write + usd.output;
}

function computedFromTable(flat: FlatPrice, counts: Parameters<typeof parts>[0]): Cost {
  const p = parts(counts, flat.rates);
  return {
    usd: round(sumUsd(p.usd)),
    source: 'computed',
    detail: {
      source: 'computed',
      table: PRICE_TABLE,
      provider: flat.provider,
      model: flat.model,
      match: flat.match,
      since: null,
      usd_per_mtok: flat.rates,
      tokens: p.tokens,
      usd: p.usd,
    },
  };
}

export class PriceBook {
  /** The table's time- and volume-independent prices met so far, by model name as logged. */
  private readonly flat = new Map<string, FlatPrice>();
  private readonly overrides: Array<PriceOverride & { index: number; re: RegExp; sinceMs: number | null }>;

  /** @param config the config file's prices, kept as given (the parsing thread builds its own book from them) */
  constructor(readonly config: PriceOverride[] = []) {
    this.overrides = config.map((o, index) => ({
      ...o,
      index,
      re: globRegex(o.model),
      sinceMs: o.since === undefined ? null : Date.parse(o.since.length === 10 ? `${o.since}T00:00:00Z` : o.since),
    }));
  }

  /** The config price in effect for a model at a time: the latest `since` not after it; without a time, only prices without `since`. */
  private override(model: string, ts: number | null) {
    const atMs = ts === null ? null : ts / 1000;
    let best: (typeof this.overrides)[number] | null = null;
    for (const o of this.overrides) {
      if (!o.re.test(model)) continue;
      if (o.sinceMs !== null && (atMs === null || o.sinceMs > atMs)) continue;
      if (best === null || (o.sinceMs ?? -Infinity) > (best.sinceMs ?? -Infinity)) best = o;
    }
    return best;
  }

  cost(call: PricedCall): Cost {
    for (const field of COST_FIELDS) {
      const v = asNumber(getPath(call.record, field));
      if (v !== null && v >= 0) return { usd: v, source: 'logged', detail: { source: 'logged', field } };
    }
    const unknown = (reason: string): Cost => ({ usd: null, source: 'unknown', detail: { source: 'unknown', reason } });
    const { usage, model } = call;
    if (model === null) return unknown('the call names no model');
    if (usage.input === null || usage.output === null) {
      return unknown(usage.input === null && usage.output === null ? 'the call logged no token counts' : `the call logged no ${usage.input === null ? 'input' : 'output'} token count`);
    }
    const counts = { input: usage.input, output: usage.output, cacheRead: usage.cacheRead ?? 0, cacheWrite: usage.cacheWrite ?? 0 };
    if (counts.cacheRead + counts.cacheWrite > counts.input) {
      return unknown(`cache tokens (${counts.cacheRead} read + ${counts.cacheWrite} written) exceed the input tokens (${counts.input})`);
    }

    const o = this.override(model, call.ts);
    if (o !== null) {
      const rates: Rates = { input: o.input, output: o.output, cache_read: o.cache_read ?? o.input, cache_write: o.cache_write ?? o.input };
      const p = parts(counts, rates);
      return {
        usd: round(sumUsd(p.usd)),
        source: 'computed',
        detail: { source: 'computed', table: `config prices[${o.index}]`, provider: null, model, match: o.model, since: o.since ?? null, usd_per_mtok: rates, tokens: p.tokens, usd: p.usd },
      };
    }

    const known = this.flat.get(model);
    if (known !== undefined) return computedFromTable(known, counts);

    const usageIn = { input_tokens: counts.input, output_tokens: counts.output, cache_read_tokens: counts.cacheRead, cache_write_tokens: counts.cacheWrite };
    const options = call.ts === null ? {} : { timestamp: new Date(call.ts / 1000) };
    let result: ReturnType<typeof calcPrice>;
    let lookedUp = model;
    try {
      result = calcPrice(usageIn, model, options);
      // "provider/model" (OpenRouter, LiteLLM): the provider's own model.
      const slash = model.indexOf('/');
      if (result === null && slash > 0) {
        lookedUp = `${model.slice(0, slash)}:${model.slice(slash + 1)}`;
        result = calcPrice(usageIn, model.slice(slash + 1), { ...options, providerId: model.slice(0, slash) });
      }
    } catch (err) {
      return unknown(`${PRICE_TABLE} could not price model "${model}": ${(err as Error).message}`);
    }
    if (result === null) return unknown(`${PRICE_TABLE} has no price for model "${model}"; add one under "prices" in obs.config.json`);
    const rates = flatRates(result.model_price);
    const p = rates === null ? null : parts(counts, rates);
    // A price that depends neither on the time (no conditional prices) nor on the volume (no tiers), and that
    // these rates reproduce, is kept: the next calls of the model skip the table's model matching.
    if (rates !== null && p !== null && !Array.isArray(result.model.prices) && Math.abs(sumUsd(p.usd) - result.total_price) < 1e-12) {
      const flat = { provider: result.provider.id, model: result.model.id, match: lookedUp, rates };
      this.flat.set(model, flat);
      return computedFromTable(flat, counts);
    }
    return {
      usd: round(result.total_price),
      source: 'computed',
      detail: {
        source: 'computed',
        table: PRICE_TABLE,
        provider: result.provider.id,
        model: result.model.id,
        match: lookedUp,
        since: null,
        usd_per_mtok: rates,
        tokens: p?.tokens ?? { input: counts.input - counts.cacheRead - counts.cacheWrite, cache_read: counts.cacheRead, cache_write: counts.cacheWrite, output: counts.output },
        usd: p?.usd ?? null,
      },
    };
  }
}
