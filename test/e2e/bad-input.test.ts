/**
 * End to end on bad input: missing paths, globs that match nothing, many
 * files, one huge line, unreadable files, bad flags and values, bad config
 * files, and where the log paths come from (--logs, OBS_LOGS, config).
 * Every temporary folder is made here and removed afterwards.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, obs, obsJson } from '../helpers/cli.js';

type Row = Record<string, unknown>;

const GENERATED = `${FIXTURES}/generated/logs`;
const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `obs-${prefix}-`));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const warnings = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('warning:'));

// ---------------------------------------------------------------------------

describe('bad input: paths', () => {
  it('a missing --logs path exits 3, names the path and gives a help line', async () => {
    const missing = path.join(tmpdir(), 'obs-no-such-dir-7f3a91', 'logs');
    const r = await obs(['events', '--logs', missing]);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: cannot read ${missing}`);
    expect(r.stderr).toContain('reason: no such file or directory');
    expect(r.stderr).toMatch(/^help: .*--logs/m);
  });

  it('a glob that matches nothing exits 3', async () => {
    const r = await obs(['events', '--logs', 'fixtures/generated/logs/*.nomatch']);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: no file matches fixtures/generated/logs/*.nomatch');
  });

  it('a glob under a folder that does not exist exits 3 and says which folder', async () => {
    const r = await obs(['sessions', '--logs', 'fixtures/no-such-folder/*.jsonl']);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: no file matches fixtures/no-such-folder/*.jsonl');
    expect(r.stderr).toContain('the folder fixtures/no-such-folder does not exist');
  });

  it('a glob matches files', async () => {
    const { data, exitCode } = await obsJson<{ files: Row[] }>(['sources', '--logs', 'fixtures/generated/logs/app*']);
    expect(exitCode).toBe(0);
    expect(data.files.map((f) => f['path'])).toEqual(['fixtures/generated/logs/app.jsonl']);
  });

  it('two globs in the same folder each read their files', async () => {
    const r = await obs(['sources', '--json', '--logs', 'fixtures/generated/logs/app*', '--logs', 'fixtures/generated/logs/worker*']);
    expect(r.stderr).not.toContain('error:');
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as { files: Row[] };
    expect(doc.files.map((f) => f['path'])).toEqual(['fixtures/generated/logs/app.jsonl', 'fixtures/generated/logs/worker.jsonl']);
  });

  it('the same folder twice is read once', async () => {
    const { data, exitCode } = await obsJson<{ count: number }>(['events', '--logs', 'fixtures/edge/crlf', '--logs', 'fixtures/edge/crlf']);
    expect(exitCode).toBe(0);
    expect(data.count).toBe(7);
  });
});

// ---------------------------------------------------------------------------

describe('bad input: 10,000 small files', () => {
  const N = 10_000;
  let dir = '';
  beforeAll(() => {
    dir = tempDir('many');
    for (let i = 0; i < N; i++) {
      const name = `f${String(i).padStart(5, '0')}.jsonl`;
      writeFileSync(path.join(dir, name), `{"ts":"2026-03-02T09:00:00Z","level":"info","message":"m${i}"}\n`);
    }
  });

  it('obs sources --json reports 10000 files', async () => {
    const { data, exitCode } = await obsJson<{ count: number; totals: Row; files: Row[] }>(['sources', '--logs', dir]);
    expect(exitCode).toBe(0);
    expect(data.count).toBe(N);
    expect(data.files).toHaveLength(N);
    expect(data.totals).toMatchObject({ files: N, lines: N, records: N, rejected: 0, unreadable: 0 });
  }, 60_000);

  it('obs events --json returns 10000 events', async () => {
    const { data, exitCode } = await obsJson<{ count: number; events: Row[] }>(['events', '--logs', dir]);
    expect(exitCode).toBe(0);
    expect(data.count).toBe(N);
    expect(new Set(data.events.map((e) => e['message'])).size).toBe(N);
  }, 60_000);
});

describe('bad input: one 50 MB line', () => {
  const MARKER = 'END_OF_HUGE_LINE_5f1c';
  const SIZE = 50 * 1024 * 1024;
  let dir = '';
  beforeAll(() => {
    dir = tempDir('huge');
    const message = 'x'.repeat(SIZE) + MARKER;
    writeFileSync(path.join(dir, 'big.jsonl'), `${JSON.stringify({ ts: '2026-03-02T09:00:00Z', level: 'info', message })}\n`);
  });

  it('obs events --contains <marker> finds it; exit 0', async () => {
    // TSV keeps the output near 50 MB (JSON would hold the message twice: message and raw).
    const r = await obs(['events', '--logs', dir, '--contains', MARKER, '-o', 'tsv']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.slice(0, -1).split('\n');
    expect(lines).toHaveLength(2);
    const cells = (lines[1] as string).split('\t');
    expect(cells[0]).toBe('2026-03-02T09:00:00.000Z');
    expect(cells[5]?.length).toBe(SIZE + MARKER.length);
    expect(cells[5]?.endsWith(MARKER)).toBe(true);
    expect(cells[6]).toBe(`${path.join(dir, 'big.jsonl')}:1`);
  }, 60_000);

  it('the whole message is loaded', async () => {
    const { data, exitCode } = await obsJson<{ rows: Row[] }>(['sql', '--logs', dir, 'select source_line, length(message) as n, ends_with(message, \'' + MARKER + '\') as marker from events']);
    expect(exitCode).toBe(0);
    expect(data.rows).toEqual([{ source_line: 1, n: SIZE + MARKER.length, marker: true }]);
  }, 60_000);
});

describe('bad input: an unreadable file', () => {
  let dir = '';
  beforeAll(() => {
    dir = tempDir('loop');
    symlinkSync('a.log', path.join(dir, 'a.log'));
    writeFileSync(path.join(dir, 'good.jsonl'), '{"ts":"2026-03-02T09:00:00Z","level":"info","message":"good line"}\n');
  });

  it('a symlink loop is warned about by name, exit 4, and the good file is still answered', async () => {
    const r = await obs(['events', '--logs', dir, '--json']);
    expect(r.exitCode).toBe(4);
    const w = warnings(r.stderr);
    expect(w).toHaveLength(1);
    expect(w[0]).toContain(`${path.join(dir, 'a.log')}: cannot be read`);
    const doc = JSON.parse(r.stdout) as { count: number; events: Row[] };
    expect(doc.count).toBe(1);
    expect(doc.events[0]?.['message']).toBe('good line');
  });

  it('obs sources lists it as unreadable', async () => {
    const { data, exitCode } = await obsJson<{ files: Row[]; totals: Row }>(['sources', '--logs', dir]);
    expect(exitCode).toBe(4);
    expect(data.totals).toMatchObject({ files: 2, unreadable: 1, records: 1 });
    const loop = data.files.find((f) => f['path'] === path.join(dir, 'a.log')) as Row;
    expect(loop['status']).toBe('unreadable');
    expect(loop['note']).toMatch(/ELOOP/);
  });

  it('named alone, it is no usable input: exit 3', async () => {
    const r = await obs(['events', '--logs', path.join(dir, 'a.log')]);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: cannot read ${path.join(dir, 'a.log')}`);
  });
});

// ---------------------------------------------------------------------------

describe('bad input: flags and values', () => {
  const LOGS = ['--logs', 'fixtures/generated/logs'];

  it('an unknown flag exits 2', async () => {
    const r = await obs(['events', ...LOGS, '--bogus']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("error: unknown option '--bogus'");
  });

  it('an unknown command exits 2', async () => {
    const r = await obs(['nosuch']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("error: unknown command 'nosuch'");
  });

  it('--limit abc exits 2', async () => {
    const r = await obs(['events', ...LOGS, '--limit', 'abc']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: --limit expects a positive whole number, got "abc"');
  });

  it('--limit 0 exits 2', async () => {
    const r = await obs(['sessions', ...LOGS, '--limit', '0']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('a bad --where exits 2 with an error line and a caret under the place', async () => {
    const r = await obs(['events', ...LOGS, '--where', 'duration_ms >']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: invalid --where expression: /m);
    const lines = r.stderr.split('\n');
    const note = lines.findIndex((l) => l === 'note: duration_ms >');
    expect(note).toBeGreaterThanOrEqual(0);
    // The caret sits after the expression (column 14), under "note: " + 13 characters.
    expect(lines[note + 1]).toBe(`${' '.repeat('note: duration_ms >'.length)}^`);
  });

  it('--where on an unknown session field exits 2', async () => {
    const r = await obs(['sessions', ...LOGS, '--where', "colour = 'red'"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error: unknown field "colour"');
  });

  it('--tz Mars/Base exits 2', async () => {
    const r = await obs(['events', ...LOGS, '--tz', 'Mars/Base']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: unknown time zone "Mars/Base"');
  });

  it('--since yesterday exits 2', async () => {
    const r = await obs(['events', ...LOGS, '--since', 'yesterday']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: invalid --since value 'yesterday'");
  });

  it('--from with a duration exits 2 and points at --since', async () => {
    const r = await obs(['events', ...LOGS, '--from', '10m']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: --from takes an absolute time, but '10m' is a relative duration");
  });

  it('--by with an unknown key exits 2', async () => {
    const r = await obs(['llm', ...LOGS, '--by', 'colour']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error: cannot group LLM calls by "colour"');
  });

  it('--json and --ndjson together exit 2', async () => {
    const r = await obs(['sessions', ...LOGS, '--json', '--ndjson']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: choose one output format, not json and ndjson');
  });

  it('--json with -o tsv exits 2', async () => {
    const r = await obs(['events', ...LOGS, '--json', '-o', 'tsv']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('obs --json --ndjson without a command exits 2', async () => {
    const r = await obs(['--json', '--ndjson']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: /m);
  });

  it('obs sql without a query exits 2', async () => {
    const r = await obs(['sql', ...LOGS]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error: no query given');
  });
});

// ---------------------------------------------------------------------------

describe('bad input: config file and environment', () => {
  function cwdWithConfig(config: unknown): string {
    const dir = tempDir('cfg');
    writeFileSync(path.join(dir, 'obs.config.json'), typeof config === 'string' ? config : JSON.stringify(config));
    return dir;
  }

  it('an unknown key exits 2 and names the key', async () => {
    const cwd = cwdWithConfig({ logs: GENERATED, colour: true });
    const r = await obs(['sessions', '--json'], { cwd });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: unknown key "colour" in obs.config.json');
  });

  it('"tz": 5 exits 2 and names the key', async () => {
    const cwd = cwdWithConfig({ tz: 5 });
    const r = await obs(['sessions', '--json'], { cwd });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: invalid value for "tz" in obs.config.json');
  });

  it('a config file that is not JSON exits 2', async () => {
    const cwd = cwdWithConfig('not json');
    const r = await obs(['sessions'], { cwd });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error: cannot read config file obs.config.json');
  });

  it('a config file whose logs point at the generated fixtures works', async () => {
    const cwd = cwdWithConfig({ logs: GENERATED });
    const { data, exitCode, stderr } = await obsJson<{ sessions: Row[] }>(['sessions'], { cwd });
    expect(exitCode).toBe(0);
    expect(data.sessions).toHaveLength(4);
    expect(stderr).toContain(`warning: ${GENERATED}/timeboxing_session_index.jsonl:3:`);
  });

  it('config logs are relative to the config file, and its tz is used', async () => {
    const cwd = tempDir('cfg-rel');
    const sub = path.join(cwd, 'conf');
    mkdirSync(sub);
    writeFileSync(path.join(sub, 'obs.config.json'), JSON.stringify({ logs: [path.relative(sub, `${FIXTURES}/edge/crlf`)], tz: 'Europe/Amsterdam' }));
    const { data, exitCode } = await obsJson<{ events: Row[]; window: Row }>(['events', '--config', 'conf/obs.config.json'], { cwd });
    expect(exitCode).toBe(0);
    expect(data.window['tz']).toBe('Europe/Amsterdam');
    expect(data.events).toHaveLength(7);
    // The session log's naive 09:00:00,010 read in Amsterdam.
    expect(data.events[0]?.['ts']).toBe('2026-03-02T08:00:00.010Z');
  });

  it('--config naming a missing file exits 2', async () => {
    const cwd = tempDir('cfg-missing');
    const r = await obs(['sessions', '--config', 'nope.json'], { cwd });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error: config file nope.json does not exist');
  });

  it('OBS_LOGS is read when there is no --logs', async () => {
    const cwd = tempDir('env');
    const { data, exitCode } = await obsJson<{ sessions: Row[] }>(['sessions'], { cwd, env: { OBS_LOGS: GENERATED } });
    expect(exitCode).toBe(0);
    expect(data.sessions.map((s) => s['session_key'])).toEqual([
      'C0AAAAAAAAA:1772442000.100200', 'C0BBBBBBBBB:1772442300.200300', 'C0CCCCCCCCC:1772442600.300400', 'C0DDDDDDDDD:1772442900.400500',
    ]);
  });

  it('OBS_LOGS holds several paths separated by ":"', async () => {
    const cwd = tempDir('env2');
    const env = { OBS_LOGS: `${FIXTURES}/edge/crlf:${FIXTURES}/edge/malformed-json` };
    const { data, exitCode } = await obsJson<{ files: Row[]; totals: Row }>(['sources'], { cwd, env });
    // malformed-json rejects a line: partial result.
    expect(exitCode).toBe(4);
    expect(data.files).toHaveLength(3);
    expect(data.totals).toMatchObject({ files: 3, lines: 13, records: 12, rejected: 1 });
  });

  it('--logs wins over OBS_LOGS, and OBS_LOGS over the config file', async () => {
    const cwd = cwdWithConfig({ logs: `${FIXTURES}/edge/crlf` });
    const viaEnv = await obsJson<{ files: Row[] }>(['sources'], { cwd, env: { OBS_LOGS: `${FIXTURES}/edge/empty` } });
    expect(viaEnv.data.files.map((f) => path.basename(String(f['path'])))).toEqual(['app.jsonl', 'blank-lines.jsonl']);
    const viaFlag = await obsJson<{ files: Row[] }>(['sources', '--logs', `${FIXTURES}/edge/nul-bytes`], { cwd, env: { OBS_LOGS: `${FIXTURES}/edge/empty` } });
    expect(viaFlag.data.files).toHaveLength(1);
    expect(viaFlag.data.files[0]?.['path']).toBe(`${FIXTURES}/edge/nul-bytes/app.jsonl`);
  });

  it('with no --logs, OBS_LOGS or config, ./logs is read, and its absence is exit 3', async () => {
    const cwd = tempDir('nothing');
    const r = await obs(['sessions'], { cwd });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: cannot read logs');
  });
});
