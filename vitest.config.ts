import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A real Prometheus serving fixtures/prometheus/metrics.om for the whole run, and a real
    // VictoriaMetrics holding the same samples.
    globalSetup: ['test/setup/prometheus.ts', 'test/setup/victoriametrics.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
