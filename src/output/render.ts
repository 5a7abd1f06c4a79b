/**
 * Renders rows in the chosen format. Data goes to stdout only: a table on a
 * terminal, tab-separated values with one header line when piped, one JSON
 * document with --json, one object per line with --ndjson, RFC 4180 CSV with
 * --csv, a GitHub-flavoured markdown table with -o markdown.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { OutStream } from '../context.js';
import { levelColor } from './color.js';
import { mdCell } from './markdown.js';

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
  color: ChalkInstance;
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
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const out = [
    line(columns.map((c) => mdCell(c.header ?? c.key))),
    line(columns.map((c) => (c.align === 'right' ? '---:' : '---'))),
    ...rows.map((r) => line(columns.map((c) => mdCell(c.text ? c.text(r[c.key]) : cellText(r[c.key]))))),
  ];
  return `${out.join('\n')}\n`;
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return nl === -1 ? s : `${s.slice(0, nl)} …`;
}

function truncate(s: string, width: number): string {
  if (width <= 1) return s.slice(0, width);
  return s.length > width ? `${s.slice(0, width - 1)}…` : s;
}

function renderTable(o: RenderOptions): string {
  const headers = o.columns.map((c) => c.header ?? c.key);
  const cells = [...o.rows, ...(o.footer ?? [])].map((r) => o.columns.map((c) => firstLine(c.text ? c.text(r[c.key]) : cellText(r[c.key]))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]?.length ?? 0)));
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
  const table = new Table({
    head: headers.map((h) => o.color.bold(h)),
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
      bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '',
      right: '', 'right-mid': '', middle: '  ',
    },
    // cli-table3 colours headers and borders by default, even when piped.
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    colAligns: o.columns.map((c) => c.align ?? 'left'),
    wordWrap: false,
  });
  for (const row of cells) {
    table.push(
      row.map((cell, i) => {
        const text = truncate(cell, widths[i] ?? cell.length);
        return o.columns[i]?.level ? levelColor(o.color, text) : text;
      }),
    );
  }
  // The last column is padded like the others; trailing blanks are noise.
  return `${table.toString().replace(/ +$/gm, '')}\n`;
}

export function render(out: OutStream, o: RenderOptions): void {
  switch (o.format) {
    case 'json':
      out.write(`${JSON.stringify({ ...o.meta, [o.noun]: o.rows }, null, 2)}\n`);
      return;
    case 'ndjson':
      for (const r of o.rows) out.write(`${JSON.stringify(r)}\n`);
      return;
    case 'tsv': {
      const lines = [o.columns.map((c) => c.key).join('\t')];
      for (const r of o.rows) lines.push(o.columns.map((c) => tsvField(r[c.key])).join('\t'));
      out.write(`${lines.join('\n')}\n`);
      return;
    }
    case 'csv': {
      const lines = [o.columns.map((c) => csvField(c.key)).join(',')];
      for (const r of o.rows) lines.push(o.columns.map((c) => csvField(r[c.key])).join(','));
      out.write(`${lines.join('\n')}\n`);
      return;
    }
    case 'markdown':
      out.write(markdownTable(o.columns, [...o.rows, ...(o.footer ?? [])]));
      return;
    case 'table':
      if (o.rows.length === 0) return;
      out.write(renderTable(o));
      return;
  }
}
