/**
 * Where Prometheus is and how to reach it, from (in order) flags, environment
 * and the config file. Credentials may come from the config file, the
 * environment or the URL's user info; they are never printed: every message
 * shows the URL without them, and what a server or the network says back
 * goes through redact() before obs repeats it.
 */
import { isHttpUrl, type Config } from '../config.js';
import { usageError } from '../errors.js';
import { parseDuration } from '../time/time.js';

export const DEFAULT_TIMEOUT_MS = 10_000;

export type Auth = { kind: 'bearer'; token: string } | { kind: 'basic'; username: string; password: string };

export interface PrometheusSettings {
  /** Base URL without user info, e.g. http://127.0.0.1:9090 or https://host/prometheus. */
  url: string;
  auth: Auth | null;
  timeoutMs: number;
  /** Where the URL came from, for messages: --prometheus, OBS_PROMETHEUS_URL or the config file. */
  from: string;
}

export interface PrometheusFlags {
  prometheus?: string;
  prometheusTimeout?: string;
}

/** The URL as shown to people: no user name or password, no trailing slash. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/+$/, '');
}

/** Any text with the user info of every URL in it (`https://user:password@host`) taken out. */
export function withoutUserinfo(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]*@/gi, '$1');
}

/**
 * Every form in which the credentials could come back in a text: the token,
 * the password (as given, and percent-encoded as in a URL), user:password, and
 * the Authorization header's value (and its base64 part).
 */
function secretForms(auth: Auth | null): string[] {
  if (auth === null) return [];
  if (auth.kind === 'bearer') return [auth.token, `Bearer ${auth.token}`];
  const pair = `${auth.username}:${auth.password}`;
  // Without a password the user name is the secret (a token written as the URL's user info).
  const secret = auth.password !== '' ? auth.password : auth.username;
  return [pair, Buffer.from(pair).toString('base64'), secret, encodeURIComponent(secret)];
}

/**
 * A text that came from outside obs (a server's error body, its warnings, a
 * network error) with the credentials replaced by "[redacted]", longest form
 * first, and URLs without user info.
 */
export function redact(text: string, auth: Auth | null): string {
  let out = text;
  for (const secret of [...new Set(secretForms(auth))].filter((x) => x !== '').sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('[redacted]');
  }
  return withoutUserinfo(out);
}

/** Percent-decoding that keeps the text as written when it is not valid percent-encoding. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * An Authorization header carries no control character but a tab, and
 * nothing beyond Latin-1: a line break (a token file read with its newline, a
 * value pasted with one) would make the request fail, and fetch's error name
 * the value. Checked before any request, said without the value.
 */
function checkHeaderSafe(value: string, what: string, fix: string): void {
  const bad = /[\u0000-\u0008\u000a-\u001f\u007f]|[^\u0000-\u00ff]/.exec(value);
  if (bad === null) return;
  const code = bad[0].codePointAt(0) ?? 0;
  throw usageError(`${what} holds a character an HTTP header cannot carry`, {
    reason: `character ${bad.index + 1} of ${value.length} is ${code === 10 ? 'a line feed' : code === 13 ? 'a carriage return' : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`} (the value is not shown)`,
    help: fix,
  });
}

/**
 * The settings, or null when no Prometheus is configured. Throws a usage error
 * (exit 2) for a bad URL, timeout or a clash of credentials.
 */
export function prometheusSettings(
  flags: PrometheusFlags,
  env: Record<string, string | undefined>,
  config: Config,
): PrometheusSettings | null {
  const cfg = config.prometheus ?? {};
  const configName = config.file ? `"prometheus.url" in ${config.file}` : 'the config file';
  const [raw, from] =
    flags.prometheus !== undefined
      ? [flags.prometheus, '--prometheus']
      : env['OBS_PROMETHEUS_URL']
        ? [env['OBS_PROMETHEUS_URL'], 'OBS_PROMETHEUS_URL']
        : cfg.url !== undefined
          ? [cfg.url, configName]
          : [undefined, ''];
  if (raw === undefined) return null;
  if (!isHttpUrl(raw)) {
    throw usageError(`${from} is not an http(s) URL`, {
      // The value may hold a password: show its shape, not the value.
      reason: `got ${raw.includes('@') ? 'a value with user info' : `"${raw}"`}`,
      help: 'give the base URL of the Prometheus server, for example http://127.0.0.1:9090 (obs adds /api/v1/...)',
    });
  }
  const u = new URL(raw);
  const fromUrl: Auth | null =
    u.username !== '' ? { kind: 'basic', username: decoded(u.username), password: decoded(u.password) } : null;

  const token = env['OBS_PROMETHEUS_TOKEN'] || cfg.bearer_token;
  if (token) {
    const where = env['OBS_PROMETHEUS_TOKEN'] ? 'OBS_PROMETHEUS_TOKEN' : config.file ? `"prometheus.bearer_token" in ${config.file}` : '"prometheus.bearer_token"';
    checkHeaderSafe(token, where, 'remove the line break or control character (for example: OBS_PROMETHEUS_TOKEN="$(tr -d \'\\r\\n\' < token-file)")');
  }
  const user = env['OBS_PROMETHEUS_USERNAME'];
  const basic: Auth | null =
    user !== undefined && user !== ''
      ? { kind: 'basic', username: user, password: env['OBS_PROMETHEUS_PASSWORD'] ?? '' }
      : cfg.basic_auth
        ? { kind: 'basic', ...cfg.basic_auth }
        : fromUrl;
  if (token && basic) {
    throw usageError('both a bearer token and a user name are set for Prometheus', {
      help: 'keep one: OBS_PROMETHEUS_TOKEN / "bearer_token", or OBS_PROMETHEUS_USERNAME and OBS_PROMETHEUS_PASSWORD / "basic_auth" / user info in the URL',
    });
  }
  const auth: Auth | null = token ? { kind: 'bearer', token } : basic;

  const timeoutText = flags.prometheusTimeout ?? env['OBS_PROMETHEUS_TIMEOUT'] ?? cfg.timeout;
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (timeoutText !== undefined) {
    timeoutMs = parseDuration(timeoutText);
    if (timeoutMs <= 0) {
      throw usageError(`the Prometheus timeout must be more than 0, got "${timeoutText}"`, { help: 'for example --prometheus-timeout 10s' });
    }
  }
  return { url: displayUrl(raw), auth, timeoutMs, from };
}
