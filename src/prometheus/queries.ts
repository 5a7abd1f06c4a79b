/**
 * Which range queries to run for a thread's window: the config file's PromQL
 * templates, or (with none) defaults picked from the server's metric names by
 * agent naming conventions. Also the step: about 250 points per series, at
 * least 1 s, never past Prometheus' 11,000-point limit.
 */
import { MAX_POINTS } from './client.js';

export interface NamedQuery {
  name: string;
  query: string;
}

/** Default points per series when --step is not given. */
export const TARGET_POINTS = 250;

export interface Step {
  seconds: number;
  /** Set when the requested step was raised to stay under the point limit. */
  raisedFrom?: number;
}

/** The step for a window (seconds): window/250 rounded up, at least 1 s; a requested step is kept unless it is too fine. */
export function chooseStep(windowSeconds: number, requestedSeconds?: number): Step {
  const floor = Math.ceil(windowSeconds / (MAX_POINTS - 1));
  if (requestedSeconds !== undefined) {
    return requestedSeconds >= floor ? { seconds: requestedSeconds } : { seconds: floor, raisedFrom: requestedSeconds };
  }
  return { seconds: Math.max(1, Math.ceil(windowSeconds / TARGET_POINTS), floor) };
}

/** Range of rate()/increase() in the default queries: two steps, at least one minute. */
export function rateIntervalSeconds(stepSeconds: number): number {
  return Math.max(60, 2 * stepSeconds);
}

/** A PromQL duration: whole seconds, or milliseconds below that precision. */
export function promDuration(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`;
}

/** Runtime metrics of client libraries: never a thread's business. */
const RUNTIME = /^(go|process|nodejs|python|prometheus|promhttp|scrape|net_conntrack)_/;

/** The default queries for the metric names a server has, in a stable order. */
export function defaultQueries(names: string[]): NamedQuery[] {
  const sorted = [...new Set(names)].sort();
  const out: NamedQuery[] = [];
  const counters: Array<[RegExp, string]> = [
    [/_errors_total$/, 'component, error_type, stage'],
    [/_llm_calls_total$/, 'model, call_label, stage, status'],
    [/_llm_tokens_total$/, 'model, call_label, stage, type'],
    [/_tool_calls_total$/, 'tool, stage, status'],
  ];
  for (const [suffix, by] of counters) {
    for (const name of sorted) {
      if (suffix.test(name) && !RUNTIME.test(name)) {
        out.push({ name, query: `sum by (${by}) (increase(${name}[$rate_interval]))` });
      }
    }
  }
  for (const name of sorted) {
    if (/_duration_seconds_bucket$/.test(name) && !RUNTIME.test(name)) {
      const base = name.replace(/_bucket$/, '');
      out.push({ name: `${base} p95`, query: `histogram_quantile(0.95, sum by (le, stage) (rate(${name}[$rate_interval])))` });
    }
  }
  if (sorted.includes('ALERTS')) out.push({ name: 'alerts firing', query: 'ALERTS{alertstate="firing"}' });
  return out;
}

/** Escapes a value for use inside a PromQL regex in a double-quoted string. */
export function regexLiteral(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`).replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** Label values as client libraries often write them: characters outside [A-Za-z0-9_.:-] become "_". */
export function sanitizedLabel(value: string): string {
  return value.replace(/[^A-Za-z0-9_.:-]/g, '_');
}

/** `a|b|c` for =~ matchers: each value as written and as sanitized; `.*` when there is none. */
export function alternation(values: string[]): string {
  const all = new Set<string>();
  for (const v of values) {
    all.add(v);
    all.add(sanitizedLabel(v));
  }
  return all.size === 0 ? '.*' : [...all].sort().map(regexLiteral).join('|');
}

export interface TemplateValues {
  windowSeconds: number;
  stepSeconds: number;
  /** Label values of the thread, by label name (stage, model, call_label, component, ...). */
  labels: Record<string, string[]>;
}

/**
 * Fills `$window`, `$step`, `$rate_interval`, `$stages`, `$models`,
 * `$call_labels`, `$components` and `$<label>s` for any other label the
 * thread carries. An unknown variable is left as written (PromQL will say).
 */
export function fillTemplate(template: string, v: TemplateValues): string {
  const vars: Record<string, string> = {
    window: promDuration(Math.max(1, Math.ceil(v.windowSeconds))),
    step: promDuration(v.stepSeconds),
    rate_interval: promDuration(rateIntervalSeconds(v.stepSeconds)),
  };
  for (const label of ['stage', 'model', 'call_label', 'component', 'error_type', 'agent', 'tool']) {
    vars[`${label}s`] = alternation(v.labels[label] ?? []);
  }
  for (const [label, values] of Object.entries(v.labels)) vars[`${label}s`] = alternation(values);
  return template.replace(/\$([a-z_]+)\b/g, (whole, name: string) => vars[name] ?? whole);
}
