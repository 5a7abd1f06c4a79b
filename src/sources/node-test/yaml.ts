/**
 * The YAML block under a TAP test point, as node:test writes it: one flat
 * mapping of `key: value`, values plain, quoted ('...' or "...") or block
 * scalars (`|-` with the text indented below). Nested values (an `expected`
 * object) are skipped. Not a YAML parser: the subset node:test prints.
 */

export type TapValue = string | number | boolean | null;

const KEY = /^([A-Za-z_][\w-]*):(?: (.*))?$/;
const BLOCK = /^[|>][+-]?$/;

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/**
 * The text without its line ends at the end. A loop: `replace(/\n+$/, '')`
 * retries from every line end of a run of blank lines, in quadratic time.
 */
export function withoutFinalNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 10) end--;
  return text.slice(0, end);
}

/** The smallest indentation of the lines that are not blank; Infinity when all are. */
function minIndent(lines: string[]): number {
  let min = Infinity;
  for (const l of lines) if (l.trim() !== '') min = Math.min(min, indentOf(l));
  return min;
}

function scalar(text: string): TapValue {
  const t = text.trim();
  if (t.startsWith("'") && t.endsWith("'") && t.length >= 2) return t.slice(1, -1).replaceAll("''", "'");
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) {
    try {
      return JSON.parse(t.replace(/\\'/g, "'")) as string;
    } catch {
      return t.slice(1, -1);
    }
  }
  if (t === 'null' || t === '~' || t === '') return null;
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i.test(t)) return Number(t);
  return t;
}

/** The mapping of a block's lines (between `---` and `...`), keys at the block's own indentation. */
export function parseTapYaml(lines: string[]): Record<string, TapValue> {
  const out: Record<string, TapValue> = {};
  // Loops, not Math.min(...): a spread of 10^5 values overflows the stack.
  const base = minIndent(lines);
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || indentOf(line) !== base) {
      i++;
      continue;
    }
    const m = KEY.exec(line.slice(base));
    i++;
    if (!m) continue;
    const key = m[1] ?? '';
    const value = m[2] ?? '';
    // Lines indented below the key: a block scalar's text, or a nested value.
    const below: string[] = [];
    while (i < lines.length && ((lines[i] ?? '').trim() === '' || indentOf(lines[i] ?? '') > base)) below.push(lines[i++] ?? '');
    if (BLOCK.test(value.trim())) {
      const cut = below.some((l) => l.trim() !== '') ? minIndent(below) : 0;
      let text = below.map((l) => (l.trim() === '' ? '' : l.slice(cut))).join('\n');
      const chomp = value.trim()[1];
      if (chomp === '-') text = withoutFinalNewlines(text);
      else if (chomp !== '+' && text.endsWith('\n')) text = `${withoutFinalNewlines(text)}\n`;
      if (value.trim().startsWith('>')) text = text.replace(/([^\n])\n(?=[^\n])/g, '$1 ');
      out[key] = text;
    } else if (value.trim() === '' && below.length > 0) {
      out[key] = null;
    } else {
      out[key] = scalar(value);
    }
  }
  return out;
}
