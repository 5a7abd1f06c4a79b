/**
 * `obs errors` on the sample corpus, checked against its truth.json (recorded
 * by the harness that played Slack and the LLM provider, never from the logs):
 * every exception of every thread is found once, in its session and stage,
 * with every file it was written to.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, obs, obsJson } from '../helpers/cli.js';

type Row = Record<string, unknown>;

interface TruthError {
  incident_id: string;
  kind: string;
  exception_type: string;
  message: string;
  message_match: 'exact' | 'substring';
  stage: string;
  files?: string[];
  traceback_in?: string[];
  caused_turn_failure?: boolean;
  gateway_error?: { type: string; message: string };
}

interface Thread {
  session_key: string;
  errors: TruthError[];
}

interface Link {
  relation: string;
  depth: number;
  type: string | null;
  message: string;
}

interface Seen {
  source_file: string;
}

const truth = JSON.parse(readFileSync(path.join(CORPUS, 'truth.json'), 'utf8')) as {
  threads: Thread[];
  global: { errors: { slack_api_rate_limits: Array<{ key: string }> } };
};
const LOGS = ['--logs', CORPUS];
const NOW = { OBS_NOW: '2026-11-21T22:20:00Z' };

const short = (t: unknown): string => String(t).split('.').pop() ?? '';
const files = (e: Row): string[] => (e['seen_in'] as Seen[]).map((s) => path.relative(CORPUS, s.source_file));

function matches(e: Row, t: TruthError): boolean {
  const message = String(e['message']);
  return short(e['error_type']) === short(t.exception_type) && (t.message_match === 'exact' ? message === t.message : message.includes(t.message));
}

/** Truth errors that are the same exception object as another (an LLM error that failed the turn). */
function standalone(thread: Thread): TruthError[] {
  return thread.errors.filter((t) => {
    if (t.kind === 'tool_error' && t.caused_turn_failure) return false; // a member of the turn's ExceptionGroup
    if (!t.caused_turn_failure) return true;
    const turn = thread.errors.find((x) => x.kind === 'turn_failure' && x.incident_id === t.incident_id);
    // The LLM error that failed the turn is the turn's own exception when the messages agree.
    return !(turn && short(turn.exception_type) === short(t.exception_type) && (turn.message === t.message || turn.message.includes(t.message)));
  });
}

describe('obs errors on the sample corpus', () => {
  let errors: Row[] = [];
  beforeAll(async () => {
    // The harness recorded the messages as raised, secrets included: compare them unredacted.
    const { data, exitCode } = await obsJson<{ errors: Row[] }>(['errors', ...LOGS, '--no-redact']);
    expect(exitCode).toBe(0);
    errors = data.errors;
  });

  describe.each(truth.threads.map((t) => [t.session_key, t] as const))('thread %s', (key, thread) => {
    it('each exception the harness recorded is one error, in its stage', () => {
      for (const t of standalone(thread)) {
        const found = errors.filter((e) => e['session_key'] === key && matches(e, t));
        expect(found, `${t.incident_id} ${t.kind} ${t.exception_type}`).toHaveLength(1);
        expect(found[0]!['stage'], t.incident_id).toBe(t.stage);
        expect(found[0]!['kind']).toBe('exception');
      }
    });

    it('nothing else is reported as an exception of the thread but the gateway\'s own errors', () => {
      const own = standalone(thread);
      const gateway = thread.errors.filter((t) => t.gateway_error).map((t) => t.gateway_error!.type);
      const slack = truth.global.errors.slack_api_rate_limits.filter((r) => r.key === key).map(() => 'SlackApiError');
      const extra = errors
        .filter((e) => e['session_key'] === key && e['kind'] === 'exception')
        .filter((e) => !own.some((t) => matches(e, t)))
        .map((e) => short(e['error_type']));
      expect(extra.sort()).toEqual([...gateway, ...slack].sort());
    });

    it('a turn failure lists every log file it was written to', () => {
      for (const t of thread.errors.filter((x) => x.kind === 'turn_failure')) {
        const e = errors.find((x) => x['session_key'] === key && matches(x, t))!;
        // Spans are not loaded yet; a thread dump is a crash of its own (below).
        const expected = (t.files ?? []).filter((f) => !f.startsWith('traces/') && !f.includes('faulthandler_'));
        expect(new Set(files(e)), t.incident_id).toEqual(new Set(expected));
      }
    });

    it('a tool error inside an ExceptionGroup is a member of the group, not an error of its own', () => {
      for (const t of thread.errors.filter((x) => x.kind === 'tool_error' && x.caused_turn_failure)) {
        const group = errors.find((e) => e['session_key'] === key && e['error_type'] === 'ExceptionGroup' && (e['chain'] as Link[]).some(
          (l) => l.relation === 'group_member' && l.type === t.exception_type && l.message.includes(t.message),
        ));
        expect(group, t.incident_id).toBeDefined();
      }
    });

    it('a thread dump written for a timeout is a crash of that session and stage', () => {
      for (const t of thread.errors.filter((x) => x.kind === 'turn_failure')) {
        const dump = (t.files ?? []).find((f) => f.includes('faulthandler_'));
        if (!dump) continue;
        const crash = errors.find((e) => e['kind'] === 'crash' && path.relative(CORPUS, String(e['source_file'])) === dump);
        expect(crash, dump).toMatchObject({ session_key: key, stage: t.stage, error_type: 'Thread dump', context_from: 'reference' });
      }
    });
  });

  it('an unhandled exception is one error per thread with its traceback files; the uvicorn capture, with no time or session, stays apart', () => {
    const asgi = truth.threads.flatMap((th) => th.errors.filter((t) => t.kind === 'unhandled_asgi').map((t) => [th.session_key, t] as const));
    expect(asgi).toHaveLength(2);
    for (const [key, t] of asgi) {
      const e = errors.find((x) => x['session_key'] === key && matches(x, t))!;
      expect(new Set(files(e))).toEqual(new Set((t.traceback_in ?? []).filter((f) => !f.includes('uvicorn'))));
    }
    const apart = errors.filter((e) => String(e['source_file']).endsWith('uvicorn_agent_stderr.log'));
    expect(apart.map((e) => [e['error_type'], e['ts'], e['session_key']])).toEqual([
      ['AttributeError', null, null],
      ['AttributeError', null, null],
    ]);
  });

  it('frames come in the JSON, innermost last', () => {
    const e = errors.find((x) => x['error_type'] === 'SkeletonRepairError')!;
    const frames = e['frames'] as Array<{ file: string; line: number; function: string }>;
    expect(frames.at(-1)).toMatchObject({ file: '/app/planner/planner_agent.py', function: '_repair_overlaps' });
    expect((e['chain'] as Link[])[0]).toMatchObject({ relation: 'context', type: 'PlanValidationError' });
  });
});

describe('obs errors flags', () => {
  it('--stage plan --since 1h lists each exception of the stage once', async () => {
    const { data, exitCode } = await obsJson<{ errors: Row[] }>(['errors', ...LOGS, '--stage', 'plan', '--since', '1h', '--kind', 'exception'], { env: NOW });
    expect(exitCode).toBe(0);
    const expected = truth.threads.flatMap((th) => standalone(th).filter((t) => t.stage === 'plan').map((t) => `${th.session_key} ${short(t.exception_type)}`));
    expect(data.errors.map((e) => `${e['session_key']} ${short(e['error_type'])}`).sort()).toEqual(expected.sort());
  });

  it('--group ranks fingerprints: the AttributeError of two threads is one group of two', async () => {
    const { data } = await obsJson<{ groups: Row[] }>(['errors', ...LOGS, '--group', '--kind', 'exception', '--type', 'AttributeError', '--since', '1h'], { env: NOW });
    expect(data.groups).toHaveLength(1);
    expect(data.groups[0]).toMatchObject({ count: 2, session_count: 2, stages: ['plan', 'refine'], error_type: 'AttributeError' });
  });

  it('--fail exits 1 when errors matched and 0 when none did', async () => {
    const hit = await obs(['errors', ...LOGS, '--type', 'KeyError', '--fail']);
    expect(hit.exitCode).toBe(1);
    expect(hit.stderr).toContain('exit 1 (--fail)');
    const miss = await obs(['errors', ...LOGS, '--type', 'NoSuchError', '--fail']);
    expect(miss.exitCode).toBe(0);
    expect(miss.stderr).toContain('no errors matched');
  });

  it('--kind exception,crash leaves out error-level lines without an exception', async () => {
    const all = await obsJson<{ errors: Row[] }>(['errors', ...LOGS]);
    const failures = await obsJson<{ errors: Row[] }>(['errors', ...LOGS, '--kind', 'exception,crash']);
    const lines = all.data.errors.filter((e) => e['kind'] === 'log');
    expect(lines.length).toBeGreaterThan(0);
    expect(failures.data.errors).toHaveLength(all.data.errors.length - lines.length);
    // The asyncio task dump the agent logs at ERROR on a timeout: one line in three files is one error.
    const dumpStart = lines.filter((e) => String(e['message']).startsWith('[diag] ----- ASYNCIO TASK DUMP'));
    expect(dumpStart.length).toBeGreaterThan(0);
    for (const e of dumpStart) expect(files(e).map((f) => path.basename(f)).sort()).toEqual(['agent_errors.log', 'app.jsonl', 'app.log']);
    const bad = await obs(['errors', ...LOGS, '--kind', 'warning']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('unknown error kind "warning"');
  });

  it('--type matches with or without the module, --source by file name or kind', async () => {
    const { data: a } = await obsJson<{ errors: Row[] }>(['errors', ...LOGS, '--type', 'IntegrityError']);
    const { data: b } = await obsJson<{ errors: Row[] }>(['errors', ...LOGS, '--type', 'sqlite3.IntegrityError']);
    expect(a.errors.map((e) => e['error_id'])).toEqual(b.errors.map((e) => e['error_id']));
    expect(a.errors).toHaveLength(1);
    const { data: w } = await obsJson<{ errors: Row[] }>(['errors', ...LOGS, '--source', 'worker.jsonl']);
    expect(w.errors.map((e) => e['error_type'])).toEqual(['sqlite3.IntegrityError']);
    const { data: g } = await obsJson<{ errors: Row[] }>(['errors', ...LOGS, '--source', 'gateway.*', '--kind', 'exception']);
    for (const e of g.errors) expect(files(e).some((f) => f.startsWith('logs/gateway.'))).toBe(true);
  });

  it('show prints one error with every sighting; an unknown id is a usage error', async () => {
    const { data } = await obsJson<{ errors: Row[] }>(['errors', ...LOGS, '--type', 'SkeletonRepairError']);
    const id = String(data.errors[0]!['error_id']);
    const { data: one, exitCode } = await obsJson<{ error: Row; sightings: Row[] }>(['errors', 'show', id.slice(0, 6), ...LOGS]);
    expect(exitCode).toBe(0);
    expect(one.error['error_id']).toBe(id);
    expect(one.sightings).toHaveLength(Number(data.errors[0]!['seen_count']));
    const text = await obs(['errors', 'show', id, ...LOGS, '-o', 'table']);
    expect(text.stdout).toContain('frames (');
    expect(text.stdout).toContain('context: PlanValidationError');
    const bad = await obs(['errors', 'show', 'ffffffffffff', ...LOGS]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('no error with id or fingerprint');
  });

  it('--traceback prints each error with its traceback', async () => {
    const r = await obs(['errors', ...LOGS, '--type', 'KeyError', '--traceback', '-o', 'table']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Traceback (most recent call last):');
    expect(r.stdout).toContain("KeyError: 'op'");
    expect(r.stdout).toMatch(/seen in \d+ places:/);
  });
});
