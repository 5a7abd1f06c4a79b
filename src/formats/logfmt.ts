/**
 * logfmt: `ts=2026-11-21T22:18:05.637Z level=info msg="Starting Prometheus"`.
 * Keys are runs of characters other than space, `=` and `"`; a value is bare
 * (up to the next space) or double-quoted with backslash escapes; a key with
 * no `=` is a flag set to true. A line is logfmt only if it is nothing but
 * such pairs, with at least two `key=value` pairs.
 */

export type LogfmtValue = string | true;

export function parseLogfmt(line: string): Record<string, LogfmtValue> | null {
  // Two pairs need two "=": most lines of other formats are turned away here, before any parsing.
  const firstEq = line.indexOf('=');
  if (firstEq < 0 || line.indexOf('=', firstEq + 1) < 0) return null;
  const out: Record<string, LogfmtValue> = {};
  const n = line.length;
  let i = 0;
  let pairs = 0;
  while (i < n) {
    while (i < n && line.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c === 32 || c === 61 || c === 34) break;
      i++;
    }
    if (i === keyStart) return null;
    const key = line.slice(keyStart, i);
    if (i >= n || line.charCodeAt(i) === 32) {
      out[key] = true;
      continue;
    }
    if (line.charCodeAt(i) !== 61) return null;
    i++;
    let value: string;
    if (i < n && line.charCodeAt(i) === 34) {
      i++;
      let buf = '';
      let closed = false;
      while (i < n) {
        const c = line[i] as string;
        if (c === '\\' && i + 1 < n) {
          const next = line[i + 1] as string;
          buf += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        buf += c;
        i++;
      }
      if (!closed) return null;
      if (i < n && line.charCodeAt(i) !== 32) return null;
      value = buf;
    } else {
      const start = i;
      while (i < n && line.charCodeAt(i) !== 32) i++;
      value = line.slice(start, i);
      if (value.includes('"')) return null;
    }
    out[key] = value;
    pairs++;
  }
  return pairs >= 2 ? out : null;
}
