/**
 * Renders rows in the chosen format. Data goes to stdout only: a table on a
 * terminal, tab-separated values with one header line when piped, one JSON
 * document with --json, one object per line with --ndjson, RFC 4180 CSV with
 * --csv, a GitHub-flavoured markdown table with -o markdown.
 */
import type { OutStream } from '../context.js';
import { levelColor, type Palette } from './color.js';
import { mdCell, mdTableLines } from './markdown.js';
import { displayWidth, truncateToWidth } from './width.js';

export const FORMATS = ['table', 'tsv', 'json', 'ndjson', 'csv', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export type Row = Record<string, unknown>;

/** Formats that print a fixed set of columns (the rest print whole objects). */
export function isColumnFormat(format: Format): boolean {
  return format !== 'json' && format !== 'ndjson';
}

export interface Column {
  key: string;
  header?: string;
  /** The column that gives up width when the terminal is narrow. */
  flex?: boolean;
  align?: 'left' | 'right';
  /** Colour by level value. */
  level?: boolean;
  /** How the terminal shows the value, when not as plain text. */
  text?: (v: unknown) => string;
}

export interface RenderOptions {
  format: Format;
  /** The key that holds the rows in the JSON document (`sessions`, `events`, ...). */
  noun: string;
  columns: Column[];
  rows: Row[];
  /** Extra top-level fields of the JSON document (window, totals). */
  meta: Record<string, unknown>;
  /** Rows the table view adds below the others (a total); JSON, NDJSON and TSV carry only `rows`. */
  footer?: Row[];
  color: Palette;
  width?: number;
}

/** USD for people: "$0.0123" (digits after the point), "unknown" for null: an unknown cost is never shown as 0. */
export function formatUsd(v: unknown, digits = 4): string {
  if (typeof v !== 'number') return 'unknown';
  return `$${v.toFixed(digits)}`;
}

/** A cell for the terminal: one line, lists joined, nothing for null. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(cellText).join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A TSV field: tabs, newlines and backslashes escaped so each row stays one line. */
export function tsvField(v: unknown): string {
  return cellText(v).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled. */
export function csvField(v: unknown): string {
  const text = cellText(v);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A GitHub-flavoured markdown table: header, alignment row, one line per row. */
export function markdownTable(columns: Column[], rows: Row[]): string {
  const lines = mdTableLines(
    columns.map((c) => mdCell(c.header ?? c.key)),
    columns.map((c) => c.align === 'right'),
    rows.map((r) => columns.map((c) => mdCell(c.text ? c.text(r[c.key]) : cellText(r[c.key])))),
  );
  return `${lines.join('\n')}\n`;
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return nl === -1 ? s : `${s.slice(0, nl)} …`;
}

function renderTable(o: RenderOptions): string {
  const headers = o.columns.map((c) => c.header ?? c.key);
  const cells = [...o.rows, ...(o.footer ?? [])].map((r) => o.columns.map((c) => firstLine(c.text ? c.text(r[c.key]) : cellText(r[c.key]))));
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...cells.map((row) => displayWidth(row[i] ?? ''))));
  const total = (ws: number[]): number => ws.reduce((a, b) => a + b + 2, 0);
  const limit = o.width ?? 0;
  if (limit > 0 && total(widths) > limit) {
    const flex = o.columns.findIndex((c) => c.flex);
    if (flex !== -1) {
      const others = total(widths) - (widths[flex] ?? 0) - 2;
      // The flex column keeps at least 30 characters; past that the terminal wraps.
      widths[flex] = Math.min(widths[flex] ?? 0, Math.max(30, limit - others - 2));
    }
  }
  // Each cell is cut and padded as plain text, then coloured, so escape codes never count as width.
  const line = (row: string[], paint: (text: string, i: number) => string): string =>
    row
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        const text = truncateToWidth(cell, width);
        const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
        return o.columns[i]?.align === 'right' ? fill + paint(text, i) : paint(text, i) + fill;
      })
      .join('  ')
      // The last column is padded like the others; trailing blanks are noise.
      .trimEnd();
  const lines = [line(headers, (text) => (text === '' ? text : o.color.bold(text)))];
  for (const row of cells) lines.push(line(row, (text, i) => (o.columns[i]?.level ? levelColor(o.color, text) : text)));
  return `${lines.join('\n')}\n`;
}

/** The formats a RowWriter can write a chunk at a time: all but those that size their columns from every row. */
export function isStreamFormat(format: Format): boolean {
  return format === 'json' || format === 'ndjson' || format === 'tsv' || format === 'csv';
}

/**
 * Writes rows as they come, a chunk at a time, in one of the stream formats:
 * the same bytes render gives for all the rows at once. rows and end return
 * what the last write returned (false: wait for the stream to drain).
 */
export interface RowWriter {
  rows(rows: readonly Row[]): boolean;
  end(): boolean;
}

/** Where the rows go in the JSON document: a string no value can be, replaced as the rows are written. */
const ROWS_MARK = '\u0000rows';

export function rowWriter(out: OutStream, o: Omit<RenderOptions, 'rows' | 'footer'>): RowWriter {
  switch (o.format) {
    case 'json': {
      // The document as JSON.stringify(..., null, 2) writes it, with the rows (the last key) left open.
      const doc = JSON.stringify({ ...o.meta, [o.noun]: ROWS_MARK }, null, 2);
      const mark = doc.lastIndexOf(JSON.stringify(ROWS_MARK));
      const head = doc.slice(0, mark);
      const tail = doc.slice(mark + JSON.stringify(ROWS_MARK).length);
      let started = false;
      return {
        rows(rows) {
          if (rows.length === 0) return true;
          // A row is indented two levels; a line break inside JSON text is only ever indentation (strings escape theirs).
          const text = rows.map((r) => `    ${JSON.stringify(r, null, 2).replaceAll('\n', '\n    ')}`).join(',\n');
          const opening = started ? ',\n' : `${head}[\n`;
          started = true;
          return out.write(opening + text);
        },
        end: () => out.write(started ? `\n  ]${tail}\n` : `${head}[]${tail}\n`),
      };
    }
    case 'ndjson':
      return {
        rows: (rows) => (rows.length === 0 ? true : out.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''))),
        end: () => true,
      };
    case 'tsv':
    case 'csv': {
      const field = o.format === 'tsv' ? tsvField : csvField;
      const sep = o.format === 'tsv' ? '\t' : ',';
      const header = o.columns.map((c) => (o.format === 'tsv' ? c.key : csvField(c.key))).join(sep);
      let started = false;
      const start = (): string => {
        if (started) return '';
        started = true;
        return `${header}\n`;
      };
      return {
        rows: (rows) => (rows.length === 0 ? true : out.write(start() + rows.map((r) => `${o.columns.map((c) => field(r[c.key])).join(sep)}\n`).join(''))),
        end: () => (started ? true : out.write(start())),
      };
    }
    default:
      throw new Error(`rows in ${o.format} are not written a chunk at a time`);
  }
}

export function render(out: OutStream, o: RenderOptions): void {
  if (isStreamFormat(o.format)) {
    const w = rowWriter(out, o);
    w.rows(o.rows);
    w.end();
    return;
  }
  switch (o.format) {
    case 'markdown':
      out.write(markdownTable(o.columns, [...o.rows, ...(o.footer ?? [])]));
      return;
    case 'table':
      if (o.rows.length === 0) return;
      out.write(renderTable(o));
      return;
  }
}
