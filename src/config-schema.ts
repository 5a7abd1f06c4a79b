/**
 * The config file's schema (zod), loaded only when there is a config file to
 * check: a run without one never loads zod.
 */
import { z } from 'zod';
import { isHttpUrl } from './config.js';
import { FORMAT_FIELD_KEYS, FORMAT_KEYS, formatSchema } from './formats/definition.js';
import { isValidTimeZone, parseDurationOrNull } from './time/time.js';

const duration = z.string().refine((s) => parseDurationOrNull(s) !== null, {
  message: 'not a duration (for example "10s", "500ms" or "1m")',
});

const promQuery = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_:. -]*$/, { message: 'a name is letters, digits, "_", ":", ".", "-" or spaces, starting with a letter' }),
    query: z.string().min(1, { message: 'the PromQL query is empty' }),
  })
  .strict();

const prometheusSchema = z
  .object({
    url: z.string().refine(isHttpUrl, { message: 'not an http(s) URL (for example "http://127.0.0.1:9090")' }).optional(),
    timeout: duration.optional(),
    bearer_token: z.string().min(1).optional(),
    basic_auth: z.object({ username: z.string().min(1), password: z.string() }).strict().optional(),
    queries: z.array(promQuery).optional(),
  })
  .strict();

const usdPerMillion = z.number().finite().nonnegative({ message: 'a price is USD per million tokens, 0 or more' });

const priceSchema = z
  .object({
    model: z.string().min(1).describe('model name; * and ? are wildcards, case is ignored'),
    input: usdPerMillion,
    output: usdPerMillion,
    cache_read: usdPerMillion.optional(),
    cache_write: usdPerMillion.optional(),
    since: z
      .string()
      .refine((s) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(s) && !Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s)), {
        message: 'not a date (for example "2026-01-01" or "2026-01-01T00:00:00Z")',
      })
      .optional(),
  })
  .strict();

/** A regular expression of the config file: it must compile and must not match empty text. */
const secretRegex = z.string().min(1).superRefine((text, ctx) => {
  let re: RegExp;
  try {
    re = new RegExp(text, 'g');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a regular expression: ${(err as Error).message}` });
    return;
  }
  if (re.test('')) ctx.addIssue({ code: 'custom', message: 'the pattern matches empty text, so it would match everywhere' });
});

const redactSchema = z
  .object({
    patterns: z
      .array(
        z
          .object({
            kind: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'a kind is lower-case letters, digits and "-", e.g. "internal-token"' }),
            regex: secretRegex,
          })
          .strict(),
      )
      .optional(),
    keys: z.array(z.string().min(1)).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    logs: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe('paths, directories or globs to read; relative to the config file')
      .optional(),
    tz: z
      .string()
      .refine(isValidTimeZone, { message: 'not an IANA time zone (for example "UTC" or "Europe/Amsterdam")' })
      .describe('zone for timestamps written without one')
      .optional(),
    prometheus: prometheusSchema.describe('the Prometheus server to query for metrics').optional(),
    formats: z.array(formatSchema).describe('log formats of your own, tried before the built-in ones').optional(),
    prices: z.array(priceSchema).describe('LLM prices in USD per million tokens, used before the shipped price table').optional(),
    redact: redactSchema.describe('secrets of your own to redact: patterns (kind and regex) and key names').optional(),
  })
  .strict();

/** Keys allowed at each level, for "unknown key" messages. */
export const KEYS_AT: Record<string, string[]> = {
  '': Object.keys(configSchema.shape),
  prometheus: Object.keys(prometheusSchema.shape),
  'prometheus.basic_auth': ['username', 'password'],
  'prometheus.queries.*': ['name', 'query'],
  'formats.*': FORMAT_KEYS,
  'formats.*.fields': [...FORMAT_FIELD_KEYS],
  'formats.*.samples.*': ['line', 'expect'],
  'prices.*': Object.keys(priceSchema.shape),
  redact: Object.keys(redactSchema.shape),
  'redact.patterns.*': ['kind', 'regex'],
};
