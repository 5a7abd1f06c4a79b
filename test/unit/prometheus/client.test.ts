/**
 * What Prometheus-compatible servers answer differently, read by the client:
 * a local HTTP server replays answers in the shapes VictoriaMetrics gives
 * (the cluster's `isPartial`, its HTTP 422 syntax errors, its label order).
 * The same client against real servers: test/e2e/prometheus-client.test.ts
 * and test/e2e/victoriametrics.test.ts.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARTIAL_WARNING, PrometheusClient, PrometheusError, sortLabels } from '../../../src/prometheus/client.js';

/** The next answer: HTTP status and JSON body. */
let answer: { status: number; body: unknown } = { status: 200, body: {} };
let server: Server;
let client: PrometheusClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  client = new PrometheusClient({ url: `http://127.0.0.1:${address.port}`, auth: null, timeoutMs: 5_000, from: 'test' });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const matrix = (metric: Record<string, string>) => ({ resultType: 'matrix', result: [{ metric, values: [[100, '1']] }] });

describe('PrometheusClient on answers from Prometheus-compatible servers', () => {
  it('turns isPartial: true (VictoriaMetrics cluster) into a warning, after the server\'s own', async () => {
    answer = { status: 200, body: { status: 'success', isPartial: true, warnings: ['w1'], data: matrix({ a: '1' }) } };
    const r = await client.queryRange('up', 0, 100, 1);
    expect(r.warnings).toEqual(['w1', PARTIAL_WARNING]);
    expect(r.data).toHaveLength(1);
  });

  it('adds nothing for isPartial: false', async () => {
    answer = { status: 200, body: { status: 'success', isPartial: false, data: matrix({ a: '1' }) } };
    expect((await client.queryRange('up', 0, 100, 1)).warnings).toEqual([]);
    answer = { status: 200, body: { status: 'success', isPartial: false, data: ['up'] } };
    expect((await client.metricNames(0, 100)).warnings).toEqual([]);
  });

  it('gives every label set with its names in order, whatever order the server wrote them in', async () => {
    const written = { service: 's', job: 'j', __name__: 'up', instance: 'i' };
    answer = { status: 200, body: { status: 'success', data: matrix(written) } };
    expect(Object.keys((await client.queryRange('up', 0, 100, 1)).data[0]!.metric)).toEqual(['__name__', 'instance', 'job', 'service']);
    answer = { status: 200, body: { status: 'success', data: { resultType: 'vector', result: [{ metric: written, value: [100, '1'] }] } } };
    const instant = (await client.query('up', 100)).data;
    expect(instant.resultType === 'vector' && Object.keys(instant.result[0]!.metric)).toEqual(['__name__', 'instance', 'job', 'service']);
    answer = { status: 200, body: { status: 'success', data: [written] } };
    expect(Object.keys((await client.series(['up'])).data[0]!)).toEqual(['__name__', 'instance', 'job', 'service']);
    answer = {
      status: 200,
      body: { status: 'success', data: [{ seriesLabels: written, exemplars: [{ labels: { trace_id: 't', span_id: 's' }, value: '1', timestamp: 100 }] }] },
    };
    const ex = (await client.queryExemplars('up', 0, 100)).data[0]!;
    expect(Object.keys(ex.seriesLabels)).toEqual(['__name__', 'instance', 'job', 'service']);
    expect(Object.keys(ex.exemplars[0]!.labels)).toEqual(['span_id', 'trace_id']);
  });

  it('sortLabels orders by code point, as Prometheus does', () => {
    expect(Object.keys(sortLabels({ b: '1', B: '2', _a: '3', a: '4' }))).toEqual(['B', '_a', 'a', 'b']);
  });

  it('tells a VictoriaMetrics syntax error (HTTP 422) from a query that fails when run; both exit 2', async () => {
    answer = {
      status: 422,
      body: {
        status: 'error',
        errorType: '422',
        error:
          'error when executing query="sum(rate(x[1m]" on the time range (start=1795299491000, end=1795299601000, step=1000): ' +
          'cannot execute query: argList: unexpected token ""; want ",", ")"; unparsed data: ""',
      },
    };
    const syntax = (await client.queryRange('sum(rate(x[1m]', 0, 100, 1).catch((e: unknown) => e)) as PrometheusError;
    expect(syntax).toBeInstanceOf(PrometheusError);
    expect(syntax.kind).toBe('bad_query');
    expect(syntax.exitCode).toBe(2);
    expect(syntax.message).toBe('Prometheus rejected the query');
    // errorType "422" is the status again: not repeated.
    expect(syntax.reason).toMatch(/^HTTP 422: error when executing query=/);

    answer = {
      status: 422,
      body: { status: 'error', errorType: '422', error: 'error when executing query="nosuchfunc(up)" on the time range (...): cannot execute query: unknown func "nosuchfunc"' },
    };
    expect(((await client.queryRange('nosuchfunc(up)', 0, 100, 1).catch((e: unknown) => e)) as PrometheusError).message).toBe('Prometheus rejected the query');

    answer = {
      status: 422,
      body: {
        status: 'error',
        errorType: '422',
        error: 'error when executing query="a * on (m) b" on the time range (...): cannot execute query: cannot evaluate "a * on (m) b": duplicate time series on the left side of * on (m)',
      },
    };
    const run = (await client.queryRange('a * on (m) b', 0, 100, 1).catch((e: unknown) => e)) as PrometheusError;
    expect(run.kind).toBe('bad_query');
    expect(run.exitCode).toBe(2);
    expect(run.message).toBe('Prometheus could not evaluate the query');
  });

  it('keeps Prometheus\' own errorType in the reason', async () => {
    answer = { status: 422, body: { status: 'error', errorType: 'execution', error: 'many-to-many matching not allowed' } };
    const err = (await client.queryRange('a * on (m) b', 0, 100, 1).catch((e: unknown) => e)) as PrometheusError;
    expect(err.reason).toBe('HTTP 422 execution: many-to-many matching not allowed');
  });
});
