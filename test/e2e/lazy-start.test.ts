/**
 * Starting obs costs what the command needs: --help, --version, usage errors
 * and the completion script never load DuckDB (its native library) or the
 * price table, which only loading logs and pricing LLM calls use. Every module
 * the process loads is recorded by test/helpers/record-imports.mjs.
 */
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, CACHE_HOME, FIXTURES, ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'obs-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** The modules `obs ARGS` loads, and its exit code. */
async function loaded(args: string[], colour: Record<string, string> = { NO_COLOR: '1' }): Promise<{ modules: string[]; exitCode: number }> {
  const log = path.join(dir, `imports-${++n}.txt`);
  const r = await execa(process.execPath, ['--import', `${ROOT}test/helpers/record-imports.mjs`, BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...colour, TZ: 'UTC', XDG_CACHE_HOME: CACHE_HOME, OBS_IMPORT_LOG: log },
    extendEnv: false,
    reject: false,
  });
  return { modules: readFileSync(log, 'utf8').split('\n').filter((l) => l !== ''), exitCode: r.exitCode ?? -1 };
}

const heavy = (modules: string[]): string[] => modules.filter((m) => /@duckdb\/|genai-prices|@modelcontextprotocol/.test(m));

describe('what obs loads before it has logs to read', () => {
  const light: Array<[string, string[], number]> = [
    ['obs --help', ['--help'], 0],
    ['obs --version', ['--version'], 0],
    ['obs errors --help', ['errors', '--help'], 0],
    ['obs query --help', ['query', '--help'], 0],
    ['a usage error', ['events', '--no-such-flag'], 2],
    ['a bad value', ['events', '--limit', 'many', '--logs', `${FIXTURES}/llm`], 2],
    ['obs completion bash', ['completion', 'bash'], 0],
    ['obs mcp --help', ['mcp', '--help'], 0],
  ];
  for (const [name, args, code] of light) {
    it(`${name}: neither DuckDB, the price table nor the MCP SDK`, async () => {
      const r = await loaded(args);
      expect(r.exitCode).toBe(code);
      expect(r.modules.some((m) => m.includes('/dist/cli.js')), 'the recorder saw obs itself').toBe(true);
      expect(heavy(r.modules)).toEqual([]);
    });
  }

  it('reading logs with LLM calls loads both (the recorder sees them)', async () => {
    const r = await loaded(['llm', '--logs', `${FIXTURES}/llm`, '-q', '--json', 'cost_usd', '--no-cache']);
    expect(r.exitCode).toBe(0);
    // DuckDB's client as the build bundles it (one file), not the package's 180.
    expect(r.modules.filter((m) => m.includes('duckdb-node-api.cjs'))).toEqual([`${ROOT}dist/vendor/duckdb-node-api.cjs`]);
    expect(r.modules.filter((m) => m.includes('/@duckdb/node-api/'))).toEqual([]);
    expect(r.modules.some((m) => m.includes('@duckdb/node-bindings'))).toBe(true);
    expect(r.modules.some((m) => m.includes('genai-prices'))).toBe(true);
  });

  it('the config file\'s schema library (zod) is loaded only when there is a config file to check', async () => {
    const zod = (modules: string[]): boolean => modules.some((m) => /\/zod\//.test(m));
    const without = await loaded(['llm', '--logs', `${FIXTURES}/llm/logs`, '-q', '--json', 'cost_usd', '--no-cache']);
    expect(without.exitCode).toBe(0);
    expect(without.modules.some((m) => m.includes('duckdb-node-api.cjs')), 'the recorder saw the load').toBe(true);
    expect(zod(without.modules)).toBe(false);
    const withConfig = await loaded(['llm', '--logs', `${FIXTURES}/llm/logs`, '--config', `${FIXTURES}/llm/obs.config.json`, '-q', '--json', 'cost_usd', '--no-cache']);
    expect(withConfig.exitCode).toBe(0);
    expect(zod(withConfig.modules)).toBe(true);
  });

  it('a command line that names a command loads that command alone; help and completion load every one', async () => {
    const commands = (modules: string[]): string[] => modules.flatMap((m) => /\/dist\/commands\/(\w+)\.js$/.exec(m)?.[1] ?? []).sort();
    const every = ['completion', 'errors', 'events', 'export', 'llm', 'mcp', 'metrics', 'query', 'report', 'sessions', 'sources', 'sql', 'trace', 'triage'];
    const llm = await loaded(['--debug', 'llm', '--logs', `${FIXTURES}/llm/logs`, '-q', '--json', 'cost_usd', '--no-cache']);
    expect(llm.exitCode).toBe(0);
    expect(commands(llm.modules)).toEqual(['llm']);
    expect(commands((await loaded(['errors', '--help'])).modules)).toEqual(['errors']);
    for (const args of [['--help'], ['completion', 'bash'], ['help', 'llm'], ['lmm']]) expect(commands((await loaded(args)).modules), args.join(' ')).toEqual(every);
  });

  it('chalk is loaded only to colour: not for JSON into a pipe, nor for a table without colour', async () => {
    const chalk = (modules: string[]): boolean => modules.some((m) => /\/chalk\//.test(m));
    const base = ['sessions', '--logs', `${FIXTURES}/llm/logs`, '-q', '--no-cache'];
    const json = await loaded([...base, '--json'], {});
    const plain = await loaded([...base, '-o', 'table'], { NO_COLOR: '1' });
    const coloured = await loaded([...base, '-o', 'table'], { FORCE_COLOR: '1' });
    for (const r of [json, plain, coloured]) expect(r.exitCode).toBe(0);
    expect(chalk(json.modules)).toBe(false);
    expect(chalk(plain.modules)).toBe(false);
    expect(chalk(coloured.modules)).toBe(true);
  });

  it('a large folder is walked on a thread of its own (walk-thread.js), a small one in the main thread', async () => {
    const large = path.join(dir, 'large');
    mkdirSync(large);
    // 3,000 session logs with long names: a folder of some 500 KiB on ext4, XFS or btrfs.
    for (let i = 0; i < 3000; i++) {
      const line = JSON.stringify({ ts: '2026-11-21T08:00:00Z', event: 'turn_start', session_key: `s${i}` });
      writeFileSync(path.join(large, `${'session-'.repeat(12)}${String(i).padStart(4, '0')}.jsonl`), `${line}\n`);
    }
    const thread = (modules: string[]): boolean => modules.some((m) => m.endsWith('/dist/load/walk-thread.js'));
    const walked = await loaded(['sources', '--logs', large, '--json', '--no-cache']);
    expect(walked.exitCode).toBe(0);
    expect(thread(walked.modules)).toBe(statSync(large).size >= 256 * 1024);
    const small = await loaded(['sources', '--logs', `${FIXTURES}/llm/logs`, '--json', '--no-cache']);
    expect(small.exitCode).toBe(0);
    expect(thread(small.modules)).toBe(false);
  });

  it('a large load is parsed on a thread of its own (parse-thread.js), a small one in the main thread; every line is accounted for', async () => {
    const large = path.join(dir, 'large-load');
    mkdirSync(large);
    // 17 MiB of JSON lines, every 1,000th an error, with three bad lines planted: more than PARSE_THREAD_BYTES (16 MiB).
    const lines: string[] = [];
    for (let i = 0; i < 40_000; i++) lines.push(JSON.stringify({ ts: '2026-11-21T08:00:00Z', level: i % 1000 === 0 ? 'error' : 'info', event: 'step', session_key: `s${i % 7}`, i, pad: 'x'.repeat(420) }));
    for (const at of [10, 20_000, 39_990]) lines[at] = `{"ts": "2026-11-21T08:00:00Z", "cut at ${at}`;
    writeFileSync(path.join(large, 'app.jsonl'), `${lines.join('\n')}\n`);
    const thread = (modules: string[]): boolean => modules.some((m) => m.endsWith('/dist/load/parse-thread.js'));
    const parsed = await loaded(['sources', '--logs', large, '--json', '--no-cache']);
    expect(parsed.exitCode).toBe(4);
    expect(thread(parsed.modules)).toBe(true);
    const small = await loaded(['sources', '--logs', `${FIXTURES}/llm/logs`, '--json', '--no-cache']);
    expect(small.exitCode).toBe(0);
    expect(thread(small.modules)).toBe(false);
    const r = await execa(process.execPath, [BIN, 'sources', '--logs', large, '--json', '--no-cache'], { cwd: ROOT, reject: false, env: { NO_COLOR: '1', TZ: 'UTC', XDG_CACHE_HOME: CACHE_HOME } });
    const out = JSON.parse(r.stdout) as { totals: Record<string, number>; files: Array<{ issues: Array<{ line: number; problem: string }> }> };
    expect(out.totals).toMatchObject({ files: 1, lines: 40_000, records: 39_997, rejected: 3, repaired: 0 });
    expect(out.files[0]?.issues.map((i) => [i.line, i.problem])).toEqual([[11, 'rejected'], [20_001, 'rejected'], [39_991, 'rejected']]);
    const errors = await execa(process.execPath, [BIN, 'errors', '--logs', large, '--json', '--no-cache', '-q'], { cwd: ROOT, reject: false, env: { NO_COLOR: '1', TZ: 'UTC', XDG_CACHE_HOME: CACHE_HOME } });
    // 40 error lines, one of them (20,000) replaced by a bad line.
    expect((JSON.parse(errors.stdout) as { count: number }).count).toBe(39);
  });

  it('answering from an unchanged cache loads DuckDB, not the price table nor the loader: nothing is priced or read', async () => {
    const cache = path.join(dir, 'cache.duckdb');
    const args = ['llm', '--logs', `${FIXTURES}/llm`, '-q', '--json', 'cost_usd', '--cache', cache];
    const reader = (modules: string[]): boolean => modules.some((m) => /\/dist\/(load\/load|sources\/index|sources\/session-log\/index)\.js$/.test(m));
    const first = await loaded(args);
    expect(first.modules.some((m) => m.includes('genai-prices'))).toBe(true);
    expect(reader(first.modules)).toBe(true);
    const warm = await loaded(args);
    expect(warm.exitCode).toBe(0);
    expect(warm.modules.some((m) => m.includes('duckdb-node-api.cjs'))).toBe(true);
    expect(warm.modules.some((m) => m.includes('genai-prices'))).toBe(false);
    expect(reader(warm.modules)).toBe(false);
  });
});
