import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { allCommands, completionTree } from '../../../src/completion/tree.js';
import type { Context } from '../../../src/context.js';
import { buildProgram } from '../../../src/program.js';

const ctx: Context = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: '/', now: () => 0 };
const whole = await buildProgram(ctx, () => {});
const program = (): Command => whole;

describe('completionTree', () => {
  it('holds every command of the program, subcommands included', () => {
    const paths = allCommands(completionTree(program())).map((c) => c.path.join(' '));
    expect(paths).toEqual(expect.arrayContaining(['obs', 'obs query', 'obs errors', 'obs errors show', 'obs completion', 'obs help']));
  });

  it('knows which flags take a value, their choices, and which take files', () => {
    const events = allCommands(completionTree(program())).find((c) => c.path.join(' ') === 'obs events');
    const flag = (name: string) => events?.flags.find((f) => f.names.includes(name));
    expect(flag('--json')).toMatchObject({ takesValue: false, choices: null, files: false });
    expect(flag('--output')).toMatchObject({ names: ['-o', '--output'], takesValue: true, choices: ['table', 'tsv', 'json', 'ndjson', 'csv', 'markdown'], files: false });
    expect(flag('--logs')).toMatchObject({ takesValue: true, choices: null, files: true });
    expect(flag('--config')).toMatchObject({ takesValue: true, files: true });
    expect(flag('--since')).toMatchObject({ takesValue: true, choices: null, files: false });
    expect(flag('--no-pager')).toMatchObject({ takesValue: false });
    // The program's --debug is taken after any command.
    expect(flag('--debug')).toBeDefined();
  });

  it('follows the tree it is given: a new command, a hidden flag, a file placeholder', () => {
    const p = new Command('obs').option('--debug', 'stack traces');
    p.command('grep')
      .description('search')
      .option('--pattern-file <path>', 'patterns')
      .addOption(new Option('--secret').hideHelp())
      .addOption(new Option('--mode <mode>', 'how').choices(['fast', 'slow']));
    const grep = completionTree(p).commands.find((c) => c.path[1] === 'grep');
    expect(grep?.description).toBe('search');
    expect(grep?.flags.map((f) => f.names.join(','))).toEqual(['--pattern-file', '--mode', '-h,--help', '--debug']);
    expect(grep?.flags[0]?.files).toBe(true);
    expect(grep?.flags[1]?.choices).toEqual(['fast', 'slow']);
    // commander's help command completes command names.
    expect(completionTree(p).commands.find((c) => c.path[1] === 'help')?.argumentChoices).toEqual(['grep']);
  });
});
