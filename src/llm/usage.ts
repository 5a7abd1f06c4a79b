/**
 * Token usage of one LLM call, read from whichever usage object the record
 * carries and brought to one meaning:
 *
 *   input       every input token, cache reads and cache writes included
 *   output      every output token, reasoning ("thinking") included
 *   cache_read  the part of input served from the provider's cache
 *   cache_write the part of input written to the cache
 *   reasoning   the part of output spent on reasoning
 *
 * Providers count differently, and that is where costs go wrong:
 *   OpenAI chat       prompt_tokens includes prompt_tokens_details.cached_tokens;
 *                     completion_tokens includes completion_tokens_details.reasoning_tokens
 *   OpenAI responses  the same with input_tokens / output_tokens and *_details
 *   Anthropic         input_tokens EXCLUDES cache_read_input_tokens and
 *                     cache_creation_input_tokens (input = the three summed)
 *   Gemini            candidatesTokenCount EXCLUDES thoughtsTokenCount (output =
 *                     both summed); promptTokenCount includes cachedContentTokenCount;
 *                     toolUsePromptTokenCount is input too
 *   OpenTelemetry     gen_ai.usage.input_tokens includes the cache_read / cache_creation
 *                     counts; gen_ai.usage.output_tokens includes reasoning
 */
import { asInt, getPath, type JsonObject } from '../sources/fields.js';

export interface Usage {
  input: number | null;
  output: number | null;
  total: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  reasoning: number | null;
  /** Where the input and output counts were read, e.g. "response_excerpt.usage (openai_chat)". */
  source: string | null;
}

export type UsageShape = 'openai_chat' | 'openai_responses' | 'anthropic' | 'gemini' | 'otel_gen_ai' | 'fields';

type Counts = Omit<Usage, 'source'>;

/** Where a record may hold a provider usage object, most direct first. */
const USAGE_OBJECTS = [
  'usage',
  'response.usage',
  'response_excerpt.usage',
  'usageMetadata',
  'usage_metadata',
  'response.usageMetadata',
  'response.usage_metadata',
  'response_excerpt.usageMetadata',
  'response_excerpt.usage_metadata',
] as const;

/** Objects that may hold OpenTelemetry gen_ai.usage.* attributes (flattened keys or nested). */
const ATTRIBUTE_OBJECTS = ['', 'attributes'] as const;

function int(obj: JsonObject, ...names: string[]): number | null {
  for (const name of names) {
    const v = asInt(getPath(obj, name));
    if (v !== null) return v;
  }
  return null;
}

function sum(...parts: Array<number | null>): number | null {
  if (parts[0] === null || parts[0] === undefined) return null;
  return parts.reduce<number>((a, b) => a + (b ?? 0), 0);
}

function has(obj: JsonObject, ...names: string[]): boolean {
  return names.some((n) => n in obj);
}

/** The shape of one usage object, by its keys; null when it is none of them. */
export function shapeOf(obj: JsonObject): UsageShape | null {
  if (has(obj, 'promptTokenCount', 'candidatesTokenCount', 'totalTokenCount', 'prompt_token_count', 'candidates_token_count')) return 'gemini';
  if (has(obj, 'cache_read_input_tokens', 'cache_creation_input_tokens')) return 'anthropic';
  // Anthropic's usage without cache counts reads the same as OpenAI's Responses usage.
  if (has(obj, 'input_tokens', 'output_tokens')) return 'openai_responses';
  if (has(obj, 'prompt_tokens', 'completion_tokens')) return 'openai_chat';
  return null;
}

/** The counts of one provider usage object, in the module's meaning. */
export function countsOf(obj: JsonObject, shape: UsageShape): Counts {
  switch (shape) {
    case 'gemini': {
      const candidates = int(obj, 'candidatesTokenCount', 'candidates_token_count');
      const thoughts = int(obj, 'thoughtsTokenCount', 'thoughts_token_count');
      const prompt = int(obj, 'promptTokenCount', 'prompt_token_count');
      const toolPrompt = int(obj, 'toolUsePromptTokenCount', 'tool_use_prompt_token_count');
      return {
        input: prompt === null && toolPrompt === null ? null : (prompt ?? 0) + (toolPrompt ?? 0),
        output: candidates === null && thoughts === null ? null : (candidates ?? 0) + (thoughts ?? 0),
        total: int(obj, 'totalTokenCount', 'total_token_count'),
        cacheRead: int(obj, 'cachedContentTokenCount', 'cached_content_token_count'),
        cacheWrite: null,
        reasoning: thoughts,
      };
    }
    case 'anthropic': {
      const read = int(obj, 'cache_read_input_tokens');
      const write = int(obj, 'cache_creation_input_tokens');
      return {
        input: sum(int(obj, 'input_tokens'), read, write),
        output: int(obj, 'output_tokens'),
        total: null,
        cacheRead: read,
        cacheWrite: write,
        reasoning: int(obj, 'output_tokens_details.thinking_tokens'),
      };
    }
    case 'openai_responses':
      return {
        input: int(obj, 'input_tokens'),
        output: int(obj, 'output_tokens'),
        total: int(obj, 'total_tokens'),
        cacheRead: int(obj, 'input_tokens_details.cached_tokens'),
        cacheWrite: int(obj, 'input_tokens_details.cache_write_tokens'),
        reasoning: int(obj, 'output_tokens_details.reasoning_tokens'),
      };
    case 'openai_chat':
      return {
        input: int(obj, 'prompt_tokens'),
        output: int(obj, 'completion_tokens'),
        total: int(obj, 'total_tokens'),
        cacheRead: int(obj, 'prompt_tokens_details.cached_tokens', 'cached_tokens'),
        cacheWrite: int(obj, 'prompt_tokens_details.cache_write_tokens'),
        reasoning: int(obj, 'completion_tokens_details.reasoning_tokens'),
      };
    case 'otel_gen_ai':
      return {
        input: int(obj, 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'),
        output: int(obj, 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'),
        total: int(obj, 'gen_ai.usage.total_tokens'),
        cacheRead: int(obj, 'gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens'),
        cacheWrite: int(obj, 'gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.cache_creation_input_tokens'),
        reasoning: int(obj, 'gen_ai.usage.reasoning.output_tokens'),
      };
    case 'fields':
      // An application's own flat fields: OpenAI's meaning (prompt includes cached,
      // completion includes reasoning), under any of the common names.
      return {
        input: int(obj, 'prompt_tokens', 'input_tokens', 'promptTokens', 'inputTokens'),
        output: int(obj, 'completion_tokens', 'output_tokens', 'completionTokens', 'outputTokens'),
        total: int(obj, 'total_tokens', 'totalTokens'),
        cacheRead: int(obj, 'cache_read_tokens', 'cached_tokens', 'cached_input_tokens', 'cacheReadTokens', 'cachedTokens'),
        cacheWrite: int(obj, 'cache_write_tokens', 'cache_creation_tokens', 'cacheWriteTokens'),
        reasoning: int(obj, 'reasoning_tokens', 'reasoningTokens'),
      };
  }
}

const FIELDS: Array<keyof Counts> = ['input', 'output', 'total', 'cacheRead', 'cacheWrite', 'reasoning'];

/**
 * The call's usage. Provider usage objects come first (they are what the
 * provider billed), then OpenTelemetry gen_ai.usage.* attributes, then the
 * record's own flat fields; each count is taken from the first place that has
 * it. total is input + output when nothing logged it.
 */
export function usageOf(record: JsonObject): Usage {
  const places: Array<{ where: string; shape: UsageShape; obj: JsonObject }> = [];
  for (const where of USAGE_OBJECTS) {
    const v = getPath(record, where);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
    const obj = v as JsonObject;
    const shape = shapeOf(obj);
    if (shape !== null) places.push({ where, shape, obj });
  }
  for (const where of ATTRIBUTE_OBJECTS) {
    const v = where === '' ? record : getPath(record, where);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
    const obj = v as JsonObject;
    if (int(obj, 'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.usage.prompt_tokens', 'gen_ai.usage.completion_tokens') !== null) {
      places.push({ where: where === '' ? 'gen_ai.usage' : `${where}.gen_ai.usage`, shape: 'otel_gen_ai', obj });
    }
  }
  // The record's own fields: Anthropic's or Gemini's meaning when it uses their names, else OpenAI's.
  const own = shapeOf(record);
  places.push({ where: 'record', shape: own === 'anthropic' || own === 'gemini' ? own : 'fields', obj: record });

  const out: Usage = { input: null, output: null, total: null, cacheRead: null, cacheWrite: null, reasoning: null, source: null };
  for (const place of places) {
    const counts = countsOf(place.obj, place.shape);
    if (out.source === null && (counts.input !== null || counts.output !== null)) out.source = `${place.where} (${place.shape})`;
    for (const f of FIELDS) if (out[f] === null) out[f] = counts[f];
  }
  if (out.total === null && out.input !== null && out.output !== null) out.total = out.input + out.output;
  return out;
}
