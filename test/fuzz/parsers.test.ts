/**
 * Fuzzes every parser: each source kind the loader selects, each log format
 * and the traceback parsers, on inputs generated from a seed (cases.ts). The
 * cases run in a separate process (runner.ts); a case that does not finish
 * within its time limit is reported as a hang and the process is replaced,
 * so an endless loop or a runaway regular expression fails the test instead
 * of blocking the suite.
 *
 * Every failure names the seed and the case. To reproduce or explore:
 *
 *   OBS_FUZZ_SEED=123 npx vitest run test/fuzz      another seed
 *   OBS_FUZZ_CASES=40 ...                           more mutated inputs per shape (default 6)
 *   OBS_FUZZ_ONLY=17,42 ...                         only these cases of the seed
 *   OBS_FUZZ_TIMEOUT_MS=5000 ...                    the time limit of one case (default 30 s)
 *   OBS_FUZZ_SLOWEST=20 ...                         list the 20 slowest cases (default 3)
 *
 * A seed that is not a number is an error, not the default seed.
 * A failing case's files are kept in the folder the message names.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT } from '../helpers/cli.js';
import { generateCases, type FuzzCase } from './cases.js';
import type { RunnerCase, RunnerMessage } from './runner.js';

const DEFAULT_SEED = 20261121;
const env = process.env;
const SEED = env['OBS_FUZZ_SEED'] === undefined ? DEFAULT_SEED : Number(env['OBS_FUZZ_SEED']);
if (!Number.isSafeInteger(SEED)) throw new Error(`OBS_FUZZ_SEED must be a whole number, got "${env['OBS_FUZZ_SEED']}"`);
const PER_SHAPE = Number(env['OBS_FUZZ_CASES'] ?? 6);
const ONLY = env['OBS_FUZZ_ONLY']?.split(',').map(Number);
const CASE_TIMEOUT_MS = Number(env['OBS_FUZZ_TIMEOUT_MS'] ?? 30_000);
const RUNNER = fileURLToPath(new URL('./runner.ts', import.meta.url));
const WRITTEN = new Date('2026-01-01T00:00:00Z');

interface Failure {
  c: FuzzCase;
  problems: string[];
}

interface Outcome {
  failures: Failure[];
  kinds: Set<string>;
  times: Map<number, number>;
}

/** Runs the cases in child processes, one at a time, replacing a process that hangs or dies. */
async function runAll(cases: FuzzCase[], dirs: Map<number, string>): Promise<Outcome> {
  const outcome: Outcome = { failures: [], kinds: new Set(), times: new Map() };
  const byId = new Map(cases.map((c) => [c.id, c]));
  let pending = cases.map((c) => c.id);
  while (pending.length > 0) {
    const stopped = await new Promise<number[]>((resolve) => {
      const child: ChildProcess = fork(RUNNER, [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString('utf8')).slice(-4000);
      });
      let current: number | null = null;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const done = new Set<number>();
      const finish = (rest: number[]): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(rest);
      };
      const fail = (id: number, problem: string): void => {
        outcome.failures.push({ c: byId.get(id) as FuzzCase, problems: [problem] });
        done.add(id);
        finish(pending.filter((p) => !done.has(p)));
      };
      child.on('message', (m: RunnerMessage) => {
        if (m.type === 'start') {
          current = m.id;
          timer = setTimeout(() => {
            child.kill('SIGKILL');
            fail(m.id, `hang: not finished after ${CASE_TIMEOUT_MS} ms`);
          }, CASE_TIMEOUT_MS);
        } else if (m.type === 'done') {
          clearTimeout(timer);
          current = null;
          done.add(m.id);
          outcome.times.set(m.id, m.ms);
          for (const k of m.kinds) outcome.kinds.add(k);
          if (m.problems.length > 0) outcome.failures.push({ c: byId.get(m.id) as FuzzCase, problems: m.problems });
        } else {
          finish([]);
        }
      });
      child.on('exit', (code, signal) => {
        if (settled) return;
        if (current !== null) fail(current, `the process died (exit ${code}, signal ${signal}):\n${stderr}`);
        else finish(pending.filter((p) => !done.has(p)));
      });
      const toRun: RunnerCase[] = pending.map((id) => ({ id, dir: dirs.get(id) as string, mode: (byId.get(id) as FuzzCase).mode }));
      child.send({ cases: toRun });
    });
    pending = stopped;
  }
  return outcome;
}

function report(failures: Failure[], root: string): string {
  const lines = [`${failures.length} fuzz case(s) failed (seed ${SEED}; rerun one with OBS_FUZZ_SEED=${SEED} OBS_FUZZ_ONLY=<case>); inputs kept in ${root}`];
  for (const { c, problems } of failures) {
    lines.push('', `case ${c.id} (${c.intended}, ${c.mode}): ${c.what}`, `  files: ${Object.keys(c.files).map((n) => path.join(root, `case-${c.id}`, n)).join(', ')}`);
    for (const p of problems) lines.push(`  - ${p.replaceAll('\n', '\n    ')}`);
  }
  return lines.join('\n');
}

describe('fuzzed parsers', () => {
  it(
    `no crash, no hang, every line counted once (seed ${SEED})`,
    async () => {
      const all = generateCases(SEED, PER_SHAPE, FIXTURES);
      const cases = ONLY === undefined ? all : all.filter((c) => ONLY.includes(c.id));
      const root = mkdtempSync(path.join(tmpdir(), 'obs-fuzz-'));
      const dirs = new Map<number, string>();
      for (const c of cases) {
        const dir = path.join(root, `case-${c.id}`);
        mkdirSync(dir);
        for (const [name, bytes] of Object.entries(c.files)) {
          writeFileSync(path.join(dir, name), bytes);
          // Written long ago: a last line without a line end was cut, not one still being written.
          utimesSync(path.join(dir, name), WRITTEN, WRITTEN);
        }
        dirs.set(c.id, dir);
      }
      const started = Date.now();
      const outcome = await runAll(cases, dirs);
      const slowest = [...outcome.times.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(env['OBS_FUZZ_SLOWEST'] ?? 3));
      const what = (id: number): string => cases.find((c) => c.id === id)?.what.slice(0, 80) ?? '';
      process.stderr.write(
        `fuzz: seed ${SEED}, ${cases.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s; slowest:\n${slowest.map(([id, ms]) => `  #${id} ${ms} ms: ${what(id)}`).join('\n')}\n`,
      );
      if (outcome.failures.length > 0) expect.fail(report(outcome.failures.sort((a, b) => a.c.id - b.c.id), root));
      rmSync(root, { recursive: true, force: true });
      if (ONLY === undefined) {
        // Every kind the loader selects was reached by some input.
        const kinds = ['jsonl', 'llm_io', 'session_log', 'log_index', 'otlp', 'text', 'json_document', 'pytest', 'node_test', 'binary'];
        expect(kinds.filter((k) => !outcome.kinds.has(k))).toEqual([]);
      }
    },
    600_000,
  );
});
