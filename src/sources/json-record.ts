/**
 * Maps one parsed JSON log record onto the common event columns through the
 * alias table. Shared by every JSON-shaped source.
 */
import { CORRELATION_COLUMNS, asId, asText, normalizeLevel, pick, type JsonObject } from './fields.js';
import type { Correlation, EventRow, FileContext } from './types.js';
import { parseTimestampValue } from '../time/time.js';

export function parseJsonObject(text: string): { value?: JsonObject; error?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `invalid JSON: ${(err as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { error: `JSON value is ${kind}, not an object` };
  }
  return { value: value as JsonObject };
}

export function correlationOf(obj: JsonObject, defaults: Correlation): Correlation {
  const out: Correlation = {};
  for (const col of CORRELATION_COLUMNS) {
    out[col] = asId(pick(obj, col)) ?? defaults[col] ?? null;
  }
  return out;
}

export function eventFromObject(
  obj: JsonObject,
  raw: string,
  sourceLine: number,
  ctx: FileContext,
  fallback: { ts?: number | null; level?: string | null } = {},
): EventRow {
  const tsValue = pick(obj, 'ts');
  const ts = tsValue === undefined ? null : parseTimestampValue(tsValue, ctx.tz);
  return {
    ...correlationOf(obj, ctx.defaults),
    ts: ts ?? fallback.ts ?? null,
    sourceLine,
    level: normalizeLevel(pick(obj, 'level')) ?? fallback.level ?? null,
    event: asText(pick(obj, 'event')),
    message: asText(pick(obj, 'message')),
    logger: asText(pick(obj, 'logger')),
    raw,
  };
}
