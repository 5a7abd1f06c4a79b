/**
 * A last line without a line end: in a file written a moment ago it is the
 * writer's line in progress, left out (not counted, not rejected) with a note
 * on the file; in a file quiet for longer it was cut by a crash, and rejected.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from '../../../src/db/database.js';
import { FormatSet } from '../../../src/formats/formats.js';
import { PriceBook } from '../../../src/llm/prices.js';
import { loadSources, STILL_WRITING_MS, type FileReport, type LoadResult } from '../../../src/load/load.js';
import { reportLoad } from '../../../src/commands/shared/options.js';

const dir = mkdtempSync(path.join(tmpdir(), 'obs-still-writing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load(file: string, stillWritingMs?: number): Promise<LoadResult> {
  const db = await Database.open();
  try {
    return await loadSources(db, [file], { tz: 'UTC', cwd: dir, formats: FormatSet.create(), prices: new PriceBook(), stillWritingMs });
  } finally {
    db.close();
  }
}

async function report(file: string, stillWritingMs?: number): Promise<FileReport> {
  return (await load(file, stillWritingMs)).files[0] as FileReport;
}

describe('a last line without a line end', () => {
  const file = path.join(dir, 'app.jsonl');
  const text = '{"ts":"2026-03-02T09:00:00Z","level":"info","message":"one"}\n{"ts":"2026-03-02T09:00:01Z","lev';

  it('is left out of a file still being written, and the file says so', async () => {
    writeFileSync(file, text);
    const f = await report(file, 600_000);
    expect(f).toMatchObject({ status: 'loaded', lines: 1, recordLines: 1, records: 1, rejected: 0 });
    expect(f.note).toMatch(/^still being written: its last line \(33 bytes so far, no line end yet; the file was written \d+ ms before it was read\) was left out$/);
  });

  it('every command says on stderr that the line was left out', async () => {
    writeFileSync(file, text);
    const notes: string[] = [];
    reportLoad(await load(file, 600_000), { note: (m) => notes.push(m), warn: (m) => notes.push(`warning: ${m}`), warnings: [] });
    expect(notes).toEqual([`app.jsonl is still being written: its last line has no line end yet and was left out (run again, or use --follow)`]);
  });

  it('is rejected in a file no longer written (a crash cut it)', async () => {
    writeFileSync(file, text);
    const past = new Date(Date.now() - 10 * STILL_WRITING_MS);
    utimesSync(file, past, past);
    const f = await report(file);
    expect(f).toMatchObject({ status: 'loaded', lines: 2, recordLines: 1, records: 1, rejected: 1, note: null });
    expect(f.issues[0]?.reason).toMatch(/the last line has no line end: the file may still be being written, or was cut/);
  });
});
