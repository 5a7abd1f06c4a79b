import type { SourceKind } from '../types.js';

/** OpenTelemetry OTLP/JSON exports. Recognised so they are reported, not misread as logs. */
export const otlpSource: SourceKind = {
  name: 'otlp',
  description: 'OpenTelemetry OTLP/JSON export (spans, logs or metrics)',
  detect: ({ head }) => head[0] !== undefined && /^\{\s*"resource(Spans|Logs|Metrics)"/.test(head[0]),
  skipReason: 'OpenTelemetry exports are recognised but not loaded by this version',
};
