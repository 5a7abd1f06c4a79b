/**
 * The LLM I/O audit log `llm_io_<YYYYmmdd_HHMMSS>_<pid>.jsonl`: one LLMCall
 * record per call, and exception records. Calls go to llm_calls; everything
 * else (exceptions, unknown event types) to events, so nothing is dropped.
 */
import { asId, asInt, asNumber, asText, getPath, pick, type JsonObject } from '../fields.js';
import { correlationOf } from '../json-record.js';
import { columnsOf } from '../../formats/formats.js';
import { jsonLinesParser } from '../jsonl/index.js';
import type { EventRow, FileContext, LlmCallRow, SourceKind } from '../types.js';
import { parseTimestampValue } from '../../time/time.js';

const NAME = /^llm_io_\d{8}_\d{6}_\d+\.jsonl$/;

/** Token and latency field names across OpenAI, Anthropic, Gemini and the audit log. */
const TOKEN_FIELDS = {
  prompt: ['prompt_tokens', 'input_tokens', 'promptTokens', 'usage.prompt_tokens', 'usage.input_tokens'],
  completion: ['completion_tokens', 'output_tokens', 'completionTokens', 'usage.completion_tokens', 'usage.output_tokens'],
  total: ['total_tokens', 'totalTokens', 'usage.total_tokens'],
  cached: [
    'cached_tokens',
    'cache_read_tokens',
    'cache_read_input_tokens',
    'prompt_tokens_details.cached_tokens',
    'usage.prompt_tokens_details.cached_tokens',
    'usage.cache_read_input_tokens',
  ],
  reasoning: ['reasoning_tokens', 'completion_tokens_details.reasoning_tokens', 'usage.completion_tokens_details.reasoning_tokens'],
  latency: ['latency_ms', 'duration_ms', 'elapsed_ms'],
} as const;

function first(obj: JsonObject, names: readonly string[], as: (v: unknown) => number | null): number | null {
  for (const name of names) {
    const v = as(getPath(obj, name));
    if (v !== null) return v;
  }
  return null;
}

export function isLlmCall(obj: JsonObject): boolean {
  const type = obj['event_type'] ?? obj['type'];
  return type === 'LLMCall' || type === 'llm_call';
}

export function llmCallFromObject(obj: JsonObject, raw: string, sourceLine: number, ctx: FileContext): LlmCallRow {
  const prompt = first(obj, TOKEN_FIELDS.prompt, asInt);
  const completion = first(obj, TOKEN_FIELDS.completion, asInt);
  const total = first(obj, TOKEN_FIELDS.total, asInt) ?? (prompt !== null && completion !== null ? prompt + completion : null);
  const tsValue = pick(obj, 'ts');
  return {
    ...correlationOf(obj, ctx.defaults),
    ts: tsValue === undefined ? null : parseTimestampValue(tsValue, ctx.tz),
    sourceLine,
    agent: asId(obj['agent']),
    model: asId(obj['model']),
    status: asId(obj['status']),
    callLabel: asId(obj['call_label']),
    function: asId(obj['function']),
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: total,
    cachedTokens: first(obj, TOKEN_FIELDS.cached, asInt),
    reasoningTokens: first(obj, TOKEN_FIELDS.reasoning, asInt),
    latencyMs: first(obj, TOKEN_FIELDS.latency, asNumber),
    error: asText(obj['error']),
    raw,
  };
}

export const llmIoSource: SourceKind = {
  name: 'llm_io',
  description: 'LLM I/O audit log (one LLMCall or exception record per line)',
  detect: ({ name, head }) => NAME.test(name) || (head[0] !== undefined && /^\{"event_type": ?"(LLMCall|exception)"/.test(head[0])),
  parser(ctx, sink) {
    return jsonLinesParser(sink, (obj, raw, line) => {
      if (isLlmCall(obj)) {
        sink.llmCall(llmCallFromObject(obj, raw, line.lineNo, ctx));
        return;
      }
      const format = ctx.formats.claimJson(obj);
      const row: EventRow = { ...columnsOf(obj, format, ctx.tz, ctx.defaults), sourceLine: line.lineNo, format: null, raw };
      if (obj['event_type'] === 'exception') {
        row.level = row.level ?? 'error';
        row.message = row.message ?? asText(obj['error']);
        row.logger = row.logger ?? asText(obj['component']);
      }
      sink.event(row);
    });
  },
};
