/**
 * The command tree. Building it has no side effects: commands run only when
 * parsed, and report their exit code through `run`.
 */
import { Command } from 'commander';
import type { Context } from './context.js';
import type { ExitCode } from './errors.js';
import { completionCommand } from './commands/completion.js';
import { errorsCommand } from './commands/errors.js';
import { eventsCommand } from './commands/events.js';
import { exportCommand } from './commands/export.js';
import { llmCommand } from './commands/llm.js';
import { mcpCommand } from './commands/mcp.js';
import { metricsCommand } from './commands/metrics.js';
import { queryCommand } from './commands/query.js';
import { reportCommand } from './commands/report.js';
import { traceCommand } from './commands/trace.js';
import { triageCommand } from './commands/triage.js';
import { sessionsCommand } from './commands/sessions.js';
import { sourcesCommand } from './commands/sources.js';
import { sqlCommand } from './commands/sql.js';
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

export function buildProgram(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  const program = new Command('obs')
    .description(
      'Everything about one Slack thread or agent session: session logs, the llm_io audit log and ' +
        'application logs, loaded into an in-process DuckDB, joined with the Prometheus metrics of the ' +
        'same window, and answered in one command.',
    )
    .version(VERSION, '-V, --version')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText('after', EXIT_CODES_HELP);

  const groups: Array<[string, Command[]]> = [
    ['Summary of a period:', [reportCommand(ctx, run)]],
    ['Threads and sessions:', [queryCommand(ctx, run), traceCommand(ctx, run), sessionsCommand(ctx, run), eventsCommand(ctx, run), llmCommand(ctx, run)]],
    ['Errors:', [errorsCommand(ctx, run)]],
    ['CI:', [triageCommand(ctx, run)]],
    ['Metrics:', [metricsCommand(ctx, run)]],
    ['Inputs and ad-hoc queries:', [sourcesCommand(ctx, run), sqlCommand(ctx, run), exportCommand(ctx, run)]],
    ['Coding agents:', [mcpCommand(ctx, run)]],
    ['Shell:', [completionCommand(ctx, run)]],
  ];
  for (const [heading, commands] of groups) {
    for (const cmd of commands) program.addCommand(cmd.helpGroup(heading));
  }
  return program;
}
