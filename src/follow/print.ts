/**
 * Prints the batches of `--follow` in the chosen format, each with one write
 * so that stopping never leaves half a batch on stdout: the table and TSV
 * header once (table column widths may differ from batch to batch), one
 * object per line for NDJSON, one JSON document per batch for --json (a
 * stream of documents, as `jq` reads them), a blank line between traceback
 * blocks.
 */
import type { Context, OutStream } from '../context.js';
import { output, type Output } from '../commands/shared/command.js';
import type { Loaded } from '../commands/shared/options.js';
import type { Format, Row } from '../output/render.js';

/**
 * Lines a format prints before the first row, dropped from every batch after
 * the first. A new format must say how it streams.
 */
function headerLines(format: Format): number {
  switch (format) {
    case 'table':
    case 'tsv':
    case 'csv':
      return 1;
    case 'markdown':
      // The header and the alignment row.
      return 2;
    case 'json':
    case 'ndjson':
      return 0;
    default: {
      const unknown: never = format;
      throw new Error(`--follow does not know how ${String(unknown)} prints its header`);
    }
  }
}

/** Captures what output() writes, with the terminal's properties (width, TTY) of the real stream. */
function capture(out: OutStream): OutStream & { text: string } {
  const c = {
    text: '',
    write(chunk: string): boolean {
      c.text += chunk;
      return true;
    },
    isTTY: out.isTTY,
    columns: out.columns,
  };
  return c;
}

export class BatchPrinter {
  private headerShown = false;
  private printed = false;

  constructor(private readonly ctx: Context) {}

  /**
   * Prints rows through the command's own output. `first` is the batch of the
   * records already there at the start: it is printed even when empty (the
   * TSV header, the JSON document); later batches only when they hold rows.
   */
  print(s: Loaded, out: Output, rows: Row[], opts: { first: boolean; truncated?: boolean }): void {
    if (!opts.first && rows.length === 0) return;
    const cap = capture(this.ctx.stdout);
    // Notes are the follow loop's to give; the rows are the ones not printed yet.
    const quiet: Loaded = { ...s, collect: undefined, report: { ...s.report, note: () => {} } };
    const batch: Output = { ...out, rows };
    if (opts.truncated === undefined) delete batch.truncated;
    else batch.truncated = opts.truncated;
    output({ ...this.ctx, stdout: cap }, quiet, batch);
    let text = cap.text;
    if (out.view !== undefined) {
      if (this.printed && text !== '') text = `\n${text}`;
    } else {
      const header = headerLines(s.format);
      if (this.headerShown && header > 0) text = dropLines(text, header);
      if (text !== '') this.headerShown = true;
    }
    if (text === '') return;
    this.printed = true;
    this.ctx.stdout.write(text);
  }
}

function dropLines(text: string, n: number): string {
  let at = 0;
  for (let i = 0; i < n; i++) {
    const nl = text.indexOf('\n', at);
    if (nl === -1) return '';
    at = nl + 1;
  }
  return text.slice(at);
}
