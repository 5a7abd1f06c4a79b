/**
 * Markdown text that GitHub renders as written: the escaping every markdown
 * view (obs report, -o markdown tables) shares.
 */

/** Text for a markdown table cell: one line, with what markdown or HTML would read escaped. */
export function mdCell(s: string): string {
  return s
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[\\`*[\]|~]/g, (c) => `\\${c}`)
    // An underscore inside a word (call_label) never starts emphasis; elsewhere it could.
    .replace(/_/g, (u, at: number, all: string) => (/[A-Za-z0-9]/.test(all[at - 1] ?? '') && /[A-Za-z0-9]/.test(all[at + 1] ?? '') ? u : '\\_'))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** The lines of a GitHub table: header, alignment row (right-aligned columns `---:`), rows. Cells come escaped (mdCell) or as markup. */
export function mdTableLines(header: readonly string[], right: readonly boolean[], rows: ReadonlyArray<readonly string[]>): string[] {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(right.map((r) => (r ? '---:' : '---'))), ...rows.map(line)];
}
