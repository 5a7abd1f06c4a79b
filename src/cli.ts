/**
 * Entry point: parse, run, and map errors to exit codes. The exit code is set
 * on process.exitCode so stdout can flush before the process ends.
 */
import { CommanderError, type Command } from 'commander';
import { processContext, type Context } from './context.js';
import { EXIT, ObsError, formatError, type ExitCode } from './errors.js';
import { buildProgram } from './program.js';
import { separateFieldLists } from './commands/shared/field-flags.js';

function commanderExit(err: CommanderError): ExitCode {
  // --help and --version end parsing with an "error" of exit code 0.
  if (err.exitCode === 0) return EXIT.OK;
  return EXIT.USAGE;
}

export async function run(argv: string[], ctx: Context): Promise<ExitCode> {
  let pending: Promise<ExitCode> | undefined;
  const program = buildProgram(ctx, (p) => {
    pending = p;
  });
  const output = {
    writeOut: (s: string) => ctx.stdout.write(s),
    writeErr: (s: string) => ctx.stderr.write(s),
  };
  const configure = (cmd: Command): void => {
    cmd.exitOverride().configureOutput(output).showHelpAfterError('(run with --help for usage)');
    cmd.commands.forEach(configure);
  };
  configure(program);
  try {
    await program.parseAsync(separateFieldLists(program, argv), { from: 'user' });
    return pending === undefined ? EXIT.OK : await pending;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExit(err);
    if (err instanceof ObsError) {
      ctx.stderr.write(formatError(err));
      return err.exitCode;
    }
    const e = err as Error;
    ctx.stderr.write(`error: internal error: ${e?.message ?? String(err)}\n`);
    if (argv.includes('--debug') && e?.stack) ctx.stderr.write(`${e.stack}\n`);
    else ctx.stderr.write('help: run again with --debug for the stack trace, and report it\n');
    return EXIT.INTERNAL;
  }
}

export async function main(argv: string[]): Promise<void> {
  // A reader that stops early (`obs errors | head`) closes the pipe: stop quietly, as
  // other Unix tools do, instead of crashing on the next write.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  process.exitCode = await run(argv, processContext());
}
