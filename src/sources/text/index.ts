import type { SourceKind } from '../types.js';
import { textParser } from './parser.js';

/** Any other text log: records start with a timestamp or a level; other lines continue them. */
export const textSource: SourceKind = {
  name: 'text',
  description: 'text log (timestamped or level-prefixed lines; tracebacks kept with their record)',
  detect: () => true,
  parser: (ctx, sink) => textParser(ctx, sink, { strictJson: false }),
};
