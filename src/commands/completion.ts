/**
 * `obs completion bash|zsh|fish`: prints a completion script for the shell,
 * generated from the command tree it is part of, so it lists the commands
 * and flags of this version of obs. Never paged: the script is for a file or
 * for `source`.
 */
import { Argument, Command } from 'commander';
import { bashScript } from '../completion/bash.js';
import { fishScript } from '../completion/fish.js';
import { completionTree } from '../completion/tree.js';
import { zshScript } from '../completion/zsh.js';
import type { Context } from '../context.js';
import { EXIT, type ExitCode } from '../errors.js';
import { VERSION } from '../version.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(shell: Shell, program: Command): string {
  const tree = completionTree(program);
  switch (shell) {
    case 'bash':
      return bashScript(tree, VERSION);
    case 'zsh':
      return zshScript(tree, VERSION);
    case 'fish':
      return fishScript(tree, VERSION);
  }
}

function root(cmd: Command): Command {
  let c = cmd;
  while (c.parent !== null) c = c.parent;
  return c;
}

export function completionCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  return new Command('completion')
    .summary('print the shell completion script for bash, zsh or fish')
    .description(
      'Print a script that completes obs commands, subcommands, flags and the values of flags that have a fixed set ' +
        '(-o/--output) or name files (--logs, --config), made from the commands of this version of obs. ' +
        'Load it in the current shell, or save it where the shell loads completions from (see the examples).',
    )
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices([...SHELLS]))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  source <(obs completion bash)                                      # bash, this shell\n' +
        '  obs completion bash > ~/.local/share/bash-completion/completions/obs  # bash, every shell\n' +
        '  source <(obs completion zsh)                                       # zsh, this shell (after compinit)\n' +
        '  obs completion zsh > ~/.zfunc/_obs    # zsh, every shell: with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc\n' +
        '  obs completion fish | source                                       # fish, this shell\n' +
        '  obs completion fish > ~/.config/fish/completions/obs.fish          # fish, every shell',
    )
    .action((shell: Shell, _opts: unknown, self: Command) =>
      run(
        Promise.resolve().then(() => {
          ctx.stdout.write(completionScript(shell, root(self)));
          return EXIT.OK;
        }),
      ),
    );
}
