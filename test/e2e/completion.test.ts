/**
 * `obs completion bash|zsh|fish`: each script is loaded into the real shell
 * and asked for completions. bash and fish are asked as they ask themselves
 * (the completion function with COMP_WORDS; `complete -C`); zsh's function
 * runs with compsys' output functions (_describe, compadd, _files) replaced
 * by ones that print what they are given, and once through the real compsys
 * on a pseudo-terminal (zsh/zpty), pressing Tab.
 */
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import type { Context } from '../../src/context.js';
import { buildProgram } from '../../src/program.js';
import { obs } from '../helpers/cli.js';
import { ensureShells, type TestShell } from '../helpers/shells.js';

const dir = mkdtempSync(path.join(tmpdir(), 'obs-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scripts: Record<TestShell, string> = { bash: '', zsh: '', fish: '' };
let shells: Record<TestShell, string>;

beforeAll(async () => {
  shells = ensureShells(['bash', 'zsh', 'fish']);
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const r = await obs(['completion', shell]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    scripts[shell] = path.join(dir, `obs.${shell}`);
    writeFileSync(scripts[shell], r.stdout);
  }
  // Files to complete --logs and --config with.
  mkdirSync(path.join(dir, 'files', 'logs-a'), { recursive: true });
  writeFileSync(path.join(dir, 'files', 'logs-b.jsonl'), '');
  writeFileSync(path.join(dir, 'files', 'obs.config.json'), '{}');
});

async function runShell(shell: TestShell, args: string[], cwd = dir): Promise<string> {
  const r = await execa(shells[shell], args, { cwd, reject: false, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir }, extendEnv: false, timeout: 30_000 });
  if (r.exitCode !== 0 || String(r.stderr) !== '') throw new Error(`${shell} exited ${r.exitCode}: ${String(r.stderr)}`);
  return String(r.stdout);
}

/** The candidates bash's completion function gives for the words, the last one being completed. */
async function bash(words: string[], cwd = dir): Promise<string[]> {
  const array = words.map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(' ');
  const out = await runShell('bash', ['-c', `source ${scripts.bash}; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _obs; printf '%s\\n' "\${COMPREPLY[@]}"`], cwd);
  return out.split('\n').filter((l) => l !== '');
}

/** Every command path of the program and the long flags commander knows for it. */
async function commandPaths(): Promise<Array<{ words: string[]; longs: string[] }>> {
  const ctx: Context = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: dir, now: () => 0 };
  const program = await buildProgram(ctx, () => {});
  const out: Array<{ words: string[]; longs: string[] }> = [];
  const walk = (cmd: Command, words: string[]): void => {
    out.push({ words, longs: cmd.options.filter((o) => !o.hidden && o.long !== undefined).map((o) => o.long as string) });
    for (const sub of cmd.commands) walk(sub, [...words, sub.name()]);
  };
  walk(program, []);
  return out;
}

describe('bash', () => {
  it('registers _obs for obs', async () => {
    expect(await runShell('bash', ['-c', `source ${scripts.bash}; complete -p obs`])).toContain('-F _obs obs');
  });

  it('completes commands and subcommands', async () => {
    expect(await bash(['obs', 'er'])).toEqual(['errors']);
    expect(await bash(['obs', 'se'])).toEqual(['sessions']);
    expect(await bash(['obs', 's'])).toEqual(['sessions', 'sources', 'sql']);
    expect(await bash(['obs', 'errors', 's'])).toEqual(['show']);
    expect(await bash(['obs', ''])).toEqual(expect.arrayContaining(['report', 'query', 'trace', 'errors', 'metrics', 'completion', 'help']));
    expect(await bash(['obs', 'help', 'rep'])).toEqual(['report']);
  });

  it('completes flags of the command being completed', async () => {
    expect(await bash(['obs', 'errors', '--ty'])).toEqual(['--type']);
    expect(await bash(['obs', 'errors', 'show', '--js'])).toEqual(['--json']);
    // --json's field list is optional: the word after it completes as if the flag were not there.
    expect(await bash(['obs', 'errors', '--json', 'sh'])).toEqual(['show']);
    expect((await bash(['obs', 'report', '--no-'])).sort()).toEqual(['--no-alerts', '--no-cache', '--no-color', '--no-pager', '--no-progress', '--no-redact']);
    // Flags of another command are not offered.
    expect(await bash(['obs', 'sources', '--ty'])).toEqual([]);
    // A flag's value is not a command: "show" is --type's value here.
    expect(await bash(['obs', 'errors', '--type', 'show', '--gr'])).toEqual(['--group']);
  });

  it('completes the values of -o/--output, by command, and shell names', async () => {
    expect(await bash(['obs', 'errors', '-o', ''])).toEqual(['table', 'tsv', 'json', 'ndjson', 'csv', 'markdown']);
    expect(await bash(['obs', 'events', '--output', 'nd'])).toEqual(['ndjson']);
    expect(await bash(['obs', 'report', '-o', ''])).toEqual(['table', 'json', 'markdown']);
    // bash splits "--output=js" at "=".
    expect(await bash(['obs', 'events', '--output', '=', 'js'])).toEqual(['json']);
    expect(await bash(['obs', 'events', '--output', '='])).toEqual(['table', 'tsv', 'json', 'ndjson', 'csv', 'markdown']);
    expect(await bash(['obs', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    // A value obs cannot know is left to the user.
    expect(await bash(['obs', 'errors', '--since', ''])).toEqual([]);
  });

  it('completes file names for --logs and --config', async () => {
    const cwd = path.join(dir, 'files');
    expect((await bash(['obs', 'events', '--logs', 'logs-'], cwd)).sort()).toEqual(['logs-a', 'logs-b.jsonl']);
    expect(await bash(['obs', 'report', '--config', 'obs.c'], cwd)).toEqual(['obs.config.json']);
  });

  it('offers every flag of every command and subcommand, as commander knows them', async () => {
    for (const { words, longs } of await commandPaths()) {
      const offered = await bash(['obs', ...words, '--']);
      expect(offered, `obs ${words.join(' ')}`).toEqual(expect.arrayContaining(longs));
    }
  });
});

/** zsh: the completion function with compsys' output functions replaced by ones that print their candidates. */
async function zsh(words: string[], { registration = false } = {}): Promise<string[]> {
  const quoted = words.map((w) => `'${w.replaceAll("'", "''")}'`).join(' ');
  const out = await runShell('zsh', [
    '-f',
    '-c',
    [
      'compdef() { print -r -- "compdef $*" }',
      'compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@" }',
      '_describe() { print -rl -- "${(@P)${@[-1]}}" }',
      "_files() { print -r -- '<files>' }",
      '_message() { print -r -- "<message: $*>" }',
      'compset() { : }',
      `source ${scripts.zsh}`,
      `words=(${quoted}); CURRENT=${words.length}; _obs`,
    ].join('\n'),
  ]);
  return out.split('\n').filter((l) => l !== '' && (registration || !l.startsWith('compdef ')));
}

describe('zsh', () => {
  it('is valid zsh and registers itself with compdef when sourced', async () => {
    await runShell('zsh', ['-n', scripts.zsh]);
    expect(await zsh(['obs', ''], { registration: true })).toContain('compdef _obs obs');
  });

  it('offers commands with their descriptions, then subcommands', async () => {
    const top = await zsh(['obs', 'er']);
    expect(top).toContain('errors:errors and tracebacks, each failure once, with every place it was seen');
    expect(top).toContain('completion:print the shell completion script for bash, zsh or fish');
    expect(await zsh(['obs', 'errors', ''])).toEqual(expect.arrayContaining([expect.stringMatching(/^show:one error whole/)]));
  });

  it('offers the flags of the command being completed, and the values of those that have a set', async () => {
    expect(await zsh(['obs', 'errors', '--ty'])).toContain('--type:exception type, wildcards allowed (KeyError, *Timeout*); the module may be left out');
    expect((await zsh(['obs', 'sources', '--'])).some((l) => l.startsWith('--type:'))).toBe(false);
    expect(await zsh(['obs', 'errors', '-o', ''])).toEqual(['table', 'tsv', 'json', 'ndjson', 'csv', 'markdown']);
    expect(await zsh(['obs', 'report', '--output=m'])).toEqual(['table', 'json', 'markdown']);
    expect(await zsh(['obs', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    expect(await zsh(['obs', 'events', '--logs', ''])).toEqual(['<files>']);
    expect(await zsh(['obs', 'events', '--since', ''])).toEqual(['<message: value of --since>']);
    expect(await zsh(['obs', 'errors', '--type', 'show', '--gr'])).toContain('--group:one row per fingerprint: count, first and last seen, sessions, stages, an example');
  });

  it('completes through the real compsys when Tab is pressed', async () => {
    const fpathDir = path.join(dir, 'zfunc');
    mkdirSync(fpathDir, { recursive: true });
    writeFileSync(path.join(fpathDir, '_obs'), (await obs(['completion', 'zsh'])).stdout);
    // An interactive zsh on a pseudo-terminal; each read waits until the pattern has been drawn.
    const driver = [
      'zmodload zsh/zpty',
      "zpty z 'zsh -f -i'",
      `zpty -w z 'PS1="ready> "; fpath=(${fpathDir} $fpath); autoload -Uz compinit; compinit -u -D; obs() { : }; print -r "compinit"done'`,
      "zpty -r z out '*compinitdone*'",
      "zpty -w -n z $'obs er\\t'",
      "zpty -r z out '*obs errors*' && print -r -- 'er: errors'",
      "zpty -w -n z $'\\C-u'",
      "zpty -w -n z $'obs errors --ty\\t'",
      "zpty -r z out '*--type*' && print -r -- 'ty: --type'",
      "zpty -w -n z $'\\C-u'",
      "zpty -w -n z $'obs completion \\t'",
      "zpty -r z out '*bash*fish*zsh*' && print -r -- 'completion: bash fish zsh'",
      'zpty -d z',
    ].join('\n');
    const out = await runShell('zsh', ['-f', '-c', driver]);
    expect(out.split('\n')).toEqual(['er: errors', 'ty: --type', 'completion: bash fish zsh']);
  });
});

/** fish: what `complete -C` gives for the command line, without descriptions. */
async function fish(line: string, cwd = dir): Promise<string[]> {
  const out = await runShell('fish', ['--no-config', '-c', `source ${scripts.fish}; complete -C '${line.replaceAll("'", "\\'")}'`], cwd);
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t')[0] ?? '');
}

describe('fish', () => {
  it('is valid fish', async () => {
    await runShell('fish', ['--no-config', '--no-execute', scripts.fish]);
  });

  it('completes commands and subcommands', async () => {
    expect(await fish('obs er')).toEqual(['errors']);
    expect((await fish('obs s')).sort()).toEqual(['sessions', 'sources', 'sql']);
    expect(await fish('obs errors s')).toEqual(['show']);
  });

  it('completes flags of the command being completed, and their values', async () => {
    expect(await fish('obs errors --ty')).toEqual(['--type']);
    expect(await fish('obs sources --ty')).toEqual([]);
    expect(await fish('obs errors show --js')).toEqual(['--json']);
    expect((await fish('obs errors -o ')).sort()).toEqual(['csv', 'json', 'markdown', 'ndjson', 'table', 'tsv']);
    expect((await fish('obs report --output=')).sort()).toEqual(['--output=json', '--output=markdown', '--output=table']);
    expect((await fish('obs completion ')).sort()).toEqual(['bash', 'fish', 'zsh']);
    expect(await fish('obs errors --type show --gr')).toEqual(['--group']);
    expect((await fish('obs events --logs logs-', path.join(dir, 'files'))).sort()).toEqual(['logs-a/', 'logs-b.jsonl']);
  });

  it('offers every long flag of every command', async () => {
    for (const { words, longs } of await commandPaths()) {
      const offered = await fish(['obs', ...words, '--'].join(' '));
      expect(offered, `obs ${words.join(' ')}`).toEqual(expect.arrayContaining(longs));
    }
  });
});

describe('obs completion', () => {
  it('asks for a shell it knows', async () => {
    const r = await obs(['completion', 'tcsh']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('bash, zsh, fish');
  });
});
