/**
 * A real single-node VictoriaMetrics (Debian's 1.79 package, `victoria-metrics`)
 * holding the same samples as the fixture Prometheus: fixtures/prometheus/metrics.om,
 * imported through its Prometheus text import API with the samples' own timestamps.
 *
 * startVictoriaMetrics() starts the server on a free 127.0.0.1 port with a
 * fresh temporary -storageDataPath, imports the fixture, flushes it to
 * searchable storage and checks that every sample can be read back before it
 * returns. The flags it runs with are explained at VM_FLAGS.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptInstall, locateBinary } from './debian.js';
import { FIXTURE_OPENMETRICS, FIXTURE_WINDOW, freePort } from './prometheus.js';

export interface VictoriaMetricsServer {
  /** Base URL of its Prometheus-compatible API, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  pid: number;
  /** The Debian package's version (e.g. 1.79.5+ds1-2+b5), or "unknown" for another binary: Debian's build reports none itself. */
  version: string;
  /** Samples imported from the fixture. */
  samples: number;
  /** Kills the server, waits for it to exit and removes its temporary directory. */
  stop(): Promise<void>;
}

const INSTALL_HINT =
  "These tests also query a real VictoriaMetrics: Debian's `victoria-metrics` package (1.79). " +
  'Install it with `sudo apt-get install -y victoria-metrics`, or point OBS_TEST_VICTORIA_METRICS_BIN at a ' +
  'single-node victoria-metrics binary.';

let binary: string | undefined;

/**
 * Finds victoria-metrics (OBS_TEST_VICTORIA_METRICS_BIN, else PATH, else
 * /usr/bin). When it is missing and this process is root on a machine with
 * apt-get, installs Debian's victoria-metrics package; otherwise throws with
 * the command that installs it.
 */
export function ensureVictoriaMetrics(): string {
  if (binary) return binary;
  const locate = (): string | undefined => locateBinary('victoria-metrics', 'OBS_TEST_VICTORIA_METRICS_BIN', INSTALL_HINT);
  let found = locate();
  if (!found && aptInstall(['victoria-metrics'], INSTALL_HINT)) found = locate();
  if (!found) throw new Error(`victoria-metrics not found. ${INSTALL_HINT}`);
  binary = found;
  return found;
}

/**
 * The fixture as Prometheus text exposition with millisecond timestamps, which
 * is what /api/v1/import/prometheus reads: OpenMetrics writes seconds (with a
 * fraction), the Prometheus text format integer milliseconds. Samples,
 * labels and values are passed on as written; the `# TYPE` and `# EOF` lines
 * are left out (VictoriaMetrics keeps no metadata).
 */
export function fixtureAsPrometheusText(openmetrics = FIXTURE_OPENMETRICS): { text: string; samples: number } {
  const out: string[] = [];
  for (const line of readFileSync(openmetrics, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    const seconds = line.slice(cut + 1);
    if (!/^\d+(\.\d{1,3})?$/.test(seconds)) throw new Error(`${openmetrics}: a sample without a timestamp in seconds: ${line}`);
    const [whole, fraction = ''] = seconds.split('.');
    out.push(`${line.slice(0, cut)} ${whole}${fraction.padEnd(3, '0')}`);
  }
  return { text: `${out.join('\n')}\n`, samples: out.length };
}

function packageVersion(bin: string): string {
  if (bin !== '/usr/bin/victoria-metrics') return 'unknown';
  const dpkg = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'victoria-metrics'], { encoding: 'utf8' });
  return dpkg.status === 0 && dpkg.stdout.trim() !== '' ? dpkg.stdout.trim() : 'unknown';
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * The flags of the test server. Queries run as they do on a server with the
 * default settings (its response cache on, so range queries of 50 points or
 * more are aligned to their step: see test/e2e/victoriametrics.test.ts), except:
 *
 * - `-retentionPeriod=100y`: the default retention (1 month) counts back from
 *   the machine's clock, and VictoriaMetrics drops imported samples older than
 *   that (the fixture's run is on 2026-11-21). It also refuses samples more
 *   than 2 days ahead of the clock: on a machine whose clock is more than that
 *   before the run, the import keeps nothing, and startVictoriaMetrics() fails
 *   saying so.
 * - `-search.latencyOffset=0s`: by default a query does not see the last 30 s
 *   before the machine's clock (samples that may still be arriving). No fixture
 *   sample is that recent on a correct clock; the flag takes the clock out of
 *   the answers all the same.
 *
 * Deduplication (`-dedup.minScrapeInterval`) stays off: every sample is kept
 * as imported.
 */
const VM_FLAGS = ['-retentionPeriod=100y', '-search.latencyOffset=0s', '-loggerLevel=WARN'];

async function waitUntilReady(url: string, child: ChildProcess, logPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited(child)) {
      const log = await readFile(logPath, 'utf8').catch(() => '');
      throw new Error(`victoria-metrics exited (${String(child.exitCode ?? child.signalCode)}) before it was ready; its log:\n${log}`);
    }
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const log = await readFile(logPath, 'utf8').catch(() => '');
      throw new Error(`victoria-metrics at ${url} was not ready after ${timeoutMs / 1000} s; its log:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function post(url: string, body: string, what: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
}

/** How many fixture samples the server returns for the run (one instant query of a range selector). */
async function storedSamples(url: string): Promise<number> {
  const window = Math.ceil(FIXTURE_WINDOW.end - FIXTURE_WINDOW.start) + 2;
  const body = new URLSearchParams({ query: `sum(count_over_time({__name__=~".+"}[${window}s]))`, time: String(Math.ceil(FIXTURE_WINDOW.end) + 1) });
  const response = await fetch(`${url}/api/v1/query`, { method: 'POST', body, signal: AbortSignal.timeout(60_000) });
  const json = (await response.json()) as { status: string; data?: { result: Array<{ value: [number, string] }> } };
  if (json.status !== 'success' || !json.data) throw new Error(`counting the imported samples failed: ${JSON.stringify(json)}`);
  return json.data.result.reduce((n, r) => n + Number(r.value[1]), 0);
}

/** Starts a fresh VictoriaMetrics and imports the fixture into it (unless `openmetrics: null`). */
export async function startVictoriaMetrics(options: { openmetrics?: string | null } = {}): Promise<VictoriaMetricsServer> {
  const bin = ensureVictoriaMetrics();
  const openmetrics = options.openmetrics === null ? null : (options.openmetrics ?? FIXTURE_OPENMETRICS);
  const version = packageVersion(bin);
  const dir = await mkdtemp(join(tmpdir(), 'obs-test-victoriametrics-'));
  let child: ChildProcess | undefined;
  const killOnExit = (): void => {
    if (child && !hasExited(child)) child.kill('SIGKILL');
  };
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const logPath = join(dir, 'victoria-metrics.log');
    const logFd = openSync(logPath, 'a');
    try {
      child = spawn(bin, [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(dir, 'data')}`, ...VM_FLAGS], {
        cwd: dir,
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    const started = child;
    process.once('exit', killOnExit);
    const spawnError = new Promise<never>((_, reject) => {
      started.once('error', (error) => reject(new Error(`could not run ${bin}: ${error.message}`)));
    });
    spawnError.catch(() => {});
    await Promise.race([waitUntilReady(url, started, logPath, 60_000), spawnError]);

    let samples = 0;
    if (openmetrics !== null) {
      const fixture = fixtureAsPrometheusText(openmetrics);
      await post(`${url}/api/v1/import/prometheus`, fixture.text, `importing ${openmetrics}`);
      // Imported rows sit in an in-memory buffer for up to a second before a
      // search sees them; force_flush makes them searchable now.
      await post(`${url}/internal/force_flush`, '', 'flushing the import');
      samples = await storedSamples(url);
      if (samples !== fixture.samples) {
        const log = await readFile(logPath, 'utf8').catch(() => '');
        throw new Error(
          `victoria-metrics kept ${samples} of the ${fixture.samples} fixture samples (is the machine's clock more than ` +
            `2 days before ${new Date(FIXTURE_WINDOW.start * 1000).toISOString()}?); its log:\n${log}`,
        );
      }
    }

    const pid = started.pid;
    if (pid === undefined) throw new Error(`could not run ${bin}`);
    let stopped: Promise<void> | undefined;
    return {
      url,
      pid,
      version,
      samples,
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

async function terminate(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
