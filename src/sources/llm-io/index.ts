/**
 * The LLM I/O audit log `llm_io_<YYYYmmdd_HHMMSS>_<pid>.jsonl`: one LLMCall
 * record per call, and exception records. Calls go to llm_calls; everything
 * else (exceptions, unknown event types) to events, so nothing is dropped.
 */
import { asId, asNumber, asText, getPath, pick, type JsonObject } from '../fields.js';
import { usageOf } from '../../llm/usage.js';
import { correlationOf } from '../json-record.js';
import { columnsOf } from '../../formats/formats.js';
import { jsonLinesParser } from '../jsonl/index.js';
import type { Correlation, EventRow, FileContext, LlmCallRow, SourceKind } from '../types.js';
import { parseTimestampValue } from '../../time/time.js';

const NAME = /^llm_io_\d{8}_\d{6}_\d+\.jsonl$/;

/** Latency field names. */
const LATENCY_FIELDS = ['latency_ms', 'duration_ms', 'elapsed_ms'];

export function isLlmCall(obj: JsonObject): boolean {
  const type = obj['event_type'] ?? obj['type'];
  return type === 'LLMCall' || type === 'llm_call';
}

export function llmCallFromObject(obj: JsonObject, raw: string, sourceLine: number, ctx: FileContext): LlmCallRow {
  const tsValue = pick(obj, 'ts');
  const ts = tsValue === undefined ? null : parseTimestampValue(tsValue, ctx.tz);
  const model = asId(obj['model']) ?? asId(getPath(obj, 'gen_ai.response.model')) ?? asId(getPath(obj, 'gen_ai.request.model'));
  const usage = usageOf(obj);
  const cost = ctx.prices.cost({ model, ts, usage, record: obj });
  let latencyMs: number | null = null;
  for (const name of LATENCY_FIELDS) latencyMs ??= asNumber(getPath(obj, name));
  const row: Omit<LlmCallRow, keyof Correlation> = {
    ts,
    sourceLine,
    agent: asId(obj['agent']),
    model,
    status: asId(obj['status']),
    callLabel: asId(obj['call_label']),
    function: asId(obj['function']),
    promptTokens: usage.input,
    completionTokens: usage.output,
    totalTokens: usage.total,
    cacheReadTokens: usage.cacheRead,
    cacheWriteTokens: usage.cacheWrite,
    reasoningTokens: usage.reasoning,
    usageSource: usage.source,
    costUsd: cost.usd,
    costSource: cost.source,
    costDetail: JSON.stringify(cost.detail),
    priceTable: cost.detail.source === 'computed' ? cost.detail.table : null,
    latencyMs,
    error: asText(obj['error']),
    raw,
  };
  // The ids are added to the finished row: spreading them into a literal this wide made the call five times slower.
  return Object.assign(row, correlationOf(obj, ctx.defaults));
}

export const llmIoSource: SourceKind = {
  name: 'llm_io',
  resumable: true,
  description: 'LLM I/O audit log (one LLMCall or exception record per line)',
  detect: ({ name, head }) => NAME.test(name) || (head[0] !== undefined && /^\{"event_type": ?"(LLMCall|exception)"/.test(head[0])),
  parser(ctx, sink) {
    return jsonLinesParser(sink, (obj, raw, line) => {
      if (isLlmCall(obj)) {
        sink.llmCall(llmCallFromObject(obj, raw, line.lineNo, ctx));
        return;
      }
      const format = ctx.formats.claimJson(obj);
      const row: EventRow = Object.assign(columnsOf(obj, format, ctx.tz, ctx.defaults), { sourceLine: line.lineNo, format: null, raw });
      if (obj['event_type'] === 'exception') {
        row.level = row.level ?? 'error';
        row.message = row.message ?? asText(obj['error']);
        row.logger = row.logger ?? asText(obj['component']);
      }
      sink.event(row);
    });
  },
};
