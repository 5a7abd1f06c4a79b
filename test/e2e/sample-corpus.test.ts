/**
 * End to end on the logs of a real planner-agent run, against the run's
 * ground truth (truth.json), which was written from what the run sent and
 * received, never from the logs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BIN, CACHE_HOME, CORPUS, obs, obsJson } from '../helpers/cli.js';

interface Turn { stage: string | null; status: string }
interface Thread {
  session_key: string;
  thread_ts: string;
  channel_id: string;
  user_id: string;
  start_utc: string;
  end_utc: string;
  turns: Turn[];
  llm_calls: { total: number; by_status: Record<string, number>; by_model: Record<string, number> };
  tokens: { prompt: number; completion: number; total: number };
}
interface Truth {
  threads: Thread[];
  global: {
    llm_calls: { total: number; by_model: Record<string, number>; by_status: Record<string, number>; by_stage: Record<string, number>; by_call_label: Record<string, number> };
    tokens: { prompt: number; completion: number; by_model: Record<string, { prompt: number; completion: number }> };
  };
}

const truth = JSON.parse(readFileSync(`${CORPUS}/truth.json`, 'utf8')) as Truth;
const LOGS = ['--logs', `${CORPUS}/logs`];

type Row = Record<string, unknown>;

describe('sample corpus: sessions', () => {
  it('finds every thread of the run with its identity, LLM calls and tokens', async () => {
    const { data, stderr, exitCode } = await obsJson<{ sessions: Row[] }>(['sessions', ...LOGS]);
    expect(exitCode).toBe(0);
    expect(stderr).not.toMatch(/warning/);
    expect(data.sessions.map((s) => s['session_key']).sort()).toEqual(truth.threads.map((t) => t.session_key).sort());
    for (const t of truth.threads) {
      const s = data.sessions.find((x) => x['session_key'] === t.session_key) as Row;
      expect(s['thread_ts']).toBe(t.thread_ts);
      expect(s['channel_id']).toBe(t.channel_id);
      expect(s['user_id']).toBe(t.user_id);
      expect(s['llm_call_count']).toBe(t.llm_calls.total);
      expect(s['llm_error_count']).toBe(t.llm_calls.by_status['error'] ?? 0);
      expect(s['prompt_tokens']).toBe(t.tokens.prompt);
      expect(s['completion_tokens']).toBe(t.tokens.completion);
      expect(s['total_tokens']).toBe(t.tokens.total);
      expect(s['log_missing']).toBe(false);
      // Stages in the order the user's turns went through them.
      expect(s['stages']).toEqual([...new Set(t.turns.map((x) => x.stage).filter((x) => x !== null))]);
      // The logs start when the gateway received the first event and end with the last reply.
      const first = Date.parse(s['first_ts'] as string);
      const last = Date.parse(s['last_ts'] as string);
      expect(first - Date.parse(t.start_utc)).toBeGreaterThanOrEqual(0);
      expect(first - Date.parse(t.start_utc)).toBeLessThan(1000);
      expect(Math.abs(last - Date.parse(t.end_utc))).toBeLessThan(1000);
    }
  });

  it('prints a table with one line per session on a terminal format', async () => {
    const r = await obs(['sessions', ...LOGS, '-o', 'table']);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + truth.threads.length);
    expect(lines[0]).toMatch(/^session\s+first_seen\s+duration\s+stages/);
    expect(r.stdout).not.toContain('\u001b[');
  });
});

describe('sample corpus: LLM calls', () => {
  it('rolls up calls and tokens by model exactly as the run made them', async () => {
    const { data, exitCode } = await obsJson<{ groups: Row[]; by: string[] }>(['llm', '--by', 'model', ...LOGS]);
    expect(exitCode).toBe(0);
    expect(data.by).toEqual(['model']);
    const byModel = Object.fromEntries(data.groups.map((g) => [g['model'], g]));
    expect(Object.keys(byModel).sort()).toEqual(Object.keys(truth.global.llm_calls.by_model).sort());
    for (const [model, calls] of Object.entries(truth.global.llm_calls.by_model)) {
      const g = byModel[model] as Row;
      expect(g['calls']).toBe(calls);
      expect(g['prompt_tokens']).toBe(truth.global.tokens.by_model[model]?.prompt);
      expect(g['completion_tokens']).toBe(truth.global.tokens.by_model[model]?.completion);
      // Every audit record carries latency_ms, so percentiles are over all calls.
      expect(g['latency_known']).toBe(calls);
      expect(g['latency_p50_ms'] as number).toBeLessThanOrEqual(g['latency_p95_ms'] as number);
    }
  });

  it('rolls up by stage and by call label', async () => {
    for (const [key, expected] of [
      ['stage', truth.global.llm_calls.by_stage],
      ['call_label', truth.global.llm_calls.by_call_label],
    ] as const) {
      const { data } = await obsJson<{ groups: Row[] }>(['llm', '--by', key, ...LOGS]);
      expect(Object.fromEntries(data.groups.map((g) => [g[key], g['calls']]))).toEqual(expected);
    }
  });

  it('lists one thread\'s calls, and jq-style sums match the truth', async () => {
    const t = truth.threads[3] as Thread;
    const { data, exitCode } = await obsJson<{ llm_calls: Row[]; count: number }>(['llm', '--thread', t.thread_ts, ...LOGS]);
    expect(exitCode).toBe(0);
    expect(data.count).toBe(t.llm_calls.total);
    expect(data.llm_calls.every((c) => c['thread_ts'] === t.thread_ts)).toBe(true);
    const sum = (k: string): number => data.llm_calls.reduce((n, c) => n + ((c[k] as number | null) ?? 0), 0);
    expect(sum('prompt_tokens')).toBe(t.tokens.prompt);
    expect(sum('completion_tokens')).toBe(t.tokens.completion);
    const models: Record<string, number> = {};
    for (const c of data.llm_calls) models[c['model'] as string] = (models[c['model'] as string] ?? 0) + 1;
    expect(models).toEqual(t.llm_calls.by_model);
    // Calls come in time order, with ISO UTC times.
    const times = data.llm_calls.map((c) => c['ts'] as string);
    expect([...times].sort()).toEqual(times);
    expect(times.every((x) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(x))).toBe(true);
  });

  it('error calls carry null tokens and their error text', async () => {
    const { data } = await obsJson<{ llm_calls: Row[] }>(['llm', '--status', 'error', ...LOGS]);
    expect(data.llm_calls).toHaveLength(truth.global.llm_calls.by_status['error'] as number);
    for (const c of data.llm_calls) {
      expect(c['prompt_tokens']).toBeNull();
      expect(c['total_tokens']).toBeNull();
      expect(typeof c['error']).toBe('string');
    }
  });
});

describe('sample corpus: events and sources', () => {
  it('reads every file of the logs folder with no line rejected', async () => {
    const { data, exitCode } = await obsJson<{ files: Row[]; totals: Row }>(['sources', ...LOGS]);
    expect(exitCode).toBe(0);
    const kinds = Object.fromEntries(data.files.map((f) => [String(f['path']).split('/').pop(), f['kind']]));
    expect(kinds['llm_io_20261121_221805_7824.jsonl']).toBe('llm_io');
    expect(kinds['timeboxing_session_index.jsonl']).toBe('log_index');
    expect(kinds['app.jsonl']).toBe('jsonl');
    expect(kinds['app.log']).toBe('text');
    expect(Object.values(kinds).filter((k) => k === 'session_log')).toHaveLength(truth.threads.length);
    expect(data.totals['rejected']).toBe(0);
    // Line counts as wc -l gives them for the audit log (68) and app.log (839).
    const byName = Object.fromEntries(data.files.map((f) => [String(f['path']).split('/').pop(), f]));
    expect(byName['llm_io_20261121_221805_7824.jsonl']?.['lines']).toBe(68);
    expect(byName['llm_io_20261121_221805_7824.jsonl']?.['records']).toBe(68);
    expect(byName['app.log']?.['lines']).toBe(839);
  });

  it('finds one graph_turn_start per turn the agent handled, in every thread', async () => {
    for (const t of truth.threads) {
      const { data } = await obsJson<{ events: Row[] }>(['events', '--thread', t.thread_ts, '--event', 'graph_turn_start', ...LOGS]);
      // Turns that crashed the agent before its turn handler (agent_error) log no turn start.
      expect(data.events).toHaveLength(t.turns.filter((x) => x.status !== 'agent_error').length);
      expect(data.events.every((e) => e['source_kind'] === 'session_log')).toBe(true);
    }
  });

  it('exceptions of the audit log are events at level error', async () => {
    const { data } = await obsJson<{ events: Row[] }>(['events', '--event', 'exception', '--level', 'error', ...LOGS]);
    // One audit exception record per turn failure (10 in the run).
    expect(data.events).toHaveLength(10);
    expect(data.events.every((e) => e['source_kind'] === 'llm_io')).toBe(true);
  });

  it('answers SQL over the loaded tables', async () => {
    const { data, exitCode } = await obsJson<{ rows: Row[] }>([
      'sql',
      'select count(*) as calls, sum(prompt_tokens) as prompt, sum(completion_tokens) as completion from llm_calls',
      ...LOGS,
    ]);
    expect(exitCode).toBe(0);
    expect(data.rows).toEqual([{ calls: 58, prompt: truth.global.tokens.prompt, completion: truth.global.tokens.completion }]);
  });
});

describe('a reader that stops early', () => {
  it('obs stops quietly when the pipe closes (obs ... | head -1)', async () => {
    // Through a real shell pipe, as users run it; events --ndjson writes enough to fill the pipe.
    const r = await execa('sh', ['-c', `"${process.execPath}" "${BIN}" events --logs "${CORPUS}" --ndjson | head -1`], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', XDG_CACHE_HOME: CACHE_HOME, NO_COLOR: '1', TZ: 'UTC' },
      extendEnv: false,
      reject: false,
    });
    expect(r.stdout.split('\n')[0]).toMatch(/^\{"ts":/);
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.stderr).not.toContain('Unhandled');
  });
});
