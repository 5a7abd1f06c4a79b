/**
 * Where Prometheus is and how to reach it, from (in order) flags, environment
 * and the config file. Credentials may come from the config file, the
 * environment or the URL's user info; they are never printed: every message
 * shows the URL without them.
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
    u.username !== '' ? { kind: 'basic', username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } : null;

  const token = env['OBS_PROMETHEUS_TOKEN'] || cfg.bearer_token;
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
