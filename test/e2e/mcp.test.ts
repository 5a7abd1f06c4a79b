/**
 * `obs mcp` driven by the MCP SDK's own client over stdio, as a coding agent
 * runs it: the tools it lists, each tool's answer against the CLI's --json on
 * the sample corpus and the fixture Prometheus, "what happened in thread X"
 * against the run's truth, a refused write, the row and byte caps, and
 * redaction that no input turns off.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BIN, CACHE_HOME, CORPUS, ROOT, obs } from '../helpers/cli.js';

const url = inject('prometheusUrl');
const THREAD = '1795299499.694654';
const ENV = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', XDG_CACHE_HOME: CACHE_HOME, TZ: 'UTC', OBS_NOW: '2026-11-21T22:20:05Z' };

interface ToolAnswer {
  isError?: boolean;
  content: Array<{ type: string; text: string }>;
}

const truth = JSON.parse(readFileSync(path.join(CORPUS, 'truth.json'), 'utf8')) as {
  threads: Array<{ thread_ts: string; session_key: string; llm_calls: { total: number }; outcome: string }>;
  global: { planted_secret_strings: string[] };
};

async function connect(args: string[]): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', ...args], env: ENV, cwd: ROOT, stderr: 'ignore' });
  const client = new Client({ name: 'obs-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<ToolAnswer> {
  return (await client.callTool({ name, arguments: args })) as ToolAnswer;
}

function doc(answer: ToolAnswer): Record<string, unknown> {
  expect(answer.isError, answer.content.map((c) => c.text).join('\n')).not.toBe(true);
  return JSON.parse(answer.content[0]?.text ?? '') as Record<string, unknown>;
}

async function cli(args: string[]): Promise<Record<string, unknown>> {
  const r = await obs([...args, '--json'], { env: { OBS_NOW: ENV.OBS_NOW } });
  expect([0, 4], r.stderr).toContain(r.exitCode);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

let client: Client;
const LOGS = ['--logs', CORPUS];

beforeAll(async () => {
  // A byte cap no answer of the sample corpus reaches, so answers compare whole with the CLI's.
  client = await connect([...LOGS, '--prometheus', url, '--max-bytes', '50000000']);
}, 30_000);

afterAll(async () => {
  await client?.close();
});

describe('obs mcp', () => {
  it('lists the read tools, each with an input schema, marked read-only', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['errors', 'llm', 'metrics', 'query', 'sessions', 'sources', 'sql']);
    for (const t of tools) {
      expect(t.inputSchema.type).toBe('object');
      expect(t.annotations?.readOnlyHint, t.name).toBe(true);
      expect(t.description, t.name).toMatch(/--json/);
    }
    const query = tools.find((t) => t.name === 'query');
    expect(Object.keys(query?.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['thread', 'session', 'trace']));
  });

  it('answers "what happened in thread X" as obs query does, and as the run recorded it', async () => {
    const answer = doc(await call(client, 'query', { thread: THREAD }));
    expect(answer).toEqual(await cli(['query', '--thread', THREAD, ...LOGS, '--prometheus', url]));
    const thread = truth.threads.find((t) => t.thread_ts === THREAD);
    const counts = answer['counts'] as Record<string, unknown>;
    expect(counts['llm_calls']).toBe(thread?.llm_calls.total);
    expect((answer['sessions'] as Array<Record<string, unknown>>).map((s) => s['session_key'])).toEqual([thread?.session_key]);
    expect((answer['errors'] as unknown[]).length).toBeGreaterThan(0);
    expect((answer['metrics'] as Record<string, unknown>)['series']).not.toEqual([]);
  });

  it.each([
    ['sessions', {}, ['sessions', '--limit', '100']],
    ['errors', { stage: 'plan', group: true }, ['errors', '--stage', 'plan', '--group', '--limit', '100']],
    ['errors', { thread: THREAD, kind: 'exception' }, ['errors', '--thread', THREAD, '--kind', 'exception', '--limit', '100']],
    ['llm', { by: 'model' }, ['llm', '--by', 'model', '--limit', '100']],
    ['llm', { stage: 'plan', status: 'error' }, ['llm', '--stage', 'plan', '--status', 'error', '--limit', '100']],
    ['sources', { issues: true }, ['sources', '--issues']],
    ['sql', { query: 'select model, count(*) as calls from llm_calls group by model order by model' }, ['sql', 'select model, count(*) as calls from llm_calls group by model order by model', '--limit', '100']],
    ['sql', { schema: true }, ['sql', '--schema', '--limit', '100']],
  ])('%s %j answers as the CLI does', async (tool, input, args) => {
    expect(doc(await call(client, tool, input))).toEqual(await cli([...args, ...LOGS]));
  });

  it('metrics answers as obs metrics does', async () => {
    const window = { from: '2026-11-21T22:17:00Z', to: '2026-11-21T22:21:00Z' };
    const answer = doc(await call(client, 'metrics', { promql: 'sum by (job) (up)', ...window }));
    expect(answer).toEqual(await cli(['metrics', 'sum by (job) (up)', '--from', window.from, '--to', window.to, '--prometheus', url]));
    expect((answer['series'] as unknown[]).length).toBeGreaterThan(0);
  });

  it('cannot write: a COPY through sql is refused and writes nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'obs-mcp-'));
    try {
      const target = path.join(dir, 'out.csv');
      for (const query of [`copy (select * from events) to '${target}'`, 'create table x as select 1', "attach 'x.db' as x", 'install httpfs']) {
        const answer = await call(client, 'sql', { query });
        expect(answer.isError, query).toBe(true);
        expect(answer.content[0]?.text, query).toMatch(/^error: obs sql /);
      }
      expect(existsSync(target)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad input is an error that says what to fix, and the server goes on', async () => {
    const bad = await call(client, 'query', {});
    expect(bad.isError).toBe(true);
    expect(bad.content[0]?.text).toMatch(/^error: /);
    const wrongType = await call(client, 'errors', { limit: 'many' });
    expect(wrongType.isError).toBe(true);
    expect(doc(await call(client, 'sessions', { limit: 1 }))['count']).toBe(1);
  });

  it('redacts secrets, and no input turns that off', async () => {
    const secrets = truth.global.planted_secret_strings;
    const answers = [
      await call(client, 'sql', { query: "select raw::varchar as raw, error from llm_calls union all select message, raw::varchar from events" , limit: 1000 }),
      await call(client, 'query', { thread: '--no-redact' }),
      await call(client, 'sessions', { thread: THREAD, where: '--no-redact' }),
    ];
    const text = answers.flatMap((a) => a.content.map((c) => c.text)).join('\n');
    expect(text).toContain('[REDACTED:');
    for (const s of secrets) expect(text).not.toContain(s);
    // The server itself has no such flag.
    const r = await obs(['mcp', '--no-redact']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--no-redact'/);
  });
});

describe('obs mcp caps', () => {
  let capped: Client;
  beforeAll(async () => {
    capped = await connect([...LOGS, '--max-rows', '5', '--max-bytes', '20000']);
  }, 30_000);
  afterAll(async () => {
    await capped?.close();
  });

  it('lowers a larger limit to --max-rows, with a note', async () => {
    const answer = await call(capped, 'errors', { limit: 50 });
    const body = doc(answer);
    expect((body['errors'] as unknown[]).length).toBe(5);
    expect(body['truncated']).toBe(true);
    expect(answer.content[1]?.text).toMatch(/^note: limit lowered from 50 to 5, the most rows this server returns per call$/m);
    expect(answer.content[1]?.text).toMatch(/there are more rows than the limit/);
  });

  it('cuts an answer over --max-bytes to its first entries, with a note', async () => {
    const answer = await call(capped, 'query', { thread: THREAD, metrics: false });
    expect(Buffer.byteLength(answer.content[0]?.text ?? '')).toBeLessThanOrEqual(20000);
    const body = doc(answer);
    const whole = await cli(['query', '--thread', THREAD, '--no-metrics', ...LOGS]);
    const timeline = body['timeline'] as unknown[];
    expect(timeline.length).toBeLessThan((whole['timeline'] as unknown[]).length);
    expect(timeline).toEqual((whole['timeline'] as unknown[]).slice(0, timeline.length));
    expect(answer.content[1]?.text).toMatch(/^note: the answer was cut to stay under 20000 bytes \(timeline: kept \d+ of \d+.*\); narrow it/m);
  });
});
