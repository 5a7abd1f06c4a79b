/**
 * The load's accounting added up over the files. Types only from the loader,
 * so the commands that print it do not load DuckDB when they start.
 */
import type { FileReport, LoadResult } from './load.js';

/** Sums over every file of a load, kept with it (LoadResult.sums) even when it lists only some of the files. */
export interface FileSums {
  files: number;
  loaded: number;
  skipped: number;
  lines: number;
  records: number;
  untimed: number;
  repaired: number;
}

/** What was read, added up over the files: the inputs figures of obs sources, obs report and obs triage. */
export interface LoadTotals extends FileSums {
  unreadable: number;
  rejected: number;
  passed_over: number;
  missing_index_targets: number;
}

export function sumFiles(files: readonly FileReport[]): FileSums {
  const sums: FileSums = { files: files.length, loaded: 0, skipped: 0, lines: 0, records: 0, untimed: 0, repaired: 0 };
  for (const f of files) {
    if (f.status === 'loaded') sums.loaded++;
    if (f.status === 'skipped') sums.skipped++;
    sums.lines += f.lines;
    sums.records += f.records;
    sums.untimed += f.untimed;
    sums.repaired += f.repaired;
  }
  return sums;
}

/** A file a load through the cache lists though not asked for every file: see LoadResult.files. */
export function noteworthy(r: Omit<FileReport, 'issues'>): boolean {
  return r.status !== 'loaded' || r.rejected > 0 || r.repaired > 0 || r.note !== null;
}

export function loadTotals(load: LoadResult): LoadTotals {
  const s = load.sums;
  return {
    files: s.files,
    loaded: s.loaded,
    skipped: s.skipped,
    unreadable: load.unreadable,
    lines: s.lines,
    records: s.records,
    untimed: s.untimed,
    rejected: load.rejected,
    repaired: s.repaired,
    passed_over: load.ignored.length,
    missing_index_targets: load.missingTargets.length,
  };
}
