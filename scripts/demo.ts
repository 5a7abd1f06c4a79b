/**
 * `npm run demo`: the bundled sample run, end to end. Serves the run's metrics
 * (fixtures/prometheus/metrics.om) with a real Prometheus on a free local
 * port, runs `obs query` for one Slack thread against it, and stops the
 * server. Extra arguments go to obs (`npm run demo -- --json`).
 *
 * Prometheus is Debian's `prometheus` package; when it is missing it is
 * installed if this runs as root with apt, otherwise the thread is shown
 * without metrics and a note says how to install it.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensurePrometheus, startPrometheus, type PrometheusServer } from '../test/helpers/prometheus.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const THREAD = '1795299499.694654';

let server: PrometheusServer | null = null;
try {
  ensurePrometheus();
  server = await startPrometheus({ remoteReadWarnings: false });
} catch (err) {
  process.stderr.write(`note: showing the thread without metrics: ${(err as Error).message}\n`);
}
try {
  const args = [
    'bin/obs.js', 'query',
    '--logs', 'fixtures/sample-corpus/logs',
    '--logs', 'fixtures/sample-corpus/tracebacks',
    '--thread', THREAD,
    ...(server ? ['--prometheus', server.url] : []),
    ...process.argv.slice(2),
  ];
  process.stderr.write(`$ obs ${args.slice(1).join(' ')}\n`);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
} finally {
  await server?.stop();
}
