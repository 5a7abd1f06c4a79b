/**
 * vitest globalSetup: one VictoriaMetrics holding the same samples as the
 * fixture Prometheus (fixtures/prometheus/metrics.om) for the whole run (see
 * test/helpers/victoriametrics.ts). Tests reach it with
 * `inject('victoriaMetricsUrl')`. When victoria-metrics is missing it is
 * installed (root with apt-get) or the run fails with the command that installs it.
 */
import type { TestProject } from 'vitest/node';
import { ensureVictoriaMetrics, startVictoriaMetrics } from '../helpers/victoriametrics.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the fixture VictoriaMetrics (single node), e.g. http://127.0.0.1:41235. */
    victoriaMetricsUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureVictoriaMetrics();
  const server = await startVictoriaMetrics();
  project.provide('victoriaMetricsUrl', server.url);
  process.stderr.write(`fixture VictoriaMetrics ${server.version} at ${server.url} (pid ${server.pid}, ${server.samples} samples)\n`);
  return async () => {
    await server.stop();
  };
}
