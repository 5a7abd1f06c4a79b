/**
 * `npm run bench`: obs against what a user would otherwise run, on the same
 * generated logs, in the same run. A benchmark, not a test.
 *
 *   npm run bench -- --size 100MB --runs 3 --out .bench/
 *
 * For each size (a comma list, units KB/MB/GB; default 100MB,1GB) it writes
 * (or reuses) a deterministic corpus (scripts/bench/generate.ts), then times
 * three tasks — one thread's records, the errors of stage plan by type, LLM
 * calls by model — with four tools, each run as its own process under
 * /usr/bin/time (wall time including process start, and peak RSS):
 *
 *   obs-nocache  the built CLI with --no-cache: every run reads every file into memory
 *   obs-cold     the built CLI building its cache (the cache file is removed before each run)
 *   obs-warm     the built CLI answering from its cache (built by an untimed run first)
 *   duckdb-raw   DuckDB reading the files directly (scripts/bench/duckdb-raw.mjs): the floor
 *   duckdb-ctas  DuckDB building tables of the files in a database file, then answering
 *                from them (scripts/bench/duckdb-ctas.mjs): what obs-cold is measured against
 *   jq           jq 1.6 filters over the files
 *   node         readline + JSON.parse per line (scripts/bench/readline.mjs)
 *
 * The sub-second tools (obs-warm and duckdb-raw) run at least SHORT_RUNS
 * times whatever --runs says: one run of half a second varies by a fifth or
 * more on a shared machine, and more runs of them cost little.
 *
 * It prints the medians, obs/duckdb-raw (without the cache and building it),
 * obs-cold/duckdb-ctas, the warm answer's time and jq/obs-warm, and writes
 * <out>/results-<size>.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCorpus, formatSize, parseSize } from './bench/generate.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TIME = '/usr/bin/time';
/** The least number of runs of the sub-second tools. */
const SHORT_RUNS = 5;
const JQ = '/usr/bin/jq';
const TASKS = ['thread', 'errors', 'llm'] as const;
const TOOLS = ['obs-nocache', 'obs-cold', 'obs-warm', 'duckdb-raw', 'duckdb-ctas', 'jq', 'node'] as const;
type Task = (typeof TASKS)[number];
type Tool = (typeof TOOLS)[number];

interface Options {
  sizes: number[];
  runs: number;
  out: string;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { sizes: [parseSize('100MB'), parseSize('1GB')], runs: 3, out: '.bench', seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    if (flag === '--size') o.sizes = value().split(',').filter(Boolean).map(parseSize);
    else if (flag === '--runs') o.runs = Number(value());
    else if (flag === '--out') o.out = value();
    else if (flag === '--seed') o.seed = Number(value());
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write('usage: npm run bench -- [--size 100MB,1GB] [--runs 3] [--out .bench/] [--seed 1]\n');
      process.exit(0);
    } else fail(`unknown argument: ${a}`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) fail('--runs must be a whole number of at least 1');
  if (!Number.isInteger(o.seed)) fail('--seed must be a whole number');
  if (o.sizes.length === 0) fail('--size needs at least one size');
  return o;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function sh(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The command of one tool for one task, run with `sh -c` (jq needs globs). */
function command(tool: Tool, task: Task, logs: string, thread: string, cache: string): string {
  const node = sh(process.execPath);
  switch (tool) {
    case 'obs-nocache':
    case 'obs-cold':
    case 'obs-warm': {
      // Each question as the baselines answer it: the errors of stage plan grouped (by fingerprint: type and frames), not listed whole.
      const args = { thread: `query --thread ${thread} --no-metrics`, errors: 'errors --stage plan --group', llm: 'llm --by model' }[task];
      const caching = tool === 'obs-nocache' ? '--no-cache' : `--cache ${sh(cache)}`;
      return `${node} ${sh(join(ROOT, 'bin/obs.js'))} ${args} --json --logs ${sh(logs)} ${caching}`;
    }
    case 'duckdb-raw':
      return `${node} ${sh(join(ROOT, 'scripts/bench/duckdb-raw.mjs'))} ${task} ${sh(logs)} ${thread}`;
    case 'duckdb-ctas':
      return `${node} ${sh(join(ROOT, 'scripts/bench/duckdb-ctas.mjs'))} ${task} ${sh(logs)} ${sh(`${cache}.ctas`)} ${thread}`;
    case 'node':
      return `${node} ${sh(join(ROOT, 'scripts/bench/readline.mjs'))} ${task} ${sh(logs)} ${thread}`;
    case 'jq': {
      // Session logs are `asctime LEVEL {json}` lines: read raw, parse after the prefix.
      const session = `.[index("{"):] | fromjson`;
      const cd = `cd ${sh(logs)} &&`;
      if (task === 'thread') {
        return `${cd} ${JQ} -c --arg t ${thread} 'select(.thread_ts == $t)' llm_io_2*.jsonl app.jsonl && ` +
          `${JQ} -cR --arg t ${thread} '${session} | select(.thread_ts == $t)' timeboxing_session_2*.log`;
      }
      if (task === 'errors') {
        const json = `reduce (inputs | select(.stage == "plan") | if .exc then (.exc | split("\\n") | last | split(":")[0]) ` +
          `elif .event_type == "LLMCall" and .status == "error" then (.error | split(":")[0]) elif .level == "error" then "log" else empty end) as $t ({}; .[$t] += 1)`;
        const logLines = `reduce (inputs | select(contains(" ERROR ")) | ${session} | select(.stage == "plan") | .error_type) as $t ({}; .[$t] += 1)`;
        return `${cd} ${JQ} -c -n '${json}' llm_io_2*.jsonl app.jsonl && ${JQ} -c -nR '${logLines}' timeboxing_session_2*.log`;
      }
      return `${cd} ${JQ} -c -n 'reduce inputs as $r ({}; .[$r.model] |= {calls: ((.calls // 0) + 1), ` +
        `errors: ((.errors // 0) + (if $r.status == "error" then 1 else 0 end)), ` +
        `prompt_tokens: ((.prompt_tokens // 0) + ($r.prompt_tokens // 0)), ` +
        `completion_tokens: ((.completion_tokens // 0) + ($r.completion_tokens // 0))})' llm_io_2*.jsonl`;
    }
  }
}

interface Run {
  seconds: number;
  rss_mb: number;
}

/** One timed run: wall seconds (process start included) and peak RSS from /usr/bin/time. */
function timed(cmd: string, timeFile: string): Run {
  const r = spawnSync(TIME, ['-f', '%e %M', '-o', timeFile, 'sh', '-c', cmd], {
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', TZ: 'UTC' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    throw new Error(`exit ${r.status ?? r.signal}: ${cmd}\n${String(r.stderr).slice(-2000)}`);
  }
  const [secs, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds: secs ?? NaN, rss_mb: (kb ?? NaN) / 1024 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function machine(): { cpu: string; cores: number; node: string } {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpu = m[1].trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  return { cpu, cores: cpus().length, node: process.version };
}

interface Row {
  size: string;
  task: Task;
  tool: Tool;
  median_s: number;
  peak_rss_mb: number;
  runs_s: number[];
}

const opts = parseArgs(process.argv.slice(2));
if (!existsSync(TIME)) fail(`${TIME} is missing: install the Debian package \`time\` (apt-get install time)`);
if (!existsSync(JQ)) fail(`${JQ} is missing: install the Debian package \`jq\` (apt-get install jq)`);
const out = resolve(ROOT, opts.out);
mkdirSync(out, { recursive: true });
const timeFile = join(out, '.time');
const host = machine();
process.stdout.write(`machine: ${host.cpu}, ${host.cores} cores, Node ${host.node}; runs: ${opts.runs} (median; obs-warm and duckdb-raw at least ${SHORT_RUNS})\n`);

const all: Row[] = [];
for (const bytes of opts.sizes) {
  const size = formatSize(bytes);
  const dir = join(out, `corpus-${size}-seed${opts.seed}`);
  const t0 = performance.now();
  const { manifest, reused } = await ensureCorpus(dir, bytes, opts.seed);
  process.stdout.write(
    `${size}: ${reused ? 'reusing' : 'generated'} ${(manifest.bytes / 1e6).toFixed(1)} MB in ${manifest.files} files ` +
      `(${manifest.sessions} sessions, ${manifest.llm_calls} LLM calls)` +
      (reused ? '' : ` in ${((performance.now() - t0) / 1000).toFixed(1)} s`) + '\n',
  );
  const logs = join(dir, 'logs');
  const rows: Row[] = [];
  for (const task of TASKS) {
    for (const tool of TOOLS) {
      const cache = join(out, `cache-${size}.duckdb`);
      const cmd = command(tool, task, logs, manifest.thread_ts, cache);
      const dropCache = (): void => {
        for (const f of [cache, `${cache}.wal`]) rmSync(f, { force: true });
      };
      if (tool === 'obs-warm') timed(cmd, timeFile);
      const runs: Run[] = [];
      const times = tool === 'obs-warm' || tool === 'duckdb-raw' ? Math.max(opts.runs, SHORT_RUNS) : opts.runs;
      for (let i = 0; i < times; i++) {
        if (tool === 'obs-cold') dropCache();
        runs.push(timed(cmd, timeFile));
      }
      // DuckDB's tables of the corpus are as large as obs's cache: not kept.
      if (tool === 'duckdb-ctas') for (const f of [`${cache}.ctas`, `${cache}.ctas.wal`]) rmSync(f, { force: true });
      const row: Row = {
        size, task, tool,
        median_s: median(runs.map((r) => r.seconds)),
        peak_rss_mb: Math.max(...runs.map((r) => r.rss_mb)),
        runs_s: runs.map((r) => r.seconds),
      };
      rows.push(row);
      process.stdout.write(`  ${task.padEnd(7)} ${tool.padEnd(11)} ${row.median_s.toFixed(2)} s  ${row.peak_rss_mb.toFixed(0)} MB\n`);
    }
  }
  const ratios = TASKS.map((task) => {
    const get = (tool: Tool) => rows.find((r) => r.task === task && r.tool === tool)!.median_s;
    return {
      task,
      nocache_over_duckdb_raw: get('obs-nocache') / get('duckdb-raw'),
      cold_over_duckdb_raw: get('obs-cold') / get('duckdb-raw'),
      cold_over_duckdb_ctas: get('obs-cold') / get('duckdb-ctas'),
      warm_s: get('obs-warm'),
      jq_over_warm: get('jq') / get('obs-warm'),
      jq_over_nocache: get('jq') / get('obs-nocache'),
    };
  });
  writeFileSync(
    join(out, `results-${size}.json`),
    JSON.stringify({ size, bytes: manifest.bytes, seed: opts.seed, runs: opts.runs, machine: host, manifest, rows, ratios }, null, 2) + '\n',
  );
  all.push(...rows);
}
rmSync(timeFile, { force: true });

// The table: one line per size, task and tool; each obs line with its ratio to DuckDB's raw scan and jq's to it.
const header = ['size', 'task', 'tool', 'median s', 'peak RSS MB', 'obs/duckdb-raw', 'obs/duckdb-ctas', 'jq/obs'];
const lines = all.map((r) => {
  const of = (tool: Tool) => all.find((x) => x.size === r.size && x.task === r.task && x.tool === tool)!.median_s;
  const isObs = r.tool.startsWith('obs');
  return [
    r.size, r.task, r.tool, r.median_s.toFixed(2), r.peak_rss_mb.toFixed(0),
    isObs ? `${(r.median_s / of('duckdb-raw')).toFixed(1)}x` : '',
    r.tool === 'obs-cold' ? `${(r.median_s / of('duckdb-ctas')).toFixed(1)}x` : '',
    isObs ? `${(of('jq') / r.median_s).toFixed(2)}x` : '',
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
const fmt = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ');
process.stdout.write(`\nmachine: ${host.cpu}, ${host.cores} cores, Node ${host.node}\n`);
process.stdout.write(fmt(header) + '\n' + lines.map(fmt).join('\n') + '\n');
process.stdout.write(`results: ${opts.sizes.map((b) => join(opts.out, `results-${formatSize(b)}.json`)).join(', ')}\n`);
