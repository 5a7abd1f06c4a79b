/**
 * Field selection, as `gh --json fields` does it: `--json a,b` (also
 * `--ndjson a,b`, `--csv a,b`) keeps those fields of every printed object, in
 * that order; a name obs does not print is a usage error that lists the ones
 * it does.
 */
import { usageError } from '../errors.js';
import type { Row } from './render.js';

/** One field name: snake_case letters, digits, dots (`counts.events` is not a name; a name is one key). */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** What `--json` takes as a field list rather than as the next argument. */
export const FIELD_LIST = /^[A-Za-z_][A-Za-z0-9_]*(?:,[A-Za-z_][A-Za-z0-9_]*)*$/;

/** `a,b , c` → [a, b, c]; repeated names once. Throws a usage error for a name that cannot be a field. */
export function parseFieldList(text: string, flag: string): string[] {
  const names = text.split(',').map((n) => n.trim()).filter((n) => n !== '');
  for (const n of names) {
    if (!NAME.test(n)) {
      throw usageError(`${flag} takes field names separated by commas, got "${n}"`, {
        help: `for example ${flag} ts,level,message; ${flag} alone prints every field`,
      });
    }
  }
  return [...new Set(names)];
}

/** Throws a usage error naming the first unknown field and listing the valid ones. */
export function checkFields(requested: readonly string[], valid: Iterable<string>, what: string, flag: string): void {
  const known = [...new Set(valid)];
  const unknown = requested.filter((f) => !known.includes(f));
  if (unknown.length === 0) return;
  throw usageError(`no field${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `"${f}"`).join(', ')} in ${what}`, {
    note: `valid fields: ${[...known].sort().join(', ')}`,
    help: `choose from the list above, e.g. ${flag} ${known.slice(0, 2).join(',')}`,
  });
}

/** The row with only these fields, in this order; a field the row lacks is null, so every object has the same keys. */
export function pick(row: Row, fields: readonly string[]): Row {
  const out: Row = {};
  for (const f of fields) out[f] = row[f] ?? null;
  return out;
}
