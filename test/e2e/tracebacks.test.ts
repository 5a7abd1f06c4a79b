/**
 * Tracebacks printed by real Python and Node programs (fixtures/tracebacks,
 * made by the generator scripts beside them) are parsed into the type,
 * message, frames and chain that the programs' live exception objects had
 * (each folder's truth.json, written by the generator from those objects).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, obsJson } from '../helpers/cli.js';

type Row = Record<string, unknown>;

interface TruthFrame {
  file: string | null;
  function: string | null;
  line: number | null;
  /** Node: the frame as V8 prints it, `fn (file:line:col)`. */
  at?: string;
}

interface TruthError {
  type: string;
  message: string;
  frames: number;
  frames_repeated?: number;
  innermost?: TruthFrame | null;
  chain?: Array<TruthError & { relation: string }>;
  group_members?: TruthError[];
  notes?: string[];
  syntax_location?: { file: string; line: number };
}

interface TruthCase extends TruthError {
  file: string;
  ordinal: number;
  line?: number;
  kind?: 'fatal' | 'dump';
  fatal_message?: string | null;
  threads?: number;
  current_thread_frames?: number;
  innermost_app_frame?: TruthFrame;
  output_has_stack?: boolean;
  output_has_causes?: boolean;
}

interface Frame {
  file: string;
  line: number | null;
  function: string | null;
  column?: number;
  repeated?: number;
}

interface Link {
  relation: string;
  depth: number;
  type: string | null;
  message: string;
  frames: Frame[];
}

const DIR = path.join(FIXTURES, 'tracebacks');

function truth(lang: string): TruthCase[] {
  return (JSON.parse(readFileSync(path.join(DIR, lang, 'truth.json'), 'utf8')) as { cases: TruthCase[] }).cases;
}

/** Every sighting obs found in a folder, as `obs sql` returns it. */
async function sightings(lang: string): Promise<Row[]> {
  const { data, exitCode } = await obsJson<{ rows: Row[] }>([
    'sql',
    '--logs',
    path.join(DIR, lang),
    "select source_file, source_line, kind, level, error_type, message, frames, chain, session_key, stage, context_from from error_records where kind <> 'log' order by source_file, source_line",
  ]);
  expect(exitCode).toBe(0);
  return data.rows.map((r) => ({
    ...r,
    frames: JSON.parse(String(r['frames'])) as Frame[],
    chain: JSON.parse(String(r['chain'])) as Link[],
  }));
}

/** The sighting for a truth case: by the line that introduced it, else by its order in the file. */
function sightingOf(rows: Row[], c: TruthCase): Row {
  const inFile = rows.filter((r) => path.basename(String(r['source_file'])) === c.file);
  const found = c.line !== undefined ? inFile.find((r) => r['source_line'] === c.line) : inFile[c.ordinal - 1];
  if (!found) throw new Error(`no error found in ${c.file} for case ${c.ordinal} (line ${c.line}); found lines ${inFile.map((r) => r['source_line']).join(', ')}`);
  return found;
}

/** The message as printed: Python prints notes after it, and a SyntaxError's location apart from it. */
function printedMessage(e: TruthError): string {
  return [e.message, ...(e.notes ?? [])].join('\n');
}

function expectInnermost(frames: Frame[], want: TruthFrame | null | undefined): void {
  if (!want || want.file === null) return;
  const last = frames[frames.length - 1];
  expect(last, 'innermost frame').toBeDefined();
  if (want.at !== undefined) {
    // V8's structured API names the function without its receiver; compare the printed frame.
    expect(`${last?.function} (${last?.file}:${last?.line}:${last?.column})`).toBe(want.at);
  } else {
    expect({ file: last?.file, function: last?.function, line: last?.line }).toEqual({ file: want.file, function: want.function, line: want.line });
  }
}

function expectException(got: { type: string | null; message: string; frames: Frame[] }, want: TruthError): void {
  expect(got.type).toBe(want.type);
  expect(got.message).toBe(printedMessage(want));
  expect(got.frames).toHaveLength(want.frames);
  expectInnermost(got.frames, want.innermost);
}

/** Group members at one depth, each followed by its own members and chain. */
function membersAt(chain: Link[], depth: number): Link[] {
  return chain.filter((l) => l.relation === 'group_member' && l.depth === depth);
}

function expectCase(row: Row, c: TruthCase): void {
  const frames = row['frames'] as Frame[];
  const chain = row['chain'] as Link[];
  expect(row['kind']).toBe('exception');
  expectException({ type: row['error_type'] as string, message: String(row['message']), frames }, c);
  if (c.frames_repeated !== undefined) {
    expect(frames.map((f) => f.repeated).filter((n) => n !== undefined)).toEqual([c.frames_repeated]);
  }
  const own = chain.filter((l) => l.depth === 0 && l.relation !== 'group_member');
  const wantChain = c.output_has_causes === false ? [] : (c.chain ?? []);
  expect(own.map((l) => l.relation)).toEqual(wantChain.map((l) => l.relation));
  for (const [i, want] of wantChain.entries()) expectException(own[i]!, want);
  const members = membersAt(chain, 1);
  expect(members).toHaveLength(c.group_members?.length ?? 0);
  for (const [i, want] of (c.group_members ?? []).entries()) {
    expectException(members[i]!, want);
    // Nested members follow their group, before the next member at this depth.
    if (want.group_members) {
      const start = chain.indexOf(members[i]!);
      const end = members[i + 1] ? chain.indexOf(members[i + 1]!) : chain.length;
      const nested = chain.slice(start + 1, end).filter((l) => l.relation === 'group_member' && l.depth === 2);
      expect(nested).toHaveLength(want.group_members.length);
      for (const [j, w] of want.group_members.entries()) expectException(nested[j]!, w);
    }
  }
}

describe.each(['python', 'node'])('%s tracebacks from real programs', (lang) => {
  let rows: Row[] = [];
  beforeAll(async () => {
    rows = await sightings(lang);
  });

  const cases = truth(lang);
  it('every error the programs raised is found, and nothing else', () => {
    const stacked = cases.filter((c) => c.output_has_stack !== false);
    expect(rows).toHaveLength(stacked.length);
  });

  it.each(cases.filter((c) => c.kind === undefined && c.output_has_stack !== false).map((c) => [`${c.file} #${c.ordinal} ${c.type}`, c] as const))(
    '%s',
    (_name, c) => {
      expectCase(sightingOf(rows, c), c);
    },
  );

  it.each(cases.filter((c) => c.kind !== undefined).map((c) => [`${c.file} (${c.kind})`, c] as const))('%s', (_name, c) => {
    const row = sightingOf(rows, c);
    const frames = row['frames'] as Frame[];
    expect(row['kind']).toBe('crash');
    expect(row['error_type']).toBe(c.kind === 'fatal' ? 'Fatal Python error' : 'Thread dump');
    if (c.fatal_message) expect(row['message']).toBe(c.fatal_message);
    expect(row['level']).toBe(c.kind === 'fatal' ? 'fatal' : 'warn');
    expect(frames).toHaveLength(c.current_thread_frames!);
    expect((row['chain'] as Link[]).filter((l) => l.relation === 'thread')).toHaveLength(c.threads! - 1);
    const app = c.innermost_app_frame!;
    expect(frames.some((f) => f.file === app.file && f.function === app.function && f.line === app.line)).toBe(true);
  });
});

describe('context of a traceback', () => {
  it('a crash dump after a log line takes session and stage from that line', async () => {
    const rows = await sightings('python');
    const crash = rows.find((r) => path.basename(String(r['source_file'])) === 'faulthandler_crash.txt');
    expect(crash).toMatchObject({ session_key: 'C0SEGMENT01:1772443700.131400', stage: 'attach', context_from: 'line' });
  });

  it('structlog records give their own bound session and stage', async () => {
    const rows = await sightings('python');
    const s = rows.filter((r) => path.basename(String(r['source_file'])) === 'structlog.jsonl');
    expect(s.length).toBeGreaterThan(0);
    for (const r of s) {
      expect(r['context_from']).toBe('record');
      expect(r['session_key']).toMatch(/^C0\w+:\d+\.\d+$/);
    }
  });
});
