/**
 * The cache gives the answers a fresh read gives (--no-cache), whatever
 * happened to the files between runs: nothing, lines appended (an audit log
 * read on from where it stopped), a file rewritten, truncated, rotated or
 * removed, a line still being written, other settings, two runs at once.
 * Every comparison is against --no-cache on the same files at the same time.
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { CORPUS, obs } from '../helpers/cli.js';

const TIMEOUT = 120_000;
const LLM_IO = 'llm_io_20261121_221805_7824.jsonl';
const THREAD = '1795299499.694654';
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** A copy of the sample corpus's logs, and a cache file beside it. */
function workdir(): { dir: string; logs: string; cache: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'obs-cache-'));
  temps.push(dir);
  const logs = path.join(dir, 'logs');
  cpSync(path.join(CORPUS, 'logs'), logs, { recursive: true });
  return { dir, logs, cache: path.join(dir, 'cache', 'obs.duckdb') };
}

/** The commands whose answers are compared: every loaded table shows in one of them. */
const COMMANDS: string[][] = [
  ['sources', '--json'],
  ['llm', '--by', 'model', '--json'],
  ['errors', '--json'],
  ['sessions', '--json'],
  ['query', '--thread', THREAD, '--json'],
  ['sql', 'select * exclude (raw) from events order by source_file, source_line', '--json'],
  ['sql', 'select * exclude (raw) from llm_calls order by source_file, source_line', '--json'],
  ['sql', 'select source_file, source_line, error_id, error_type, session_key from error_records order by all', '--json'],
  ['sql', 'select * from line_issues order by all', '--json'],
  ['sql', 'select * from files order by path', '--json'],
];

async function run(args: string[], cwd: string, cache: string | null): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  return obs([...args, '--logs', 'logs', ...(cache === null ? ['--no-cache'] : ['--cache', cache])], { cwd, env: { OBS_NOW: '2026-11-21T22:21:00Z' } });
}

/** A command's JSON, without what says how the cache was used (obs sources's "cache"). */
function answer(stdout: string): unknown {
  const doc = JSON.parse(stdout) as Record<string, unknown>;
  delete doc['cache'];
  return doc;
}

/** Every command through the cache gives what --no-cache gives. */
async function expectSameAsFresh(w: { dir: string; cache: string }, commands = COMMANDS): Promise<void> {
  for (const args of commands) {
    const fresh = await run(args, w.dir, null);
    const cached = await run(args, w.dir, w.cache);
    expect(cached.exitCode, `${args.join(' ')}\n${cached.stderr}`).toBe(fresh.exitCode);
    expect(answer(cached.stdout), args.join(' ')).toEqual(answer(fresh.stdout));
  }
}

/** What obs sources says of the cache on the next run (which changes nothing). */
async function cacheUse(w: { dir: string; cache: string }): Promise<Record<string, unknown>> {
  return (JSON.parse((await run(['sources', '--json'], w.dir, w.cache)).stdout) as { cache: Record<string, unknown> }).cache;
}

/** What the cache file says of one file: where it read to, how many lines. */
async function cacheEntry(cache: string, name: string): Promise<{ read_to: number; lines: number }> {
  const db = await DuckDBInstance.create(cache, { access_mode: 'READ_ONLY' });
  try {
    const c = await db.connect();
    const rows = (await c.runAndReadAll('SELECT read_to::DOUBLE AS read_to, lines::DOUBLE AS lines FROM cache_files WHERE display LIKE $n', { n: `%${name}` })).getRowObjectsJS();
    c.closeSync();
    return rows[0] as { read_to: number; lines: number };
  } finally {
    db.closeSync();
  }
}

/** The digest of the walk the cache keeps (null: the cache compares each file instead). */
async function walkDigest(cache: string): Promise<string | null> {
  const db = await DuckDBInstance.create(cache, { access_mode: 'READ_ONLY' });
  try {
    const c = await db.connect();
    const rows = (await c.runAndReadAll('SELECT walked FROM cache_meta')).getRowObjectsJS();
    c.closeSync();
    return (rows[0]?.['walked'] ?? null) as string | null;
  } finally {
    db.closeSync();
  }
}

/** The same bytes with a new time, then another file (inode) of the same size and time: each read again, once. */
async function expectTouchedAndReplacedReadAgain(w: { dir: string; cache: string }, file: string, loaded: number, check: string[][]): Promise<void> {
  const at = new Date(Date.now() - 30_000);
  utimesSync(file, at, at);
  expect(await cacheUse(w)).toMatchObject({ state: 'updated', read_whole: 1, dropped: 1 });
  await expectSameAsFresh(w, check);
  expect(await cacheUse(w)).toMatchObject({ state: 'unchanged', unchanged: loaded });
  const copy = `${file}.new`;
  writeFileSync(copy, readFileSync(file));
  utimesSync(copy, statSync(file).atime, statSync(file).mtime);
  renameSync(copy, file);
  expect(await cacheUse(w)).toMatchObject({ state: 'updated', read_whole: 1, dropped: 1 });
  await expectSameAsFresh(w, check);
}

/** Adds a JSON-lines file with a rejected line (line 2), a binary file, and an entry the walk cannot examine. */
function withBadInputs<W extends { dir: string; logs: string }>(w: W): W {
  const bad = path.join(w.logs, 'worker.jsonl');
  writeFileSync(bad, '{"ts": "2026-11-21T22:18:30Z", "level": "info", "event": "started"}\n{"ts": "2026-11-21T22:18:31Z", "level": "err\n{"ts": "2026-11-21T22:18:32Z", "level": "info", "event": "done"}\n');
  writeFileSync(path.join(w.logs, 'core.log'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3]));
  // An entry the walk cannot examine: listed as unreadable on every run, and no reason to read anything again.
  symlinkSync(path.join(w.dir, 'rotated-away.log'), path.join(w.logs, 'gone.log'));
  const old = new Date(Date.now() - 60_000);
  utimesSync(bad, old, old);
  return w;
}

function llmLines(): string[] {
  return readFileSync(path.join(CORPUS, 'logs', LLM_IO), 'utf8').split('\n').filter((l) => l !== '');
}

describe('the cache', () => {
  it('answers as a fresh read does, and a second run reads nothing and writes nothing', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    const built = JSON.parse((await run(['sources', '--json'], w.dir, w.cache)).stdout) as { cache: Record<string, unknown>; files: Array<{ status: string }> };
    const loaded = built.files.filter((f) => f.status === 'loaded').length;
    expect(built.cache).toEqual({ file: w.cache, state: 'built', unchanged: 0, read_on: 0, read_whole: loaded, dropped: 0 });
    expect(JSON.parse((await run(['sources', '--json'], w.dir, null)).stdout)).toMatchObject({ cache: null });
    await expectSameAsFresh(w);
    expect(await cacheUse(w)).toEqual({ file: w.cache, state: 'unchanged', unchanged: loaded, read_on: 0, read_whole: 0, dropped: 0 });
    const before = statSync(w.cache);
    const again = await run(['llm', '--by', 'model', '--json'], w.dir, w.cache);
    expect(again.exitCode).toBe(0);
    const after = statSync(w.cache);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.size).toBe(before.size);
  });

  it('answers ahead of the walk from a cache not written in the last minute, and never with what the logs have left behind', { timeout: TIMEOUT }, async () => {
    const w = withBadInputs(workdir());
    const commands = [['llm', '--by', 'model', '--json'], ['errors', '--json'], ['sessions', '--json'], ['sql', 'select count(*) AS n from llm_calls', '--json']];
    expect((await run(['sources', '--json'], w.dir, w.cache)).exitCode).toBe(4);
    // Written an hour ago: the logs are not being written, so the answer is begun while the walk goes on.
    const age = (): void => {
      const hourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(w.cache, hourAgo, hourAgo);
    };
    age();
    for (const args of commands) {
      const fresh = await run(args, w.dir, null);
      const ahead = await run(args, w.dir, w.cache);
      expect(ahead.exitCode, args.join(' ')).toBe(fresh.exitCode);
      expect(answer(ahead.stdout), args.join(' ')).toEqual(answer(fresh.stdout));
      // What the load says of the bad lines, then what the command says, as a fresh read says them.
      expect(ahead.stderr, args.join(' ')).toBe(fresh.stderr);
    }
    // A call logged since: the walk disagrees with the cache, and the answer is the logs' as they are now.
    appendFileSync(path.join(w.logs, LLM_IO), `${llmLines()[0]}\n`);
    age();
    await expectSameAsFresh(w, commands);
  });

  it('reads a grown audit log from where it stopped, and answers as a fresh read', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    const lines = llmLines();
    const file = path.join(w.logs, LLM_IO);
    expect(lines.length).toBeGreaterThan(60);
    writeFileSync(file, `${lines.slice(0, 30).join('\n')}\n`);
    await expectSameAsFresh(w, COMMANDS.slice(0, 2));
    const first = await cacheEntry(w.cache, LLM_IO);
    expect(first).toEqual({ read_to: statSync(file).size, lines: 30 });

    appendFileSync(file, `${lines.slice(30, 50).join('\n')}\n`);
    const next = JSON.parse((await run(['sources', '--json'], w.dir, w.cache)).stdout) as { cache: Record<string, unknown> };
    expect(next.cache).toMatchObject({ state: 'updated', read_on: 1, read_whole: 0, dropped: 0 });
    await expectSameAsFresh(w);
    expect(await cacheEntry(w.cache, LLM_IO)).toEqual({ read_to: statSync(file).size, lines: 50 });

    appendFileSync(file, `${lines.slice(50).join('\n')}\n`);
    await expectSameAsFresh(w);
    expect((await cacheEntry(w.cache, LLM_IO)).lines).toBe(lines.length);
  });

  it('reads again a file rewritten, truncated or rotated, and forgets one removed', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    const lines = llmLines();
    const file = path.join(w.logs, LLM_IO);
    await expectSameAsFresh(w, COMMANDS.slice(0, 2));

    // Truncated, then written shorter: fewer lines than the cache read.
    writeFileSync(file, `${lines.slice(0, 30).join('\n')}\n`);
    await expectSameAsFresh(w, [COMMANDS[0]!, COMMANDS[1]!, COMMANDS[6]!]);
    expect((await cacheEntry(w.cache, LLM_IO)).lines).toBe(30);

    // Rewritten in place to a longer file whose start differs: not read on from the old offset.
    const other = [...lines.slice(40, 60), ...lines.slice(0, 30)];
    writeFileSync(file, `${other.join('\n')}\n`);
    await expectSameAsFresh(w, [COMMANDS[0]!, COMMANDS[1]!, COMMANDS[6]!]);

    // Rotated: renamed to .1 and a new file begun.
    renameSync(file, `${file}.1`);
    writeFileSync(file, `${lines.slice(60).join('\n')}\n`);
    await expectSameAsFresh(w);

    // Removed: its rows go.
    rmSync(`${file}.1`);
    rmSync(path.join(w.logs, 'app.log'));
    const gone = JSON.parse((await run(['sources', '--json'], w.dir, w.cache)).stdout) as { cache: Record<string, unknown> };
    expect(gone.cache).toMatchObject({ state: 'updated', read_on: 0, read_whole: 0, dropped: 2 });
    await expectSameAsFresh(w);
  });

  it('reads a grown text log again whole, so a traceback that continues its last record stays with it', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    const file = path.join(w.logs, 'app.log');
    writeFileSync(file, '2026-11-21 22:18:20,000 ERROR agent: step failed\nTraceback (most recent call last):\n  File "/app/a.py", line 3, in run\n');
    // Written a while ago: its last line is complete.
    utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await expectSameAsFresh(w, [COMMANDS[0]!, COMMANDS[2]!]);
    appendFileSync(file, '    step()\nValueError: bad plan\n2026-11-21 22:18:21,000 INFO agent: next\n');
    const next = JSON.parse((await run(['sources', '--json'], w.dir, w.cache)).stdout) as { cache: Record<string, unknown> };
    expect(next.cache).toMatchObject({ state: 'updated', read_on: 0, read_whole: 1, dropped: 1 });
    await expectSameAsFresh(w, [COMMANDS[0]!, COMMANDS[2]!, COMMANDS[5]!]);
    const errors = JSON.parse((await run(['errors', '--json'], w.dir, w.cache)).stdout) as { errors: Array<{ error_type: string | null; source_file: string }> };
    expect(errors.errors.filter((e) => e.source_file.endsWith('app.log')).map((e) => e.error_type)).toContain('ValueError');
  });

  it('keeps the ids an unchanged index gave a session log it reads again', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    const name = 'timeboxing_session_20261121_222000_C0ZZZZZZZZZ_1795299600.000001_7824.log';
    // The index names the log with a key its file name does not give.
    appendFileSync(
      path.join(w.logs, 'timeboxing_session_index.jsonl'),
      `${JSON.stringify({ type: 'timeboxing_session', created_at: '2026-11-21T22:20:00+00:00', session_key: 'team:custom-1', thread_ts: '1795299600.000009', channel_id: 'C0ZZZZZZZZZ', log_path: `/elsewhere/${name}`, pid: 7824 })}\n`,
    );
    const log = path.join(w.logs, name);
    writeFileSync(log, '2026-11-21 22:20:01,000 INFO {"event": "graph_turn_start", "stage": "collect"}\n');
    utimesSync(log, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const q = ['sql', `select session_key, thread_ts, event from events where source_file like '%C0ZZZZZZZZZ%' order by source_line`, '--json'];
    await expectSameAsFresh(w, [q]);
    appendFileSync(log, '2026-11-21 22:20:02,000 INFO {"event": "graph_turn_end", "stage": "collect"}\n');
    await expectSameAsFresh(w, [q, COMMANDS[3]!]);
    const rows = (JSON.parse((await run(q, w.dir, w.cache)).stdout) as { rows: Array<Record<string, unknown>> }).rows;
    expect(rows).toEqual([
      { session_key: 'team:custom-1', thread_ts: '1795299600.000009', event: 'graph_turn_start' },
      { session_key: 'team:custom-1', thread_ts: '1795299600.000009', event: 'graph_turn_end' },
    ]);
  });

  it('is built again when a new index file names logs it has read', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    const name = 'timeboxing_session_20261121_222000_C0ZZZZZZZZZ_1795299600.000001_7824.log';
    const log = path.join(w.logs, name);
    writeFileSync(log, '2026-11-21 22:20:01,000 INFO {"event": "graph_turn_start", "stage": "collect"}\n');
    const q = ['sql', `select session_key, thread_ts from events where source_file like '%C0ZZZZZZZZZ%'`, '--json'];
    await expectSameAsFresh(w, [q]);
    // Read with the ids of its file name; then an index file appears that names it with others.
    const more = path.join(w.logs, 'more');
    mkdirSync(more);
    writeFileSync(
      path.join(more, 'timeboxing_session_index.jsonl'),
      `${JSON.stringify({ type: 'timeboxing_session', created_at: '2026-11-21T22:20:00+00:00', session_key: 'team:custom-2', thread_ts: '1795299600.000010', channel_id: 'C0ZZZZZZZZZ', log_path: `../${name}`, pid: 7824 })}\n`,
    );
    expect(await cacheUse(w)).toMatchObject({ state: 'built' });
    await expectSameAsFresh(w, [q, COMMANDS[3]!]);
    expect((JSON.parse((await run(q, w.dir, w.cache)).stdout) as { rows: unknown[] }).rows).toEqual([{ session_key: 'team:custom-2', thread_ts: '1795299600.000010' }]);
  });

  it('answers unchanged only while every file, found by the walk or named by an index beside it, is as it was read', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    const name = 'timeboxing_session_20261121_222000_C0ZZZZZZZZZ_1795299600.000001_7824.log';
    // The log lies outside the folder walked: only the index finds it.
    const elsewhere = path.join(w.dir, 'elsewhere');
    mkdirSync(elsewhere);
    const log = path.join(elsewhere, name);
    writeFileSync(log, '2026-11-21 22:20:01,000 INFO {"event": "graph_turn_start", "stage": "collect"}\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(log, old, old);
    appendFileSync(
      path.join(w.logs, 'timeboxing_session_index.jsonl'),
      `${JSON.stringify({ type: 'timeboxing_session', created_at: '2026-11-21T22:20:00+00:00', session_key: 'team:custom-3', thread_ts: '1795299600.000011', channel_id: 'C0ZZZZZZZZZ', log_path: log, pid: 7824 })}\n`,
    );
    const q = ['sql', `select session_key, event from events where source_file like '%C0ZZZZZZZZZ%'`, '--json'];
    await expectSameAsFresh(w, [q, COMMANDS[0]!]);
    const loaded = (JSON.parse((await run(['sources', '--json'], w.dir, null)).stdout) as { files: Array<{ status: string }> }).files.filter((f) => f.status === 'loaded').length;
    expect(await cacheUse(w)).toEqual({ file: w.cache, state: 'unchanged', unchanged: loaded, read_on: 0, read_whole: 0, dropped: 0 });
    // A file outside the walk: each file is compared, not the walk's digest.
    expect(await walkDigest(w.cache)).toBeNull();

    // The same bytes with a new time, or another file of the same size and time: read again, in the walk and beside the index alike.
    await expectTouchedAndReplacedReadAgain(w, log, loaded, [q, COMMANDS[0]!]);
    await expectTouchedAndReplacedReadAgain(w, path.join(w.logs, 'app.log'), loaded, [q, COMMANDS[0]!]);
  });

  it('answers unchanged only while the walk finds every file as it was read, by its digest', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    await expectSameAsFresh(w, [COMMANDS[0]!]);
    const loaded = (JSON.parse((await run(['sources', '--json'], w.dir, null)).stdout) as { files: Array<{ status: string }> }).files.filter((f) => f.status === 'loaded').length;
    expect(await cacheUse(w)).toEqual({ file: w.cache, state: 'unchanged', unchanged: loaded, read_on: 0, read_whole: 0, dropped: 0 });
    const digest = await walkDigest(w.cache);
    expect(digest).toMatch(/^[0-9a-f]{40}$/);
    await expectTouchedAndReplacedReadAgain(w, path.join(w.logs, 'app.log'), loaded, [COMMANDS[0]!, COMMANDS[2]!]);
    expect(await walkDigest(w.cache)).not.toBe(digest);
    // A new file, in a folder below the one walked.
    mkdirSync(path.join(w.logs, 'later'));
    writeFileSync(path.join(w.logs, 'later', 'worker.jsonl'), '{"ts": "2026-11-21T22:19:00Z", "level": "error", "event": "late"}\n');
    utimesSync(path.join(w.logs, 'later', 'worker.jsonl'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect(await cacheUse(w)).toMatchObject({ state: 'updated', unchanged: loaded, read_whole: 1, dropped: 0 });
    await expectSameAsFresh(w, [COMMANDS[0]!, COMMANDS[2]!]);
  });

  it('answering as it is, warns of the same bad lines and passed-over files and counts the same totals as a fresh read', { timeout: TIMEOUT }, async () => {
    const w = withBadInputs(workdir());
    const commands = [['llm', '--json'], ['report', '--json'], COMMANDS[0]!];
    await expectSameAsFresh(w, commands);
    expect(await cacheUse(w)).toMatchObject({ state: 'unchanged' });
    for (const args of commands) {
      const fresh = await run(args, w.dir, null);
      const cached = await run(args, w.dir, w.cache);
      expect(fresh.exitCode).toBe(4);
      expect(cached.stderr, args.join(' ')).toBe(fresh.stderr);
      expect(answer(cached.stdout), args.join(' ')).toEqual(answer(fresh.stdout));
    }
    const fresh = await run(['llm', '--json'], w.dir, null);
    expect(fresh.stderr).toContain('worker.jsonl:2: line rejected');
    expect(fresh.stderr).toContain('core.log: binary');
    expect(fresh.stderr).toContain('gone.log: cannot be read');
  });

  it('brought up to date, warns of the bad lines of files it did not read again and counts the same totals as a fresh read', { timeout: TIMEOUT }, async () => {
    const w = withBadInputs(workdir());
    const loaded = ((await cacheUse(w)) as { read_whole: number }).read_whole;
    const lines = llmLines();
    const audit = path.join(w.logs, LLM_IO);
    let n = 0;
    const grow = (): void => appendFileSync(audit, `${lines[n++]!}\n`);
    // Each command is the first after the audit log grew: the files it did not read are reported as the cache has them.
    for (const args of [['llm', '--json'], ['errors', '--json'], COMMANDS[0]!, COMMANDS[9]!]) {
      grow();
      const cached = await run(args, w.dir, w.cache);
      const fresh = await run(args, w.dir, null);
      expect(cached.exitCode, `${args.join(' ')}\n${cached.stderr}`).toBe(4);
      expect(fresh.exitCode).toBe(4);
      expect(cached.stderr, args.join(' ')).toBe(fresh.stderr);
      expect(answer(cached.stdout), args.join(' ')).toEqual(answer(fresh.stdout));
    }
    expect((await run(['llm', '--json'], w.dir, null)).stderr).toContain('worker.jsonl:2: line rejected');
    grow();
    expect(await cacheUse(w)).toEqual({ file: w.cache, state: 'updated', unchanged: loaded - 1, read_on: 1, read_whole: 0, dropped: 0 });
    expect(await cacheUse(w)).toMatchObject({ state: 'unchanged', unchanged: loaded });
  });

  it('builds again the sessions a change touches, and those that linking gives a record or takes one from', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    const thread = '1795299999.000001';
    const line = (o: Record<string, string>): string => `${JSON.stringify({ ts: '2026-11-21T22:19:00Z', level: 'info', ...o })}\n`;
    const sessions = async (): Promise<Record<string, number>> => {
      const doc = JSON.parse((await run(['sessions', '--json'], w.dir, w.cache)).stdout) as { sessions: Array<{ session_key: string; event_count: number }> };
      return Object.fromEntries(doc.sessions.filter((s) => s.session_key.startsWith('CLINK:')).map((s) => [s.session_key, s.event_count]));
    };
    writeFileSync(path.join(w.logs, 'svc-a.jsonl'), line({ event: 'plan_started', session_key: 'CLINK:1', thread_ts: thread, channel_id: 'CLINK' }));
    // No session key: linked to CLINK:1 by its thread while that thread has one session.
    writeFileSync(path.join(w.logs, 'svc-b.jsonl'), line({ event: 'tool_call', thread_ts: thread }));
    await expectSameAsFresh(w, [COMMANDS[3]!]);
    expect(await sessions()).toEqual({ 'CLINK:1': 2 });
    // A second session on the thread: svc-b's record, in a file not read again, is linked to neither.
    writeFileSync(path.join(w.logs, 'svc-c.jsonl'), line({ event: 'plan_started', session_key: 'CLINK:2', thread_ts: thread }));
    await expectSameAsFresh(w, [COMMANDS[3]!, COMMANDS[5]!]);
    expect(await sessions()).toEqual({ 'CLINK:1': 1, 'CLINK:2': 1 });
    rmSync(path.join(w.logs, 'svc-c.jsonl'));
    await expectSameAsFresh(w, [COMMANDS[3]!, COMMANDS[5]!]);
    expect(await sessions()).toEqual({ 'CLINK:1': 2 });
    expect(await cacheUse(w)).toMatchObject({ state: 'unchanged' });
  });

  it('leaves out a line still being written and reads it once it is complete, once', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    const lines = llmLines();
    const file = path.join(w.logs, LLM_IO);
    const last = lines[10]!;
    writeFileSync(file, `${lines.slice(0, 10).join('\n')}\n${last.slice(0, 100)}`);
    const during = await run(['llm', '--json'], w.dir, w.cache);
    expect(during.stderr).toMatch(/still being written/);
    expect((await cacheEntry(w.cache, LLM_IO)).lines).toBe(10);
    appendFileSync(file, `${last.slice(100)}\n`);
    await expectSameAsFresh(w, [COMMANDS[0]!, COMMANDS[6]!]);
    const sources = JSON.parse((await run(['sources', '--json'], w.dir, w.cache)).stdout) as { files: Array<{ path: string; records: number; rejected: number }> };
    expect(sources.files.find((f) => f.path.endsWith(LLM_IO))).toMatchObject({ records: 11, rejected: 0 });
  });

  it('reads a line cut by a crash again when the file grows after all', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    const lines = llmLines();
    const file = path.join(w.logs, LLM_IO);
    writeFileSync(file, `${lines.slice(0, 10).join('\n')}\n${lines[10]!.slice(0, 100)}`);
    utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    // Quiet for a minute: the cut line is rejected (exit 4), as without the cache.
    await expectSameAsFresh(w, [COMMANDS[0]!, COMMANDS[8]!]);
    expect((await run(['sources', '--json'], w.dir, w.cache)).exitCode).toBe(4);
    appendFileSync(file, `${lines[10]!.slice(100)}\n${lines[11]!}\n`);
    await expectSameAsFresh(w, [COMMANDS[0]!, COMMANDS[6]!, COMMANDS[8]!]);
    expect((await run(['sources', '--json'], w.dir, w.cache)).exitCode).toBe(0);
  });

  it('is built again for other settings, and for a file that is not a cache', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    await run(['llm', '--json'], w.dir, w.cache);
    const other = await obs(['llm', '--json', '--logs', 'logs', '--cache', w.cache, '--tz', 'America/New_York'], { cwd: w.dir });
    expect(other.stderr).toMatch(/built by another obs version or with other settings: built again/);
    const fresh = await obs(['llm', '--json', '--logs', 'logs', '--no-cache', '--tz', 'America/New_York'], { cwd: w.dir });
    expect(JSON.parse(other.stdout)).toEqual(JSON.parse(fresh.stdout));

    // A cache an older obs wrote, whose list of settings had a column fewer: built again, not a failure.
    const older = await DuckDBInstance.create(w.cache);
    const oc = await older.connect();
    await oc.run("UPDATE cache_meta SET key = 'an older obs'");
    await oc.run('ALTER TABLE cache_meta DROP COLUMN sums');
    oc.closeSync();
    older.closeSync();
    const rebuilt = await run(['llm', '--json'], w.dir, w.cache);
    expect(rebuilt.exitCode, rebuilt.stderr).toBe(0);
    expect(rebuilt.stderr).toMatch(/built by another obs version or with other settings: built again/);
    expect(answer(rebuilt.stdout)).toEqual(answer((await run(['llm', '--json'], w.dir, null)).stdout));
    expect(await cacheUse(w)).toMatchObject({ state: 'unchanged' });

    const junk = path.join(w.dir, 'junk.duckdb');
    writeFileSync(junk, 'not a database\n'.repeat(1000));
    const r = await obs(['llm', '--json', '--logs', 'logs', '--cache', junk], { cwd: w.dir });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/junk\.duckdb.*not a cache obs can read/);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse((await run(['llm', '--json'], w.dir, null)).stdout));
    expect(readFileSync(junk, 'utf8')).toBe('not a database\n'.repeat(1000));

    // A DuckDB database of someone else's is neither emptied nor used.
    const theirs = path.join(w.dir, 'theirs.duckdb');
    const db = await DuckDBInstance.create(theirs);
    const c = await db.connect();
    await c.run('CREATE TABLE precious AS SELECT 42 AS answer');
    c.closeSync();
    db.closeSync();
    const t = await obs(['sources', '--json', '--logs', 'logs', '--cache', theirs], { cwd: w.dir });
    expect(t.stderr).toMatch(/theirs\.duckdb is not a cache obs can read \(a DuckDB database with tables that are not an obs cache\)/);
    expect((JSON.parse(t.stdout) as { cache: unknown }).cache).toMatchObject({ state: 'unusable' });
    const check = await DuckDBInstance.create(theirs, { access_mode: 'READ_ONLY' });
    const cc = await check.connect();
    expect((await cc.runAndReadAll('SELECT answer FROM precious')).getRowObjectsJS()).toEqual([{ answer: 42 }]);
    cc.closeSync();
    check.closeSync();
  });

  it('is shared by runs from any directory when the logs lie elsewhere, and built again where a file would be named otherwise', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    const [a, b] = [path.join(w.dir, 'a'), path.join(w.dir, 'b')];
    for (const d of [a, b]) mkdirSync(d);
    const env = { OBS_NOW: '2026-11-21T22:21:00Z', XDG_CACHE_HOME: path.join(w.dir, 'xdg') };
    const from = (cwd: string, args: string[], cache: string[] = []) => obs([...args, '--logs', w.logs, ...cache], { cwd, env });
    const state = async (cwd: string): Promise<unknown> => (JSON.parse((await from(cwd, ['sources', '--json'])).stdout) as { cache: { state: unknown } }).cache.state;

    // The default cache file is one for both directories: built from one, answered from it in the other.
    expect(await state(a)).toBe('built');
    expect(await state(b)).toBe('unchanged');
    expect(readdirSync(path.join(w.dir, 'xdg', 'obs')).filter((n) => n.endsWith('.duckdb'))).toHaveLength(1);
    for (const args of [COMMANDS[1]!, COMMANDS[5]!]) {
      expect(JSON.parse((await from(b, args)).stdout), args.join(' ')).toEqual(JSON.parse((await from(b, args, ['--no-cache'])).stdout));
    }

    // From the folder that holds the logs, rows name them relative to it: a cache of its own.
    const parent = await from(w.dir, ['sources', '--json']);
    expect((JSON.parse(parent.stdout) as { cache: { state: unknown } }).cache.state).toBe('built');
    expect(readdirSync(path.join(w.dir, 'xdg', 'obs')).filter((n) => n.endsWith('.duckdb'))).toHaveLength(2);

    // A session log the index names from b: b names it "timeboxing_session_....log", a by its absolute path.
    const index = path.join(w.logs, 'timeboxing_session_index.jsonl');
    const moved = readFileSync(index, 'utf8').split('\n')[0]!.match(/timeboxing_session_\d{8}_[^"]+\.log/)![0];
    renameSync(path.join(w.logs, moved), path.join(b, moved));
    writeFileSync(index, readFileSync(index, 'utf8').replace(/"log_path": "[^"]*timeboxing_session_20261121_221819_[^"]+"/, `"log_path": ${JSON.stringify(path.join(b, moved))}`));
    const cache = ['--cache', path.join(w.dir, 'shared.duckdb')];
    expect((await from(a, ['sources', '--json'], cache)).exitCode).toBe(0);
    const fromB = await from(b, ['query', '--thread', THREAD, '--json'], cache);
    expect(fromB.stderr).toMatch(/names its files relative to the directory it was built from, and this run names them otherwise: built again/);
    expect(JSON.parse(fromB.stdout)).toEqual(JSON.parse((await from(b, ['query', '--thread', THREAD, '--json'], ['--no-cache'])).stdout));
    expect(fromB.stdout).toContain(`"${moved}"`);
  });

  it('serves two runs at once: both answer in full', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    const fresh = await run(COMMANDS[1]!, w.dir, null);
    const runs = await Promise.all([0, 1, 2].map(() => run(COMMANDS[1]!, w.dir, w.cache)));
    for (const r of runs) {
      expect(r.exitCode, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(JSON.parse(fresh.stdout));
    }
    // Warm runs at once share the file.
    const warm = await Promise.all([0, 1, 2].map(() => run(COMMANDS[1]!, w.dir, w.cache)));
    for (const r of warm) {
      expect(r.stderr).not.toMatch(/in use/);
      expect(JSON.parse(r.stdout)).toEqual(JSON.parse(fresh.stdout));
    }
  });

  it('narrows obs sql with filters without changing the cache', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    const q = ['sql', '--thread', THREAD, 'select count(*) as n, count(distinct source_file) as files from events', '--json'];
    await expectSameAsFresh(w, [q, ['sql', '--thread', THREAD, 'select session_key, llm_call_count from sessions order by all', '--json']]);
    await expectSameAsFresh(w, [['sql', 'select count(*) as n from events', '--json']]);
  });

  it('is neither read nor written with --no-cache or OBS_CACHE=off', { timeout: TIMEOUT }, async () => {
    const w = workdir();
    expect((await run(['llm', '--json'], w.dir, null)).exitCode).toBe(0);
    const env = await obs(['llm', '--json', '--logs', 'logs'], { cwd: w.dir, env: { OBS_CACHE: 'off', XDG_CACHE_HOME: path.join(w.dir, 'xdg') } });
    expect(env.exitCode).toBe(0);
    expect(existsSync(w.cache)).toBe(false);
    expect(existsSync(path.join(w.dir, 'xdg'))).toBe(false);
    // A path that names nothing leaves nothing behind (exit 3), with the cache's folder not made yet.
    const missing = await obs(['llm', '--json', '--logs', 'nope'], { cwd: w.dir, env: { XDG_CACHE_HOME: path.join(w.dir, 'xdg') } });
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toContain('cannot read nope');
    expect(existsSync(path.join(w.dir, 'xdg'))).toBe(false);
    // By default, one file per set of logs under $XDG_CACHE_HOME/obs.
    await obs(['llm', '--json', '--logs', 'logs'], { cwd: w.dir, env: { XDG_CACHE_HOME: path.join(w.dir, 'xdg') } });
    expect(existsSync(path.join(w.dir, 'xdg', 'obs'))).toBe(true);
  });
});
