/**
 * Token usage in one meaning, whatever the provider. Each provider's usage
 * object is also read by @pydantic/genai-prices' own extractors (maintained
 * against the providers' APIs), an independent reading the test compares with.
 */
import { extractUsage, findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { usageOf } from '../../../src/llm/usage.js';

/** The library's reading of a response body, in the fields obs keeps. */
function libraryReading(providerId: string, body: unknown, flavor?: string) {
  const provider = findProvider({ providerId });
  if (provider === undefined) throw new Error(`no provider ${providerId}`);
  const { usage } = extractUsage(provider, body, flavor);
  return {
    input: usage['input_tokens'] ?? null,
    output: usage['output_tokens'] ?? null,
    cacheRead: usage['cache_read_tokens'] ?? null,
    cacheWrite: usage['cache_write_tokens'] ?? null,
    reasoning: usage['output_reasoning_tokens'] ?? null,
  };
}

function ours(record: Record<string, unknown>) {
  const u = usageOf(record);
  return { input: u.input, output: u.output, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite, reasoning: u.reasoning };
}

describe('usageOf: provider usage objects', () => {
  it('OpenAI chat: prompt includes cached, completion includes reasoning', () => {
    const body = {
      model: 'o3-mini',
      usage: {
        prompt_tokens: 2000, completion_tokens: 900, total_tokens: 2900,
        prompt_tokens_details: { cached_tokens: 1500, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 640, audio_tokens: 0 },
      },
    };
    expect(ours({ response: body })).toEqual({ input: 2000, output: 900, cacheRead: 1500, cacheWrite: null, reasoning: 640 });
    expect(ours({ response: body })).toMatchObject({ ...libraryReading('openai', body, 'chat'), cacheWrite: null });
    expect(usageOf({ response: body }).source).toBe('response.usage (openai_chat)');
  });

  it('OpenAI responses: input includes input_tokens_details.cached_tokens', () => {
    const body = { model: 'gpt-4.1', usage: { input_tokens: 1200, input_tokens_details: { cached_tokens: 1000 }, output_tokens: 300, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 1500 } };
    expect(ours({ response: body })).toEqual({ input: 1200, output: 300, cacheRead: 1000, cacheWrite: null, reasoning: 0 });
    expect(ours({ response: body })).toMatchObject({ ...libraryReading('openai', body, 'responses'), cacheWrite: null });
  });

  it('Anthropic: input_tokens excludes the cache, so input is the three summed', () => {
    const body = { model: 'claude-sonnet-4-20250514', usage: { input_tokens: 50, cache_creation_input_tokens: 2000, cache_read_input_tokens: 8000, output_tokens: 400 } };
    expect(ours({ response: body })).toEqual({ input: 10050, output: 400, cacheRead: 8000, cacheWrite: 2000, reasoning: null });
    expect(ours({ response: body })).toEqual(libraryReading('anthropic', body, 'default'));
  });

  it('Gemini: output is candidates plus thoughts; the prompt includes the cached content', () => {
    const body = { modelVersion: 'gemini-2.5-flash', usageMetadata: { promptTokenCount: 3000, cachedContentTokenCount: 2000, candidatesTokenCount: 200, thoughtsTokenCount: 800, totalTokenCount: 4000 } };
    expect(ours({ response: body })).toEqual({ input: 3000, output: 1000, cacheRead: 2000, cacheWrite: null, reasoning: 800 });
    expect(ours({ response: body })).toEqual(libraryReading('google', body, 'default'));
    expect(usageOf({ response: body }).total).toBe(4000);
  });

  it('Gemini through the Python SDK: the same counts in snake_case', () => {
    const u = usageOf({ usage_metadata: { prompt_token_count: 1000, candidates_token_count: 100, thoughts_token_count: 50, total_token_count: 1150 } });
    expect(u).toMatchObject({ input: 1000, output: 150, reasoning: 50, total: 1150, source: 'usage_metadata (gemini)' });
  });

  it('OpenTelemetry gen_ai.usage.*, flattened or under attributes, and the deprecated prompt/completion names', () => {
    const flat = { 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 600, 'gen_ai.usage.cache_creation.input_tokens': 100, 'gen_ai.usage.reasoning.output_tokens': 20 };
    expect(ours(flat)).toEqual({ input: 1000, output: 100, cacheRead: 600, cacheWrite: 100, reasoning: 20 });
    expect(usageOf({ attributes: flat }).source).toBe('attributes.gen_ai.usage (otel_gen_ai)');
    expect(ours({ 'gen_ai.usage.prompt_tokens': 7, 'gen_ai.usage.completion_tokens': 3 })).toMatchObject({ input: 7, output: 3 });
  });
});

describe('usageOf: the record and its places', () => {
  it("reads the application's flat fields in OpenAI's meaning, total as input + output", () => {
    expect(usageOf({ prompt_tokens: 1480, completion_tokens: 470, cached_tokens: 1024, reasoning_tokens: 128 })).toEqual({
      input: 1480, output: 470, total: 1950, cacheRead: 1024, cacheWrite: null, reasoning: 128, source: 'record (fields)',
    });
  });

  it("reads Anthropic's names on the record itself in Anthropic's meaning", () => {
    expect(usageOf({ input_tokens: 10, cache_read_input_tokens: 90, output_tokens: 5 })).toMatchObject({ input: 100, cacheRead: 90, output: 5 });
  });

  it('prefers the provider object, and fills counts it lacks from the record', () => {
    const u = usageOf({ prompt_tokens: 999, reasoning_tokens: 12, response_excerpt: { usage: { prompt_tokens: 672, completion_tokens: 204, total_tokens: 876 } } });
    expect(u).toEqual({ input: 672, output: 204, total: 876, cacheRead: null, cacheWrite: null, reasoning: 12, source: 'response_excerpt.usage (openai_chat)' });
  });

  it('null tokens are unknown, not 0', () => {
    expect(usageOf({ prompt_tokens: null, completion_tokens: null })).toEqual({
      input: null, output: null, total: null, cacheRead: null, cacheWrite: null, reasoning: null, source: null,
    });
    expect(usageOf({ response: { usage: { prompt_tokens: '12', completion_tokens: 'n/a' } } })).toMatchObject({ input: 12, output: null, total: null });
  });
});
