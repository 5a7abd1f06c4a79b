/**
 * The MCP server of `obs mcp`: the tools of tools.ts over stdio. A call runs
 * the CLI's own command in this process with --json, its stdout and stderr
 * captured, so the answer is the CLI's document; the logs are read afresh on
 * every call. Redaction is always on (no tool can pass --no-redact), rows are
 * capped per call, and a document over the byte cap is cut with a note.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { run } from '../cli.js';
import type { Context, OutStream } from '../context.js';
import { EXIT } from '../errors.js';
import { NO_REDACTION } from '../redact/redactor.js';
import { VERSION } from '../version.js';
import { TOOLS, type ToolSpec } from './tools.js';

export interface ServeOptions {
  logs: string[];
  config?: string;
  tz?: string;
  prometheus?: string;
  /** Rows a tool may return; a larger limit is lowered to this. */
  maxRows: number;
  /** Bytes of JSON a tool may return; a larger document is cut. */
  maxBytes: number;
}

export const DEFAULT_ROWS = 100;

const INSTRUCTIONS =
  'obs answers questions about LLM-agent applications from their logs (session logs, the llm_io audit log, application logs, ' +
  'tracebacks, OpenTelemetry spans) and Prometheus. Start with `query` for one Slack thread or session, `errors` for failures ' +
  '(`group: true` for counts), `llm` for calls, tokens and cost, `sessions` to find a thread. Every tool only reads; secrets in ' +
  'the logs are shown as [REDACTED:kind].';

class Capture implements OutStream {
  text = '';
  readonly isTTY = false;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** The command line a call runs: the tool's flags, the server's inputs, the row cap, --json, then the positionals. */
export function commandLine(tool: ToolSpec, input: Record<string, unknown>, o: ServeOptions): { argv: string[]; notes: string[] } {
  const notes: string[] = [];
  const { args, positional } = tool.argv(input);
  const base = [...(tool.logs === false ? [] : o.logs.map((p) => `--logs=${p}`)), ...(o.config ? [`--config=${o.config}`] : []), ...(o.tz ? [`--tz=${o.tz}`] : [])];
  if (tool.prometheus && o.prometheus) base.push(`--prometheus=${o.prometheus}`);
  if (tool.rows) {
    const asked = typeof input['limit'] === 'number' ? input['limit'] : DEFAULT_ROWS;
    if (asked > o.maxRows) notes.push(`limit lowered from ${asked} to ${o.maxRows}, the most rows this server returns per call`);
    base.push(`--limit=${Math.min(asked, o.maxRows)}`);
  }
  return { argv: [...args, ...base, '--json', '--', ...positional], notes };
}

/**
 * Cuts the document's largest arrays until its JSON fits in maxBytes,
 * keeping the first entries (the CLI's order). Returns what was cut.
 */
export function fitDocument(doc: Record<string, unknown>, maxBytes: number): string[] {
  const cuts: string[] = [];
  const size = (): number => Buffer.byteLength(JSON.stringify(doc));
  const tried = new Set<string>();
  while (size() > maxBytes) {
    const arrays = Object.entries(doc).filter(([k, v]) => Array.isArray(v) && v.length > 0 && !tried.has(k)) as Array<[string, unknown[]]>;
    if (arrays.length === 0) break;
    const [key, all] = arrays.sort((a, b) => JSON.stringify(b[1]).length - JSON.stringify(a[1]).length)[0] as [string, unknown[]];
    tried.add(key);
    let lo = 0;
    let hi = all.length;
    // The largest count of leading entries that fits (0 if none does).
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      doc[key] = all.slice(0, mid);
      if (size() <= maxBytes) lo = mid;
      else hi = mid - 1;
    }
    doc[key] = all.slice(0, lo);
    cuts.push(`${key}: kept ${lo} of ${all.length}`);
  }
  return cuts;
}

async function call(ctx: Context, tool: ToolSpec, input: Record<string, unknown>, o: ServeOptions): Promise<CallToolResult> {
  const { argv, notes } = commandLine(tool, input, o);
  const stdout = new Capture();
  const stderr = new Capture();
  const inner: Context = { stdout, stderr, env: ctx.env, cwd: ctx.cwd, now: ctx.now };
  const code = await run(argv, inner);
  if (inner.redactor === NO_REDACTION) throw new Error('redaction was turned off inside obs mcp');
  const said = stderr.text.split('\n').filter((l) => l !== '');
  if (code !== EXIT.OK && code !== EXIT.PARTIAL) {
    // The error and its help first, then the notes that led to it.
    const ordered = [...said.filter((l) => !/^(note|warning): /.test(l)), ...said.filter((l) => /^(note|warning): /.test(l))];
    return { isError: true, content: [{ type: 'text', text: ordered.join('\n') || `obs ${tool.name} failed (exit ${code})` }] };
  }
  const doc = JSON.parse(stdout.text) as Record<string, unknown>;
  const cuts = fitDocument(doc, o.maxBytes);
  if (cuts.length > 0) {
    notes.push(`the answer was cut to stay under ${o.maxBytes} bytes (${cuts.join('; ')}); narrow it with filters or a smaller limit for the rest`);
  }
  if (doc['truncated'] === true) notes.push('there are more rows than the limit; raise limit (up to the server\'s cap) or narrow the filters');
  const content: CallToolResult['content'] = [{ type: 'text', text: JSON.stringify(doc) }];
  const messages = [...notes.map((n) => `note: ${n}`), ...said.filter((l) => /^(warning|note): /.test(l))];
  if (messages.length > 0) content.push({ type: 'text', text: messages.join('\n') });
  return { content };
}

/** Serves the tools over stdio until the client closes the connection. */
export async function serve(ctx: Context, o: ServeOptions): Promise<void> {
  const server = new McpServer({ name: 'obs', version: VERSION }, { instructions: INSTRUCTIONS });
  // One call at a time: each loads the logs into its own database.
  let queue: Promise<unknown> = Promise.resolve();
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.input, annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } },
      async (input: Record<string, unknown>) => {
        const next = queue.then(() => call(ctx, tool, input, o));
        queue = next.catch(() => undefined);
        return next;
      },
    );
  }
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
  });
  await server.connect(transport);
  await closed;
}
