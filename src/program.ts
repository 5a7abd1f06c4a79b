/**
 * The command tree. Building it has no side effects: commands run only when
 * parsed, and report their exit code through `run`. A run that names a
 * command loads that command's module alone.
 */
import { Command } from 'commander';
import type { Context } from './context.js';
import type { ExitCode } from './errors.js';
import { VERSION } from './version.js';

export const EXIT_CODES_HELP = `
Exit codes:
  0   success, including when nothing matched
  1   errors matched and --fail was given (obs errors --fail), or obs triage's --fail-on threshold was met (for CI)
  2   usage or configuration error (bad flag, value, --where expression, config key, SQL)
  3   no usable input (a path is missing or unreadable, no log file was found, or obs metrics got no answer from Prometheus)
  4   partial result (lines rejected, a file unreadable, or Prometheus failing for obs query or obs report; the rest was answered)
  70  internal error (a bug in obs; run with --debug and report it)
  73  obs export could not write its folder (cannot be created or written, disk full); nothing was left half-written

Environment:
  OBS_LOGS     log paths, separated by ':' (instead of --logs)
  OBS_TZ       zone for timestamps written without one (instead of --tz)
  OBS_NOW      pin "now" for relative times, e.g. OBS_NOW=2026-11-21T22:20:00Z obs events --since 5m
  OBS_PROMETHEUS_URL       Prometheus base URL (instead of --prometheus)
  OBS_PROMETHEUS_TOKEN     bearer token for Prometheus (never printed)
  OBS_PROMETHEUS_USERNAME, OBS_PROMETHEUS_PASSWORD   basic auth for Prometheus (never printed)
  OBS_PROMETHEUS_TIMEOUT   per-call timeout (instead of --prometheus-timeout; default 10s)
  NO_COLOR     no colours (as --no-color)
  FORCE_COLOR  colours even in a pipe (FORCE_COLOR=1; 0 or false count as unset)
  TERM=dumb    no colours, and no progress bar (shown on stderr, a terminal, while more than 50 MB of logs
               load; --no-progress or -q hide it)
  OBS_PAGER    the pager for output on a terminal, before PAGER; empty or "cat": none (--no-pager: none for one command)
  OBS_FOLLOW_INTERVAL   how often --follow looks for new lines (default 1s, e.g. 500ms); never sooner after a reread than the reread took
  PAGER        the pager when OBS_PAGER is not set (default "less -FRX"; obs sets LESS=FRX and LV=-c unless set)

Examples:
  obs query --thread 1795299499.694654 --prometheus http://127.0.0.1:9090
  obs errors --group --since 1h
  obs report --since 7d
  obs sources --logs ./logs
  obs export --parquet ./export && obs errors --logs ./export
  obs events --level error --json ts,session_key,message | jq -c '.events[]'
  obs triage artifacts/ --format markdown >> "$GITHUB_STEP_SUMMARY"
  source <(obs completion bash)
`;

type CommandFactory = (ctx: Context, run: (p: Promise<ExitCode>) => void) => Command;

/** Every command by name, in the groups and order of the help; each module is loaded when its command is wanted. */
const COMMANDS: ReadonlyArray<[string, ReadonlyArray<[string, () => Promise<CommandFactory>]>]> = [
  ['Summary of a period:', [['report', async () => (await import('./commands/report.js')).reportCommand]]],
  [
    'Threads and sessions:',
    [
      ['query', async () => (await import('./commands/query.js')).queryCommand],
      ['trace', async () => (await import('./commands/trace.js')).traceCommand],
      ['sessions', async () => (await import('./commands/sessions.js')).sessionsCommand],
      ['events', async () => (await import('./commands/events.js')).eventsCommand],
      ['llm', async () => (await import('./commands/llm.js')).llmCommand],
    ],
  ],
  ['Errors:', [['errors', async () => (await import('./commands/errors.js')).errorsCommand]]],
  ['CI:', [['triage', async () => (await import('./commands/triage.js')).triageCommand]]],
  ['Metrics:', [['metrics', async () => (await import('./commands/metrics.js')).metricsCommand]]],
  [
    'Inputs and ad-hoc queries:',
    [
      ['sources', async () => (await import('./commands/sources.js')).sourcesCommand],
      ['sql', async () => (await import('./commands/sql.js')).sqlCommand],
      ['export', async () => (await import('./commands/export.js')).exportCommand],
    ],
  ],
  ['Coding agents:', [['mcp', async () => (await import('./commands/mcp.js')).mcpCommand]]],
  ['Shell:', [['completion', async () => (await import('./commands/completion.js')).completionCommand]]],
];

/**
 * The command named in argv (its first word that is not a flag), when it is
 * one obs has and needs no other: the tree then holds it alone, and the other
 * commands' modules are not loaded (a sixth of starting). Help, completion
 * and an unknown name get the whole tree.
 */
function onlyCommand(argv: readonly string[] | undefined): string | null {
  const word = argv?.find((a) => !a.startsWith('-'));
  if (word === undefined || word === 'completion') return null;
  return COMMANDS.some(([, commands]) => commands.some(([name]) => name === word)) ? word : null;
}

/** The program; with argv, only what that command line needs of it. */
export async function buildProgram(ctx: Context, run: (p: Promise<ExitCode>) => void, argv?: readonly string[]): Promise<Command> {
  const program = new Command('obs')
    .description(
      'Everything about one Slack thread or agent session: session logs, the llm_io audit log and ' +
        'application logs, loaded into an in-process DuckDB, joined with the Prometheus metrics of the ' +
        'same window, and answered in one command.',
    )
    .version(VERSION, '-V, --version')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText('after', EXIT_CODES_HELP);

  const only = onlyCommand(argv);
  const wanted = COMMANDS.flatMap(([heading, commands]) => commands.filter(([name]) => only === null || name === only).map(([, load]) => [heading, load] as const));
  const factories = await Promise.all(wanted.map(([, load]) => load()));
  wanted.forEach(([heading], i) => program.addCommand((factories[i] as CommandFactory)(ctx, run).helpGroup(heading)));
  return program;
}
