/**
 * The config file: `obs.config.json` in the working directory, or --config.
 * Validated at start; an unknown key, a wrong type or a bad value fails with
 * exit 2 and names the key and the fix. Precedence: flags, environment,
 * config file, defaults.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { usageError } from './errors.js';
import { isValidTimeZone } from './time/time.js';

export const CONFIG_FILE = 'obs.config.json';

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
  })
  .strict();

export interface Config {
  logs?: string[];
  tz?: string;
  /** The file it came from, for messages. */
  file?: string;
}

export function loadConfig(cwd: string, explicit: string | undefined): Config {
  const file = explicit !== undefined ? path.resolve(cwd, explicit) : path.join(cwd, CONFIG_FILE);
  if (!existsSync(file)) {
    if (explicit !== undefined) {
      throw usageError(`config file ${explicit} does not exist`, { help: 'pass an existing file to --config, or drop the flag' });
    }
    return {};
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw usageError(`cannot read config file ${path.relative(cwd, file) || file}`, {
      reason: (err as Error).message,
      help: 'the config file must be one JSON object, for example {"logs": ["./logs"], "tz": "UTC"}',
    });
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const shown = path.relative(cwd, file) || file;
    if (issue?.code === 'unrecognized_keys') {
      throw usageError(`unknown key "${issue.keys.join('", "')}" in ${shown}`, {
        help: `the keys are: ${Object.keys(configSchema.shape).join(', ')}`,
      });
    }
    const key = issue?.path.join('.') || '(top level)';
    throw usageError(`invalid value for "${key}" in ${shown}`, {
      reason: issue?.message,
      help: 'for example {"logs": ["./logs"], "tz": "UTC"}',
    });
  }
  const dir = path.dirname(file);
  const logs = parsed.data.logs;
  return {
    logs: logs === undefined ? undefined : (Array.isArray(logs) ? logs : [logs]).map((p) => path.resolve(dir, p)),
    tz: parsed.data.tz,
    file,
  };
}
