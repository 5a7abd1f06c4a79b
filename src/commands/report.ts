/**
 * `obs report`: the operator's summary of a period (default: the last 24
 * hours): sessions and runs by stage and agent, the most frequent errors, LLM
 * usage and cost by model, the busiest sessions, what happened hour by hour,
 * and the alerts Prometheus fired. On a terminal, as JSON, or as markdown for
 * a CI step summary or a chat post.
 */
import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import type { Context } from '../context.js';
import type { Row } from '../db/database.js';
import { SqlParams } from '../db/params.js';
import { sqlFile } from '../db/sql-files.js';
import { EXIT, usageError, type ExitCode } from '../errors.js';
import { recordConditions } from '../filters/filters.js';
import { loadTotals } from '../load/totals.js';
import { renderReport, renderReportMarkdown, type ReportDoc, type RunFigures } from '../output/report.js';
import { firedAlerts } from '../prometheus/alerts.js';
import { PrometheusClient, PrometheusError } from '../prometheus/client.js';
import { prometheusSettings, type PrometheusFlags, type PrometheusSettings } from '../prometheus/settings.js';
import { addInputOptions, addRedactOption, addPrometheusOptions, exitFor, openSources, ownFormat, type CommonOptions, type Loaded } from './shared/options.js';
import { writeJsonDocument } from './shared/command.js';
import { pricesApplied, rollupLlmCalls } from './shared/llm-rollup.js';
import { filteredCte, selectPage } from './shared/query.js';
import { ERRORS, LLM_CALLS, SESSIONS } from './shared/tables.js';
import { sessionConditions } from './sessions.js';
import { redactorOf } from '../redact/redactor.js';

export const REPORT_FORMATS = ['table', 'json', 'markdown'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOptions extends Omit<CommonOptions, 'output'>, PrometheusFlags {
  output?: ReportFormat;
  format?: ReportFormat;
  top?: string;
  /** false with --no-alerts. */
  alerts?: boolean;
}

/** Rows in the top errors and busiest sessions unless --top says otherwise. */
const DEFAULT_TOP = 10;
/** Rejected or repaired lines listed in the inputs section (obs sources --issues has them all). */
const ISSUES_SHOWN = 10;

export const DEFINITIONS: Record<string, string> = {
  session:
    'every record that carries the session key, and its session index entry, as obs sessions gives them; ' +
    'counted when its first-to-last record span overlaps the window',
  run:
    'one turn of one session: a record whose event name ends in turn_start (graph_turn_start) opens it, the next turn record ' +
    'of the same session closes it: ..._turn_end is ok, ..._turn_error or ..._turn_timeout failed; another start or no record ' +
    'leaves it unfinished (canceled, crashed, still running). Its stage is that of its start record; counted when it started in the window',
  success_rate: 'ok runs / (ok + failed) runs; unfinished runs are left out',
  duration: 'from the record that opened a run to the one that closed it; avg, and p95 by linear interpolation (DuckDB quantile_cont), over finished runs',
  agent:
    'the agents (llm_calls.agent) that made an LLM call in a run: same session and trace id, else by time between its start ' +
    'and its end; a run counts once for each of its agents',
  errors:
    'occurrences as obs errors lists them (one failure written to several files counts once), first seen in the window, ' +
    'grouped by fingerprint as obs errors --group groups them',
  llm:
    'LLM calls in the window rolled up by model as obs llm --by model gives them; the total adds up the rows, and takes its ' +
    'error rate and latency percentiles over all the calls',
  busiest_sessions:
    'sessions active in the window with the most LLM tokens, then LLM calls, then records; figures of the whole session ' +
    '(as obs sessions), runs started in the window',
  per_hour:
    'each UTC hour the window touches (the first and last are cut by it): records are log records (rows of events), errors ' +
    'occurrences by first sighting, llm_calls and llm_errors (status error) LLM calls, runs and failed_runs by start; ' +
    'error_rate is failed / (ok + failed) of the runs started that hour, null when none finished',
  alerts:
    'the samples of ALERTS{alertstate="firing"} in the window, as Prometheus stored them (one per rule evaluation while ' +
    'firing): first and last firing evaluation; fired for = samples x evaluation interval (the smallest gap between samples); ' +
    'a gap of more than 1.5 intervals starts a new period',
};

function parseTop(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TOP;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw usageError(`--top expects a positive whole number, got "${text}"`, { help: 'for example: --top 5' });
  }
  return Number(text);
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Figures that add up across models: counts of calls and of tokens. */
const ADDITIVE = /^(calls|errors|latency_known|.+_tokens|.+_calls)$/;

/**
 * The totals row of the LLM roll-up, with the keys its rows have: counts and
 * tokens added up, cost as the sum of the known costs (null when no model's
 * cost is known), the error rate recomputed, latency percentiles over all the
 * calls (`latency`: from report_llm_latency.sql). Null when there is no row.
 */
export function llmTotal(rows: Row[], latency: Row): Row | null {
  if (rows.length === 0) return null;
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k !== 'model');
  const total: Row = {};
  for (const k of keys) {
    const values = rows.map((r) => num(r[k])).filter((v): v is number => v !== null);
    if (ADDITIVE.test(k)) total[k] = values.reduce((a, b) => a + b, 0);
    else if (k === 'cost_usd') total[k] = values.length === 0 ? null : Math.round(values.reduce((a, b) => a + b, 0) * 1e10) / 1e10;
    else if (k in latency) total[k] = latency[k];
    else total[k] = null;
  }
  if ('error_rate' in total) {
    const calls = num(total['calls']) ?? 0;
    total['error_rate'] = calls > 0 ? Math.round(((num(total['errors']) ?? 0) / calls) * 1e4) / 1e4 : null;
  }
  return total;
}

const NO_RUNS: RunFigures = { sessions: 0, runs: 0, ok: 0, failed: 0, unfinished: 0, success_rate: null, avg_duration_ms: null, p95_duration_ms: null };

function figures(r: Row): RunFigures {
  return {
    sessions: Number(r['sessions']),
    runs: Number(r['runs']),
    ok: Number(r['ok']),
    failed: Number(r['failed']),
    unfinished: Number(r['unfinished']),
    success_rate: num(r['success_rate']),
    avg_duration_ms: num(r['avg_duration_ms']),
    p95_duration_ms: num(r['p95_duration_ms']),
  };
}

async function sessionsSection(s: Loaded, w: WindowParams): Promise<ReportDoc['sessions']> {
  const groups = (await s.db.query(sqlFile('report_run_groups.sql'), w)).rows;
  const params = new SqlParams();
  const conds = sessionConditions(s.filters, params);
  const [summary] = (await s.db.query(`${filteredCte(SESSIONS, conds)} ${sqlFile('report_sessions.sql')}`, { ...params.values, ...w })).rows;
  const total = groups.find((g) => g['dimension'] === 'total');
  return {
    count: Number(summary?.['count'] ?? 0),
    with_errors: Number(summary?.['with_errors'] ?? 0),
    with_failed_runs: Number(summary?.['with_failed_runs'] ?? 0),
    runs: total ? figures(total) : NO_RUNS,
    by_stage: groups.filter((g) => g['dimension'] === 'stage').map((g) => ({ stage: (g['key'] as string | null) ?? null, ...figures(g) })),
    by_agent: groups.filter((g) => g['dimension'] === 'agent').map((g) => ({ agent: String(g['key']), ...figures(g) })),
  };
}

async function errorsSection(s: Loaded, top: number): Promise<ReportDoc['errors']> {
  const params = new SqlParams();
  const conds = recordConditions(s.filters, ERRORS, params);
  const [counts] = (await s.db.query(`${filteredCte(ERRORS, conds)} ${sqlFile('report_errors_count.sql')}`, params.values)).rows;
  const page = await selectPage(s.db, { file: 'errors_group.sql', table: ERRORS, conds, params, orderBy: 'count DESC, last_seen DESC NULLS LAST, fingerprint' }, top);
  return { count: Number(counts?.['count'] ?? 0), fingerprints: Number(counts?.['fingerprints'] ?? 0), top: page.rows };
}

async function llmSection(s: Loaded): Promise<ReportDoc['llm']> {
  const params = new SqlParams();
  const conds = recordConditions(s.filters, LLM_CALLS, params);
  const byModel = await rollupLlmCalls(s.db, conds, params, ['model']);
  const [latency] = (await s.db.query(`${filteredCte(LLM_CALLS, conds)} ${sqlFile('report_llm_latency.sql')}`, params.values)).rows;
  return { by_model: byModel, total: llmTotal(byModel, latency ?? {}), prices: await pricesApplied(s.db, conds, params) };
}

async function busiestSection(s: Loaded, w: WindowParams, top: number): Promise<ReportDoc['busiest_sessions']> {
  const params = new SqlParams();
  const conds = sessionConditions(s.filters, params);
  const { rows } = await s.db.query(`${filteredCte(SESSIONS, conds)} ${sqlFile('report_busiest.sql')}`, { ...params.values, ...w, top });
  return { ranked_by: ['total_tokens', 'llm_call_count', 'event_count'], sessions: rows };
}

async function hoursSection(s: Loaded, w: WindowParams): Promise<ReportDoc['per_hour']> {
  const { rows } = await s.db.query(sqlFile('report_hours.sql'), w);
  const column = <T>(key: string): T[] => rows.map((r) => r[key] as T);
  return {
    hours: column<string>('hour'),
    records: column<number>('records'),
    errors: column<number>('errors'),
    llm_calls: column<number>('llm_calls'),
    llm_errors: column<number>('llm_errors'),
    runs: column<number>('runs'),
    failed_runs: column<number>('failed_runs'),
    error_rate: column<number | null>('error_rate'),
  };
}

async function inputsSection(s: Loaded): Promise<ReportDoc['inputs']> {
  const { rows } = await s.db.query(sqlFile('report_line_issues.sql'), { limit: ISSUES_SHOWN });
  return { ...loadTotals(s.load), issues: rows as unknown as ReportDoc['inputs']['issues'] };
}

interface WindowParams extends Record<string, number> {
  from_us: number;
  to_us: number;
}

interface AlertsResult {
  alerts: ReportDoc['alerts'];
  reason: string | null;
  failed: boolean;
}

async function alertsSection(s: Loaded, settings: PrometheusSettings | null, o: ReportOptions, w: WindowParams): Promise<AlertsResult> {
  if (o.alerts === false) return { alerts: null, reason: '--no-alerts', failed: false };
  if (settings === null) {
    const reason = 'no Prometheus configured (--prometheus <url>, OBS_PROMETHEUS_URL, or "prometheus.url" in obs.config.json)';
    s.report.note(`alerts not queried: ${reason}`);
    return { alerts: null, reason, failed: false };
  }
  try {
    const got = await firedAlerts(new PrometheusClient(settings), w.from_us / 1e6, w.to_us / 1e6);
    for (const warning of got.warnings) s.report.warn(`Prometheus: ${warning}`);
    for (const info of got.infos) s.report.note(`Prometheus: ${info}`);
    return { alerts: { url: settings.url, query: got.query, count: got.alerts.length, firing: got.alerts }, reason: null, failed: false };
  } catch (err) {
    if (!(err instanceof PrometheusError)) throw err;
    const why = `${err.message}${err.reason ? ` (${err.reason})` : ''}`;
    s.report.warn(`alerts not read: ${why}${err.help ? `; ${err.help}` : ''}; the rest was answered`);
    return { alerts: null, reason: `Prometheus failed: ${why}`, failed: true };
  }
}

export async function runReport(ctx: Context, o: ReportOptions): Promise<ExitCode> {
  const { format, fields } = ownFormat<ReportFormat>(o, 'table');
  const top = parseTop(o.top);
  // Configuration errors (the config file, the Prometheus URL) fail before any log is read.
  const config = await loadConfig(ctx, o.config);
  const settings = o.alerts === false ? null : prometheusSettings(o, ctx.env, config);
  const { output: _output, format: _format, json: _json, top: _top, alerts: _alerts, prometheus: _p, prometheusTimeout: _t, ...common } = o;
  const shared: CommonOptions = {
    ...common,
    // The last 24 hours unless the window says otherwise; the end is always a time, so the report says which.
    since: o.since ?? (o.from === undefined ? '24h' : undefined),
    until: o.until ?? (o.to === undefined ? 'now' : undefined),
  };
  const s = await openSources(ctx, shared, config);
  try {
    const w: WindowParams = { from_us: Math.trunc(s.filters.from ?? 0), to_us: Math.trunc(s.filters.to ?? 0) };
    await s.db.exec(sqlFile('report_runs.sql'));
    const sessions = await sessionsSection(s, w);
    const errors = await errorsSection(s, top);
    const llm = await llmSection(s);
    const busiest = await busiestSection(s, w, top);
    const perHour = await hoursSection(s, w);
    const inputs = await inputsSection(s);
    const records = perHour.records.reduce((a, b) => a + b, 0);
    if (records === 0 && errors.count === 0 && llm.total === null && sessions.count === 0) {
      s.report.note(`nothing in the window: no record, error, LLM call or session between ${s.window.from} and ${s.window.to}`);
    }
    const alerts = await alertsSection(s, settings, o, w);
    const doc: ReportDoc = {
      window: { from: s.window.from ?? '', to: s.window.to ?? '', tz: s.window.tz },
      definitions: DEFINITIONS,
      inputs,
      sessions,
      errors,
      llm,
      busiest_sessions: busiest,
      per_hour: perHour,
      alerts: alerts.alerts,
      alerts_reason: alerts.reason,
      warnings: s.report.warnings,
    };
    const shown = redactorOf(ctx).value(doc);
    if (format === 'json') writeJsonDocument(ctx, shown as unknown as Record<string, unknown>, fields, 'the obs report document');
    else if (format === 'markdown') ctx.stdout.write(renderReportMarkdown(shown));
    else renderReport(ctx.stdout, shown, { color: s.color, width: ctx.stdout.columns });
    return alerts.failed ? EXIT.PARTIAL : exitFor(s.load);
  } finally {
    s.db.close();
  }
}

export function reportCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  const cmd = new Command('report')
    .summary("the operator's summary of a period: sessions and runs, top errors, LLM usage and cost, busiest sessions, alerts")
    .description(
      'Summarise a period (default: the last 24 hours): sessions and runs by stage and by agent with success rate and ' +
        'durations, the most frequent errors by fingerprint, LLM usage and cost by model, the busiest sessions, records, ' +
        'errors, LLM calls and failed runs hour by hour, and the alerts Prometheus fired (when one is configured). ' +
        'On a terminal, as JSON, or as markdown (--format markdown) for a CI step summary or a chat post. ' +
        'Exit 4 when input lines were rejected or Prometheus failed; the rest is answered.',
    )
    .option('--since <when>', 'start: a duration back from now (24h, 7d) or a time (default 24h)')
    .option('--until <when>', 'end: a duration back from now or a time (default now)')
    .option('--from <time>', 'start: ISO 8601, Unix seconds or a Slack ts')
    .option('--to <time>', 'end: ISO 8601, Unix seconds or a Slack ts')
    .option('--top <n>', `rows in the top errors and the busiest sessions (default ${DEFAULT_TOP})`)
    .addOption(new Option('--format <format>', 'table (terminal), json or markdown; same as -o').choices([...REPORT_FORMATS]))
    .addOption(new Option('-o, --output <format>', 'output format (default: table)').choices([...REPORT_FORMATS]))
    .option('--json [fields]', 'one JSON document (same as --format json); with a,b only those top-level fields')
    .option('--no-pager', 'do not page long output on a terminal (also OBS_PAGER=cat)')
    .option('--no-alerts', 'do not query Prometheus for alerts');
  addPrometheusOptions(cmd, { step: false });
  addInputOptions(cmd);
  addRedactOption(cmd);
  return cmd
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  obs report\n' +
        '  obs report --since 7d --top 20\n' +
        '  obs report --since 24h --format markdown >> "$GITHUB_STEP_SUMMARY"\n' +
        "  obs report --json | jq '.llm.by_model[] | {model, calls, total_tokens}'\n" +
        '  obs report --from 2026-11-21T22:00:00Z --to 2026-11-21T23:00:00Z --prometheus http://127.0.0.1:9090',
    )
    .action((opts: ReportOptions) => run(runReport(ctx, opts)));
}
