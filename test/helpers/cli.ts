/**
 * Runs the built CLI (bin/obs.js → dist/) as a user would, with a hermetic
 * environment: PATH only, no colours, UTC. stdout, stderr and the exit code
 * come back separately.
 */
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = `${ROOT}bin/obs.js`;
export const FIXTURES = `${ROOT}fixtures`;
export const CORPUS = `${FIXTURES}/sample-corpus`;

/**
 * Each test process has a cache directory of its own (XDG_CACHE_HOME), so
 * that runs of one test file share a cache, as a user's runs do, and test
 * files running at once do not wait on each other's.
 */
export const CACHE_HOME = mkdtempSync(join(tmpdir(), 'obs-test-cache-'));

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export async function obs(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  const r = await execa(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', NO_COLOR: '1', TZ: 'UTC', XDG_CACHE_HOME: CACHE_HOME, ...opts.env },
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    input: opts.input ?? '',
  });
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
}

/** Runs obs with --json and parses stdout. */
export async function obsJson<T = Record<string, unknown>>(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ data: T; stderr: string; exitCode: number }> {
  const r = await obs([...args, '--json'], opts);
  let data: T;
  try {
    data = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.exitCode}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return { data, stderr: r.stderr, exitCode: r.exitCode };
}
