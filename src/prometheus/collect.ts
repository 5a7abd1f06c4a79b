/**
 * The metrics part of `obs query`: pick the queries, run them over the
 * subject's window, load the points into metric_samples and join the series
 * to the subject by label (sql/query_metrics.sql). A failing Prometheus never
 * hides the rest of the answer: its error is kept in the document.
 */
import type { Database } from '../db/database.js';
import { sqlFile } from '../db/sql-files.js';
import { PrometheusError, type PrometheusClient } from './client.js';
import { chooseStep, defaultQueries, fillTemplate, rateIntervalSeconds, type NamedQuery } from './queries.js';
import { storeSamples, type QueryResultSet } from './store.js';

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

export interface MetricsDoc {
  url: string | null;
  queried: boolean;
  step_seconds: number | null;
  rate_interval_seconds: number | null;
  queries: QueryDoc[];
  series: SeriesDoc[];
  warnings: string[];
  infos: string[];
  error: string | null;
}

export function notQueried(url: string | null = null): MetricsDoc {
  return { url, queried: false, step_seconds: null, rate_interval_seconds: null, queries: [], series: [], warnings: [], infos: [], error: null };
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
}

export interface Collected {
  doc: MetricsDoc;
  /** The first failure, if any (the document holds them all). */
  failure: PrometheusError | null;
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
      return { doc, failure, stepRaisedFrom: step.raisedFrom };
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
  return { doc, failure, stepRaisedFrom: step.raisedFrom };
}
