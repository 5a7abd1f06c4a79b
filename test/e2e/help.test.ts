/**
 * Every command's --help, found by walking the command tree the CLI builds:
 * exit 0, nothing on stderr, and examples to copy. obs --help also lists the
 * commands by task, the exit codes and the environment.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { Context } from '../../src/context.js';
import { buildProgram } from '../../src/program.js';
import { obs } from '../helpers/cli.js';

async function commandPaths(): Promise<string[][]> {
  const ctx: Context = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: '/', now: () => 0 };
  const paths: string[][] = [];
  const walk = (cmd: Command, words: string[]): void => {
    paths.push(words);
    for (const sub of cmd.commands) walk(sub, [...words, sub.name()]);
  };
  walk(await buildProgram(ctx, () => {}), []);
  return paths;
}

const paths = await commandPaths();

describe('--help', () => {

  it('walks every command, subcommands included', () => {
    const names = paths.map((p) => p.join(' '));
    for (const expected of ['', 'query', 'trace', 'report', 'errors', 'errors show', 'metrics', 'sql', 'sources', 'export', 'completion']) {
      expect(names).toContain(expected);
    }
  });

  it.each(paths.map((p) => [p.join(' ') || '(obs)', p] as const))('%s: exit 0, with examples', async (_name, words) => {
    const r = await obs([...words, '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: obs/);
    expect(r.stdout).toContain('\nExamples:\n  ');
    // Each example is a command line of obs (or a shell line that runs it).
    const examples = r.stdout.slice(r.stdout.indexOf('\nExamples:\n') + 11).split('\n').filter((l) => l.startsWith('  '));
    expect(examples.length).toBeGreaterThan(0);
    for (const e of examples) expect(e, e).toMatch(/\bobs\b/);
    // Commands that print data can be kept out of the pager; those that read logs, without a progress bar.
    // obs completion prints a script, obs mcp speaks the protocol on stdout: neither is paged.
    if (words.length > 0 && words[0] !== 'completion' && words[0] !== 'mcp') {
      expect(r.stdout).toContain('--no-pager');
      if (words[0] !== 'metrics') expect(r.stdout).toContain('--no-progress');
    }
  });

  it('obs --help groups the commands by task and lists exit codes and the environment', async () => {
    const r = await obs(['--help']);
    for (const heading of ['Summary of a period:', 'Threads and sessions:', 'Errors:', 'Metrics:', 'Inputs and ad-hoc queries:', 'Coding agents:', 'Shell:', 'Exit codes:', 'Environment:']) {
      expect(r.stdout).toContain(heading);
    }
    for (const variable of ['OBS_LOGS', 'OBS_TZ', 'OBS_NOW', 'OBS_PROMETHEUS_URL', 'NO_COLOR', 'FORCE_COLOR', 'TERM=dumb', 'OBS_PAGER', 'PAGER']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${variable}\\b`, 'm'));
    }
    for (const code of ['0', '1', '2', '3', '4', '70', '73']) expect(r.stdout).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
  });
});
