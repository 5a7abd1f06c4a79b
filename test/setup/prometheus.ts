/**
 * vitest globalSetup: one Prometheus serving fixtures/prometheus/metrics.om for
 * the whole run (see test/helpers/prometheus.ts). Tests reach it with
 * `inject('prometheusUrl')`.
 */
import type { TestProject } from 'vitest/node';
import { ensurePrometheus, startPrometheus } from '../helpers/prometheus.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the fixture Prometheus, e.g. http://127.0.0.1:41234. */
    prometheusUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensurePrometheus();
  // No remote_read here: with one, Prometheus 2.42 adds a "not implemented" warning to every
  // label lookup. Tests of warnings start their own server.
  const server = await startPrometheus({ remoteReadWarnings: false });
  project.provide('prometheusUrl', server.url);
  process.stderr.write(`fixture Prometheus at ${server.url} (pid ${server.pid})\n`);
  return async () => {
    await server.stop();
  };
}
