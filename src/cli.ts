/**
 * Entry point: parse, run, and map errors to exit codes. The exit code is set
 * on process.exitCode so stdout can flush before the process ends.
 */
import { CommanderError, type Command } from 'commander';
import { processContext, type Context } from './context.js';
import { EXIT, ObsError, formatError, type ExitCode } from './errors.js';
import { pagerFor, type PagedOutput } from './output/pager.js';
import { buildProgram } from './program.js';
import { NO_REDACTION, redactingStream, redactorOf } from './redact/redactor.js';
import { withoutUserinfo } from './prometheus/settings.js';
import { separateFieldLists } from './commands/shared/field-flags.js';

function commanderExit(err: CommanderError): ExitCode {
  // --help and --version end parsing with an "error" of exit code 0.
  if (err.exitCode === 0) return EXIT.OK;
  return EXIT.USAGE;
}

/**
 * The paged stdout for the command about to run, when it offers --no-pager
 * (data commands do; --help and `obs completion` never page) and paging applies.
 */
function pagerForCommand(ctx: Context, command: Command, onInterrupt: (() => void) | undefined): PagedOutput | null {
  if (!command.options.some((o) => o.long === '--no-pager')) return null;
  // A stream that never ends is not paged: less would hold the new lines back.
  if (command.opts<{ follow?: boolean }>().follow === true) return null;
  // `obs errors --no-pager show ID`: the flag counts at any level.
  const off = [...commandAndAncestors(command)].some((c) => c.opts<{ pager?: boolean }>().pager === false);
  return pagerFor(ctx, { pager: !off }, onInterrupt);
}

function* commandAndAncestors(command: Command): Generator<Command> {
  for (let c: Command | null = command; c !== null; c = c.parent) yield c;
}

export interface RunOptions {
  /** Called when Ctrl-C is pressed while the pager shows the output, once it has quit. */
  onInterrupt?: () => void;
}

/** --no-redact, at the command's level or its parent's (obs errors --no-redact show ID). */
function redactionOff(command: Command): boolean {
  return [...commandAndAncestors(command)].some((c) => c.opts<{ redact?: boolean }>().redact === false);
}

export async function run(argv: string[], ctx: Context, opts: RunOptions = {}): Promise<ExitCode> {
  // Notes, warnings and errors can quote log lines: they are redacted as the output is.
  ctx.stderr = redactingStream(ctx.stderr, () => redactorOf(ctx));
  let pending: Promise<ExitCode> | undefined;
  const program = await buildProgram(
    ctx,
    (p) => {
      pending = p;
    },
    argv,
  );
  const output = {
    writeOut: (s: string) => ctx.stdout.write(s),
    // A usage error repeats the argument it could not take, which may be a URL with a password in it.
    writeErr: (s: string) => ctx.stderr.write(withoutUserinfo(s)),
  };
  const configure = (cmd: Command): void => {
    cmd.exitOverride().configureOutput(output).showHelpAfterError('(run with --help for usage)');
    cmd.commands.forEach(configure);
  };
  configure(program);
  // Only once a command's action is about to run: help and usage errors are never paged.
  const terminal = ctx.stdout;
  const paging: { out: PagedOutput | null } = { out: null };
  program.hook('preAction', (_program, action) => {
    if (redactionOff(action)) {
      ctx.redactor = NO_REDACTION;
      ctx.stderr.write('warning: --no-redact: secrets in the logs (tokens, keys, passwords) are printed as they are\n');
    }
    paging.out = pagerForCommand(ctx, action, opts.onInterrupt);
    if (paging.out !== null) ctx.stdout = paging.out;
  });
  let code: ExitCode;
  let message = '';
  try {
    await program.parseAsync(separateFieldLists(program, argv), { from: 'user' });
    code = pending === undefined ? EXIT.OK : await pending;
  } catch (err) {
    if (err instanceof CommanderError) {
      code = commanderExit(err);
    } else if (err instanceof ObsError) {
      message = formatError(err);
      code = err.exitCode;
    } else {
      const e = err as Error;
      message = `error: internal error: ${e?.message ?? String(err)}\n`;
      if (argv.includes('--debug') && e?.stack) message += `${e.stack}\n`;
      else message += 'help: run again with --debug for the stack trace, and report it\n';
      code = EXIT.INTERNAL;
    }
  }
  // The error comes after the pager has quit, so it stays on the screen.
  if (paging.out !== null) {
    await paging.out.close();
    ctx.stdout = terminal;
  }
  if (message !== '') ctx.stderr.write(withoutUserinfo(message));
  return code;
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
  // Ctrl-C while the pager shows the output: the pager has quit, so leave as interrupted processes do.
  process.exitCode = await run(argv, processContext(), { onInterrupt: () => process.exit(130) });
}
