import { isJsonObjectLine } from '../jsonl/index.js';
import type { SourceKind } from '../types.js';

/** A pretty-printed .json document (a config, a report): recognised so it is reported, not read as a log. */
export const jsonDocumentSource: SourceKind = {
  name: 'json_document',
  description: 'JSON document (not JSON lines)',
  detect: ({ name, head }) => /\.json$/i.test(name) && head.length > 0 && !isJsonObjectLine(head[0]),
  skipReason: 'a JSON document, not JSON lines: obs reads logs with one record per line',
};
