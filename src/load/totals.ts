/**
 * The load's accounting added up over the files. Types only from the loader,
 * so the commands that print it do not load DuckDB when they start.
 */
import type { LoadResult } from './load.js';

/** What was read, added up over the files: the inputs figures of obs sources, obs report and obs triage. */
export interface LoadTotals {
  files: number;
  loaded: number;
  skipped: number;
  unreadable: number;
  lines: number;
  records: number;
  untimed: number;
  rejected: number;
  repaired: number;
  passed_over: number;
  missing_index_targets: number;
}

export function loadTotals(load: LoadResult): LoadTotals {
  const sum = (k: 'lines' | 'records' | 'repaired' | 'untimed'): number => load.files.reduce((n, f) => n + f[k], 0);
  return {
    files: load.files.length,
    loaded: load.files.filter((f) => f.status === 'loaded').length,
    skipped: load.files.filter((f) => f.status === 'skipped').length,
    unreadable: load.unreadable,
    lines: sum('lines'),
    records: sum('records'),
    untimed: sum('untimed'),
    rejected: load.rejected,
    repaired: sum('repaired'),
    passed_over: load.ignored.length,
    missing_index_targets: load.missingTargets.length,
  };
}
