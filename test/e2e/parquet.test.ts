/**
 * obs export --parquet on the sample corpus, with the built CLI and real
 * DuckDB: the folder layout, DuckDB reading the files with Hive partitioning,
 * obs reading the export back with the same answers as from the logs, and
 * the refusals (a folder not empty, one that cannot be written, a Parquet
 * file that is not an obs export) with their exit codes.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, obs, obsJson } from '../helpers/cli.js';

type Row = Record<string, unknown>;

const truth = JSON.parse(readFileSync(path.join(CORPUS, 'truth.json'), 'utf8')) as { threads: Array<{ thread_ts: string; session_key: string }> };
const LOGS = ['--logs', CORPUS, '-q'];
/**
 * Secrets the corpus logs: an OpenAI project key in a session log's JSON (the
 * raw column), an OpenRouter key and a Slack bot token in messages (text columns).
 */
const SECRETS = [
  'sk-proj-u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAj',
  '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',
  'xoxb-191533708734-2795915309658-VvVqE1SkHbn88HxjSI6bWHtP',
];
const RECORD_TABLES = ['events', 'llm_calls', 'spans', 'errors', 'error_records'];
const SMALL_TABLES = ['session_index', 'line_issues', 'sessions', 'files'];

let tmp: string;
/** The export, in a folder whose name has a quote and a space: the path is never written into SQL. */
let dir: string;
let summary: { tables: Row[]; directory: string; totals: Row; redacted: boolean };
let conn: DuckDBConnection;

/** Every file under a folder, relative to it, '/'-separated. */
function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  walk(root, '');
  return out.sort();
}

async function rows(sql: string, params: Record<string, string> = {}): Promise<Row[]> {
  return (await conn.runAndReadAll(sql, params)).getRowObjectsJson() as Row[];
}

/** Counts of the tables obs loads from the logs. */
async function loadedCounts(logs: string[]): Promise<Record<string, number>> {
  const sql = [...RECORD_TABLES, ...SMALL_TABLES].map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ');
  const r = await obsJson<{ rows: Array<Record<string, number>> }>(['sql', ...logs, `SELECT ${sql}`]);
  expect(r.exitCode).toBe(0);
  return r.data.rows[0]!;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'obs-parquet-'));
  dir = path.join(tmp, "it's an export");
  const r = await obsJson<typeof summary>(['export', '--parquet', dir, ...LOGS]);
  expect(r.exitCode, r.stderr).toBe(0);
  summary = r.data;
  const db = await DuckDBInstance.create(':memory:');
  conn = await db.connect();
  await conn.run("SET TimeZone = 'UTC'");
});

afterAll(() => {
  conn?.closeSync();
  rmSync(tmp, { recursive: true, force: true });
});

describe('obs export --parquet: the files', () => {
  it('says what it wrote per table: rows as loaded, files and bytes as on disk', async () => {
    const counts = await loadedCounts(LOGS);
    const files = filesUnder(dir);
    for (const t of summary.tables) {
      const name = String(t['table']);
      expect(t['rows'], name).toBe(counts[name]);
      const mine = files.filter((f) => f.startsWith(`${name}/`));
      expect(t['files'], name).toBe(mine.length);
      if (t['rows'] === 0) expect(t['path'], name).toBeNull();
    }
    expect(summary.tables.map((t) => t['table']).sort()).toEqual([...RECORD_TABLES, ...SMALL_TABLES].sort());
    expect(summary.totals['files']).toBe(files.length);
    expect(summary.redacted).toBe(true);
    // The corpus has no rejected line: a table without rows gets no folder.
    expect(counts['line_issues']).toBe(0);
    expect(existsSync(path.join(dir, 'line_issues'))).toBe(false);
  });

  it('lays the record tables out by UTC day and source, the small tables in one file each; nothing else', () => {
    const files = filesUnder(dir);
    const partitioned = /^(events|llm_calls|spans|errors|error_records)\/day=(\d{4}-\d{2}-\d{2}|__HIVE_DEFAULT_PARTITION__)\/source=[a-z_]+\/data_[0-9a-f-]{36}\.parquet$/;
    const single = /^(session_index|sessions|files)\/data_[0-9a-f-]{36}\.parquet$/;
    for (const f of files) expect(f.match(partitioned) ?? f.match(single), f).not.toBeNull();
    expect(files.filter((f) => f.startsWith('llm_calls/')).every((f) => f.includes('/source=llm_io/'))).toBe(true);
    expect(files.filter((f) => f.startsWith('spans/')).every((f) => f.includes('/source=otlp/'))).toBe(true);
    // The run was on one day; crash dumps without a time of their own are in the NULL partition.
    const days = new Set(files.filter((f) => f.startsWith('events/')).map((f) => f.split('/')[1]));
    expect([...days].sort()).toEqual(['day=2026-11-21', 'day=__HIVE_DEFAULT_PARTITION__']);
  });

  it('DuckDB reads <dir>/events/**/*.parquet with Hive partitioning: every row and column, day and source as partition columns', async () => {
    const events = `${dir}/events/**/*.parquet`;
    const [n] = await rows(
      `SELECT count(*)::INT AS n, count(*) FILTER (WHERE day IS NULL)::INT AS untimed, count(*) FILTER (WHERE ts IS NULL)::INT AS no_ts,
              count(*) FILTER (WHERE source IS DISTINCT FROM source_kind)::INT AS wrong_source,
              count(*) FILTER (WHERE day IS DISTINCT FROM CAST(timezone('UTC', ts) AS DATE))::INT AS wrong_day
       FROM read_parquet($p, hive_partitioning = true)`,
      { p: events },
    );
    const counts = await loadedCounts(LOGS);
    expect(n).toEqual({ n: counts['events'], untimed: n!['no_ts'], no_ts: n!['no_ts'], wrong_source: 0, wrong_day: 0 });
    expect(n!['untimed']).toBeGreaterThan(0);
    const described = await rows(`DESCRIBE SELECT * FROM read_parquet($p, hive_partitioning = true)`, { p: events });
    const schema = await obsJson<{ rows: Array<{ column_name: string; data_type: string }> }>([
      'sql',
      ...LOGS,
      "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'events' AND database_name = current_database() ORDER BY column_index",
    ]);
    // The table's columns with their types (JSON stays JSON, times stay TIMESTAMPTZ), then the partition columns.
    expect(described.map((d) => [d['column_name'], d['column_type']])).toEqual([
      ...schema.data.rows.map((c) => [c.column_name, c.data_type]),
      ['day', 'DATE'],
      ['source', 'VARCHAR'],
    ]);
  });

  it('redacts secrets as every output does, and keeps them with --no-redact', async () => {
    /** Rows of the export that hold the secret, in any column. */
    const found = async (d: string, secret: string): Promise<number> => {
      let n = 0;
      for (const t of ['events', 'errors', 'error_records', 'llm_calls', 'spans']) {
        const [r] = await rows(`SELECT count(*)::INT AS n FROM read_parquet($p) AS t WHERE t::VARCHAR LIKE $s`, { p: `${d}/${t}/**/*.parquet`, s: `%${secret}%` });
        n += Number(r!['n']);
      }
      return n;
    };
    const raw = path.join(tmp, 'raw');
    const r = await obsJson<{ redacted: boolean }>(['export', '--parquet', raw, '--no-redact', ...LOGS]);
    expect(r.exitCode).toBe(0);
    expect(r.data.redacted).toBe(false);
    for (const secret of SECRETS) {
      expect(await found(dir, secret), secret).toBe(0);
      expect(await found(raw, secret), secret).toBeGreaterThan(0);
    }
  });
});

describe('obs reads an export back with --logs', () => {
  /** The same command on the logs and on the export, both from the repository (so source paths read the same). */
  async function both(args: string[], logs: string[] = ['--logs', dir]): Promise<[unknown, unknown]> {
    const a = await obsJson(args.concat(LOGS));
    const b = await obsJson(args.concat([...logs, '-q']));
    expect(a.exitCode, a.stderr).toBe(0);
    expect(b.exitCode, b.stderr).toBe(0);
    return [a.data, b.data];
  }

  it.each(truth.threads.map((t) => [t.thread_ts]))('obs query --thread %s: the same document', async (thread) => {
    const [logs, exported] = await both(['query', '--thread', thread]);
    expect(exported).toEqual(logs);
    expect(JSON.stringify(logs)).toContain(thread);
  });

  it.each([
    [['errors']],
    [['errors', '--group']],
    [['llm', '--by', 'model']],
    [['sessions']],
    [['events', '--limit', '100000']],
  ])('obs %j: the same document', async (args) => {
    const [logs, exported] = await both(args);
    expect(exported).toEqual(logs);
  });

  it('a glob of the Parquet files reads the same, and so does obs errors show', async () => {
    const [logs, exported] = await both(['errors'], ['--logs', `${dir}/**/*.parquet`]);
    expect(exported).toEqual(logs);
    const first = (logs as { errors: Row[] }).errors[0]!['error_id'] as string;
    const [a, b] = await both(['errors', 'show', first]);
    expect(b).toEqual(a);
  });

  it('lists each Parquet file as one file of kind parquet, its rows as records; sessions and files are listed, not read', async () => {
    const r = await obsJson<{ files: Row[]; totals: Row }>(['sources', '--logs', dir]);
    expect(r.exitCode).toBe(0);
    const files = r.data.files;
    expect(files.length).toBe(filesUnder(dir).length);
    for (const f of files) expect(f, String(f['path'])).toMatchObject({ kind: 'parquet', lines: 0, rejected: 0 });
    const loaded = files.filter((f) => f['status'] === 'loaded');
    const sum = (t: string): number => loaded.filter((f) => String(f['path']).includes(`/${t}/`)).reduce((n, f) => n + Number(f['records']), 0);
    for (const t of summary.tables) {
      if (t['table'] === 'sessions' || t['table'] === 'files') continue;
      expect(sum(String(t['table'])), String(t['table'])).toBe(t['rows']);
    }
    const skipped = files.filter((f) => f['status'] === 'skipped');
    expect(skipped.map((f) => String(f['path']).split('/').at(-2)).sort()).toEqual(['files', 'sessions']);
    expect(skipped.find((f) => String(f['path']).includes('/sessions/'))?.['note']).toMatch(/rebuilds it from the events, llm_calls, errors and session_index/);
  });

  it('derived rows are not doubled: errors, error_records and sessions hold what the logs gave', async () => {
    expect(await loadedCounts(['--logs', dir, '-q'])).toEqual({ ...(await loadedCounts(LOGS)), files: filesUnder(dir).length });
  });

  it('reads an export together with logs: every row of both, ids still unique', async () => {
    const r = await obsJson<{ rows: Row[] }>([
      'sql',
      '--logs',
      dir,
      ...LOGS,
      `SELECT (SELECT count(*) FROM errors) AS errors, (SELECT count(DISTINCT error_id) FROM errors) AS error_ids,
              (SELECT count(*) FROM error_records) AS records, (SELECT count(DISTINCT record_id) FROM error_records) AS record_ids,
              (SELECT count(*) FROM sessions) AS sessions, (SELECT sum(event_count) FROM sessions) AS session_events`,
    ]);
    expect(r.exitCode).toBe(0);
    const one = await loadedCounts(LOGS);
    const sessions = await obsJson<{ sessions: Row[] }>(['sessions', ...LOGS]);
    const events = sessions.data.sessions.reduce((n, s) => n + Number(s['event_count']), 0);
    expect(r.data.rows[0]).toEqual({
      errors: 2 * one['errors']!,
      error_ids: 2 * one['errors']!,
      records: 2 * one['error_records']!,
      record_ids: 2 * one['error_records']!,
      sessions: truth.threads.length,
      session_events: 2 * events,
    });
  });
});

describe('obs export --parquet: what it refuses', () => {
  it('a folder that is not empty: exit 2, the folder untouched; --overwrite replaces a previous export', async () => {
    const before = filesUnder(dir);
    const r = await obs(['export', '--parquet', dir, ...LOGS]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: ${dir} is not empty`);
    expect(r.stderr).toContain('--overwrite');
    expect(filesUnder(dir)).toEqual(before);

    const again = path.join(tmp, 'again');
    expect((await obs(['export', '--parquet', again, ...LOGS])).exitCode).toBe(0);
    const first = filesUnder(again);
    const o = await obsJson<{ totals: Row }>(['export', '--parquet', again, '--overwrite', ...LOGS]);
    expect(o.exitCode).toBe(0);
    const second = filesUnder(again);
    // New files (new names), as many, and none of the old ones left.
    expect(second.length).toBe(first.length);
    expect(second.filter((f) => first.includes(f))).toEqual([]);
  });

  it('--overwrite refuses a folder that holds anything but an export', async () => {
    const mixed = path.join(tmp, 'mixed');
    mkdirSync(mixed);
    writeFileSync(path.join(mixed, 'notes.txt'), 'keep me\n');
    mkdirSync(path.join(mixed, 'events'));
    const r = await obs(['export', '--parquet', mixed, '--overwrite', ...LOGS]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--overwrite replaces a previous obs export only.*\nreason: not written by obs export: notes\.txt/);
    expect(readFileSync(path.join(mixed, 'notes.txt'), 'utf8')).toBe('keep me\n');
  });

  it('a file: exit 2; a folder that cannot be created: exit 73, before any log is read', async () => {
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, 'x\n');
    const r = await obs(['export', '--parquet', file, ...LOGS]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('is a file, not a folder');
    const under = await obs(['export', '--parquet', path.join(file, 'sub'), '--logs', path.join(tmp, 'no-such-logs')]);
    expect(under.exitCode).toBe(73);
    expect(under.stderr).toMatch(/^error: cannot write the export to .*a-file\/sub\nreason: ENOTDIR: not a directory/);
  });

  it('--parquet is required: exit 2', async () => {
    const r = await obs(['export', ...LOGS]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("required option '--parquet <dir>' not specified");
  });

  // A full disk needs a small file system: tmpfs, which root can mount (the tests install packages as root too).
  // Without root the test fails and says so, as the Prometheus tests do without a server: never a silent skip.
  it('a disk that fills up: exit 73, and the previous export is left as it was', async () => {
    if (process.getuid?.() !== 0) {
      throw new Error('this test mounts a 450 KB tmpfs to fill a disk, which needs root: run npm test as root (as .ci/run does)');
    }
    const small = path.join(tmp, 'small');
    mkdirSync(small);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=450k', 'tmpfs', small]);
    } catch (err) {
      throw new Error(`cannot mount a tmpfs as root: ${(err as Error).message}`);
    }
    try {
      const target = path.join(small, 'export');
      // One export fits, two do not: the second is written beside the first before replacing it.
      expect((await obs(['export', '--parquet', target, ...LOGS])).exitCode).toBe(0);
      const before = filesUnder(target);
      const r = await obs(['export', '--parquet', target, '--overwrite', ...LOGS]);
      expect(r.exitCode).toBe(73);
      expect(r.stderr).toMatch(/^error: cannot write the export to .*\nreason: .*No space left on device/);
      expect(readdirSync(target).sort()).toEqual([...new Set(before.map((f) => f.split('/')[0]))].sort());
      expect(filesUnder(target)).toEqual(before);
      const back = await obsJson<{ sessions: Row[] }>(['sessions', '--logs', target, '-q']);
      expect(back.data.sessions.length).toBe(truth.threads.length);
      // A new folder that could not be filled is not left behind.
      rmSync(target, { recursive: true });
      writeFileSync(path.join(small, 'filler'), Buffer.alloc(400 * 1024));
      const full = await obs(['export', '--parquet', path.join(small, 'big'), ...LOGS]);
      expect(full.exitCode).toBe(73);
      expect(existsSync(path.join(small, 'big'))).toBe(false);
    } finally {
      execFileSync('umount', [small]);
    }
  });
});

describe('Parquet files that are not an obs export', () => {
  let foreign: string;
  beforeAll(async () => {
    foreign = path.join(tmp, 'foreign');
    mkdirSync(path.join(foreign, 'metrics'), { recursive: true });
    mkdirSync(path.join(foreign, 'events'), { recursive: true });
    await conn.run('COPY (SELECT 1 AS a) TO $p (FORMAT parquet)', { p: path.join(foreign, 'metrics', 'm.parquet') });
    await conn.run("COPY (SELECT now() AS ts, 'hello' AS message) TO $p (FORMAT parquet)", { p: path.join(foreign, 'events', 'e.parquet') });
    writeFileSync(path.join(foreign, 'events', 'broken.parquet'), 'not parquet at all\n');
  });

  it('are listed with what was expected: under an unknown folder skipped, lacking columns or broken unreadable (exit 4)', async () => {
    const r = await obsJson<{ files: Row[] }>(['sources', '--logs', foreign, '--logs', path.join(CORPUS, 'logs', 'app.jsonl')]);
    expect(r.exitCode).toBe(4);
    const byName = (name: string): Row | undefined => r.data.files.find((f) => String(f['path']).endsWith(name));
    expect(byName('metrics/m.parquet')).toMatchObject({ kind: 'parquet', status: 'skipped', records: 0 });
    expect(byName('metrics/m.parquet')?.['note']).toMatch(/^not part of an obs export: an export holds <dir>\/<table>\/.* one of events, llm_calls, .* and this file is under "metrics"$/);
    expect(byName('events/e.parquet')).toMatchObject({ kind: 'parquet', status: 'unreadable', records: 0 });
    expect(byName('events/e.parquet')?.['note']).toBe(
      'not an obs export of events: it has no column source_file, source_line, source_kind, which events requires (its folder says it holds events rows)',
    );
    expect(byName('events/broken.parquet')).toMatchObject({ kind: 'parquet', status: 'unreadable' });
    expect(byName('events/broken.parquet')?.['note']).toMatch(/^not a Parquet file obs can read: Invalid Input Error: .*broken\.parquet/);
    expect(r.stderr).toMatch(/warning: .*events\/e\.parquet: cannot be read \(not an obs export of events/);
    // Nothing of them was loaded: only the log file's records.
    const s = await obsJson<{ rows: Row[] }>(['sql', '--logs', foreign, '--logs', path.join(CORPUS, 'logs', 'app.jsonl'), '-q', 'SELECT count(*) AS n FROM events']);
    expect(s.exitCode).toBe(4);
    expect(s.data.rows[0]!['n']).toBe(243);
  });

  it('a table partitioned by one of its columns elsewhere gets it from the folders; other folder names never replace a column', async () => {
    // events re-partitioned by source_kind (so the files lack it), below a folder that reads like a session_key partition.
    const repart = path.join(tmp, 'session_key=nobody', 'lake', 'events');
    mkdirSync(path.dirname(repart), { recursive: true });
    await conn.run('COPY (SELECT * FROM read_parquet($p)) TO $out (FORMAT parquet, PARTITION_BY (source_kind))', {
      p: `${dir}/events/**/*.parquet`,
      out: repart,
    });
    const [described] = await rows('SELECT count(*)::INT AS n FROM (DESCRIBE SELECT * FROM read_parquet($p, hive_partitioning = false)) WHERE column_name = $c', {
      p: `${repart}/*/*.parquet`,
      c: 'source_kind',
    });
    expect(described!['n']).toBe(0);
    const q = "SELECT source_kind, count(*) AS n, count(DISTINCT session_key) AS sessions FROM events GROUP BY ALL ORDER BY source_kind";
    const lake = await obsJson<{ rows: Row[] }>(['sql', '--logs', path.dirname(repart), '-q', q]);
    const logs = await obsJson<{ rows: Row[] }>(['sql', ...LOGS, q]);
    expect(lake.exitCode).toBe(0);
    expect(lake.data.rows).toEqual(logs.data.rows);
  });

  it('an export written before llm_calls had price_table reads back with it worked out from cost_detail', async () => {
    // The llm_calls files as an older obs wrote them: every column but price_table.
    const older = path.join(tmp, 'older');
    mkdirSync(path.join(older, 'llm_calls'), { recursive: true });
    await conn.run('COPY (SELECT * EXCLUDE (price_table) FROM read_parquet($p, hive_partitioning = false)) TO $out (FORMAT parquet)', {
      p: `${dir}/llm_calls/**/*.parquet`,
      out: path.join(older, 'llm_calls', 'calls.parquet'),
    });
    const [file] = (await obsJson<{ files: Row[] }>(['sources', '--logs', older, '-q'])).data.files;
    expect(file).toMatchObject({ status: 'loaded', note: 'rows of llm_calls' });
    const fromOlder = await obsJson<{ groups: Row[] }>(['llm', '--by', 'model', '--logs', older, '-q']);
    const fromLogs = await obsJson<{ groups: Row[] }>(['llm', '--by', 'model', ...LOGS]);
    expect(fromOlder.data.groups).toEqual(fromLogs.data.groups);
    const tables = fromLogs.data.groups.flatMap((g) => g['price_tables'] as string[]);
    expect(tables.length).toBeGreaterThan(0);
    const q = 'SELECT count(*) FILTER (WHERE price_table IS NOT NULL) AS priced, count(*) FILTER (WHERE cost_source = $$computed$$) AS computed FROM llm_calls';
    const s = await obsJson<{ rows: Row[] }>(['sql', '--logs', older, '-q', q]);
    expect(s.data.rows[0]!['priced']).toBe(s.data.rows[0]!['computed']);
    expect(s.data.rows[0]!['computed']).toBeGreaterThan(0);
  });

  it('alone, they are no usable input: exit 3', async () => {
    const r = await obs(['events', '--logs', path.join(foreign, 'metrics')]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('none of a kind obs loads (parquet)');
  });
});
