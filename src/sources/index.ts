/**
 * The registry of data sources, in detection order: the first kind whose
 * detect() accepts a file reads it. Specific kinds come before general ones.
 */
import { jsonDocumentSource } from './json-document/index.js';
import { jsonlSource } from './jsonl/index.js';
import { llmIoSource } from './llm-io/index.js';
import { logIndexSource } from './log-index/index.js';
import { nodeTestSource } from './node-test/index.js';
import { otlpMetricsSource, otlpSource } from './otlp/index.js';
import { pytestSource } from './pytest/index.js';
import { sessionLogSource } from './session-log/index.js';
import { textSource } from './text/index.js';
import type { SourceKind } from './types.js';

export const SOURCES: readonly SourceKind[] = [
  logIndexSource,
  sessionLogSource,
  llmIoSource,
  otlpSource,
  otlpMetricsSource,
  pytestSource,
  nodeTestSource,
  jsonDocumentSource,
  jsonlSource,
  textSource,
];

export function detectKind(file: { name: string; head: string[] }): SourceKind {
  for (const kind of SOURCES) if (kind.detect(file)) return kind;
  return textSource;
}
