/**
 * The output contract scripts rely on, checked for every command in every
 * format it offers, with stdout a pipe: no colour code and no note on stdout
 * (the input includes rejected lines, so warnings are printed: on stderr), one
 * JSON document for json, one object per line for ndjson, rectangular CSV,
 * TSV and markdown tables; `--json a,b` field selection and its errors; the
 * word after --json read as the command's argument when it must be one.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { CORPUS, FIXTURES, obs } from '../helpers/cli.js';

const url = inject('prometheusUrl');
const THREAD = '1795299499.694654';
const TRACE = 'a79b034cab0d9b2deb6173cf62266e44';
/** The sample run and a file with malformed JSON lines: warnings on stderr, exit 4. */
const LOGS = ['--logs', CORPUS, '--logs', `${FIXTURES}/edge/malformed-json`];
/** Colour would be on if obs looked at TERM alone; NO_COLOR is unset. */
const ENV = { TERM: 'xterm-256color', NO_COLOR: '', OBS_NOW: '2026-11-21T22:20:05Z' };

const ROW_FORMATS = ['table', 'tsv', 'json', 'ndjson', 'csv', 'markdown'] as const;

/** Splits CSV text (RFC 4180) into records of fields. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  expect(quoted, 'CSV ends inside a quoted field').toBe(false);
  expect(field === '' && record.length === 0, 'CSV ends with a newline').toBe(true);
  return records;
}

/** Unescaped pipes in a markdown table line. */
const pipes = (line: string): number => (line.match(/(?<!\\)\|/g) ?? []).length;

function checkShape(format: string, stdout: string, label: string): void {
  expect(stdout, `${label}: colour code on a piped stdout`).not.toMatch(/\x1b/);
  expect(stdout, `${label}: a note or warning on stdout`).not.toMatch(/^(note|warning|error|help): /m);
  switch (format) {
    case 'json':
      expect(() => JSON.parse(stdout), `${label}: stdout is one JSON document`).not.toThrow();
      break;
    case 'ndjson':
      for (const line of stdout.split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line), `${label}: ${line.slice(0, 80)}`).not.toThrow();
      break;
    case 'csv': {
      const records = parseCsv(stdout);
      const width = records[0]?.length ?? 0;
      expect(width, `${label}: a CSV header`).toBeGreaterThan(0);
      for (const r of records) expect(r.length, `${label}: ${r.join(',').slice(0, 80)}`).toBe(width);
      break;
    }
    case 'tsv': {
      const lines = stdout.split('\n').filter((l) => l !== '');
      const tabs = (lines[0] ?? '').split('\t').length;
      for (const l of lines) expect(l.split('\t').length, `${label}: ${l.slice(0, 80)}`).toBe(tabs);
      break;
    }
    case 'github':
      for (const l of stdout.split('\n').filter((x) => x !== '')) expect(l, `${label}: an annotation`).toMatch(/^::(error|warning|notice)( [^:]*)?::/);
      break;
    case 'markdown': {
      const lines = stdout.split('\n').filter((l) => l !== '');
      expect(lines[1], `${label}: the alignment row`).toMatch(/^\|( -{3,}:? \|)+$/);
      for (const l of lines) expect(pipes(l), `${label}: ${l.slice(0, 80)}`).toBe(pipes(lines[0] ?? ''));
      break;
    }
  }
}

describe('every command, every format, stdout a pipe', () => {
  let errorId = '';
  beforeAll(async () => {
    const r = await obs(['errors', ...LOGS, '--json', 'error_id', '--limit', '1']);
    errorId = String((JSON.parse(r.stdout) as { errors: Array<{ error_id: string }> }).errors[0]?.error_id);
  });

  const commands: Array<[string, () => string[], readonly string[]]> = [
    ['events', () => ['events', ...LOGS, '--limit', '40'], ROW_FORMATS],
    ['errors', () => ['errors', ...LOGS], ROW_FORMATS],
    ['errors --group', () => ['errors', '--group', ...LOGS], ROW_FORMATS],
    ['errors show', () => ['errors', 'show', errorId, ...LOGS], ROW_FORMATS],
    ['sessions', () => ['sessions', ...LOGS], ROW_FORMATS],
    ['llm', () => ['llm', ...LOGS], ROW_FORMATS],
    ['llm --by model', () => ['llm', '--by', 'model', ...LOGS], ROW_FORMATS],
    ['sources', () => ['sources', ...LOGS], ROW_FORMATS],
    ['sources --issues', () => ['sources', '--issues', ...LOGS], ROW_FORMATS],
    ['sql', () => ['sql', ...LOGS, "select level, count(*) as n, 'a|b,\"c\"' as odd from events group by level order by level"], ROW_FORMATS],
    ['query', () => ['query', '--thread', THREAD, ...LOGS, '--prometheus', url], ROW_FORMATS],
    ['trace', () => ['trace', TRACE, ...LOGS], ROW_FORMATS],
    ['metrics', () => ['metrics', 'up', '--from', '2026-11-21T22:17:00Z', '--to', '2026-11-21T22:21:00Z', '--prometheus', url], ROW_FORMATS],
    ['report', () => ['report', ...LOGS, '--prometheus', url], ['table', 'json', 'markdown']],
    ['triage', () => ['triage', `${FIXTURES}/triage/artifacts`, `${FIXTURES}/edge/malformed-json`, '--repo-root', `${FIXTURES}/triage/repo`], ['text', 'json', 'markdown', 'github']],
  ];

  for (const [name, args, formats] of commands) {
    it(`obs ${name}`, async () => {
      for (const format of formats) {
        const r = await obs([...args(), '-o', format], { env: ENV });
        const label = `obs ${name} -o ${format}`;
        expect([0, 4], `${label}: exit ${r.exitCode}\n${r.stderr}`).toContain(r.exitCode);
        expect(r.stdout.length, `${label}: printed nothing`).toBeGreaterThan(0);
        // report's and triage's markdown are documents of several tables, not one.
        checkShape((name === 'report' || name === 'triage') && format === 'markdown' ? 'document-markdown' : format, r.stdout, label);
      }
    }, 120_000);
  }

  it('warnings about the rejected lines went to stderr', async () => {
    const r = await obs(['events', ...LOGS, '--json'], { env: ENV });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/^warning: .*malformed.*line rejected/m);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });
});

describe('--json fields', () => {
  it('keeps the named fields of each row, in that order, with null for a field a row lacks', async () => {
    const r = await obs(['errors', '--logs', CORPUS, '--json', 'error_type,ts,stage', '--kind', 'exception']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as { count: number; errors: Array<Record<string, unknown>> };
    expect(doc.count).toBeGreaterThan(0);
    for (const e of doc.errors) expect(Object.keys(e)).toEqual(['error_type', 'ts', 'stage']);
    const all = JSON.parse((await obs(['errors', '--logs', CORPUS, '--json', '--kind', 'exception'])).stdout) as typeof doc;
    expect(doc.errors).toEqual(all.errors.map((e) => ({ error_type: e['error_type'], ts: e['ts'], stage: e['stage'] })));
    expect(Object.keys(all.errors[0] ?? {}).length).toBeGreaterThan(10);
  });

  it('an unknown field is a usage error that lists the valid ones', async () => {
    const r = await obs(['events', '--logs', CORPUS, '--json', 'ts,levle']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: no field "levle" in events$/m);
    expect(r.stderr).toMatch(/^note: valid fields: .*\blevel\b.*\bsession_key\b/m);
    // Fields computed for the columns (details) are not in the JSON rows.
    expect(r.stderr).not.toMatch(/valid fields: .*\bdetails\b/);
  });

  it('fields are checked when no row matched', async () => {
    const r = await obs(['llm', '--logs', CORPUS, '--model', 'no-such-model', '--json', 'model,nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/no field "nope" in llm_calls/);
    const ok = await obs(['llm', '--logs', CORPUS, '--model', 'no-such-model', '--json', 'model,cost_usd']);
    expect(ok.exitCode).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ count: 0, llm_calls: [] });
  });

  it('--ndjson a,b and --csv a,b select too; --csv takes the columns people see as well', async () => {
    const nd = await obs(['llm', '--logs', CORPUS, '--ndjson', 'model,total_tokens']);
    const lines = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBe(58);
    for (const l of lines) expect(Object.keys(l)).toEqual(['model', 'total_tokens']);
    const csv = parseCsv((await obs(['errors', '--logs', CORPUS, '--csv', 'source,error_type', '--kind', 'exception'])).stdout);
    expect(csv[0]).toEqual(['source', 'error_type']);
    for (const [source] of csv.slice(1)) expect(source).toMatch(/\/.+:\d+$/);
  });

  it('documents select their top-level fields', async () => {
    const q = await obs(['query', '--thread', THREAD, '--logs', CORPUS, '--no-metrics', '--json', 'counts,stages']);
    expect(Object.keys(JSON.parse(q.stdout) as object)).toEqual(['counts', 'stages']);
    const t = await obs(['trace', '--json', 'trace_id,counts', TRACE, '--logs', CORPUS]);
    expect(JSON.parse(t.stdout)).toEqual({ trace_id: TRACE, counts: { spans: 4, failed_spans: 2, records: 7, errors: 2 } });
    const tri = await obs(['triage', '--json', 'summary,failed', `${FIXTURES}/triage/artifacts`]);
    expect(Object.keys(JSON.parse(tri.stdout) as object)).toEqual(['summary', 'failed']);
    // A path that looks like a field name is the path.
    const path = await obs(['triage', '--json', 'artifacts'], { cwd: `${FIXTURES}/triage` });
    expect(path.exitCode, path.stderr).toBe(0);
    expect((JSON.parse(path.stdout) as { summary: { errors: number } }).summary.errors).toBeGreaterThan(0);
    const rep = await obs(['report', '--logs', CORPUS, '--no-alerts', '--json', 'window,nope'], { env: ENV });
    expect(rep.exitCode).toBe(2);
    expect(rep.stderr).toMatch(/no field "nope" in the obs report document[\s\S]*valid fields: .*\bbusiest_sessions\b/);
  });

  it('the word after --json is the argument when the command needs one there', async () => {
    // A trace id that looks like a field name, and a query with spaces.
    const t = await obs(['trace', '--json', TRACE.slice(0, 8), '--logs', CORPUS]);
    expect(t.exitCode, t.stderr).toBe(0);
    expect((JSON.parse(t.stdout) as { trace_id: string }).trace_id).toBe(TRACE);
    const s = await obs(['sql', '--logs', CORPUS, '--json', 'select 1 as a, 2 as b']);
    expect((JSON.parse(s.stdout) as { rows: unknown[] }).rows).toEqual([{ a: 1, b: 2 }]);
    const picked = await obs(['sql', '--logs', CORPUS, '--json=b', 'select 1 as a, 2 as b']);
    expect((JSON.parse(picked.stdout) as { rows: unknown[] }).rows).toEqual([{ b: 2 }]);
    // A PromQL expression that looks like a field name is the expression; a document field is a field.
    const window = ['--from', '2026-11-21T22:17:00Z', '--to', '2026-11-21T22:21:00Z', '--prometheus', url];
    const up = await obs(['metrics', '--json', 'up', ...window]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect((JSON.parse(up.stdout) as { query: string }).query).toBe('up');
    const picked2 = await obs(['metrics', '--json', 'query,step_seconds', 'up', ...window]);
    expect(JSON.parse(picked2.stdout)).toEqual({ query: 'up', step_seconds: 1 });
    // A subcommand is never taken for a field.
    const show = await obs(['errors', '--logs', CORPUS, '--json', 'show', 'bffb5408bef3']);
    expect(show.exitCode, show.stderr).toBe(0);
    expect(Object.keys(JSON.parse(show.stdout) as object)).toEqual(['error', 'sightings']);
  });

  it('a flag given to obs errors holds for obs errors show', async () => {
    const colour = await obs(['errors', '--no-color', 'show', 'bffb5408bef3', '--logs', CORPUS, '-o', 'table'], { env: { FORCE_COLOR: '1' } });
    expect(colour.exitCode, colour.stderr).toBe(0);
    expect(colour.stdout).not.toMatch(/\x1b/);
    const forced = await obs(['errors', 'show', 'bffb5408bef3', '--logs', CORPUS, '-o', 'table'], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\x1b/);
  });

  it('one format at a time; a bad field list names the flag', async () => {
    const two = await obs(['events', '--logs', CORPUS, '--json', '--csv']);
    expect(two.exitCode).toBe(2);
    expect(two.stderr).toMatch(/choose one output format, not json and csv/);
    const bad = await obs(['events', '--logs', CORPUS, '--json=ts,,level.x']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--json takes field names separated by commas, got "level.x"/);
  });
});

describe('csv and markdown', () => {
  it('CSV quotes commas, quotes and line breaks; markdown escapes pipes and markup', async () => {
    const sql = "select 'a,b' as comma, 'say \"hi\"' as quote, 'one' || chr(10) || 'two' as lines, 'x|y' as pipe, '__init__ <module>' as markup";
    const csv = await obs(['sql', '--logs', CORPUS, sql, '-o', 'csv']);
    expect(csv.stdout).toBe('comma,quote,lines,pipe,markup\n"a,b","say ""hi""","one\ntwo",x|y,__init__ <module>\n');
    expect(parseCsv(csv.stdout)[1]).toEqual(['a,b', 'say "hi"', 'one\ntwo', 'x|y', '__init__ <module>']);
    const md = await obs(['sql', '--logs', CORPUS, sql, '-o', 'markdown']);
    expect(md.stdout).toBe(
      '| comma | quote | lines | pipe | markup |\n| --- | --- | --- | --- | --- |\n| a,b | say "hi" | one two | x\\|y | \\_\\_init\\_\\_ &lt;module&gt; |\n',
    );
  });

  it('markdown keeps the total row of obs llm --by and right-aligns numbers', async () => {
    const r = await obs(['llm', '--by', 'model', '--logs', CORPUS, '-o', 'markdown']);
    const lines = r.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^\| --- \| ---: \|/);
    expect(lines[lines.length - 1]).toMatch(/^\| total \| 58 \|/);
    const csv = await obs(['llm', '--by', 'model', '--logs', CORPUS, '-o', 'csv']);
    expect(csv.stdout).not.toMatch(/^total,/m);
  });
});
