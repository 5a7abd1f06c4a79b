/**
 * `obs metrics '<promql>'`: one range query against Prometheus over the time
 * window flags; a sparkline per series on a terminal, the points in JSON.
 */
import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import type { Context } from '../context.js';
import { EXIT, usageError, type ExitCode } from '../errors.js';
import { palette, useColor } from '../output/color.js';
import type { Column } from '../output/render.js';
import { writeJsonDocument, writeRows } from './shared/command.js';
import { documentFields } from './shared/field-flags.js';
import { onGrid, shortNumber, sparkline } from '../output/sparkline.js';
import { PrometheusClient, sampleValue } from '../prometheus/client.js';
import { chooseStep } from '../prometheus/queries.js';
import { prometheusSettings } from '../prometheus/settings.js';
import { formatIsoMicros, parseDuration } from '../time/time.js';
import { addOutputOptions, useConfigRedaction, addPrometheusOptions, outputChoice, resolveTime, type CommonOptions, type PrometheusOptions } from './shared/options.js';
import { reporter } from './shared/report.js';
import { redactorOf } from '../redact/redactor.js';

export interface MetricsOptions extends CommonOptions, PrometheusOptions {}

/** The column formats print one row per point. */
const POINT_COLUMNS: Column[] = [{ key: 'labels' }, { key: 'ts' }, { key: 'value' }];

function finite(text: string): number | null {
  const v = sampleValue(text);
  return Number.isFinite(v) ? v : null;
}

export async function runMetrics(ctx: Context, promql: string, o: MetricsOptions): Promise<ExitCode> {
  const report = reporter(ctx, o.quiet === true);
  const { format, fields } = outputChoice(ctx, o);
  const config = await loadConfig(ctx, o.config);
  useConfigRedaction(ctx, config);
  const settings = prometheusSettings(o, ctx.env, config);
  if (settings === null) {
    throw usageError('no Prometheus to query', {
      help: 'pass --prometheus <url>, set OBS_PROMETHEUS_URL, or set "prometheus": {"url": ...} in obs.config.json',
    });
  }
  if (promql.trim() === '') throw usageError('the PromQL query is empty', { help: "for example: obs metrics 'sum by (model) (rate(llm_calls_total[5m]))'" });
  // Without a start, the last hour.
  const { now, window: w } = resolveTime(ctx, { ...o, since: o.since ?? (o.from === undefined ? '1h' : undefined) }, config);
  const fromUs = w.from ?? now - 3_600_000_000;
  const toUs = w.to ?? now;
  const stepSeconds = o.step === undefined ? undefined : parseDuration(o.step) / 1000;
  if (stepSeconds !== undefined && stepSeconds <= 0) throw usageError(`--step must be more than 0, got "${o.step}"`, { help: 'for example --step 15s' });
  const step = chooseStep((toUs - fromUs) / 1e6, stepSeconds);
  if (step.raisedFrom !== undefined) report.warn(`--step ${o.step} would give more than 11,000 points per series; using ${step.seconds}s`);

  const client = new PrometheusClient(settings);
  // A PrometheusError carries its own exit code: 2 for a query Prometheus rejects, 3 when there is no answer.
  const result = await client.queryRange(promql, fromUs / 1e6, toUs / 1e6, step.seconds);
  for (const warning of result.warnings) report.warn(`Prometheus: ${warning}`);
  for (const info of result.infos) report.note(`Prometheus: ${info}`);
  const redact = redactorOf(ctx);
  const series = redact.value(result.data).map((s) => ({
    labels: s.metric,
    points: s.values.map(([t, v]) => [t, finite(v)] as [number, number | null]),
  }));
  const window = { from: formatIsoMicros(fromUs), to: formatIsoMicros(toUs) };
  if (series.length === 0) report.note(`no series matched in ${window.from} to ${window.to}`);
  const color = await palette(useColor(ctx.env, ctx.stdout.isTTY === true, o.color));

  if (format === 'json') {
    const doc = { query: redact.text(promql), url: settings.url, window, step_seconds: step.seconds, series, warnings: result.warnings, infos: result.infos };
    writeJsonDocument(ctx, doc, fields, 'the obs metrics document');
  } else if (format === 'ndjson') {
    writeRows(ctx, { format, fields, color }, { noun: 'series', columns: [{ key: 'labels' }, { key: 'points' }], rows: series });
  } else if (format !== 'table') {
    const rows = series.flatMap((s) => s.points.map(([t, v]) => ({ labels: JSON.stringify(s.labels), ts: t, value: v })));
    writeRows(ctx, { format, fields, color }, { noun: 'points', columns: POINT_COLUMNS, rows });
  } else {
    const width = ctx.stdout.columns ?? 100;
    const spark = Math.max(10, Math.min(60, width - 60));
    const lines = [color.bold(redact.text(promql)) + `  ·  ${window.from} to ${window.to}  ·  step ${step.seconds}s`];
    for (const s of series) {
      const { __name__: metric, ...rest } = s.labels;
      const name = `${metric ?? ''}{${Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
      const values = onGrid(s.points, fromUs / 1e6, toUs / 1e6, step.seconds);
      const known = values.filter((v): v is number => v !== null);
      const max = known.length > 0 ? Math.max(...known) : null;
      lines.push(`  ${name}`);
      lines.push(`    ${sparkline(values, spark)}  max ${shortNumber(max)}  last ${shortNumber(s.points[s.points.length - 1]?.[1] ?? null)}`);
    }
    ctx.stdout.write(`${lines.join('\n')}\n`);
  }
  return EXIT.OK;
}

export function metricsCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  const cmd = documentFields(new Command('metrics'), ['query', 'url', 'window', 'step_seconds', 'series', 'warnings', 'infos'])
    .summary('one PromQL range query over a time window: a sparkline per series, points in JSON')
    .description(
      'Run one range query against Prometheus over --since/--until or --from/--to (default: the last hour) at ' +
        '--step (default: the window / 250, at least 1s). Exit 2 when Prometheus rejects the query, 3 when it cannot be reached.',
    )
    .argument('<promql>', 'the PromQL expression');
  addPrometheusOptions(cmd);
  addOutputOptions(cmd);
  return cmd
    .option('--since <when>', 'start: a duration back from now (1h, 30m) or a time (default 1h)')
    .option('--until <when>', 'end: a duration back from now or a time (default now)')
    .option('--from <time>', 'start: ISO 8601, Unix seconds or a Slack ts')
    .option('--to <time>', 'end: ISO 8601, Unix seconds or a Slack ts')
    .option('--tz <zone>', 'zone of times written without one')
    .option('--config <file>', 'config file (default ./obs.config.json)')
    .option('-q, --quiet', 'print no notes on stderr')
    .option('--no-color', 'no colours')
    // Reads no logs, so shows no progress bar; accepted so that one set of flags works with every command.
    .addOption(new Option('--no-progress').hideHelp())
    .addHelpText(
      'after',
      '\nExamples:\n' +
        "  obs metrics 'sum by (model, status) (increase(planner_llm_calls_total[1m]))' --from 2026-11-21T22:18:00Z --to 2026-11-21T22:20:00Z\n" +
        "  obs metrics 'histogram_quantile(0.95, sum by (le, stage) (rate(planner_stage_duration_seconds_bucket[5m])))' --since 6h --json | jq '.series[].labels.stage'\n" +
        "  obs metrics 'ALERTS{alertstate=\"firing\"}' --since 1d --prometheus http://prometheus:9090",
    )
    .action((promql: string, opts: MetricsOptions) => run(runMetrics(ctx, promql, opts)));
}
