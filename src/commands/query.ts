/**
 * `obs query`: everything about one thread, session, run, request or trace:
 * its records across every loaded source, a merged timeline, LLM usage, its
 * errors, and the Prometheus series of its time window joined to it by the
 * labels its records carry.
 */
import { Command } from 'commander';
import { loadConfig } from '../config.js';
import type { Context } from '../context.js';
import type { Database, Row } from '../db/database.js';
import { SqlParams } from '../db/params.js';
import { sqlFile } from '../db/sql-files.js';
import { EXIT, usageError, type ExitCode } from '../errors.js';
import { parseKeyFilter } from '../filters/filters.js';
import { renderQuery } from '../output/query.js';
import type { Column } from '../output/render.js';
import { PrometheusClient } from '../prometheus/client.js';
import { collectMetrics, notQueried, type MetricsDoc } from '../prometheus/collect.js';
import { prometheusSettings } from '../prometheus/settings.js';
import { formatIsoMicros, parseDuration } from '../time/time.js';
import { readCommand, writeJsonDocument, writeRows } from './shared/command.js';
import { addPrometheusOptions, exitFor, openSources, type CommonOptions, type Loaded, type PrometheusOptions } from './shared/options.js';
import { filteredCte, parseRaw } from './shared/query.js';
import { SESSIONS } from './shared/tables.js';
import { COLUMN_OF, selectSubject, subjectErrors, type Selector } from './shared/subject.js';
import { redactorOf } from '../redact/redactor.js';

export interface QueryOptions extends CommonOptions, PrometheusOptions {
  trace?: string;
  pad?: string;
  metrics?: boolean;
  verbose?: boolean;
}

/**
 * A thread as people paste it: `1795299499.694654`, the digits without the
 * dot, `p1795299499694654`, or a Slack permalink (whose `thread_ts` parameter,
 * when present, names the thread a reply belongs to).
 */
export function parseThread(text: string): { ts: string; channel?: string } {
  const t = text.trim();
  const link = /slack\.com\/archives\/([A-Z0-9]+)\/p(\d{10})(\d{6})/.exec(t);
  if (link) {
    const parent = /[?&]thread_ts=(\d{10}\.\d{6})/.exec(t);
    return { ts: parent?.[1] ?? `${link[2]}.${link[3]}`, channel: link[1] };
  }
  const bare = /^p?(\d{10})(\d{6})$/.exec(t);
  if (bare) return { ts: `${bare[1]}.${bare[2]}` };
  return { ts: t };
}

export function parseSelector(o: QueryOptions): Selector {
  const given: Selector[] = [];
  if (o.thread !== undefined) {
    const { ts, channel } = parseThread(o.thread);
    given.push({ kind: 'thread', value: ts, channel });
  }
  if (o.session !== undefined) given.push({ kind: 'session', value: o.session });
  if (o.run !== undefined) given.push({ kind: 'run', value: o.run });
  if (o.request !== undefined) given.push({ kind: 'request', value: o.request });
  if (o.trace !== undefined) given.push({ kind: 'trace', value: o.trace });
  if (o.key !== undefined && o.key.length > 0) {
    const keys = o.key.map(parseKeyFilter);
    given.push({ kind: 'key', value: o.key.join(' '), keys });
  }
  if (given.length === 0) {
    throw usageError('say what to look up', {
      help: 'give one of --thread <ts>, --session <key>, --run <id>, --request <id>, --trace <id> or --key <field>=<value>; obs sessions lists the threads',
    });
  }
  if (given.length > 1) {
    throw usageError(`give one selector, not ${given.map((g) => `--${g.kind}`).join(' and ')}`, {
      help: 'obs query looks up one thread, session, run, request or trace at a time',
    });
  }
  const s = given[0]!;
  if (s.value.trim() === '') throw usageError(`--${s.kind} needs a value`, { help: 'for example: obs query --thread 1795299499.694654' });
  return s;
}

/** When nothing matched: the flag the value would have matched, if any. */
async function suggestion(db: Database, sel: Selector): Promise<string | null> {
  if (sel.kind === 'key') return null;
  const params = new SqlParams();
  const p = params.add(sel.value);
  const checks = Object.entries(COLUMN_OF)
    .filter(([kind]) => kind !== sel.kind)
    .map(([kind, col]) => `SELECT '${kind}' AS kind WHERE EXISTS (SELECT 1 FROM events WHERE ${col} = ${p}) OR EXISTS (SELECT 1 FROM llm_calls WHERE ${col} = ${p})`);
  const { rows } = await db.query(checks.join(' UNION ALL '), params.values);
  const kind = rows[0]?.['kind'];
  return typeof kind === 'string' ? `--${kind} ${sel.value}` : null;
}

function labelsOf(rows: Row[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[String(r['label'])] ??= []).push(String(r['value']));
  for (const v of Object.values(out)) v.sort();
  return out;
}

function llmDoc(rows: Row[]): Record<string, unknown> {
  const pick = (r: Row | undefined, keys: string[]): Record<string, unknown> => Object.fromEntries(keys.map((k) => [k, r?.[k] ?? null]));
  const latency = (r: Row | undefined): Record<string, unknown> | null =>
    r && Number(r['latency_known']) > 0 ? { p50: r['latency_p50'], p95: r['latency_p95'], max: r['latency_max'], known: r['latency_known'] } : null;
  const fig = [
    'calls', 'errors', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens',
    'cost_usd', 'cost_logged_calls', 'cost_computed_calls', 'cost_unknown_calls',
  ];
  const total = rows.find((r) => r['grouping'] === 'total');
  return {
    ...pick(total, fig),
    calls: total?.['calls'] ?? 0,
    errors: total?.['errors'] ?? 0,
    latency_ms: latency(total),
    by_model: rows.filter((r) => r['grouping'] === 'model').map((r) => ({ model: r['model'], ...pick(r, fig), latency_ms: latency(r) })),
    by_stage: rows.filter((r) => r['grouping'] === 'stage').map((r) => ({ stage: r['stage'], ...pick(r, fig), latency_ms: latency(r) })),
  };
}

const TIMELINE_COLUMNS: Column[] = [
  'ts', 'kind', 'level', 'stage', 'event', 'message', 'error_type', 'model', 'call_label', 'status',
  'total_tokens', 'latency_ms', 'error_ids', 'session_key', 'trace_id', 'source_file', 'source_line', 'via',
].map((key) => ({ key }));

export async function runQuery(ctx: Context, o: QueryOptions): Promise<ExitCode> {
  const sel = parseSelector(o);
  const padMs = parseDuration(o.pad ?? '60s');
  const stepSeconds = o.step === undefined ? undefined : parseDuration(o.step) / 1000;
  if (stepSeconds !== undefined && stepSeconds <= 0) throw usageError(`--step must be more than 0, got "${o.step}"`, { help: 'for example --step 15s' });
  // Configuration errors fail before any log is read.
  const config = await loadConfig(ctx, o.config);
  const settings = o.metrics === false ? null : prometheusSettings(o, ctx.env, config);

  const s = await openSources(ctx, o, config);
  try {
    await selectSubject(s.db, sel);
    const [summary] = (await s.db.query(sqlFile('query_summary.sql'))).rows;
    const firstUs = summary?.['first_us'] as number | null;
    const lastUs = summary?.['last_us'] as number | null;
    const found = Number(summary?.['events'] ?? 0) + Number(summary?.['llm_calls'] ?? 0) + Number(summary?.['errors'] ?? 0);
    const selector = { kind: sel.kind, value: sel.value, ...(sel.channel ? { channel: sel.channel } : {}) };

    if (found === 0) {
      const hint = await suggestion(s.db, sel);
      s.report.note(
        `no record of ${sel.kind} ${sel.value} in the loaded logs` +
          (hint ? `; it is a ${hint.split(' ')[0]?.slice(2)} value: try obs query ${hint}` : '; obs sessions lists the threads'),
      );
    }

    const window =
      firstUs === null || lastUs === null
        ? null
        : { fromUs: firstUs - padMs * 1000, toUs: lastUs + padMs * 1000, firstUs, lastUs };

    const labelRows = (await s.db.query('SELECT label, value FROM subject_labels ORDER BY label, value')).rows;
    const labels = labelsOf(labelRows);
    const sessionParams = new SqlParams();
    const keys = (summary?.['session_keys'] as string[] | null) ?? [];
    const sessions = (
      await s.db.query(
        `${filteredCte(SESSIONS, [`list_contains(${sessionParams.addList(keys)}, session_key)`])} ` +
          `SELECT * FROM (${sqlFile('sessions_list.sql')}) q ORDER BY first_ts NULLS LAST, session_key`,
        sessionParams.values,
      )
    ).rows;
    const timeline = parseRaw((await s.db.query(sqlFile('query_timeline.sql'))).rows);
    const llm = llmDoc((await s.db.query(sqlFile('query_llm.sql'))).rows);
    const traces = (await s.db.query(sqlFile('query_traces.sql'))).rows;
    const errors = await subjectErrors(s.db);

    let metrics: MetricsDoc = notQueried(settings?.url ?? null);
    let metricsFailed = false;
    if (o.metrics === false) {
      s.report.note('metrics not queried (--no-metrics)');
    } else if (settings === null) {
      s.report.note('metrics not queried: no Prometheus configured (--prometheus <url>, OBS_PROMETHEUS_URL, or "prometheus" in obs.config.json)');
    } else if (window === null) {
      if (found > 0) s.report.note('metrics not queried: the records found carry no time');
    } else {
      const client = new PrometheusClient(settings);
      const got = await collectMetrics(s.db, client, {
        from: window.fromUs / 1e6,
        to: window.toUs / 1e6,
        stepSeconds,
        templates: config.prometheus?.queries ?? null,
        labels,
        traceIds: traces.map((t) => String(t['trace_id'])),
      });
      metrics = got.doc;
      if (got.stepRaisedFrom !== undefined) {
        s.report.warn(`--step ${o.step} would give more than 11,000 points per series; using ${got.doc.step_seconds}s`);
      }
      for (const w of metrics.warnings) s.report.warn(`Prometheus: ${w}`);
      for (const i of metrics.infos) s.report.note(`Prometheus: ${i}`);
      if (got.failure !== null) {
        metricsFailed = true;
        const failedQueries = metrics.queries.filter((q) => q.error !== null).length;
        s.report.warn(
          `metrics incomplete: ${got.failure.message}${got.failure.reason ? ` (${got.failure.reason})` : ''}` +
            (failedQueries > 0 ? `; ${failedQueries} of ${metrics.queries.length} queries failed` : '') +
            (got.failure.help ? `; ${got.failure.help}` : ''),
        );
      } else if (metrics.queries.length === 0) {
        s.report.note(`metrics: ${settings.url} has no metric named by agent conventions in the window; set "prometheus.queries" in obs.config.json`);
      }
      // Exemplars add to the metrics: without them the answer stands, so a failure is a warning, not exit 4.
      const ex = got.exemplarFailure;
      if (ex !== null) {
        s.report.warn(`exemplars not read: ${ex.message}${ex.reason ? ` (${ex.reason})` : ''}${ex.help ? `; ${ex.help}` : ''}`);
      }
    }

    const doc = {
      selector,
      window:
        window === null
          ? null
          : {
              from: formatIsoMicros(window.fromUs),
              to: formatIsoMicros(window.toUs),
              first_record: formatIsoMicros(window.firstUs),
              last_record: formatIsoMicros(window.lastUs),
              duration_ms: (window.lastUs - window.firstUs) / 1000,
              pad_seconds: padMs / 1000,
            },
      stages: (summary?.['stages'] as string[] | null) ?? [],
      labels,
      counts: {
        events: summary?.['events'] ?? 0,
        llm_calls: summary?.['llm_calls'] ?? 0,
        errors: summary?.['errors'] ?? 0,
        spans: summary?.['spans'] ?? 0,
        via_trace: summary?.['via_trace'] ?? 0,
        untimed: summary?.['untimed'] ?? 0,
      },
      sessions,
      timeline,
      llm,
      errors,
      traces,
      metrics,
      warnings: s.report.warnings,
    };
    writeDoc(ctx, s, doc, o.verbose === true);
    const code = exitFor(s.load);
    return metricsFailed ? EXIT.PARTIAL : code;
  } finally {
    s.db.close();
  }
}

export type QueryDocument = Record<string, unknown> & { timeline: Row[] };

function writeDoc(ctx: Context, s: Loaded, given: QueryDocument, verbose: boolean): void {
  const doc = redactorOf(ctx).value(given);
  switch (s.format) {
    case 'json':
      writeJsonDocument(ctx, doc, s.fields, 'the obs query document');
      return;
    case 'table':
      renderQuery(ctx.stdout, doc, { color: s.color, width: ctx.stdout.columns ?? 100, verbose });
      return;
    default:
      // Line formats carry the timeline, one entry per line.
      writeRows(ctx, s, { noun: 'timeline', columns: TIMELINE_COLUMNS, rows: doc.timeline });
  }
}

export function queryCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  return readCommand({
    name: 'query',
    summary: 'everything about one thread, session, run, request or trace, with the metrics of its window',
    description:
      'Find every record of one thread (session, run, request or trace) across the loaded logs, plus the records ' +
      'that share its trace ids, and show its timeline, LLM calls, errors and the Prometheus series of its window ' +
      '([first record - pad, last record + pad]) joined to it by the labels its records carry (stage, model, ' +
      'call_label, component, ...), with the exemplars of those series (flagged when their trace id is one of the ' +
      "subject's traces). Without Prometheus configured the rest is answered and a note says so; with " +
      'Prometheus failing, the rest is answered, metrics.error says why, and the exit code is 4. ' +
      'Line formats (-o tsv, --ndjson) print the timeline.',
    filters: false,
    own: (c) =>
      addPrometheusOptions(
        c
          .option('--thread <ts>', 'a Slack thread: its ts, or a Slack permalink to it')
          .option('--session <key>', 'a session key')
          .option('--run <id>', 'a run id')
          .option('--request <id>', 'a request id')
          .option('--trace <id>', 'a trace id')
          .option('--key <field=value>', 'records whose field has this value (repeatable; all must hold)', (v: string, p: string[] | undefined) => [...(p ?? []), v])
          .option('--pad <duration>', 'time added before the first and after the last record for the metrics window', '60s')
          .option('--no-metrics', 'do not query Prometheus')
          .option('-v, --verbose', 'terminal: also show debug records and every copy of a record written to several files'),
      ),
    examples: [
      'obs query --thread 1795299499.694654 --prometheus http://127.0.0.1:9090',
      "obs query --thread 1795299499.694654 --json | jq '.llm.total_tokens'",
      "obs query --session C0AA6HC1RJL:1795299499.694654 --json | jq '.errors[] | {error_type, stage}'",
      'obs query --trace 8b091be36484c8764f66cb4124c1401e --no-metrics',
      "obs query --thread 'https://acme.slack.com/archives/C0AA6HC1RJL/p1795299499694654'",
      "obs query --key request_id=req_137884e73c80 --ndjson | jq -c 'select(.kind == \"llm_call\")'",
    ],
  }).action((opts: QueryOptions) => run(runQuery(ctx, opts)));
}
