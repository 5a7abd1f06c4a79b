/**
 * Runs fuzz cases in a process of its own, so that the test can stop it when
 * a case does not finish (an endless loop, a regular expression that
 * backtracks without end) and report that case. The parent sends the cases'
 * folders; for each one this process says when it starts and what went
 * wrong when it is done:
 *
 * - every file goes through the loader, into a real in-memory DuckDB: no
 *   exception may escape, a readable file may not end up unreadable, and
 *   every physical line must be counted once: lines = lines inside records +
 *   rejected + blank, the same in the `files` table, with the rejected lines
 *   and the lines records start on where the tables say;
 * - in `direct` mode, each file's text also goes to the traceback parsers,
 *   the pytest and TAP readers, and every log format, line by line.
 *
 * Started with `node --import tsx`, so it runs the sources, not dist/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Database } from '../../src/db/database.js';
import { FormatSet, readText } from '../../src/formats/formats.js';
import { parseLogfmt } from '../../src/formats/logfmt.js';
import { readSample } from '../../src/formats/samples.js';
import { PriceBook } from '../../src/llm/prices.js';
import { loadSources } from '../../src/load/load.js';
import { idsInLine } from '../../src/sources/fields.js';
import { parseTapYaml } from '../../src/sources/node-test/yaml.js';
import { parseFailure } from '../../src/sources/pytest/failure.js';
import { parseTracebacks, type ParsedError } from '../../src/tracebacks/index.js';
import { parseFaulthandler } from '../../src/tracebacks/faulthandler.js';
import { parseNode } from '../../src/tracebacks/node.js';
import { parsePython } from '../../src/tracebacks/python.js';

export interface RunnerCase {
  id: number;
  dir: string;
  mode: 'load' | 'direct' | 'parsers';
}

export type RunnerMessage =
  | { type: 'start'; id: number }
  | { type: 'done'; id: number; problems: string[]; kinds: string[]; ms: number }
  | { type: 'finished' };

const formats = FormatSet.create();
const prices = new PriceBook();

/** Physical lines as the loader counts them: line ends, and a last line without one. */
function physicalLines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(0x0a); i !== -1; i = b.indexOf(0x0a, i + 1)) n++;
  return b.length > 0 && b[b.length - 1] !== 0x0a ? n + 1 : n;
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 8).join('\n') : String(err);
}

function checkParsed(where: string, parsed: ParsedError[], lineCount: number, problems: string[]): void {
  for (const p of parsed) {
    if (!Number.isInteger(p.startLine) || p.startLine < 0 || p.startLine >= lineCount) problems.push(`${where}: startLine ${p.startLine} outside the text's ${lineCount} lines`);
    if (typeof p.text !== 'string' || !Array.isArray(p.frames) || !Array.isArray(p.chain)) problems.push(`${where}: malformed result`);
  }
}

/** The text straight to every parser that reads a piece of text. */
function direct(file: string, bytes: Buffer, problems: string[]): void {
  const text = bytes.toString('utf8');
  const lines = text.split(/\r?\n/);
  const step = (what: string, run: () => void): void => {
    try {
      run();
    } catch (err) {
      problems.push(`${file}: ${what} threw ${describe(err)}`);
    }
  };
  step('parseTracebacks', () => checkParsed('parseTracebacks', parseTracebacks(text), lines.length, problems));
  step('parsePython', () => checkParsed('parsePython', parsePython(text), lines.length, problems));
  step('parseNode', () => checkParsed('parseNode', parseNode(text), lines.length, problems));
  step('parseFaulthandler', () => {
    const dump = parseFaulthandler(text);
    checkParsed('parseFaulthandler', dump === null ? [] : [dump], lines.length, problems);
  });
  step('parseFailure (pytest)', () => void parseFailure(lines, '/root'));
  step('parseTapYaml', () => void parseTapYaml(lines));
  step('readSample (the log reader)', () => void readSample(text, formats));
  step('every format, line by line', () => {
    // The first lines are enough: the long inputs repeat one shape.
    for (const line of lines.slice(0, 20_000)) {
      for (const f of formats.all) readText(f, line);
      parseLogfmt(line);
      idsInLine(line);
    }
  });
}

type Row = Record<string, unknown>;

async function load(dir: string, problems: string[], kinds: Set<string>): Promise<void> {
  const db = await Database.open();
  try {
    let result;
    try {
      result = await loadSources(db, [dir], { tz: 'UTC', cwd: dir, formats, prices });
    } catch (err) {
      problems.push(`the loader threw ${describe(err)}`);
      return;
    }
    const table = new Map((await db.query('SELECT * FROM files')).rows.map((r) => [r['path'] as string, r]));
    for (const f of result.files) {
      kinds.add(f.kind);
      const bytes = readFileSync(path.join(dir, f.path));
      const say = (what: string): void => {
        problems.push(`${f.path} (${f.kind}, ${f.status}): ${what}`);
      };
      const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
      if (f.status === 'unreadable' && !gzip) say(`a readable file ended up unreadable: ${f.note}`);
      if (f.status !== 'loaded') continue;
      const physical = physicalLines(bytes);
      if (!gzip && f.lines !== physical) say(`${f.lines} lines read, the file has ${physical}`);
      if (f.lines !== f.recordLines + f.rejected + f.blank) {
        say(`lines ${f.lines} != lines inside records ${f.recordLines} + rejected ${f.rejected} + blank ${f.blank}`);
      }
      const row = table.get(f.path);
      for (const k of ['lines', 'records', 'rejected', 'repaired', 'blank'] as const) {
        if (Number(row?.[k]) !== f[k]) say(`files.${k} is ${String(row?.[k])}, the report says ${f[k]}`);
      }
      const lines = async (sql: string): Promise<number[]> => (await db.query(sql, { f: f.path })).rows.map((r: Row) => Number(r['source_line']));
      const rejected = await lines(`SELECT source_line FROM line_issues WHERE source_file = $f AND problem = 'rejected'`);
      const repaired = await lines(`SELECT source_line FROM line_issues WHERE source_file = $f AND problem = 'repaired'`);
      if (rejected.length !== f.rejected) say(`${rejected.length} rejected lines in line_issues, ${f.rejected} counted`);
      if (new Set(rejected).size !== rejected.length) say('a line rejected twice');
      if (repaired.length !== f.repaired) say(`${repaired.length} repaired lines in line_issues, ${f.repaired} counted`);
      const starts = await lines(
        `SELECT source_line FROM events WHERE source_file = $f AND parse_error IS NULL
         UNION ALL SELECT source_line FROM llm_calls WHERE source_file = $f
         UNION ALL SELECT source_line FROM spans WHERE source_file = $f`,
      );
      if (f.kind !== 'log_index' && starts.length !== f.records) say(`${starts.length} rows in the record tables, ${f.records} records counted`);
      const rejectedSet = new Set(rejected);
      const outside = [...starts, ...rejected, ...repaired].filter((n) => !(n >= 1 && n <= f.lines));
      if (outside.length > 0) say(`rows at lines ${outside.slice(0, 5).join(', ')} outside 1-${f.lines}`);
      const both = starts.filter((n) => rejectedSet.has(n));
      if (both.length > 0) say(`lines ${both.slice(0, 5).join(', ')} both start a record and are rejected`);
      const errors = Number((await db.query(`SELECT count(*) AS n FROM error_records WHERE source_file = $f AND NOT (source_line BETWEEN 1 AND ${f.lines})`, { f: f.path })).rows[0]?.['n']);
      if (errors > 0) say(`${errors} error sightings outside the file's lines`);
    }
  } finally {
    db.close();
  }
}

async function run(c: RunnerCase): Promise<{ problems: string[]; kinds: string[] }> {
  const problems: string[] = [];
  const kinds = new Set<string>();
  if (c.mode !== 'load') {
    for (const name of readdirSync(c.dir)) direct(name, readFileSync(path.join(c.dir, name)), problems);
  }
  if (c.mode !== 'parsers') await load(c.dir, problems, kinds);
  return { problems, kinds: [...kinds] };
}

const send = (m: RunnerMessage): Promise<void> =>
  new Promise((resolve, reject) => {
    process.send?.(m, undefined, {}, (err) => (err ? reject(err) : resolve()));
  });

process.on('message', (msg: { cases: RunnerCase[] }) => {
  void (async () => {
    for (const c of msg.cases) {
      await send({ type: 'start', id: c.id });
      const t = performance.now();
      let out: { problems: string[]; kinds: string[] };
      try {
        out = await run(c);
      } catch (err) {
        out = { problems: [`the case threw ${describe(err)}`], kinds: [] };
      }
      await send({ type: 'done', id: c.id, ...out, ms: Math.round(performance.now() - t) });
    }
    await send({ type: 'finished' });
    process.disconnect();
  })();
});
