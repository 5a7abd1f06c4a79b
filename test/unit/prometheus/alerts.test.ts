import { describe, expect, it } from 'vitest';
import { summariseAlerts } from '../../../src/prometheus/alerts.js';

/** Samples every `step` seconds from `from` to `to` (both included), as Prometheus returns them. */
const samples = (from: number, to: number, step = 1): Array<[number, string]> => {
  const out: Array<[number, string]> = [];
  for (let t = from; t <= to + 1e-9; t += step) out.push([Math.round(t * 1000) / 1000, '1']);
  return out;
};

describe('summariseAlerts', () => {
  it('gives first and last firing, samples x interval, and a period per run of evaluations', () => {
    const [a] = summariseAlerts([
      {
        metric: { __name__: 'ALERTS', alertname: 'GatewayUpstreamFailures', alertstate: 'firing', severity: 'critical', target: 'agent', status_code: '500' },
        // Fired 22:18:27.547–22:19:26.547, missed one evaluation, fired again to 22:20:01.547.
        values: [...samples(1795299507.547, 1795299566.547), ...samples(1795299568.547, 1795299601.547)],
      },
    ]);
    expect(a).toEqual({
      alertname: 'GatewayUpstreamFailures',
      severity: 'critical',
      labels: { target: 'agent', status_code: '500' },
      first_firing: '2026-11-21T22:18:27.547Z',
      last_firing: '2026-11-21T22:20:01.547Z',
      firing_seconds: 94,
      interval_seconds: 1,
      samples: 94,
      periods: [
        { from: '2026-11-21T22:18:27.547Z', to: '2026-11-21T22:19:26.547Z' },
        { from: '2026-11-21T22:19:28.547Z', to: '2026-11-21T22:20:01.547Z' },
      ],
    });
  });

  it('takes the interval of other series for an alert seen at one evaluation, and orders by first firing', () => {
    const alerts = summariseAlerts([
      { metric: { alertname: 'Late', alertstate: 'firing' }, values: samples(1000, 1150, 15) },
      { metric: { alertname: 'Once', alertstate: 'firing', severity: 'info' }, values: [[900, '1']] },
    ]);
    expect(alerts.map((a) => a.alertname)).toEqual(['Once', 'Late']);
    expect(alerts[0]).toMatchObject({ samples: 1, interval_seconds: 15, firing_seconds: 15, periods: [{ from: '1970-01-01T00:15:00.000Z', to: '1970-01-01T00:15:00.000Z' }] });
    expect(alerts[1]).toMatchObject({ severity: null, samples: 11, firing_seconds: 165 });
  });

  it('says the duration is unknown when no series has two samples', () => {
    const [a] = summariseAlerts([{ metric: { alertname: 'Once', alertstate: 'firing' }, values: [[900, '1']] }]);
    expect(a).toMatchObject({ firing_seconds: null, interval_seconds: null, periods: [{ from: '1970-01-01T00:15:00.000Z', to: '1970-01-01T00:15:00.000Z' }] });
  });
});
