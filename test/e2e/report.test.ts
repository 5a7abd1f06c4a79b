/**
 * `obs report` on the sample corpus, with "now" pinned just after the run and
 * the fixture Prometheus for the alerts. Expectations come from truth.json
 * (what the harness did), from the raw log files read here in JS (durations,
 * percentiles, agents), and from the fixture Prometheus README's table of
 * alerts, never from obs's own output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { CORPUS, FIXTURES, obs, obsJson } from '../helpers/cli.js';
import { freePort } from '../helpers/prometheus.js';

type Row = Record<string, unknown>;

interface Figures {
  sessions: number;
  runs: number;
  ok: number;
  failed: number;
  unfinished: number;
  success_rate: number | null;
  avg_duration_ms: number | null;
  p95_duration_ms: number | null;
}

interface Alert {
  alertname: string;
  severity: string | null;
  labels: Record<string, string>;
  first_firing: string;
  last_firing: string;
  firing_seconds: number | null;
  samples: number;
  periods: Array<{ from: string; to: string }>;
}

interface Report {
  window: { from: string; to: string; tz: string };
  definitions: Record<string, string>;
  inputs: { files: number; loaded: number; lines: number; records: number; rejected: number; repaired: number; issues: Row[] };
  sessions: {
    count: number;
    with_errors: number;
    with_failed_runs: number;
    runs: Figures;
    by_stage: Array<Figures & { stage: string }>;
    by_agent: Array<Figures & { agent: string }>;
  };
  errors: { count: number; fingerprints: number; top: Row[] };
  llm: { by_model: Row[]; total: Row | null };
  busiest_sessions: { ranked_by: string[]; sessions: Row[] };
  per_hour: Record<string, Array<number | null | string>> & { hours: string[] };
  alerts: { url: string; query: string; count: number; firing: Alert[] } | null;
  alerts_reason: string | null;
  warnings: string[];
}

interface Turn {
  stage: string | null;
  status: string;
}

const truth = JSON.parse(readFileSync(path.join(CORPUS, 'truth.json'), 'utf8')) as {
  threads: Array<{ session_key: string; turns: Turn[]; llm_calls: { total: number }; tokens: { total: number } }>;
  global: {
    llm_calls: { total: number; by_model: Record<string, number>; by_model_status: Record<string, number>; by_status: Record<string, number> };
    tokens: { prompt: number; completion: number; by_model: Record<string, { prompt: number; completion: number }> };
    errors: { turn_failures_by_stage: Record<string, number> };
  };
};

/** Just after the run (it ended at 22:20:01.894Z). */
const NOW = '2026-11-21T22:20:05Z';
const ENV = { OBS_NOW: NOW };
const LOGS = ['--logs', CORPUS];
const url = inject('prometheusUrl');

// ---------------------------------------------------------------------------
// The runs as the session logs record them, read here without obs

interface RawRun {
  session: string;
  stage: string;
  trace: string | null;
  outcome: 'ok' | 'failed' | 'unfinished';
  ms: number | null;
  /** The agent's own measure of the turn (elapsed_s of the closing record). */
  elapsedMs: number | null;
}

function rawRuns(): RawRun[] {
  const dir = path.join(CORPUS, 'logs');
  const runs: RawRun[] = [];
  for (const name of readdirSync(dir).filter((n) => /^timeboxing_session_\d.*\.log$/.test(n)).sort()) {
    let open: { run: RawRun; at: number } | null = null;
    for (const line of readFileSync(path.join(dir, name), 'utf8').split('\n')) {
      // `2026-11-21 22:18:19,705 INFO {"event": ...}`, naive times in UTC.
      const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3}) \w+ (\{.*\})$/.exec(line);
      if (!m) continue;
      const rec = JSON.parse(m[4]!) as { event?: string; session_key: string; stage: string; trace_id?: string; elapsed_s?: number };
      const at = Date.parse(`${m[1]}T${m[2]}.${m[3]}Z`);
      const event = rec.event ?? '';
      if (event.endsWith('turn_start')) {
        if (open) runs.push(open.run);
        open = { run: { session: rec.session_key, stage: rec.stage, trace: rec.trace_id ?? null, outcome: 'unfinished', ms: null, elapsedMs: null }, at };
      } else if (/turn_(end|error|timeout)$/.test(event) && open) {
        runs.push({ ...open.run, outcome: event.endsWith('turn_end') ? 'ok' : 'failed', ms: at - open.at, elapsedMs: (rec.elapsed_s ?? NaN) * 1000 });
        open = null;
      }
    }
    if (open) runs.push(open.run);
  }
  return runs;
}

/** Linear interpolation between the closest ranks, as DuckDB's quantile_cont. */
function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
/** Within the rounding of a figure printed to one decimal. */
const near = (actual: number | null, expected: number): void => expect(Math.abs((actual ?? NaN) - expected)).toBeLessThanOrEqual(0.05 + 1e-9);

/** The agents of each trace id, from the raw llm_io audit log. */
function agentsByTrace(): Map<string, Set<string>> {
  const file = readdirSync(path.join(CORPUS, 'logs')).find((n) => /^llm_io_\d/.test(n))!;
  const out = new Map<string, Set<string>>();
  for (const line of readFileSync(path.join(CORPUS, 'logs', file), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as { event_type?: string; agent?: string; trace_id?: string };
    if (r.event_type !== 'LLMCall' || !r.agent || !r.trace_id) continue;
    if (!out.has(r.trace_id)) out.set(r.trace_id, new Set());
    out.get(r.trace_id)!.add(r.agent);
  }
  return out;
}

// ---------------------------------------------------------------------------

describe('obs report --json on the sample corpus', async () => {
  const { data, stderr, exitCode } = await obsJson<Report>(['report', ...LOGS, '--since', '24h', '--prometheus', url], { env: ENV });
  const runs = rawRuns();
  const turns = truth.threads.flatMap((t) => t.turns).filter((t) => t.stage !== null);

  it('answers with exit 0, no warning, and says the window it used', () => {
    expect(exitCode).toBe(0);
    expect(stderr).not.toMatch(/^warning:/m);
    expect(data.window).toEqual({ from: '2026-11-20T22:20:05.000Z', to: '2026-11-21T22:20:05.000Z', tz: 'UTC' });
    expect(data.warnings).toEqual([]);
    expect(Object.keys(data.definitions)).toEqual(expect.arrayContaining(['session', 'run', 'success_rate', 'duration', 'per_hour', 'alerts']));
  });

  it('says what it read, and that no line was rejected', () => {
    expect(data.inputs).toMatchObject({ rejected: 0, repaired: 0, issues: [] });
    expect(data.inputs.loaded).toBeGreaterThan(15);
  });

  it('counts every thread of the run as a session, each with a failed turn', () => {
    expect(data.sessions.count).toBe(truth.threads.length);
    const failedThreads = truth.threads.filter((t) => t.turns.some((u) => u.status === 'error')).length;
    expect(data.sessions.with_failed_runs).toBe(failedThreads);
  });

  it('has one run per turn the agent handled in a stage, and the turn failures of truth.json per stage', () => {
    const stages = [...new Set(turns.map((t) => t.stage!))];
    expect(data.sessions.by_stage.map((s) => s.stage).sort()).toEqual(stages.sort());
    for (const stage of stages) {
      const mine = turns.filter((t) => t.stage === stage);
      const row = data.sessions.by_stage.find((s) => s.stage === stage)!;
      expect(row.runs, stage).toBe(mine.length);
      expect(row.failed, stage).toBe(truth.global.errors.turn_failures_by_stage[stage] ?? 0);
      expect(row.ok, stage).toBe(mine.filter((t) => t.status === 'ok' || t.status === 'finalized').length);
      expect(row.unfinished, stage).toBe(mine.filter((t) => t.status === 'canceled').length);
      expect(row.success_rate).toBeCloseTo(row.ok / (row.ok + row.failed), 4);
    }
    const failed = Object.values(truth.global.errors.turn_failures_by_stage).reduce((a, b) => a + b, 0);
    expect(data.sessions.runs).toMatchObject({ sessions: truth.threads.length, runs: turns.length, failed, unfinished: 1 });
  });

  it('gives average and p95 durations equal to those computed from the session logs, and close to the agent\'s own elapsed_s', () => {
    const finished = (list: RawRun[]): number[] => list.filter((r) => r.ms !== null).map((r) => r.ms!);
    for (const row of data.sessions.by_stage) {
      const mine = runs.filter((r) => r.stage === row.stage);
      expect(mine.length).toBe(row.runs);
      near(row.avg_duration_ms, mean(finished(mine)));
      near(row.p95_duration_ms, quantile(finished(mine), 0.95));
      // The agent measured each turn itself; the two agree within a few milliseconds.
      const elapsed = mine.filter((r) => r.elapsedMs !== null).map((r) => r.elapsedMs!);
      expect(Math.abs(row.avg_duration_ms! - mean(elapsed))).toBeLessThan(5);
    }
    near(data.sessions.runs.avg_duration_ms, mean(finished(runs)));
    near(data.sessions.runs.p95_duration_ms, quantile(finished(runs), 0.95));
  });

  it('counts a run for each agent that made an LLM call in it (by trace id in the audit log)', () => {
    const byTrace = agentsByTrace();
    const agents = [...new Set([...byTrace.values()].flatMap((s) => [...s]))].sort();
    expect(data.sessions.by_agent.map((a) => a.agent).sort()).toEqual(agents);
    for (const row of data.sessions.by_agent) {
      const mine = runs.filter((r) => r.trace !== null && byTrace.get(r.trace)?.has(row.agent));
      expect(row.runs, row.agent).toBe(mine.length);
      expect(row.failed, row.agent).toBe(mine.filter((r) => r.outcome === 'failed').length);
      expect(row.sessions, row.agent).toBe(new Set(mine.map((r) => r.session)).size);
      near(row.p95_duration_ms, quantile(mine.filter((r) => r.ms !== null).map((r) => r.ms!), 0.95));
    }
  });

  it('rolls LLM calls and tokens up by model as the run made them, with a totals row', () => {
    const g = truth.global;
    expect(data.llm.by_model.map((r) => r['model']).sort()).toEqual(Object.keys(g.llm_calls.by_model).sort());
    for (const [model, calls] of Object.entries(g.llm_calls.by_model)) {
      const row = data.llm.by_model.find((r) => r['model'] === model)!;
      expect(row['calls'], model).toBe(calls);
      expect(row['errors'], model).toBe(g.llm_calls.by_model_status[`${model}|error`] ?? 0);
      expect(row['prompt_tokens'], model).toBe(g.tokens.by_model[model]!.prompt);
      expect(row['completion_tokens'], model).toBe(g.tokens.by_model[model]!.completion);
    }
    expect(data.llm.total).toMatchObject({
      calls: g.llm_calls.total,
      errors: g.llm_calls.by_status['error'],
      prompt_tokens: g.tokens.prompt,
      completion_tokens: g.tokens.completion,
      total_tokens: g.tokens.prompt + g.tokens.completion,
    });
  });

  it('lists the busiest sessions by LLM tokens, with the calls and tokens of each thread', () => {
    expect(data.busiest_sessions.ranked_by[0]).toBe('total_tokens');
    const expected = [...truth.threads].sort((a, b) => b.tokens.total - a.tokens.total);
    expect(data.busiest_sessions.sessions.map((s) => s['session_key'])).toEqual(expected.map((t) => t.session_key));
    for (const [i, t] of expected.entries()) {
      const s = data.busiest_sessions.sessions[i]!;
      expect(s['total_tokens']).toBe(t.tokens.total);
      expect(s['llm_call_count']).toBe(t.llm_calls.total);
      expect(s['runs']).toBe(t.turns.filter((u) => u.stage !== null).length);
    }
  });

  it('groups the errors by fingerprint as obs errors --group does, most frequent first', async () => {
    const groups = await obsJson<{ count: number; groups: Row[] }>(['errors', '--group', ...LOGS, '--since', '24h'], { env: ENV });
    expect(data.errors.fingerprints).toBe(groups.data.count);
    expect(data.errors.top).toEqual(groups.data.groups.slice(0, 10));
    const counts = data.errors.top.map((e) => Number(e['count']));
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    // The two unhandled ASGI failures of truth.json (AttributeError, in plan and in refine) are one fingerprint.
    expect(data.errors.top).toContainEqual(expect.objectContaining({ error_type: 'AttributeError', count: 2, session_count: 2, stages: ['plan', 'refine'] }));
  });

  it('has the hours of the window with the run\'s activity in its last hour', () => {
    const h = data.per_hour;
    expect(h.hours).toHaveLength(25);
    expect(h.hours[0]).toBe('2026-11-20T22:00:00Z');
    expect(h.hours[24]).toBe('2026-11-21T22:00:00Z');
    for (const k of ['records', 'errors', 'llm_calls', 'llm_errors', 'runs', 'failed_runs', 'error_rate']) expect(h[k], k).toHaveLength(25);
    expect(h['llm_calls']![24]).toBe(truth.global.llm_calls.total);
    expect(h['llm_errors']![24]).toBe(truth.global.llm_calls.by_status['error']);
    expect(h['runs']![24]).toBe(turns.length);
    expect(h['failed_runs']![24]).toBe(data.sessions.runs.failed);
    expect(h['error_rate']![24]).toBeCloseTo(data.sessions.runs.failed / (data.sessions.runs.ok + data.sessions.runs.failed), 4);
    expect(h['errors']![24]).toBe(data.errors.count);
    expect(h['records']!.slice(0, 24).every((n) => n === 0)).toBe(true);
    expect(h['error_rate']!.slice(0, 24).every((n) => n === null)).toBe(true);
  });

  // fixtures/prometheus/README.md, "The alerts and when they fire"; evaluations fall on …:05.547, …:06.547, …
  const at = (hms: string): string => `2026-11-21T${hms}.547Z`;
  const END = '22:20:01';
  const README: Array<{ alertname: string; severity: string; labels: Record<string, string>; first: string; last?: string; periods?: number }> = [
    { alertname: 'PlannerLLMCallErrors', severity: 'warning', labels: { agent: 'constraint_extractor', call_label: 'collect_constraints', model: 'gpt-4.1' }, first: '22:18:31', last: '22:19:29' },
    { alertname: 'PlannerLLMCallErrors', severity: 'warning', labels: { agent: 'timeboxing_agent', call_label: 'plan_draft', model: 'gpt-4.1' }, first: '22:18:37', last: '22:19:54' },
    { alertname: 'PlannerLLMCallErrors', severity: 'warning', labels: { agent: 'timeboxing_agent', call_label: 'plan_draft', model: 'gpt-4o-mini' }, first: '22:18:56', last: '22:19:54' },
    { alertname: 'PlannerLLMCallErrors', severity: 'warning', labels: { agent: 'timebox_patcher', call_label: 'timebox_patch', model: 'gpt-4.1' }, first: '22:19:22', last: END },
    { alertname: 'PlannerLLMCallErrors', severity: 'warning', labels: { agent: 'timeboxing_agent', call_label: 'stage_decision', model: 'gpt-4o-mini' }, first: '22:19:29', last: END },
    { alertname: 'PlannerComponentErrors', severity: 'warning', labels: { component: 'llm_client', error_type: 'RateLimitError' }, first: '22:18:31', last: '22:19:54' },
    { alertname: 'PlannerComponentErrors', severity: 'warning', labels: { component: 'timeboxing_agent', error_type: 'RateLimitError' }, first: '22:18:56', last: '22:19:55' },
    { alertname: 'PlannerComponentErrors', severity: 'warning', labels: { error_type: 'LLMTimeoutError' }, first: '22:18:37', last: END },
    { alertname: 'PlannerComponentErrors', severity: 'warning', labels: { error_type: 'LLMTimeoutError' }, first: '22:18:37', last: END },
    { alertname: 'PlannerComponentErrors', severity: 'warning', labels: { error_type: 'SkeletonRepairError' }, first: '22:18:38', last: '22:19:37' },
    { alertname: 'PlannerComponentErrors', severity: 'warning', labels: { error_type: 'ConstraintValidationError' }, first: '22:18:44', last: '22:19:43' },
    { alertname: 'PlannerComponentErrors', severity: 'warning', labels: { component: 'mcp_tools', error_type: 'ToolCallError' }, first: '22:18:52', last: END },
    { alertname: 'PlannerComponentErrors', severity: 'warning', labels: { error_type: 'KeyError' }, first: '22:18:54', last: END },
    { alertname: 'PlannerComponentErrors', severity: 'warning', labels: { component: 'durable_store', error_type: 'IntegrityError' }, first: '22:18:58', last: '22:19:57' },
    { alertname: 'PlannerComponentErrors', severity: 'warning', labels: { error_type: 'ExceptionGroup' }, first: '22:19:15', last: END },
    { alertname: 'PlannerStageSlow', severity: 'warning', labels: { stage: 'plan' }, first: '22:18:52', last: END },
    { alertname: 'PlannerStageSlow', severity: 'warning', labels: { stage: 'refine' }, first: '22:19:09', last: END },
    { alertname: 'GatewayUpstreamFailures', severity: 'critical', labels: { target: 'agent', status_code: '500' }, first: '22:18:27', last: END, periods: 2 },
    { alertname: 'GatewayUpstreamFailures', severity: 'critical', labels: { target: 'slack', status_code: '429' }, first: '22:18:48', last: '22:19:47', periods: 1 },
  ];

  it('lists the alerts that fired, with the severity and first and last firing times of the fixture README', () => {
    expect(data.alerts_reason).toBeNull();
    expect(data.alerts?.url).toBe(url);
    const firing = [...(data.alerts?.firing ?? [])];
    expect(data.alerts?.count).toBe(README.length);
    for (const want of README) {
      const i = firing.findIndex(
        (a) => a.alertname === want.alertname && Object.entries(want.labels).every(([k, v]) => a.labels[k] === v) && a.first_firing === at(want.first),
      );
      expect(i, `${want.alertname} ${JSON.stringify(want.labels)} first firing ${want.first}`).toBeGreaterThanOrEqual(0);
      const [got] = firing.splice(i, 1);
      expect(got!.severity).toBe(want.severity);
      if (want.last) expect(got!.last_firing).toBe(at(want.last));
      if (want.periods) expect(got!.periods).toHaveLength(want.periods);
    }
    expect(firing).toEqual([]);
    // agent/500 fired 22:18:27.5–22:19:26.5 and 22:19:28.5–22:20:01.5: 60 + 34 evaluations, one second apart.
    const agent500 = data.alerts!.firing.find((a) => a.labels['target'] === 'agent')!;
    expect(agent500).toMatchObject({ samples: 94, firing_seconds: 94, periods: [{ from: at('22:18:27'), to: at('22:19:26') }, { from: at('22:19:28'), to: at(END) }] });
  });
});

describe('obs report --format markdown', async () => {
  const r = await obs(['report', ...LOGS, '--since', '24h', '--format', 'markdown', '--prometheus', url], { env: ENV });
  const lines = r.stdout.split('\n');

  it('is GitHub-flavoured markdown without an escape code: a title, then a heading and a table per section', () => {
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toMatch(/\u001b/);
    expect(lines[0]).toBe('# obs report: 2026-11-20 22:20:05 to 2026-11-21 22:20:05 UTC (24h00m)');
    const headings = lines.filter((l) => l.startsWith('#'));
    expect(headings.slice(1)).toEqual([
      '## Sessions and runs',
      '## Top errors',
      '## LLM usage and cost by model',
      '## Busiest sessions',
      '## Per hour',
      '## Alerts',
      '## Inputs',
    ]);
    const sections = r.stdout.split(/^## /m).slice(1);
    for (const section of sections) {
      // Each table: consecutive lines starting with "|" (a section may hold several, e.g. LLM usage and its prices).
      const tables = section.split(/\n(?!\|)/).map((block) => block.split('\n').filter((l) => l.startsWith('|'))).filter((t) => t.length > 0);
      expect(tables.length, section.split('\n')[0]).toBeGreaterThanOrEqual(1);
      for (const rows of tables) {
        expect(rows.length, section.split('\n')[0]).toBeGreaterThanOrEqual(3);
        // A header, then the alignment row: numbers right-aligned, text left.
        expect(rows[1]).toMatch(/^\|( ---:? \|)+$/);
        const cells = rows.map((row) => row.split(/(?<!\\)\|/).length);
        expect(new Set(cells).size, `every row of a table of "${section.split('\n')[0]}" has as many cells`).toBe(1);
      }
    }
  });

  it('has a line per model with its calls, errors and tokens as the run made them, and the total', () => {
    const g = truth.global;
    const n = (v: number): string => v.toLocaleString('en-US');
    const section = r.stdout.slice(r.stdout.indexOf('## LLM usage'), r.stdout.indexOf('## Busiest'));
    for (const [model, calls] of Object.entries(g.llm_calls.by_model)) {
      const t = g.tokens.by_model[model]!;
      const errors = g.llm_calls.by_model_status[`${model}|error`] ?? 0;
      expect(section).toContain(`| ${model} | ${calls} | ${errors} | ${n(t.prompt)} | ${n(t.completion)} | ${n(t.prompt + t.completion)} |`);
    }
    expect(section).toContain(`| **total** | **${g.llm_calls.total}** | **${g.llm_calls.by_status['error']}** | **${n(g.tokens.prompt)}** | **${n(g.tokens.completion)}** |`);
    expect(section).toMatch(/^\| model \| calls \| errors \| prompt \| completion \| total tokens \|.* p50 \|.* p95 \|/m);
  });

  it('shows the failed turns per stage and the alerts that fired', () => {
    for (const [stage, failed] of Object.entries(truth.global.errors.turn_failures_by_stage)) {
      expect(r.stdout).toMatch(new RegExp(`^\\| ${stage} \\| \\d+ \\| \\d+ \\| \\d+ \\| ${failed} \\|`, 'm'));
    }
    expect(r.stdout).toContain('| GatewayUpstreamFailures | critical | status_code=500, target=agent | 2026-11-21 22:18:27 | 2026-11-21 22:20:01 | 1m34s | 2 |');
  });

  it('matches the golden file outside the LLM figures (whose columns grow when LLM cost is reported)', () => {
    // Regenerate: OBS_NOW=2026-11-21T22:20:05Z obs report --logs fixtures/sample-corpus --since 24h --format markdown
    // --prometheus <url>, with the LLM section and summary line cut and the URL replaced by <prometheus>.
    const cut = (md: string): string =>
      md.replace(/^## LLM usage[^]*?(?=^## )/m, '').replace(/^- \d+ LLM calls? .*\n/m, '').replaceAll(url, '<prometheus>');
    const golden = readFileSync(path.join(FIXTURES, '..', 'test', 'e2e', 'golden', 'report-sample-corpus.md'), 'utf8');
    expect(cut(r.stdout)).toBe(golden);
  });
});

describe('obs report on a terminal', () => {
  it('has sparklines and no escape code with NO_COLOR or in a pipe', async () => {
    const r = await obs(['report', ...LOGS, '--no-alerts'], { env: ENV });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toMatch(/\u001b/);
    expect(r.stdout).toMatch(/^ {2}LLM calls +▁+█ +total 58, max 58 at 2026-11-21 22:00$/m);
    expect(r.stdout).toMatch(/^ {2}run error rate +█ +max 26\.3% at 2026-11-21 22:00$/m);
    expect(r.stdout).toMatch(/^ {2}plan +6 +11 +6 +5 +0 +54\.5%/m);
  });

  it('colours with FORCE_COLOR=1 and not with --no-color', async () => {
    const forced = await obs(['report', ...LOGS, '--no-alerts', '-q'], { env: { ...ENV, NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\u001b\[1m/);
    const off = await obs(['report', ...LOGS, '--no-alerts', '-q', '--no-color'], { env: { ...ENV, NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(off.stdout).not.toMatch(/\u001b/);
  });
});

describe('obs report: windows, Prometheus and input', () => {
  it('defaults to the 24 hours before now', async () => {
    const { data } = await obsJson<Report>(['report', ...LOGS, '--no-alerts'], { env: ENV });
    expect(data.window).toMatchObject({ from: '2026-11-20T22:20:05.000Z', to: '2026-11-21T22:20:05.000Z' });
    expect(data.sessions.count).toBe(truth.threads.length);
  });

  it('gives an empty but complete report, exit 0, for a window with nothing in it', async () => {
    const args = ['report', ...LOGS, '--from', '2026-11-20T00:00:00Z', '--to', '2026-11-20T05:30:00Z', '--no-alerts'];
    const { data, stderr, exitCode } = await obsJson<Report>(args, { env: ENV });
    expect(exitCode).toBe(0);
    expect(stderr).toContain('note: nothing in the window');
    expect(data.sessions).toMatchObject({ count: 0, by_stage: [], by_agent: [], runs: { runs: 0, success_rate: null, p95_duration_ms: null } });
    expect(data.errors).toEqual({ count: 0, fingerprints: 0, top: [] });
    expect(data.llm).toEqual({ by_model: [], total: null, prices: [] });
    expect(data.busiest_sessions.sessions).toEqual([]);
    expect(data.per_hour.hours).toEqual(['00', '01', '02', '03', '04', '05'].map((h) => `2026-11-20T${h}:00:00Z`));
    expect(data.per_hour['records']).toEqual([0, 0, 0, 0, 0, 0]);
    expect(data.per_hour['error_rate']).toEqual([null, null, null, null, null, null]);
    expect(data.alerts).toBeNull();
    expect(data.alerts_reason).toBe('--no-alerts');
    const md = await obs([...args, '--format', 'markdown'], { env: ENV });
    expect(md.exitCode).toBe(0);
    expect(md.stdout).toContain('No error in the window.');
    expect(md.stdout).toContain('No LLM call in the window.');
  });

  it('without Prometheus: alerts null with the reason, a note, exit 0', async () => {
    const { data, stderr, exitCode } = await obsJson<Report>(['report', ...LOGS], { env: ENV });
    expect(exitCode).toBe(0);
    expect(data.alerts).toBeNull();
    expect(data.alerts_reason).toMatch(/^no Prometheus configured/);
    expect(stderr).toMatch(/^note: alerts not queried: no Prometheus configured/m);
  });

  it('reads the alert evaluations in (from, to]: one exactly at the window\'s start is left out', async () => {
    // Prometheus 2.42 returns a range selector's samples in [t - range, t], so it does give the
    // evaluation at 22:19:00.547 (VictoriaMetrics and Prometheus 3 do not).
    const { data, exitCode } = await obsJson<Report>(
      ['report', ...LOGS, '--from', '2026-11-21T22:19:00.547Z', '--to', '2026-11-21T22:20:05Z', '--prometheus', url],
      { env: ENV },
    );
    expect(exitCode).toBe(0);
    const agent500 = data.alerts!.firing.find((a) => a.alertname === 'GatewayUpstreamFailures' && a.labels['target'] === 'agent')!;
    // Fired 22:18:27.5–22:19:26.5 and 22:19:28.5–22:20:01.5 (fixtures/prometheus/README.md).
    expect(agent500).toMatchObject({
      first_firing: '2026-11-21T22:19:01.547Z',
      samples: 26 + 34,
      periods: [
        { from: '2026-11-21T22:19:01.547Z', to: '2026-11-21T22:19:26.547Z' },
        { from: '2026-11-21T22:19:28.547Z', to: '2026-11-21T22:20:01.547Z' },
      ],
    });
    for (const a of data.alerts!.firing) expect(a.first_firing > '2026-11-21T22:19:00.547Z', JSON.stringify(a)).toBe(true);
  });

  it('with Prometheus unreachable: the rest is answered, alerts null, a warning, exit 4', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const { data, stderr, exitCode } = await obsJson<Report>(['report', ...LOGS, '--prometheus', dead], { env: ENV });
    expect(exitCode).toBe(4);
    expect(data.sessions.count).toBe(truth.threads.length);
    expect(data.alerts).toBeNull();
    expect(data.alerts_reason).toBe(`Prometheus failed: cannot reach Prometheus at ${dead} (connection refused: nothing listens there)`);
    expect(stderr).toMatch(/^warning: alerts not read: cannot reach Prometheus/m);
    expect(data.warnings).toHaveLength(1);
  });

  it('says when input lines were rejected, and exits 4', async () => {
    // Paths are shown as given, relative to the working directory.
    const edge = 'fixtures/edge';
    const args = ['report', '--logs', `${edge}/malformed-json`, '--logs', `${edge}/invalid-utf8`, '--no-alerts', '--from', '2026-03-02T00:00:00Z', '--to', '2026-03-03T00:00:00Z'];
    const { data, exitCode } = await obsJson<Report>(args);
    expect(exitCode).toBe(4);
    expect(data.inputs).toMatchObject({ rejected: 1, repaired: 2 });
    expect(data.inputs.issues[0]).toMatchObject({ source_file: `${edge}/malformed-json/app.jsonl`, source_line: 3, problem: 'rejected' });
    const md = await obs([...args, '--format', 'markdown']);
    expect(md.exitCode).toBe(4);
    expect(md.stdout).toMatch(/^> \*\*Warning:\*\* 1 input line rejected/m);
    expect(md.stdout).toContain(`| ${edge}/malformed-json/app.jsonl:3 | rejected | invalid JSON`);
  });

  it('refuses two output formats and a bad --top with exit 2', async () => {
    const both = await obs(['report', ...LOGS, '--json', '--format', 'markdown'], { env: ENV });
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('error: choose one output format, not markdown and json');
    const top = await obs(['report', ...LOGS, '--top', '0'], { env: ENV });
    expect(top.exitCode).toBe(2);
    expect(top.stderr).toContain('--top expects a positive whole number');
  });
});
