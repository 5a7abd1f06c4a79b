/**
 * Reads lines the way the loader does, with every format in effect, and says
 * which format claimed each and what it read. Used to check that every
 * format reads its own samples (and that no other format claims them
 * first), for built-in formats in the tests and for the config file's at
 * start.
 */
import type { RawLine } from '../sources/lines.js';
import type { EventRow, RecordSink } from '../sources/types.js';
import { parseTimestampValue } from '../time/time.js';
import type { FormatDefinition } from './definition.js';
import { FormatSet } from './formats.js';
import { logReader } from './reader.js';
import { PriceBook } from '../llm/prices.js';

export interface ReadLine {
  format: string | null;
  row: EventRow | null;
  rejected: string | null;
}

/** Reads text as a small log file (lines split on \n) and returns its records. */
export function readSample(text: string, formats: FormatSet, tz = 'UTC'): ReadLine[] {
  const out: ReadLine[] = [];
  const sink: RecordSink = {
    event: (row) => out.push({ format: row.format ?? null, row, rejected: null }),
    llmCall: () => {},
    span: () => {},
    indexEntry: () => {},
    reject: (_line, reason) => out.push({ format: null, row: null, rejected: reason }),
    blank: () => {},
  };
  const reader = logReader({ path: '<sample>', tz, defaults: {}, formats, prices: new PriceBook() }, sink, { strictJson: false });
  text.split('\n').forEach((t, i) => {
    const line: RawLine = { lineNo: i + 1, text: t, invalidUtf8: false, nulBytes: false, unterminated: false };
    reader.line(line);
  });
  reader.end();
  return out;
}

export interface SampleProblem {
  format: string;
  /** 0-based index of the sample. */
  sample: number;
  reason: string;
}

function same(key: string, actual: unknown, expected: string | null): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (key === 'ts') return typeof actual === 'number' && parseTimestampValue(expected, 'UTC') === actual;
  return actual === expected;
}

function shown(key: string, v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (key === 'ts' && typeof v === 'number') return new Date(v / 1000).toISOString();
  return JSON.stringify(v);
}

/** Problems with the samples of the given formats, read with those formats before the built-in ones. */
export function checkSamples(defs: readonly FormatDefinition[], formats: FormatSet = FormatSet.create(defs)): SampleProblem[] {
  const problems: SampleProblem[] = [];
  for (const def of defs) {
    def.samples.forEach((sample, i) => {
      const [first] = readSample(sample.line, formats);
      const problem = (reason: string): void => {
        problems.push({ format: def.name, sample: i, reason });
      };
      if (first === undefined) return problem('the sample is blank');
      if (first.rejected !== null) return problem(`the line was rejected: ${first.rejected}`);
      if (first.format !== def.name) return problem(`format "${first.format}" claimed the line first`);
      for (const [key, expected] of Object.entries(sample.expect)) {
        const actual = first.row?.[key as keyof EventRow];
        if (!same(key, actual, expected)) return problem(`${key}: expected ${shown(key, expected)}, read ${shown(key, actual)}`);
      }
    });
  }
  return problems;
}
