import { logReader } from '../../formats/reader.js';
import type { SourceKind } from '../types.js';

/** Any other text log: each line read by the text format that claims it; tracebacks kept with their record. */
export const textSource: SourceKind = {
  name: 'text',
  description: 'text log (Python logging, uvicorn, gunicorn, access logs, logfmt, ...; tracebacks kept with their record)',
  detect: () => true,
  parser: (ctx, sink) => logReader(ctx, sink, { strictJson: false }),
};
