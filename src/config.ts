/**
 * The config file: `obs.config.json` in the working directory, or --config.
 * Validated at start; an unknown key, a wrong type or a bad value fails with
 * exit 2 and names the key and the fix. Precedence: flags, environment,
 * config file, defaults.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Context } from './context.js';
import { usageError } from './errors.js';
import type { FormatDefinition } from './formats/definition.js';
import { checkSamples } from './formats/samples.js';
import type { PriceOverride } from './llm/prices.js';
import type { RedactConfig } from './redact/redactor.js';

export const CONFIG_FILE = 'obs.config.json';

/** An http or https URL, as Prometheus' base URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

const EXAMPLE: Record<string, string> = {
  logs: '{"logs": ["./logs"]}',
  tz: '{"tz": "UTC"}',
  prometheus: '{"prometheus": {"url": "http://127.0.0.1:9090", "timeout": "10s"}}',
  'prometheus.basic_auth': '{"prometheus": {"basic_auth": {"username": "obs", "password": "..."}}}',
  formats:
    '{"formats": [{"name": "myapp", "type": "regex", "pattern": "^(?<ts>\\\\S+) (?<level>[A-Z]+) (?<message>.*)$", "samples": [{"line": "2026-11-21T22:18:05Z INFO started"}]}]}',
  redact: '{"redact": {"patterns": [{"kind": "internal-token", "regex": "itk_[A-Za-z0-9]{24}"}], "keys": ["x-signature"]}}',
  prices: '{"prices": [{"model": "gpt-4.1*", "input": 2, "cache_read": 0.5, "output": 8, "since": "2026-01-01"}]}',
  'prometheus.queries': '{"prometheus": {"queries": [{"name": "llm errors", "query": "sum by (model) (increase(llm_calls_total{status=\\"error\\"}[$rate_interval]))"}]}}',
};

export interface PrometheusConfig {
  url?: string;
  timeout?: string;
  bearer_token?: string;
  basic_auth?: { username: string; password: string };
  queries?: Array<{ name: string; query: string }>;
}

export interface Config {
  logs?: string[];
  tz?: string;
  prometheus?: PrometheusConfig;
  formats?: FormatDefinition[];
  prices?: PriceOverride[];
  redact?: RedactConfig;
  /** The file it came from, for messages. */
  file?: string;
}

function exampleFor(key: string): string {
  const parts = key.split('.');
  for (let n = parts.length; n > 0; n--) {
    const k = parts.slice(0, n).filter((p) => !/^\d+$/.test(p)).join('.');
    if (EXAMPLE[k]) return EXAMPLE[k];
  }
  return '{"logs": ["./logs"], "tz": "UTC"}';
}

/**
 * The JSON parser's complaint without the text it quotes around the error
 * (V8 writes `Unexpected token 's', ..."r_token": s3cr"... is not valid JSON`):
 * the file may hold credentials. Where the parser gives a position, or quotes
 * enough to find one, it becomes a line and column.
 */
function jsonProblem(err: unknown, text: string): string {
  const message = (err as Error).message;
  const where = (pos: number): string => {
    const before = text.slice(0, pos);
    return `line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}`;
  };
  const quoted = /^(.*?), (\.\.\.)?"(.*)"(\.\.\.)? is not valid JSON$/s.exec(message);
  if (quoted !== null) {
    const [, what = '', cutBefore, around = ''] = quoted;
    const at = text.indexOf(around);
    // V8 quotes from 10 characters before the error when it cuts the text, from its start otherwise.
    const token = /^Unexpected token '(.)'/.exec(what)?.[1];
    const pos = at === -1 ? -1 : cutBefore !== undefined ? at + 10 : token !== undefined ? at + around.indexOf(token) : -1;
    return pos >= 0 ? `${what} at ${where(pos)}` : `${what}: not valid JSON`;
  }
  const at = /^(.*) in JSON at position (\d+)/s.exec(message);
  return at === null ? message : `${at[1]} at ${where(Number(at[2]))}`;
}

/** Config files already warned about in this run. */
const warnedReadable = new Set<string>();

/**
 * The credentials a config file holds, as said in the warning, and where
 * each can go instead.
 */
function credentialsIn(p: PrometheusConfig | undefined): Array<{ what: string; instead: string }> {
  const held: Array<{ what: string; instead: string }> = [];
  if (p?.bearer_token !== undefined) held.push({ what: 'a bearer token ("prometheus.bearer_token")', instead: 'OBS_PROMETHEUS_TOKEN' });
  if (p?.basic_auth !== undefined && p.basic_auth.password !== '') {
    held.push({ what: 'a password ("prometheus.basic_auth")', instead: 'OBS_PROMETHEUS_USERNAME and OBS_PROMETHEUS_PASSWORD' });
  }
  if (p?.url !== undefined) {
    const u = new URL(p.url);
    if (u.password !== '' || u.username !== '') {
      held.push({
        what: u.password !== '' ? 'a password in "prometheus.url"' : 'user info in "prometheus.url"',
        instead: 'OBS_PROMETHEUS_USERNAME and OBS_PROMETHEUS_PASSWORD (the URL without user info)',
      });
    }
  }
  return held;
}

/**
 * Warns, once per run and file, when a config file holding credentials can be
 * read by its group or by others. Not an error: the command runs as it would.
 */
function warnIfReadable(ctx: Pick<Context, 'stderr'>, file: string, shown: string, p: PrometheusConfig | undefined): void {
  if (process.platform === 'win32' || warnedReadable.has(file)) return;
  const held = credentialsIn(p);
  if (held.length === 0) return;
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    return;
  }
  if ((mode & 0o044) === 0) return;
  warnedReadable.add(file);
  const who = (mode & 0o044) === 0o044 ? 'its group and all users' : mode & 0o040 ? 'its group' : 'all users';
  const quoted = /^[\w./@%+=:,-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
  ctx.stderr.write(
    `warning: ${shown} holds ${held.map((h) => h.what).join(' and ')} and can be read by ${who} (mode ${mode.toString(8).padStart(3, '0')}); ` +
      `run chmod 600 ${quoted}, or move the secret to the environment: ${[...new Set(held.map((h) => h.instead))].join('; ')}\n`,
  );
}

export async function loadConfig(ctx: Pick<Context, 'cwd' | 'stderr'>, explicit: string | undefined): Promise<Config> {
  const cwd = ctx.cwd;
  const file = explicit !== undefined ? path.resolve(cwd, explicit) : path.join(cwd, CONFIG_FILE);
  if (!existsSync(file)) {
    if (explicit !== undefined) {
      throw usageError(`config file ${explicit} does not exist`, { help: 'pass an existing file to --config, or drop the flag' });
    }
    return {};
  }
  const shown = path.relative(cwd, file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read config file ${shown}`, {
      reason: (err as Error).message,
      help: 'the config file must be one JSON object, for example {"logs": ["./logs"], "tz": "UTC"}',
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw usageError(`cannot read config file ${shown}`, {
      reason: jsonProblem(err, text),
      help: 'the config file must be one JSON object, for example {"logs": ["./logs"], "tz": "UTC"}',
    });
  }
  const { configSchema, KEYS_AT } = await import('./config-schema.js');
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = (issue?.path ?? []).map(String);
    if (issue?.code === 'unrecognized_keys') {
      const where = at.map((p) => (/^\d+$/.test(p) ? '*' : p)).join('.');
      const keys = issue.keys.map((k) => [...at, k].join('.'));
      throw usageError(`unknown key "${keys.join('", "')}" in ${shown}`, {
        help: `the keys${where === '' ? '' : ` of "${at.join('.')}"`} are: ${(KEYS_AT[where] ?? []).join(', ')}`,
      });
    }
    const key = at.join('.') || '(top level)';
    throw usageError(`invalid value for "${key}" in ${shown}`, {
      reason: issue?.message,
      help: `for example ${exampleFor(key)}`,
    });
  }
  warnIfReadable(ctx, file, shown, parsed.data.prometheus);
  const dir = path.dirname(file);
  const logs = parsed.data.logs;
  return {
    logs: logs === undefined ? undefined : (Array.isArray(logs) ? logs : [logs]).map((p) => path.resolve(dir, p)),
    tz: parsed.data.tz,
    prometheus: parsed.data.prometheus,
    formats: checkFormats(parsed.data.formats, shown),
    prices: parsed.data.prices,
    redact: parsed.data.redact,
    file,
  };
}

/** Each format of the config file must read its own samples, as a built-in format's do; names are unique. */
function checkFormats(formats: FormatDefinition[] | undefined, shown: string): FormatDefinition[] | undefined {
  if (formats === undefined) return undefined;
  const seen = new Set<string>();
  formats.forEach((f, i) => {
    if (seen.has(f.name)) {
      throw usageError(`invalid value for "formats.${i}.name" in ${shown}`, {
        reason: `a second format is named "${f.name}"`,
        help: 'give each format its own name (a format named like a built-in one replaces it)',
      });
    }
    seen.add(f.name);
  });
  const problem = checkSamples(formats)[0];
  if (problem !== undefined) {
    const i = formats.findIndex((f) => f.name === problem.format);
    throw usageError(`format "${problem.format}" in ${shown} does not read its sample ${problem.sample + 1}`, {
      reason: problem.reason,
      help: `fix "formats.${i}.pattern" (or "require"), or the sample's "expect"`,
    });
  }
  return formats;
}
