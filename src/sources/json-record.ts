/**
 * A JSON line as an object (or why it is not one), and a record's correlation
 * ids through the alias table. Shared by every JSON-shaped source; mapping a
 * whole log record is the formats' job (src/formats).
 */
import { CORRELATION_COLUMNS, asId, pick, type JsonObject } from './fields.js';
import type { Correlation } from './types.js';

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
