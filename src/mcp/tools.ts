/**
 * The tools `obs mcp` offers: a fixed allowlist of the CLI's read commands.
 * Each has a zod input schema and turns its input into the command line the
 * CLI would run with --json, so a tool answers exactly as `obs <command>
 * --json` does. Values are passed as --flag=value and positionals after
 * "--", so no input can become a flag (--no-redact among them).
 */
import { z } from 'zod';

/** The subject and window flags most tools share. */
const filters = {
  session: z.string().min(1).optional().describe('only this session key, e.g. C0AA6HC1RJL:1795299499.694654'),
  thread: z.string().min(1).optional().describe('only this Slack thread (its thread_ts, e.g. 1795299499.694654)'),
  channel: z.string().min(1).optional().describe('only this Slack channel id'),
  stage: z.string().min(1).optional().describe('only this stage, e.g. plan'),
  run: z.string().min(1).optional().describe('only this run id'),
  request: z.string().min(1).optional().describe('only this request id'),
  where: z.string().min(1).optional().describe("typed condition on fields, e.g. \"duration_ms > 1000 and level = 'error'\""),
  since: z.string().min(1).optional().describe('start: a duration back from now (1h, 30m, 2d) or a time'),
  until: z.string().min(1).optional().describe('end: a duration back from now or a time'),
  from: z.string().min(1).optional().describe('start: ISO 8601, Unix seconds or a Slack ts'),
  to: z.string().min(1).optional().describe('end: ISO 8601, Unix seconds or a Slack ts'),
};

const limit = z.number().int().min(1).optional().describe('at most this many rows (default 100; the server caps it)');

export interface ToolSpec {
  name: string;
  title: string;
  description: string;
  input: z.ZodRawShape;
  /** Whether the tool returns rows that --limit counts. */
  rows: boolean;
  /** Whether the command queries Prometheus (it gets --prometheus). */
  prometheus: boolean;
  /** Whether the command reads logs (it gets --logs); obs metrics does not. */
  logs?: boolean;
  /** The command line, without --limit, --json and the server's own flags. */
  argv(input: Record<string, unknown>): { args: string[]; positional: string[] };
}

/** --flag=value for each given input; true booleans as --flag. */
function flags(input: Record<string, unknown>, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    const v = input[name];
    const flag = `--${name.replace(/_/g, '-')}`;
    if (v === undefined || v === null || v === false) continue;
    if (v === true) out.push(flag);
    else out.push(`${flag}=${String(v)}`);
  }
  return out;
}

const FILTERS = Object.keys(filters);

export const TOOLS: readonly ToolSpec[] = [
  {
    name: 'query',
    title: 'Everything about one thread, session or trace',
    description:
      'Everything obs knows about one Slack thread, session, run, request or trace: summary, timeline, LLM calls (tokens, cost, latency), ' +
      'errors with tracebacks, traces, and the Prometheus series of its window. Give exactly one of thread, session, trace, run, request. ' +
      'Same JSON as `obs query --json`.',
    input: {
      thread: z.string().min(1).optional().describe('a Slack thread ts (1795299499.694654) or a permalink to it'),
      session: z.string().min(1).optional().describe('a session key'),
      trace: z.string().min(1).optional().describe('a trace id'),
      run: z.string().min(1).optional().describe('a run id'),
      request: z.string().min(1).optional().describe('a request id'),
      pad: z.string().min(1).optional().describe('time added around the records for the metrics window (default 60s)'),
      metrics: z.boolean().optional().describe('query Prometheus for the window (default true)'),
    },
    rows: false,
    prometheus: true,
    argv: (i) => ({ args: ['query', ...flags(i, ['thread', 'session', 'trace', 'run', 'request', 'pad']), ...(i['metrics'] === false ? ['--no-metrics'] : [])], positional: [] }),
  },
  {
    name: 'sessions',
    title: 'Sessions (Slack threads)',
    description: 'One row per session (Slack thread): first and last record, stages, records, LLM calls, tokens, cost, errors. Same JSON as `obs sessions --json`.',
    input: { ...filters, limit },
    rows: true,
    prometheus: false,
    argv: (i) => ({ args: ['sessions', ...flags(i, [...FILTERS])], positional: [] }),
  },
  {
    name: 'errors',
    title: 'Errors and tracebacks',
    description:
      'Errors (exceptions with their tracebacks, crashes, error log lines), newest first, each once with every place it was seen; ' +
      'group=true gives one row per fingerprint with counts. Same JSON as `obs errors --json`.',
    input: {
      ...filters,
      group: z.boolean().optional().describe('one row per fingerprint: count, first and last seen, sessions, stages'),
      type: z.string().min(1).optional().describe('exception type, wildcards allowed (KeyError, *Timeout*)'),
      contains: z.string().min(1).optional().describe('message or traceback contains this text'),
      kind: z.string().min(1).optional().describe('only these kinds, comma-separated: exception, crash, log'),
      level: z.enum(['warn', 'error', 'fatal']).optional().describe('this level or more severe'),
      limit,
    },
    rows: true,
    prometheus: false,
    argv: (i) => ({ args: ['errors', ...flags(i, [...FILTERS, 'group', 'type', 'contains', 'kind', 'level'])], positional: [] }),
  },
  {
    name: 'llm',
    title: 'LLM calls, tokens and cost',
    description:
      'LLM calls from the llm_io audit log (model, tokens, cost, latency, status), or with by= a roll-up (model, stage, call_label, session, ' +
      'agent, status, function, channel, hour, day; comma-separated for several) with totals. Same JSON as `obs llm --json`.',
    input: {
      ...filters,
      by: z.string().min(1).optional().describe('roll up by these keys, e.g. "model" or "stage,model"'),
      model: z.string().min(1).optional().describe('only this model (wildcards allowed: gpt-4*)'),
      status: z.string().min(1).optional().describe('only calls with this status (ok, error)'),
      call_label: z.string().min(1).optional().describe('only this call label (wildcards allowed)'),
      limit,
    },
    rows: true,
    prometheus: false,
    argv: (i) => ({ args: ['llm', ...flags(i, [...FILTERS, 'by', 'model', 'status', 'call_label'])], positional: [] }),
  },
  {
    name: 'metrics',
    title: 'A PromQL range query',
    description:
      'One PromQL range query against the configured Prometheus over since/until or from/to (default: the last hour), at step ' +
      '(default: the window / 250). Same JSON as `obs metrics --json`.',
    input: {
      promql: z.string().min(1).describe('the PromQL expression, e.g. sum by (model) (rate(llm_calls_total[5m]))'),
      since: filters.since,
      until: filters.until,
      from: filters.from,
      to: filters.to,
      step: z.string().min(1).optional().describe('resolution, e.g. 15s'),
    },
    rows: false,
    prometheus: true,
    logs: false,
    argv: (i) => ({ args: ['metrics', ...flags(i, ['since', 'until', 'from', 'to', 'step'])], positional: [String(i['promql'])] }),
  },
  {
    name: 'sources',
    title: 'What was read',
    description:
      'Every file found: its kind, lines, records, rejected and repaired lines and time range; issues=true lists every rejected or repaired line ' +
      'with file:line and the reason. Same JSON as `obs sources --json`.',
    input: { issues: z.boolean().optional().describe('list every rejected or repaired line instead') },
    rows: false,
    prometheus: false,
    argv: (i) => ({ args: ['sources', ...flags(i, ['issues'])], positional: [] }),
  },
  {
    name: 'sql',
    title: 'Read-only SQL over the loaded tables',
    description:
      'One read-only SQL query (DuckDB dialect) over the tables events, llm_calls, sessions, session_index, errors, error_records, spans, ' +
      'metric_samples, files and line_issues. Anything that writes or reads outside the loaded data is refused. schema=true lists the ' +
      'tables and columns. Same JSON as `obs sql --json`.',
    input: {
      query: z.string().min(1).optional().describe('the SQL query, e.g. select model, count(*) from llm_calls group by model'),
      schema: z.boolean().optional().describe('list the tables and their columns instead'),
      limit,
    },
    rows: true,
    prometheus: false,
    argv: (i) => ({ args: ['sql', ...flags(i, ['schema'])], positional: i['query'] === undefined ? [] : [String(i['query'])] }),
  },
];
