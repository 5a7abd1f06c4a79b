import { describe, expect, it } from 'vitest';
import { exemplarDocs } from '../../../src/prometheus/collect.js';

const series = (name: string, labels: Record<string, string>, exemplars: Array<[Record<string, string>, string, number]>) => ({
  seriesLabels: { __name__: name, ...labels },
  exemplars: exemplars.map(([l, value, timestamp]) => ({ labels: l, value, timestamp })),
});

describe('exemplarDocs', () => {
  it('reads trace and span ids under the names client libraries use, and flags the subject\'s traces', () => {
    const docs = exemplarDocs(
      [
        series('a_bucket', { le: '1' }, [[{ trace_id: 'AB12', span_id: 's1' }, '0.5', 100]]),
        series('b_total', {}, [
          [{ traceID: 'cd34', spanID: 's2' }, '1', 101],
          [{ traceId: 'ef56', spanId: 's3' }, '1', 102],
          [{ user: 'u1' }, '1', 103],
        ]),
      ],
      ['ab12', 'ef56'],
    );
    expect(docs.map((d) => [d.metric, d.trace_id, d.span_id, d.in_subject])).toEqual([
      ['a_bucket', 'AB12', 's1', true],
      ['b_total', 'cd34', 's2', false],
      ['b_total', 'ef56', 's3', true],
      ['b_total', null, null, false],
    ]);
    expect(docs[0]!.series_labels).toEqual({ le: '1' });
  });

  it('orders by time, then metric; keeps milliseconds exact; NaN and ±Inf values are null', () => {
    const docs = exemplarDocs(
      [
        series('z_total', {}, [[{ trace_id: 't1' }, 'NaN', 1795309863.261]]),
        series('a_total', {}, [
          [{ trace_id: 't2' }, '+Inf', 1795309863.261],
          [{ trace_id: 't3' }, '2.5', 1795309860.001],
        ]),
      ],
      [],
    );
    expect(docs.map((d) => [d.ts, d.metric, d.value])).toEqual([
      ['2026-11-22T01:11:00.001Z', 'a_total', 2.5],
      ['2026-11-22T01:11:03.261Z', 'a_total', null],
      ['2026-11-22T01:11:03.261Z', 'z_total', null],
    ]);
  });

  it('lists an exemplar once when two answers hold it', () => {
    const one = series('a_total', { job: 'x' }, [[{ trace_id: 't1' }, '1', 10]]);
    expect(exemplarDocs([one, structuredClone(one)], ['t1'])).toHaveLength(1);
  });
});
