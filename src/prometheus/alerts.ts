/**
 * The alerts that fired in a window, from the `ALERTS` series Prometheus
 * writes at every rule evaluation while an alert fires. One instant query of
 * a range selector returns those samples as stored, so the first and last
 * firing times are the evaluations' own, whatever the window's length: a
 * range query would round them to its step, and on data without staleness
 * markers (backfilled blocks) would stretch each alert by the 5-minute lookback.
 * The samples returned grow with how long alerts fired, not with the window.
 */
import { PrometheusError, type MatrixSeries, type PrometheusClient } from './client.js';
import { promDuration } from './queries.js';

export const FIRING_SELECTOR = 'ALERTS{alertstate="firing"}';

export interface FiringPeriod {
  from: string;
  to: string;
}

export interface FiredAlert {
  alertname: string;
  severity: string | null;
  /** The series' other labels (alertname, alertstate and severity left out). */
  labels: Record<string, string>;
  first_firing: string;
  last_firing: string;
  /** Samples × the evaluation interval; null when the interval cannot be told (a single sample everywhere). */
  firing_seconds: number | null;
  /** The smallest gap between two samples of the series (else of any series): the rule's evaluation interval. */
  interval_seconds: number | null;
  samples: number;
  /** Runs of consecutive evaluations; a gap of more than 1.5 intervals starts a new one. */
  periods: FiringPeriod[];
}

export interface FiredAlerts {
  query: string;
  alerts: FiredAlert[];
  warnings: string[];
  infos: string[];
}

const iso = (seconds: number): string => new Date(Math.round(seconds * 1000)).toISOString();

function smallestGap(times: number[]): number | null {
  let best: number | null = null;
  for (let i = 1; i < times.length; i++) {
    const gap = Math.round((times[i]! - times[i - 1]!) * 1000) / 1000;
    if (gap > 0 && (best === null || gap < best)) best = gap;
  }
  return best;
}

/** The firing series, each summarised; in order of first firing, then name and labels. */
export function summariseAlerts(series: MatrixSeries[]): FiredAlert[] {
  const withTimes = series
    .map((s) => ({ metric: s.metric, times: s.values.map(([t]) => t).sort((a, b) => a - b) }))
    .filter((s) => s.times.length > 0);
  const gaps = withTimes.map((s) => smallestGap(s.times)).filter((g): g is number => g !== null);
  const anyGap = gaps.length > 0 ? Math.min(...gaps) : null;
  const alerts = withTimes.map(({ metric, times }): FiredAlert => {
    const interval = smallestGap(times) ?? anyGap;
    const periods: FiringPeriod[] = [];
    let start = times[0]!;
    for (let i = 1; i <= times.length; i++) {
      const t = times[i];
      if (t === undefined || (interval !== null && t - times[i - 1]! > 1.5 * interval)) {
        periods.push({ from: iso(start), to: iso(times[i - 1]!) });
        if (t !== undefined) start = t;
      }
    }
    const { __name__: _name, alertname, alertstate: _state, severity, ...labels } = metric;
    return {
      alertname: alertname ?? '',
      severity: severity ?? null,
      labels,
      first_firing: iso(times[0]!),
      last_firing: iso(times[times.length - 1]!),
      firing_seconds: interval === null ? null : Math.round(times.length * interval * 1000) / 1000,
      interval_seconds: interval,
      samples: times.length,
      periods,
    };
  });
  const key = (a: FiredAlert): string => `${a.alertname}\u0000${JSON.stringify(Object.entries(a.labels).sort())}`;
  return alerts.sort((a, b) => a.first_firing.localeCompare(b.first_firing) || key(a).localeCompare(key(b)));
}

/** The alerts firing at any evaluation in (from, to] (epoch seconds). Throws PrometheusError. */
export async function firedAlerts(client: PrometheusClient, from: number, to: number): Promise<FiredAlerts> {
  const query = `${FIRING_SELECTOR}[${promDuration(Math.max(0.001, Math.round((to - from) * 1000) / 1000))}]`;
  const r = await client.query(query, to);
  if (r.data.resultType !== 'matrix') {
    throw new PrometheusError('bad_response', `Prometheus at ${client.url} answered a range selector with a ${r.data.resultType}`, {
      help: 'obs needs the Prometheus HTTP API (or a compatible one) to read ALERTS',
    });
  }
  // A range selector's window is (from, to] in VictoriaMetrics and Prometheus 3, [from, to]
  // in Prometheus 2: a sample exactly at `from` is left out, whichever answered.
  const series = r.data.result.map((s) => ({ ...s, values: s.values.filter(([t]) => t > from) }));
  return { query, alerts: summariseAlerts(series), warnings: r.warnings, infos: r.infos };
}
