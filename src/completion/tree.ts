/**
 * What the shell completion scripts complete, read from the commander command
 * tree at the time the script is printed: the commands and subcommands, every
 * flag help shows, the choices of flags and arguments that have them, and
 * which flags take a file. A new command or flag is completed without
 * touching this code.
 */
import type { Command, Option } from 'commander';

export interface CompletionFlag {
  /** Every spelling: ['-o', '--output']. */
  names: string[];
  description: string;
  /** Takes a value (the next word, or after "="). */
  takesValue: boolean;
  /** The values it accepts, when it lists them. */
  choices: string[] | null;
  /** Its value is a file or folder: its placeholder is <file>, <path> or <dir>. */
  files: boolean;
}

export interface CompletionCommand {
  /** From the program down: ['obs', 'errors', 'show']. */
  path: string[];
  description: string;
  flags: CompletionFlag[];
  commands: CompletionCommand[];
  /** Choices of the first argument (obs completion <shell>), when it has them. */
  argumentChoices: string[] | null;
}

const FILE_PLACEHOLDER = /<(file|path|dir|folder)s?(\.\.\.)?>|\[(file|path|dir|folder)s?(\.\.\.)?\]/;

function flagOf(o: Option): CompletionFlag {
  const names = [o.short, o.long].filter((n): n is string => n !== undefined);
  // An optional value (--json [fields]) is not completed: the next word may be anything the command takes.
  const takesValue = o.required;
  return {
    names,
    description: o.description,
    takesValue,
    choices: o.argChoices === undefined ? null : [...o.argChoices],
    files: takesValue && FILE_PLACEHOLDER.test(o.flags),
  };
}

function summaryOf(cmd: Command): string {
  return cmd.summary() || cmd.description().split('\n')[0] || '';
}

/**
 * The tree under `program`. Options of the program other than help and
 * version (--debug) are recognised after any command, so each command lists
 * them too; commander's implicit `help` command completes command names.
 */
export function completionTree(program: Command): CompletionCommand {
  const help = program.createHelp();
  const global = help
    .visibleOptions(program)
    .filter((o) => !['--help', '--version'].includes(o.long ?? ''))
    .map(flagOf);
  const walk = (cmd: Command, parent: string[]): CompletionCommand => {
    const path = [...parent, cmd.name()];
    const isRoot = parent.length === 0;
    const flags = help.visibleOptions(cmd).map(flagOf);
    if (!isRoot) flags.push(...global.filter((g) => !flags.some((f) => f.names.some((n) => g.names.includes(n)))));
    const subs = help.visibleCommands(cmd);
    const names = subs.map((s) => s.name()).filter((n) => n !== 'help');
    const firstArgument = cmd.registeredArguments[0];
    return {
      path,
      description: summaryOf(cmd),
      flags,
      commands: subs.map((s) =>
        // The implicit help command takes a command name.
        s.name() === 'help' && !cmd.commands.includes(s) ? { ...walk(s, path), commands: [], argumentChoices: names } : walk(s, path),
      ),
      argumentChoices: firstArgument?.argChoices === undefined ? null : [...firstArgument.argChoices],
    };
  };
  return walk(program, []);
}

/** Every command of the tree, the program first, parents before their subcommands. */
export function allCommands(root: CompletionCommand): CompletionCommand[] {
  return [root, ...root.commands.flatMap(allCommands)];
}
