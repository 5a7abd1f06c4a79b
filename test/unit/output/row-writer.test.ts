/**
 * A listing written a chunk at a time (rowWriter) gives the very bytes of
 * the whole listing (the JSON document JSON.stringify writes, one object per
 * NDJSON line, one header and a line per row in TSV and CSV), however the
 * rows are cut into chunks.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { csvField, render, rowWriter, tsvField, type Column, type Format, type Row } from '../../../src/output/render.js';

const color = new Chalk({ level: 0 });
const columns: Column[] = [{ key: 'ts' }, { key: 'message' }, { key: 'frames' }];
const meta = { window: { since: null, until: '2026-03-02T09:00:00.000Z' }, count: 0, truncated: false };

/** Rows with what JSON and the text formats must escape: line breaks, tabs, quotes, commas, nesting, NUL, non-ASCII. */
function rows(n: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    ts: i % 3 === 0 ? null : `2026-03-02T09:00:${String(i % 60).padStart(2, '0')}.000Z`,
    message: ['plain', 'two\nlines', 'tab\there, "quoted", comma', 'ünïcode ✓', 'nul \u0000 and \\ backslash', ''][i % 6],
    frames: i % 2 === 0 ? [{ file: 'a.py', line: i, names: ['x', 'y'] }] : [],
    empty: {},
  }));
}

class Sink {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Cuts the rows at the given sizes, over and over, then writes them through rowWriter. */
function streamed(format: Format, all: Row[], sizes: number[]): string {
  const out = new Sink();
  const w = rowWriter(out, { format, noun: 'errors', columns, meta, color });
  let at = 0;
  for (let k = 0; at < all.length; k++) {
    const size = sizes[k % sizes.length]!;
    w.rows(all.slice(at, at + size));
    at += size;
  }
  w.end();
  return out.text;
}

/** The whole listing, written here without the code under test. */
function whole(format: Format, all: Row[]): string {
  const line = (cells: string[], sep: string): string => `${cells.join(sep)}\n`;
  switch (format) {
    case 'json':
      return `${JSON.stringify({ ...meta, errors: all }, null, 2)}\n`;
    case 'ndjson':
      return all.map((r) => `${JSON.stringify(r)}\n`).join('');
    case 'tsv':
      return line(columns.map((c) => c.key), '\t') + all.map((r) => line(columns.map((c) => tsvField(r[c.key])), '\t')).join('');
    default:
      return line(columns.map((c) => csvField(c.key)), ',') + all.map((r) => line(columns.map((c) => csvField(r[c.key])), ',')).join('');
  }
}

/** What render gives for all the rows at once. */
function rendered(format: Format, all: Row[]): string {
  const out = new Sink();
  render(out, { format, noun: 'errors', columns, rows: all, meta, color });
  return out.text;
}

describe('rowWriter', () => {
  const formats: Format[] = ['json', 'ndjson', 'tsv', 'csv'];
  for (const format of formats) {
    it(`${format}: the same bytes as the whole listing, for any cut into chunks`, () => {
      for (const n of [0, 1, 2, 7, 50]) {
        const all = rows(n);
        const expected = whole(format, all);
        expect(rendered(format, all), `${n} rows at once`).toBe(expected);
        for (const sizes of [[1], [2048], [3, 0, 5], [0, 1], [n || 1]]) {
          expect(streamed(format, all, sizes), `${n} rows in chunks of ${sizes.join(',')}`).toBe(expected);
        }
      }
    });
  }

  it('json: the document JSON.stringify writes, rows last, parseable whatever the rows hold', () => {
    const all = rows(9);
    const text = streamed('json', all, [4]);
    expect(text).toBe(`${JSON.stringify({ ...meta, errors: all }, null, 2)}\n`);
    expect(JSON.parse(text)).toEqual({ ...meta, errors: all });
    expect(streamed('json', [], [1])).toBe(`${JSON.stringify({ ...meta, errors: [] }, null, 2)}\n`);
  });

  it('says when the stream refused a write', () => {
    let calls = 0;
    const full = { write: (): boolean => ++calls > 1 };
    const w = rowWriter(full, { format: 'ndjson', noun: 'errors', columns, meta, color });
    expect(w.rows(rows(2))).toBe(false);
    expect(w.rows(rows(2))).toBe(true);
  });

  it('refuses the formats that size columns from every row', () => {
    expect(() => rowWriter(new Sink(), { format: 'table', noun: 'errors', columns, meta, color })).toThrow(/table/);
  });
});
