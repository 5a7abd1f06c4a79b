/**
 * `obs mcp`: a Model Context Protocol server over stdio, so a coding agent
 * can ask obs what happened in a thread. Its tools are the CLI's read
 * commands (src/mcp/tools.ts) and answer with the same JSON; nothing it
 * offers writes, and secrets are always redacted. The SDK loads only here.
 */
import { Command } from 'commander';
import { loadConfig } from '../config.js';
import type { Context } from '../context.js';
import { EXIT, usageError, type ExitCode } from '../errors.js';

interface McpOptions {
  logs?: string[];
  config?: string;
  tz?: string;
  prometheus?: string;
  maxRows: string;
  maxBytes: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function whole(text: string, flag: string, min: number, example: string): number {
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw usageError(`${flag} expects a whole number of at least ${min}, got "${text}"`, { help: `for example: ${flag} ${example}` });
  }
  return Number(text);
}

export async function runMcp(ctx: Context, o: McpOptions): Promise<ExitCode> {
  const maxRows = whole(o.maxRows, '--max-rows', 1, '500');
  const maxBytes = whole(o.maxBytes, '--max-bytes', 1000, '500000');
  // A bad config file fails now, not at every call.
  await loadConfig(ctx, o.config);
  const { serve } = await import('../mcp/server.js');
  await serve(ctx, {
    logs: o.logs ?? [],
    ...(o.config === undefined ? {} : { config: o.config }),
    ...(o.tz === undefined ? {} : { tz: o.tz }),
    ...(o.prometheus === undefined ? {} : { prometheus: o.prometheus }),
    maxRows,
    maxBytes,
  });
  return EXIT.OK;
}

export function mcpCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  return new Command('mcp')
    .summary('serve the read commands to coding agents over the Model Context Protocol (stdio)')
    .description(
      'Start an MCP server on stdin/stdout with the tools query, sessions, errors, llm, metrics, sources and sql. Each answers with ' +
        'the JSON of the CLI command (`obs <tool> --json`), reading the logs afresh at every call, with the same log paths, config ' +
        'file and Prometheus as the CLI. The tools only read: obs sql refuses writes, and secrets are always redacted. Rows per call ' +
        'are capped (--max-rows; a tool asks for 100 by default) and a longer answer is cut to --max-bytes, with a note saying so.',
    )
    .option('--logs <path>', 'log file, folder or glob to read (repeatable; default ./logs, or OBS_LOGS)', collect)
    .option('--config <file>', 'config file (default ./obs.config.json)')
    .option('--tz <zone>', 'zone of timestamps written without one')
    .option('--prometheus <url>', 'Prometheus base URL for query and metrics (or OBS_PROMETHEUS_URL, or "prometheus.url" in the config file)')
    .option('--max-rows <n>', 'most rows a tool returns per call', '1000')
    .option('--max-bytes <n>', 'most bytes of JSON a tool returns per call; longer answers are cut, with a note', '100000')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  obs mcp --logs ./logs --prometheus http://127.0.0.1:9090\n' +
        '  claude mcp add obs -- obs mcp --logs /var/log/planner\n' +
        '  npx @modelcontextprotocol/inspector obs mcp --logs fixtures/sample-corpus',
    )
    .action((opts: McpOptions) => run(runMcp(ctx, opts)));
}
