/**
 * A real Prometheus (Debian's 2.42 package) serving fixtures/prometheus/metrics.om,
 * the metrics of the sample corpus' run plus the ALERTS series of
 * fixtures/prometheus/alerts.yml.
 *
 * startPrometheus() backfills the OpenMetrics file with promtool into a fresh
 * temporary directory and serves it on a free 127.0.0.1 port. With
 * remoteReadWarnings (the default) the server also has a remote_read endpoint
 * that always fails, restricted to selectors with obs_fixture="remote": a query
 * of WARNING_SELECTOR succeeds with a non-empty `warnings` array, every other
 * query and range query gets none. (Prometheus 2.42 then also answers
 * /api/v1/labels and /api/v1/label/<name>/values with the warning
 * "not implemented", whatever the matchers: its remote-read client does not
 * implement label lookups.)
 *
 * With `scrape` the server also scrapes live targets (and with `openmetrics:
 * null` starts from an empty store); with `exemplarStorage` it keeps the
 * exemplars it scrapes (--enable-feature=exemplar-storage).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptInstall, locateBinary } from './debian.js';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The OpenMetrics fixture served by default. */
export const FIXTURE_OPENMETRICS = join(ROOT, 'fixtures', 'prometheus', 'metrics.om');

/** A selector whose queries come back with `warnings` (see the module comment). */
export const WARNING_SELECTOR = 'up{obs_fixture="remote"}';

const truth = JSON.parse(
  readFileSync(join(ROOT, 'fixtures', 'sample-corpus', 'truth.json'), 'utf8'),
) as { run: { start_utc: string; end_utc: string } };

/** The recorded run, in Unix seconds (millisecond precision), as in truth.json `run`. */
export const FIXTURE_WINDOW: { readonly start: number; readonly end: number } = Object.freeze({
  start: Date.parse(truth.run.start_utc) / 1000,
  end: Date.parse(truth.run.end_utc) / 1000,
});

export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
}

export interface PrometheusServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  pid: number;
  /**
   * SIGSTOP, returning once the process is stopped: the server keeps its socket
   * (connections are accepted by the kernel) but answers nothing until resume().
   */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Kills the server, waits for it to exit and removes its temporary directory. */
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** OpenMetrics file to backfill; default fixtures/prometheus/metrics.om; null backfills nothing. */
  openmetrics?: string | null;
  /** Configure the always-failing remote_read behind WARNING_SELECTOR; default true. */
  remoteReadWarnings?: boolean;
  /** Require HTTP basic auth (Prometheus' --web.config.file); `bcrypt` is the hash of `password`. */
  basicAuth?: { username: string; password: string; bcrypt: string };
  /** Scrape these `host:port` targets (their /metrics) every intervalSeconds (default 1). */
  scrape?: { targets: string[]; intervalSeconds?: number };
  /** Keep scraped exemplars (--enable-feature=exemplar-storage); default false. */
  exemplarStorage?: boolean;
}

const INSTALL_HINT =
  "These tests need a real Prometheus: Debian's `prometheus` package (2.42, which also brings promtool). " +
  'Install it with `sudo apt-get install -y prometheus`, or point OBS_TEST_PROMETHEUS_BIN and ' +
  'OBS_TEST_PROMTOOL_BIN at a prometheus and a promtool binary.';

function locateBoth(): PrometheusBinaries | undefined {
  const prometheus = locateBinary('prometheus', 'OBS_TEST_PROMETHEUS_BIN', INSTALL_HINT);
  const promtool = locateBinary('promtool', 'OBS_TEST_PROMTOOL_BIN', INSTALL_HINT);
  return prometheus && promtool ? { prometheus, promtool } : undefined;
}

let binaries: PrometheusBinaries | undefined;

/**
 * Finds prometheus and promtool (OBS_TEST_PROMETHEUS_BIN / OBS_TEST_PROMTOOL_BIN,
 * else PATH, else /usr/bin). When they are missing and this process is root on a
 * machine with apt-get, installs Debian's prometheus package; otherwise throws.
 */
export function ensurePrometheus(): PrometheusBinaries {
  if (binaries) return binaries;
  let found = locateBoth();
  if (!found && aptInstall(['prometheus'], INSTALL_HINT)) found = locateBoth();
  if (!found) throw new Error(`prometheus and/or promtool not found. ${INSTALL_HINT}`);
  binaries = found;
  return found;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not pick a free port'));
      });
    });
  });
}

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function prometheusConfig(port: number, remoteReadWarnings: boolean, scrape: StartPrometheusOptions['scrape']): string {
  const lines: string[] = [];
  if (scrape) {
    const interval = `${scrape.intervalSeconds ?? 1}s`;
    lines.push(
      '# obs test fixture: the backfilled blocks, if any, and live targets.',
      'global:',
      `  scrape_interval: ${interval}`,
      `  scrape_timeout: ${interval}`,
      'scrape_configs:',
      '  - job_name: obs-test',
      '    static_configs:',
      `      - targets: [${scrape.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    );
  } else {
    lines.push('# obs test fixture: no scraping, only the backfilled blocks.', 'scrape_configs: []');
  }
  if (remoteReadWarnings) {
    // A remote-read endpoint that always fails (a path this very server answers
    // with 404), consulted only for selectors with obs_fixture="remote".
    // Prometheus reports a failing remote read as a warning next to the local
    // result instead of failing the query; read_recent makes it ask the remote
    // for recent data too.
    lines.push(
      'remote_read:',
      `  - url: http://127.0.0.1:${port}/obs-fixture-remote-read`,
      '    name: obs-fixture-remote',
      '    read_recent: true',
      '    remote_timeout: 5s',
      '    required_matchers:',
      '      obs_fixture: remote',
    );
  }
  return `${lines.join('\n')}\n`;
}

async function waitUntilReady(
  url: string,
  child: ChildProcess,
  logPath: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited(child)) {
      const log = await readFile(logPath, 'utf8').catch(() => '');
      throw new Error(
        `prometheus exited (${String(child.exitCode ?? child.signalCode)}) before it was ready; its log:\n${log}`,
      );
    }
    try {
      const response = await fetch(`${url}/-/ready`, { headers, signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const log = await readFile(logPath, 'utf8').catch(() => '');
      throw new Error(`prometheus at ${url} was not ready after ${timeoutMs / 1000} s; its log:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Backfills the OpenMetrics fixture (unless told not to) and serves it with a fresh Prometheus. */
export async function startPrometheus(options: StartPrometheusOptions = {}): Promise<PrometheusServer> {
  const { prometheus, promtool } = ensurePrometheus();
  const openmetrics = options.openmetrics === null ? null : (options.openmetrics ?? FIXTURE_OPENMETRICS);
  const remoteReadWarnings = options.remoteReadWarnings ?? true;

  const dir = await mkdtemp(join(tmpdir(), 'obs-test-prometheus-'));
  let child: ChildProcess | undefined;
  const killOnExit = (): void => {
    if (child && !hasExited(child)) child.kill('SIGKILL');
  };
  try {
    const data = join(dir, 'data');
    if (openmetrics !== null) {
      const backfill = await run(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', openmetrics, data]);
      if (backfill.code !== 0) {
        throw new Error(`promtool could not backfill ${openmetrics} (exit ${String(backfill.code)}):\n${backfill.output}`);
      }
    }

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const config = join(dir, 'prometheus.yml');
    await writeFile(config, prometheusConfig(port, remoteReadWarnings, options.scrape));
    const flags: string[] = [];
    if (options.exemplarStorage) flags.push('--enable-feature=exemplar-storage');
    const readyHeaders: Record<string, string> = {};
    if (options.basicAuth) {
      const web = join(dir, 'web.yml');
      await writeFile(web, `basic_auth_users:\n  ${options.basicAuth.username}: ${options.basicAuth.bcrypt}\n`);
      flags.push(`--web.config.file=${web}`);
      const pair = `${options.basicAuth.username}:${options.basicAuth.password}`;
      readyHeaders['Authorization'] = `Basic ${Buffer.from(pair).toString('base64')}`;
    }

    const logPath = join(dir, 'prometheus.log');
    const logFd = openSync(logPath, 'a');
    try {
      child = spawn(
        prometheus,
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${data}`,
          '--storage.tsdb.retention.time=100y',
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
          ...flags,
        ],
        { cwd: dir, stdio: ['ignore', logFd, logFd] },
      );
    } finally {
      closeSync(logFd);
    }
    const started = child;
    process.once('exit', killOnExit);
    const spawnError = new Promise<never>((_, reject) => {
      started.once('error', (error) => reject(new Error(`could not run ${prometheus}: ${error.message}`)));
    });
    spawnError.catch(() => {});
    await Promise.race([waitUntilReady(url, started, logPath, 60_000, readyHeaders), spawnError]);

    const pid = started.pid;
    if (pid === undefined) throw new Error(`could not run ${prometheus}`);
    let stopped: Promise<void> | undefined;
    return {
      url,
      pid,
      pause: () => {
        process.kill(pid, 'SIGSTOP');
        waitUntilStopped(pid);
      },
      resume: () => {
        process.kill(pid, 'SIGCONT');
      },
      stop: () => {
        stopped ??= (async () => {
          await terminate(started);
          process.removeListener('exit', killOnExit);
          await rm(dir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (error) {
    if (child) await terminate(child);
    process.removeListener('exit', killOnExit);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** State letter of each thread of pid (Linux /proc), or undefined where /proc cannot tell. */
function threadStates(pid: number): string[] | undefined {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // "<tid> (<comm>) <state> ...": comm may contain spaces and parentheses.
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    });
  } catch {
    return undefined;
  }
}

/**
 * SIGSTOP takes effect asynchronously: a request sent right after kill() can
 * still be answered. Blocks (at most 2 s) until every thread is stopped.
 */
function waitUntilStopped(pid: number): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 2_000;
  for (;;) {
    const states = threadStates(pid);
    if (states === undefined || states.every((state) => state === 'T')) return;
    if (Date.now() > deadline) throw new Error(`prometheus (pid ${pid}) did not stop after SIGSTOP`);
    Atomics.wait(sleeper, 0, 0, 1);
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A paused (SIGSTOPped) server would not act on SIGTERM until continued.
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
