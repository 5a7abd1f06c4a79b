/**
 * A log format as data, in the manner of lnav's formats: how a line is
 * recognised, which of its fields are the time, level, message and
 * correlation ids, how its levels map, and sample lines that the tests parse
 * with it. Built-in formats (builtin.ts) and the config file's `formats` key
 * are validated by this one schema, so adding a format is adding a
 * definition, not writing a parser.
 */
import { z } from 'zod';
import { CORRELATION_COLUMNS, LEVELS } from '../sources/fields.js';

/** One field name or several, first present wins; a dotted name is a nested path. */
const fieldRef = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const FIELD_KEYS = ['ts', 'level', 'message', 'event', 'logger', ...CORRELATION_COLUMNS] as const;

const fieldsSchema = z
  .object(Object.fromEntries(FIELD_KEYS.map((k) => [k, fieldRef.optional()])) as Record<(typeof FIELD_KEYS)[number], z.ZodOptional<typeof fieldRef>>)
  .strict();

/** What a JSON field must hold for a format to claim the record. */
const requirement = z.enum(['any', 'string', 'number', 'object']);

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

export const formatSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, { message: 'a format name is lower-case letters, digits and "_", starting with a letter' }),
    description: z.string().default(''),
    /**
     * How a line is recognised:
     * - `json`: a JSON object holding every field in `require` (with that type);
     *   among the JSON formats that match, the one with the most requirements wins.
     * - `regex`: the line matches `pattern`, whose named groups are the fields.
     * - `logfmt`: the line is key=value pairs holding every field in `require`
     *   (`a|b` accepts either name).
     */
    type: z.enum(['json', 'regex', 'logfmt']),
    require: z.record(z.string().min(1), requirement).default({}),
    pattern: z
      .string()
      .refine(compiles, { message: 'not a valid JavaScript regular expression' })
      .refine((p) => /\(\?<[A-Za-z_]\w*>/.test(p), { message: 'the pattern needs named groups, for example (?<ts>...) and (?<message>.*)' })
      .optional(),
    /** Which field holds what; unnamed roles fall back to the common field names (fields.ts). */
    fields: fieldsSchema.default({}),
    /** How the time field is written: `auto` reads ISO 8601, Python asctime and epoch numbers (unit by size). */
    time: z.enum(['auto', 'epoch_s', 'epoch_ms', 'epoch_us', 'epoch_ns', 'clf']).default('auto'),
    /** Level values (as written) → trace|debug|info|warn|error|fatal; others go through the common names. */
    levels: z.record(z.string(), z.enum(LEVELS)).default({}),
    /** The level of a record that names none (an access log line is written at info). */
    default_level: z.enum(LEVELS).optional(),
    /** Text formats: lines that start no record (tracebacks) continue this one. */
    multiline: z.boolean().default(false),
    /** Lines this format must read, and what it must read from them. */
    samples: z
      .array(
        z
          .object({
            line: z.string().min(1),
            expect: z.record(z.string(), z.union([z.string(), z.null()])).default({}),
          })
          .strict(),
      )
      .default([]),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.type === 'regex' && f.pattern === undefined) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'a regex format needs a pattern with named groups' });
    }
    if (f.type !== 'regex' && f.pattern !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: `a ${f.type} format has no pattern; use "require" to say which fields it needs` });
    }
  });

export type FormatInput = z.input<typeof formatSchema>;
export type FormatDefinition = z.output<typeof formatSchema>;
export type FieldRole = keyof FormatDefinition['fields'];

/** The keys a definition may hold, for "unknown key" messages. */
export const FORMAT_KEYS = Object.keys(formatSchema.shape);
export const FORMAT_FIELD_KEYS: readonly string[] = FIELD_KEYS;
