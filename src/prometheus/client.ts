/**
 * A client for the Prometheus HTTP API (/api/v1): range and instant queries,
 * metric names, series, exemplars and alerts. Every call has a timeout; the server's
 * error envelope and HTTP status become a PrometheusError saying what failed
 * and how to fix it; warnings and infos are returned, never dropped.
 *
 * Only the standard API is used, so servers that offer it (Thanos Querier,
 * Mimir, Cortex, VictoriaMetrics) answer too. What they say differently is
 * read here: a partial answer flagged `isPartial` (VictoriaMetrics cluster)
 * becomes a warning, VictoriaMetrics' syntax errors (HTTP 422) are told from
 * evaluation errors, and label sets come back with their names in order,
 * whatever order the server wrote them in.
 */
import { EXIT, ObsError } from '../errors.js';
import { redact, type PrometheusSettings } from './settings.js';

/** Prometheus refuses range queries with more points per series than this. */
export const MAX_POINTS = 11_000;

export type Sample = [number, string];

export interface MatrixSeries {
  metric: Record<string, string>;
  values: Sample[];
}

export interface VectorSample {
  metric: Record<string, string>;
  value: Sample;
}

export type QueryData =
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'scalar'; result: Sample }
  | { resultType: 'string'; result: Sample };

export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt?: string;
  value?: string;
}

/** One exemplar as the API gives it: its own labels (a trace id, a span id), the value observed, the time in seconds. */
export interface Exemplar {
  labels: Record<string, string>;
  value: string;
  timestamp: number;
}

export interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: Exemplar[];
}

export interface ApiResult<T> {
  data: T;
  warnings: string[];
  infos: string[];
}

/** What went wrong, so callers can pick an exit code. */
export type FailureKind = 'bad_query' | 'timeout' | 'unreachable' | 'auth' | 'not_found' | 'server' | 'bad_response';

export class PrometheusError extends ObsError {
  constructor(
    readonly kind: FailureKind,
    message: string,
    details: { reason?: string; help?: string; status?: number; errorType?: string },
  ) {
    // A query Prometheus cannot parse or run is the user's to fix (2); anything else means no data (3).
    super(kind === 'bad_query' ? EXIT.USAGE : EXIT.NO_INPUT, message, details);
    this.status = details.status;
    this.errorType = details.errorType;
  }
  readonly status: number | undefined;
  readonly errorType: string | undefined;
}

interface Envelope {
  status?: string;
  data?: unknown;
  errorType?: string;
  error?: string;
  warnings?: unknown;
  infos?: unknown;
  /** VictoriaMetrics cluster: true when some storage nodes did not answer. */
  isPartial?: unknown;
}

/** The warning for an answer a server flags as partial. */
export const PARTIAL_WARNING =
  'partial response: the server says some of its storage nodes did not answer (isPartial), so series or samples may be missing';

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isLabels(v: unknown): v is Record<string, string> {
  return isRecord(v) && Object.values(v).every((x) => typeof x === 'string');
}

function isExemplarSeries(v: unknown): v is ExemplarSeries {
  return (
    isRecord(v) &&
    isLabels(v['seriesLabels']) &&
    Array.isArray(v['exemplars']) &&
    v['exemplars'].every((e) => isRecord(e) && isLabels(e['labels']) && typeof e['value'] === 'string' && typeof e['timestamp'] === 'number')
  );
}

/** The same labels, names in code-point order (Prometheus' own order; VictoriaMetrics keeps its own). */
export function sortLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(labels).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[name] = labels[name]!;
  return out;
}

function sortedQueryData(d: QueryData): QueryData {
  if (d.resultType === 'matrix') return { resultType: 'matrix', result: d.result.map((s) => ({ ...s, metric: sortLabels(s.metric ?? {}) })) };
  if (d.resultType === 'vector') return { resultType: 'vector', result: d.result.map((s) => ({ ...s, metric: sortLabels(s.metric ?? {}) })) };
  return d;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

/** Seconds as Prometheus takes them: decimal, up to millisecond precision. */
export function promTime(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}

/**
 * How VictoriaMetrics' MetricsQL parser words a query it cannot read (it answers
 * HTTP 422, as for a query that fails when run): "...; unparsed data: ...",
 * "unparsed data left", "cannot find the first token", "unknown func".
 */
const METRICSQL_SYNTAX = /cannot execute query: .*(unparsed data|cannot find the first token|unknown func )/;

export class PrometheusClient {
  constructor(readonly settings: PrometheusSettings) {}

  get url(): string {
    return this.settings.url;
  }

  /** POST /api/v1/query_range: one matrix over [start, end] at a step (all in seconds). */
  async queryRange(query: string, start: number, end: number, stepSeconds: number): Promise<ApiResult<MatrixSeries[]>> {
    const r = await this.call<QueryData>('query_range', {
      query,
      start: promTime(start),
      end: promTime(end),
      step: promTime(stepSeconds),
      timeout: this.serverTimeout(),
    });
    if (r.data.resultType !== 'matrix') throw this.badResponse('query_range', `a ${r.data.resultType} result instead of a matrix`);
    return { ...r, data: r.data.result.map((s) => ({ ...s, metric: sortLabels(s.metric ?? {}) })) };
  }

  /** POST /api/v1/query: an instant query at a time (seconds; default now). */
  async query(query: string, time?: number): Promise<ApiResult<QueryData>> {
    const form: Record<string, string> = { query, timeout: this.serverTimeout() };
    if (time !== undefined) form['time'] = promTime(time);
    const r = await this.call<QueryData>('query', form);
    return { ...r, data: sortedQueryData(r.data) };
  }

  /** GET /api/v1/label/__name__/values: the metric names with samples in [start, end]. */
  async metricNames(start?: number, end?: number): Promise<ApiResult<string[]>> {
    const q: Record<string, string> = {};
    if (start !== undefined) q['start'] = promTime(start);
    if (end !== undefined) q['end'] = promTime(end);
    return this.call<string[]>('label/__name__/values', q, 'GET');
  }

  /** POST /api/v1/series: the label sets of the series matching any selector in [start, end]. */
  async series(match: string[], start?: number, end?: number): Promise<ApiResult<Array<Record<string, string>>>> {
    const form = new URLSearchParams();
    for (const m of match) form.append('match[]', m);
    if (start !== undefined) form.set('start', promTime(start));
    if (end !== undefined) form.set('end', promTime(end));
    const r = await this.call<Array<Record<string, string>>>('series', form);
    return { ...r, data: r.data.map(sortLabels) };
  }

  /**
   * POST /api/v1/query_exemplars: the exemplars in [start, end] (seconds) of the
   * series the expression selects. A server without exemplar storage answers
   * with none, as does one given an expression that selects no series (HTTP 204).
   */
  async queryExemplars(query: string, start: number, end: number): Promise<ApiResult<ExemplarSeries[]>> {
    const r = await this.call<unknown>('query_exemplars', { query, start: promTime(start), end: promTime(end) }, 'POST', []);
    if (r.data === null) return { ...r, data: [] };
    if (!Array.isArray(r.data) || !r.data.every(isExemplarSeries)) {
      throw this.badResponse('query_exemplars', 'exemplars that are not a list of {seriesLabels, exemplars: [{labels, value, timestamp}]}');
    }
    return { ...r, data: r.data.map((e) => ({ seriesLabels: sortLabels(e.seriesLabels), exemplars: e.exemplars.map((x) => ({ ...x, labels: sortLabels(x.labels) })) })) };
  }

  /** GET /api/v1/alerts: the alerts active now. */
  async alerts(): Promise<ApiResult<Alert[]>> {
    const r = await this.call<{ alerts?: Alert[] }>('alerts', {}, 'GET');
    return { ...r, data: r.data.alerts ?? [] };
  }

  /** The server-side evaluation limit: the client's own timeout, so both give up together. */
  private serverTimeout(): string {
    return `${Math.max(1, Math.floor(this.settings.timeoutMs))}ms`;
  }

  private headers(post: boolean): Record<string, string> {
    const h: Record<string, string> = { Accept: 'application/json' };
    if (post) h['Content-Type'] = 'application/x-www-form-urlencoded';
    const auth = this.settings.auth;
    if (auth?.kind === 'bearer') h['Authorization'] = `Bearer ${auth.token}`;
    if (auth?.kind === 'basic') h['Authorization'] = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    return h;
  }

  private endpoint(path: string): string {
    return `${this.settings.url.replace(/\/+$/, '')}/api/v1/${path}`;
  }

  private badResponse(path: string, what: string): PrometheusError {
    return new PrometheusError('bad_response', `${this.endpoint(path)} did not answer as the Prometheus API does`, {
      reason: what,
      help: 'check that the URL is the base URL of a Prometheus server (or a compatible one), for example http://127.0.0.1:9090',
    });
  }

  /** `noContent`: the data of an HTTP 204 answer, for the endpoints that give one; without it a 204 is a bad response. */
  private async call<T>(
    path: string,
    params: Record<string, string> | URLSearchParams,
    method: 'GET' | 'POST' = 'POST',
    noContent?: T,
  ): Promise<ApiResult<T>> {
    const body = params instanceof URLSearchParams ? params : new URLSearchParams(params);
    const target = method === 'GET' && [...body.keys()].length > 0 ? `${this.endpoint(path)}?${body}` : this.endpoint(path);
    const seconds = this.settings.timeoutMs / 1000;
    let res: Response;
    try {
      res = await fetch(target, {
        method,
        headers: this.headers(method === 'POST'),
        body: method === 'POST' ? body.toString() : undefined,
        signal: AbortSignal.timeout(Math.max(1, Math.ceil(this.settings.timeoutMs))),
        redirect: 'follow',
      });
    } catch (err) {
      throw this.transportError(err, seconds);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw this.transportError(err, seconds);
    }
    if (res.status === 204 && noContent !== undefined) return { data: noContent, warnings: [], infos: [] };
    let env: Envelope | null = null;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) env = parsed as Envelope;
    } catch {
      env = null;
    }
    if (!res.ok || env?.status === 'error') throw this.httpError(res, env, text);
    if (env === null || env.status !== 'success' || env.data === undefined) {
      const type = res.headers.get('content-type') ?? 'no content type';
      throw this.badResponse(path, `HTTP ${res.status} with ${this.redact(type)}: ${this.redact(text).replace(/\s+/g, ' ').slice(0, 120)}`);
    }
    const warnings = strings(env.warnings).map((w) => this.redact(w));
    if (env.isPartial === true) warnings.push(PARTIAL_WARNING);
    return { data: env.data as T, warnings, infos: strings(env.infos).map((i) => this.redact(i)) };
  }

  /**
   * What the server or the network said, as obs repeats it: without the
   * credentials (a proxy may echo the Authorization header back, a network
   * error may name the header's value) and without any URL's user info.
   * Cleaned before anything else (whitespace folded, the text cut), so that
   * no secret is changed or cut past recognition first.
   */
  private redact(text: string): string {
    return redact(text, this.settings.auth);
  }

  private transportError(err: unknown, seconds: number): PrometheusError {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
      return new PrometheusError('timeout', `Prometheus at ${this.url} did not answer within ${seconds}s`, {
        help: 'raise --prometheus-timeout (or "timeout" in the config), narrow the window, or check that the server is healthy',
      });
    }
    const code = e?.cause?.code;
    const why = this.redact(code ?? e?.cause?.message ?? e?.message ?? String(err));
    return new PrometheusError('unreachable', `cannot reach Prometheus at ${this.url}`, {
      reason: code === 'ECONNREFUSED' ? 'connection refused: nothing listens there' : code === 'ENOTFOUND' ? 'the host name does not resolve' : why,
      help: 'check the URL (--prometheus, OBS_PROMETHEUS_URL or "prometheus.url" in obs.config.json) and that the server is running',
    });
  }

  private httpError(res: Response, env: Envelope | null, text: string): PrometheusError {
    const status = res.status;
    const errorType = env?.errorType === undefined ? undefined : this.redact(String(env.errorType));
    const said = typeof env?.error === 'string' ? this.redact(env.error) : this.redact(text).replace(/\s+/g, ' ').trim().slice(0, 200);
    // VictoriaMetrics sets errorType to the status code ("422"): not repeated.
    const shownType = errorType !== undefined && errorType !== String(status) ? errorType : undefined;
    const details = { status, errorType, reason: `HTTP ${status}${shownType ? ` ${shownType}` : ''}: ${said}` };
    if (errorType === 'bad_data' || status === 400 || (status === 422 && METRICSQL_SYNTAX.test(said))) {
      const points = /exceeded maximum resolution/.test(said);
      return new PrometheusError('bad_query', points ? 'the query asks for too many points per series' : 'Prometheus rejected the query', {
        ...details,
        help: points
          ? `raise --step: Prometheus returns at most ${MAX_POINTS} points per series`
          : 'check the PromQL (a parse error names the position, or the text left unparsed); test it in the Prometheus UI or with `promtool query range`',
      });
    }
    if (errorType === 'timeout' || errorType === 'canceled' || status === 503) {
      return new PrometheusError('timeout', 'Prometheus gave up evaluating the query', {
        ...details,
        help: 'narrow the window, raise --step, or raise --prometheus-timeout; the server also has its own --query.timeout',
      });
    }
    if (errorType === 'execution' || status === 422) {
      return new PrometheusError('bad_query', 'Prometheus could not evaluate the query', {
        ...details,
        help: 'the query parsed but failed when run (for example a many-to-many match); rewrite it, or narrow it with more label matchers',
      });
    }
    if (status === 401 || status === 403) {
      return new PrometheusError('auth', `Prometheus at ${this.url} refused the request (HTTP ${status})`, {
        ...details,
        help: 'set credentials: OBS_PROMETHEUS_TOKEN or "bearer_token", or OBS_PROMETHEUS_USERNAME and OBS_PROMETHEUS_PASSWORD or "basic_auth"',
      });
    }
    if (status === 404) {
      return new PrometheusError('not_found', `no Prometheus API at ${this.url}`, {
        ...details,
        help: 'give the base URL of the server, for example http://127.0.0.1:9090 or https://host/prometheus; obs adds /api/v1/...',
      });
    }
    return new PrometheusError('server', `Prometheus at ${this.url} failed (HTTP ${status})`, {
      ...details,
      help: 'try again; if it persists, look at the server\'s own log',
    });
  }
}

/** Prometheus writes values as strings: "1.5", "NaN", "+Inf", "-Inf". */
export function sampleValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}
