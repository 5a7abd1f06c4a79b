/** Sparklines: a series as one line of block characters, for terminals. */

const BARS = '▁▂▃▄▅▆▇█';

/**
 * Up to `width` characters; when there are more points than characters, each
 * character shows the largest value of its slice (a spike stays visible).
 * A gap (null) is a space; a flat series is a row of the lowest bar.
 */
export function sparkline(values: Array<number | null>, width = 40): string {
  if (values.length === 0) return '';
  const n = Math.min(width, values.length);
  const cells: Array<number | null> = [];
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * values.length) / n);
    const to = Math.max(from + 1, Math.floor(((i + 1) * values.length) / n));
    let best: number | null = null;
    for (const v of values.slice(from, to)) if (v !== null && Number.isFinite(v) && (best === null || v > best)) best = v;
    cells.push(best);
  }
  const known = cells.filter((v): v is number => v !== null);
  if (known.length === 0) return ' '.repeat(n);
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  return cells
    .map((v) => {
      if (v === null) return ' ';
      // A flat series: low bars at zero, full bars otherwise (an alert that fired for a while).
      if (hi === lo) return hi === 0 ? BARS[0] : BARS[BARS.length - 1];
      return BARS[Math.min(BARS.length - 1, Math.floor(((v - lo) / (hi - lo)) * BARS.length))];
    })
    .join('');
}

/**
 * The points of a range query placed on its time grid (start, start + step,
 * ... end), so a series that exists for part of the window (an alert that
 * fired, a counter born late) shows gaps where it had no sample.
 */
export function onGrid(points: Array<[number, number | null]>, start: number, end: number, step: number): Array<number | null> {
  const slots = Math.max(1, Math.floor((end - start) / step + 1e-9) + 1);
  const out: Array<number | null> = new Array(slots).fill(null);
  for (const [t, v] of points) {
    const i = Math.round((t - start) / step);
    if (i >= 0 && i < slots) out[i] = v;
  }
  return out;
}

/** A number for people: integers as is, others with up to 3 significant decimals. */
export function shortNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 100) return v.toFixed(0);
  if (abs >= 1) return v.toFixed(2).replace(/\.?0+$/, '');
  return v.toPrecision(3).replace(/\.?0+$/, '');
}
