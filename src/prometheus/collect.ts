/**
 * The metrics part of `obs query`: pick the queries, run them over the
 * subject's window, load the points into metric_samples and join the series
 * to the subject by label (sql/query_metrics.sql); then read the exemplars of
 * the series those queries select, each flagged when its trace id is one of
 * the subject's. A failing Prometheus never hides the rest of the answer: its
 * error is kept in the document.
 */
import type { Database } from '../db/database.js';
import { sqlFile } from '../db/sql-files.js';
import { formatIsoMicros } from '../time/time.js';
import { PrometheusError, sampleValue, type ExemplarSeries, type PrometheusClient } from './client.js';
import { chooseStep, defaultQueries, fillTemplate, rateIntervalSeconds, type NamedQuery } from './queries.js';
import type { QueryResultSet } from './store.js';

export interface SeriesDoc {
  name: string;
  query: string;
  labels: Record<string, string>;
  match: 'thread' | 'window' | 'other';
  matched_labels: string[];
  other_labels: string[];
  min: number | null;
  max: number | null;
  last: number | null;
  points: Array<[number, number | null]>;
}

export interface QueryDoc {
  name: string;
  query: string;
  series: number;
  error: string | null;
}

export interface ExemplarDoc {
  /** The series' metric name (its __name__). */
  metric: string;
  /** The series' other labels. */
  series_labels: Record<string, string>;
  /** The exemplar's own labels, as stored. */
  labels: Record<string, string>;
  ts: string;
  value: number | null;
  trace_id: string | null;
  span_id: string | null;
  /** The trace id is one of the subject's traces. */
  in_subject: boolean;
}

export interface MetricsDoc {
  url: string | null;
  queried: boolean;
  step_seconds: number | null;
  rate_interval_seconds: number | null;
  queries: QueryDoc[];
  series: SeriesDoc[];
  exemplars: ExemplarDoc[];
  warnings: string[];
  infos: string[];
  error: string | null;
  /** Why the exemplars could not be read; the rest of the metrics stand. */
  exemplars_error: string | null;
}

export function notQueried(url: string | null = null): MetricsDoc {
  return {
    url,
    queried: false,
    step_seconds: null,
    rate_interval_seconds: null,
    queries: [],
    series: [],
    exemplars: [],
    warnings: [],
    infos: [],
    error: null,
    exemplars_error: null,
  };
}

/** Exemplar label names that hold a trace id and a span id, as client libraries write them. */
const TRACE_ID_LABELS = ['trace_id', 'traceID', 'traceId'];
const SPAN_ID_LABELS = ['span_id', 'spanID', 'spanId'];

function firstLabel(labels: Record<string, string>, names: string[]): string | null {
  for (const n of names) {
    const v = labels[n];
    if (v !== undefined && v !== '') return v;
  }
  return null;
}

/**
 * The exemplars of the API's series, one entry each, in time order (then by
 * metric and trace id); `in_subject` when the trace id is one of traceIds
 * (compared without regard to case: hex ids are written both ways).
 */
export function exemplarDocs(series: ExemplarSeries[], traceIds: Iterable<string>): ExemplarDoc[] {
  const subject = new Set([...traceIds].map((t) => t.toLowerCase()));
  const out: Array<ExemplarDoc & { seconds: number }> = [];
  const seen = new Set<string>();
  for (const s of series) {
    const { __name__: name, ...seriesLabels } = s.seriesLabels;
    for (const e of s.exemplars) {
      const key = JSON.stringify([s.seriesLabels, e.labels, e.value, e.timestamp]);
      if (seen.has(key)) continue;
      seen.add(key);
      const value = sampleValue(e.value);
      const traceId = firstLabel(e.labels, TRACE_ID_LABELS);
      out.push({
        metric: name ?? '',
        series_labels: seriesLabels,
        labels: e.labels,
        // Whole milliseconds first: 1795309863.261 * 1e6 is a hair under ...261000 µs.
        ts: formatIsoMicros(Math.round(e.timestamp * 1000) * 1000),
        value: Number.isFinite(value) ? value : null,
        trace_id: traceId,
        span_id: firstLabel(e.labels, SPAN_ID_LABELS),
        in_subject: traceId !== null && subject.has(traceId.toLowerCase()),
        seconds: e.timestamp,
      });
    }
  }
  return out
    .sort((a, b) => a.seconds - b.seconds || a.metric.localeCompare(b.metric) || (a.trace_id ?? '').localeCompare(b.trace_id ?? ''))
    .map(({ seconds: _s, ...e }) => e);
}

export interface WindowQuery {
  /** Window in epoch seconds. */
  from: number;
  to: number;
  /** --step in seconds, if given. */
  stepSeconds?: number;
  /** The config file's queries; null → defaults from the server's metric names. */
  templates: NamedQuery[] | null;
  /** The subject's label values (stage, model, ...). */
  labels: Record<string, string[]>;
  /** How many queries run at once. */
  concurrency?: number;
  /** The subject's trace ids: exemplars carrying one are flagged in_subject. */
  traceIds?: string[];
}

export interface Collected {
  doc: MetricsDoc;
  /** The first failure, if any (the document holds them all). */
  failure: PrometheusError | null;
  /** Why the exemplars could not be read, if they could not (not a failure of the metrics). */
  exemplarFailure: PrometheusError | null;
  /** Set when --step was raised to stay under the point limit. */
  stepRaisedFrom?: number;
}

function describe(err: PrometheusError): string {
  return err.reason ? `${err.message}: ${err.reason}` : err.message;
}

function addUnique(list: string[], items: string[]): void {
  for (const i of items) if (!list.includes(i)) list.push(i);
}

export async function collectMetrics(db: Database, client: PrometheusClient, w: WindowQuery): Promise<Collected> {
  const step = chooseStep(w.to - w.from, w.stepSeconds);
  const doc: MetricsDoc = {
    ...notQueried(client.url),
    queried: true,
    step_seconds: step.seconds,
    rate_interval_seconds: rateIntervalSeconds(step.seconds),
  };
  let failure: PrometheusError | null = null;
  const fail = (err: unknown): void => {
    if (!(err instanceof PrometheusError)) throw err;
    failure ??= err;
    doc.error ??= describe(err);
  };

  let templates = w.templates;
  if (templates === null) {
    try {
      const names = await client.metricNames(w.from, w.to);
      addUnique(doc.warnings, names.warnings);
      addUnique(doc.infos, names.infos);
      templates = defaultQueries(names.data);
    } catch (err) {
      fail(err);
      return { doc, failure, exemplarFailure: null, stepRaisedFrom: step.raisedFrom };
    }
  }
  const values = { windowSeconds: w.to - w.from, stepSeconds: step.seconds, labels: w.labels };
  const planned = templates.map((t) => ({ name: t.name, query: fillTemplate(t.query, values) }));
  const results: Array<QueryResultSet | null> = new Array(planned.length).fill(null);
  doc.queries = planned.map((q) => ({ ...q, series: 0, error: null }));

  const limit = Math.max(1, w.concurrency ?? 4);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < planned.length) {
      const i = next++;
      const q = planned[i]!;
      try {
        const r = await client.queryRange(q.query, w.from, w.to, step.seconds);
        results[i] = { ...q, series: r.data };
        doc.queries[i]!.series = r.data.length;
        addUnique(doc.warnings, r.warnings);
        addUnique(doc.infos, r.infos);
      } catch (err) {
        fail(err);
        if (err instanceof PrometheusError) doc.queries[i]!.error = describe(err);
        // An unreachable server will not answer the next query either.
        if (err instanceof PrometheusError && (err.kind === 'unreachable' || err.kind === 'auth')) next = planned.length;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, planned.length) }, worker));
  const exemplarFailure = await collectExemplars(client, planned.filter((_, i) => results[i] !== null).map((q) => q.query), w, doc);

  // The store writes DuckDB values: loaded here, not when the command tree is built.
  const { storeSamples } = await import('./store.js');
  await storeSamples(db, results.filter((r): r is QueryResultSet => r !== null));
  const { rows } = await db.query(sqlFile('query_metrics.sql'));
  const order = new Map(planned.map((q, i) => [q.name, i]));
  doc.series = rows
    .map((r) => ({
      name: String(r['name']),
      query: String(r['query']),
      labels: JSON.parse(String(r['labels'])) as Record<string, string>,
      match: r['match'] as SeriesDoc['match'],
      matched_labels: r['matched_labels'] as string[],
      other_labels: r['other_labels'] as string[],
      min: r['min'] as number | null,
      max: r['max'] as number | null,
      last: r['last'] as number | null,
      points: r['points'] as Array<[number, number | null]>,
      order: Number(r['series_id']),
    }))
    .sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0) || a.order - b.order)
    .map(({ order: _o, ...s }) => s);
  return { doc, failure, exemplarFailure, stepRaisedFrom: step.raisedFrom };
}

/**
 * The exemplars of the series the queries that ran select, in one call: their
 * expressions joined with `or` (Prometheus takes the selectors out of any
 * expression; a line break ends a `#` comment before the parenthesis). `or`
 * joins vectors only: when a scalar query makes Prometheus reject the union,
 * each query is asked on its own. A failure is kept in exemplars_error and
 * returned; the exemplars read before it are kept.
 */
async function collectExemplars(client: PrometheusClient, queries: string[], w: WindowQuery, doc: MetricsDoc): Promise<PrometheusError | null> {
  if (queries.length === 0) return null;
  const found: ExemplarSeries[] = [];
  const ask = async (query: string): Promise<void> => {
    const r = await client.queryExemplars(query, w.from, w.to);
    found.push(...r.data);
    addUnique(doc.warnings, r.warnings);
    addUnique(doc.infos, r.infos);
  };
  let failure: PrometheusError | null = null;
  try {
    try {
      await ask(queries.length === 1 ? queries[0]! : queries.map((q) => `(${q}\n)`).join(' or '));
    } catch (err) {
      if (!(err instanceof PrometheusError && err.kind === 'bad_query' && queries.length > 1)) throw err;
      for (const q of queries) await ask(q);
    }
  } catch (err) {
    if (!(err instanceof PrometheusError)) throw err;
    failure = err;
    doc.exemplars_error = describe(err);
  }
  doc.exemplars = exemplarDocs(found, w.traceIds ?? []);
  return failure;
}
