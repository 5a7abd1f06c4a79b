/**
 * obs events, errors and llm with --follow, as a user runs them: the built
 * CLI follows a temporary folder of logs while the test appends lines,
 * rotates a file (rename and a new file), truncates one (copytruncate),
 * adds a file, empties the folder and fills it again. stdout is read as it
 * comes; every new record must appear once, in order, and Ctrl-C (SIGINT)
 * must end with exit 0 after a complete line. The test waits for what it
 * expects, never for a fixed time: a sentinel line appended last shows that
 * everything written before it has been read.
 */
import { execa, type ResultPromise } from 'execa';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BIN, CACHE_HOME, FIXTURES, obs } from '../helpers/cli.js';

type Row = Record<string, unknown>;

const TIMEOUT = 180_000;
const WAIT_MS = 60_000;
const temps: string[] = [];
const running: Follower[] = [];

afterEach(() => {
  for (const f of running.splice(0)) f.kill();
});
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** A folder with logs/ holding the given files. */
function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'obs-follow-'));
  temps.push(dir);
  mkdirSync(path.join(dir, 'logs'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, 'logs', name), text);
  return dir;
}

/** obs running in the background, its output collected as it comes. */
class Follower {
  stdout = '';
  stderr = '';
  readonly proc: ResultPromise;
  private exited = false;

  constructor(args: string[], cwd: string) {
    this.proc = execa(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', XDG_CACHE_HOME: CACHE_HOME, NO_COLOR: '1', TZ: 'UTC', OBS_FOLLOW_INTERVAL: '200ms' },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      buffer: false,
    });
    this.proc.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString('utf8')));
    this.proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString('utf8')));
    void this.proc.then(() => (this.exited = true));
    running.push(this);
  }

  /** Complete lines of stdout. */
  lines(): string[] {
    const end = this.stdout.lastIndexOf('\n');
    return end === -1 ? [] : this.stdout.slice(0, end).split('\n');
  }

  /** stdout's complete lines as JSON objects (--ndjson). */
  objects(): Row[] {
    return this.lines().map((l) => JSON.parse(l) as Row);
  }

  async waitFor(what: string, test: () => boolean): Promise<void> {
    const until = Date.now() + WAIT_MS;
    while (!test()) {
      if (this.exited) throw new Error(`obs ended while waiting for ${what}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits until the initial output is done (the note on stderr comes after it). */
  started(): Promise<void> {
    return this.waitFor('the "following" note', () => /note: following \d+ files?/.test(this.stderr));
  }

  /** Ctrl-C: the exit code. */
  async interrupt(): Promise<number | undefined> {
    this.proc.kill('SIGINT');
    const r = await this.proc;
    return r.exitCode;
  }

  kill(): void {
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}

const messages = (rows: Row[]): unknown[] => rows.map((r) => r['message']);

/** A JSON log line in the shape of fixtures/generated/logs/app.jsonl. */
function jsonLine(ts: string, message: string, level = 'info'): string {
  return `${JSON.stringify({ ts, level, logger: 'planner.agent', message, run_id: 'run-4242-20260302T090000Z', category: 'follow' })}\n`;
}

describe('obs events --follow', () => {
  it(
    'prints the last existing records, then each new one once through appends, rotation, copytruncate, a new file, a cut line and an emptied folder; Ctrl-C exits 0',
    async () => {
      const app = readFileSync(`${FIXTURES}/generated/logs/app.jsonl`, 'utf8');
      const dir = workdir({ 'app.jsonl': app });
      const log = (name: string): string => path.join(dir, 'logs', name);
      const existing = (await obs(['events', '--logs', 'logs', '--ndjson'], { cwd: dir })).stdout.trim().split('\n').map((l) => JSON.parse(l) as Row);
      expect(existing.length).toBe(10);

      const f = new Follower(['events', '--follow', '--logs', 'logs', '--ndjson', '--limit', '3'], dir);
      await f.started();
      // The last three existing records, like tail -n 3.
      expect(messages(f.objects())).toEqual(messages(existing.slice(-3)));
      expect(f.stderr).toContain('note: showing the last 3 of 10 events already there');
      const want = messages(existing.slice(-3));
      const expectPrinted = async (...added: string[]): Promise<void> => {
        want.push(...added);
        await f.waitFor(`${added.join(', ')} on stdout`, () => f.lines().length >= want.length);
        expect(messages(f.objects())).toEqual(want);
      };

      // Appended: a line written twice is two records; both are printed.
      appendFileSync(log('app.jsonl'), jsonLine('2026-03-02T09:30:00.000Z', 'A1') + jsonLine('2026-03-02T09:30:00.000Z', 'A1') + jsonLine('2026-03-02T09:30:01.000Z', 'A2'));
      await expectPrinted('A1', 'A1', 'A2');

      // Rotation: app.jsonl becomes app.jsonl.1, still read, and a new app.jsonl is started.
      renameSync(log('app.jsonl'), log('app.jsonl.1'));
      writeFileSync(log('app.jsonl'), jsonLine('2026-03-02T09:31:00.000Z', 'B'));
      await expectPrinted('B');

      // copytruncate: .1 moves to .2, app.jsonl is copied to .1 and emptied, then written again.
      renameSync(log('app.jsonl.1'), log('app.jsonl.2'));
      copyFileSync(log('app.jsonl'), log('app.jsonl.1'));
      writeFileSync(log('app.jsonl'), '');
      appendFileSync(log('app.jsonl'), jsonLine('2026-03-02T09:32:00.000Z', 'C'));
      await expectPrinted('C');

      // A new file in the followed folder.
      writeFileSync(log('worker.jsonl'), jsonLine('2026-03-02T09:33:00.000Z', 'D'));
      await expectPrinted('D');
      expect(f.stderr).toContain('note: new file logs/worker.jsonl; following it');

      // A line still being written (no line end yet) is not read, so it is neither rejected nor printed
      // half; once two later lines of another file are printed, it has been seen at least once.
      const e = jsonLine('2026-03-02T09:34:00.000Z', 'E');
      appendFileSync(log('app.jsonl'), e.slice(0, 40));
      appendFileSync(log('worker.jsonl'), jsonLine('2026-03-02T09:34:01.000Z', 'S1'));
      await expectPrinted('S1');
      appendFileSync(log('worker.jsonl'), jsonLine('2026-03-02T09:34:02.000Z', 'S2'));
      await expectPrinted('S2');
      appendFileSync(log('app.jsonl'), e.slice(40));
      await expectPrinted('E');

      // Every file gone: obs waits, says so once, and prints what comes next.
      for (const name of ['app.jsonl', 'app.jsonl.1', 'app.jsonl.2', 'worker.jsonl']) unlinkSync(log(name));
      await f.waitFor('the waiting note', () => f.stderr.includes('at the moment; waiting for one'));
      writeFileSync(log('later.jsonl'), jsonLine('2026-03-02T09:40:00.000Z', 'G'));
      await expectPrinted('G');

      // A last line: whatever the changes above might have printed twice would be printed before it.
      appendFileSync(log('later.jsonl'), jsonLine('2026-03-02T09:40:01.000Z', 'Z', 'warn'));
      await expectPrinted('Z');

      expect(await f.interrupt()).toBe(0);
      expect(f.stdout.endsWith('\n')).toBe(true);
      expect(messages(f.objects())).toEqual(want);
      expect(f.stderr).not.toContain('rejected');
      expect(f.stderr.match(/waiting for one/g)?.length).toBe(1);
      expect(f.stderr).not.toMatch(/error:|Error|at .*\.js:\d+/);
    },
    TIMEOUT,
  );

  it(
    'applies --level to new lines too',
    async () => {
      const dir = workdir({ 'app.jsonl': jsonLine('2026-03-02T09:00:00.000Z', 'old error', 'error') + jsonLine('2026-03-02T09:00:01.000Z', 'old info') });
      const f = new Follower(['events', '-f', '--level', 'error', '--logs', 'logs', '--ndjson'], dir);
      await f.started();
      expect(messages(f.objects())).toEqual(['old error']);
      appendFileSync(
        path.join(dir, 'logs', 'app.jsonl'),
        jsonLine('2026-03-02T09:01:00.000Z', 'new info') + jsonLine('2026-03-02T09:01:01.000Z', 'new warning', 'warn') + jsonLine('2026-03-02T09:01:02.000Z', 'new error', 'error'),
      );
      await f.waitFor('the new error', () => f.lines().length >= 2);
      appendFileSync(path.join(dir, 'logs', 'app.jsonl'), jsonLine('2026-03-02T09:02:00.000Z', 'new info 2') + jsonLine('2026-03-02T09:02:01.000Z', 'fatal one', 'fatal'));
      await f.waitFor('the fatal record', () => f.lines().length >= 3);
      expect(await f.interrupt()).toBe(0);
      expect(messages(f.objects())).toEqual(['old error', 'new error', 'fatal one']);
    },
    TIMEOUT,
  );

  it(
    'prints the TSV, CSV, markdown and table headers once, and one JSON document per batch; fields chosen apply to every batch',
    async () => {
      const dir = workdir({ 'app.jsonl': jsonLine('2026-03-02T09:00:00.000Z', 'first') });
      const fs = [
        new Follower(['events', '-f', '--logs', 'logs', '-o', 'tsv'], dir),
        new Follower(['events', '-f', '--logs', 'logs', '-o', 'table'], dir),
        new Follower(['events', '-f', '--logs', 'logs', '--json'], dir),
        new Follower(['events', '-f', '--logs', 'logs', '--csv', 'message,level'], dir),
        new Follower(['events', '-f', '--logs', 'logs', '-o', 'markdown'], dir),
        new Follower(['events', '-f', '--logs', 'logs', '--ndjson', 'message'], dir),
      ];
      for (const f of fs) await f.started();
      appendFileSync(path.join(dir, 'logs', 'app.jsonl'), jsonLine('2026-03-02T09:00:01.000Z', 'second'));
      for (const f of fs) await f.waitFor('second', () => f.stdout.includes('second') && f.stdout.endsWith('\n'));
      appendFileSync(path.join(dir, 'logs', 'app.jsonl'), jsonLine('2026-03-02T09:00:02.000Z', 'third'));
      for (const f of fs) await f.waitFor('third', () => f.stdout.includes('third') && f.stdout.endsWith('\n'));
      const [tsv, table, json, csv, markdown, ndjson] = fs as [Follower, Follower, Follower, Follower, Follower, Follower];
      for (const f of fs) expect(await f.interrupt()).toBe(0);

      const tsvLines = tsv.lines();
      expect(tsvLines[0]).toBe('ts\tlevel\tsession_key\tstage\tevent\tdetails\tsource');
      expect(tsvLines.slice(1).map((l) => l.split('\t')[5])).toEqual(['first', 'second', 'third']);
      expect(tsvLines.filter((l) => l.startsWith('ts\t')).length).toBe(1);

      const tableLines = table.lines();
      expect(tableLines[0]).toMatch(/^ts +level +session +stage +event +details +source$/);
      expect(tableLines.filter((l) => l.startsWith('ts ')).length).toBe(1);
      expect(tableLines.slice(1).map((l) => /\b(first|second|third)\b/.exec(l)?.[1])).toEqual(['first', 'second', 'third']);

      // Documents as jq reads them: each ends with a closing brace on a line of its own.
      const docs = json.stdout.split(/(?<=^\})\n/m).filter((d) => d.trim() !== '').map((d) => JSON.parse(d) as { count: number; events: Row[] });
      expect(docs.map((d) => d.count)).toEqual(docs.map((d) => d.events.length));
      expect(docs.flatMap((d) => messages(d.events))).toEqual(['first', 'second', 'third']);
      expect(docs[0]?.events.map((e) => e['message'])).toEqual(['first']);

      expect(csv.lines()).toEqual(['message,level', 'first,info', 'second,info', 'third,info']);
      const md = markdown.lines();
      expect(md.filter((l) => l.startsWith('| ts ')).length).toBe(1);
      expect(md.filter((l) => /^\| -/.test(l)).length).toBe(1);
      expect(md.slice(2).map((l) => /\b(first|second|third)\b/.exec(l)?.[1])).toEqual(['first', 'second', 'third']);
      expect(ndjson.objects()).toEqual([{ message: 'first' }, { message: 'second' }, { message: 'third' }]);
    },
    TIMEOUT,
  );
});

describe('obs errors --follow', () => {
  it(
    'prints a Python traceback appended to a text log once, with its chain, and the same failure again only when it happens again',
    async () => {
      const agent = readFileSync(`${FIXTURES}/formats/logs/python/agent.log`, 'utf8').split('\n');
      // Lines 1-6: info; 7-21: an ERROR record with a chained traceback; 22-25: info.
      expect(agent[6]).toContain('ERROR [agent] agent turn failed');
      expect(agent[20]).toContain("agent_app.ToolError: calendar.move_event failed: no event named 'standup'");
      const block = `${agent.slice(6, 21).join('\n')}\n`;
      const dir = workdir({ 'agent.log': `${agent.slice(0, 6).join('\n')}\n` });
      const log = path.join(dir, 'logs', 'agent.log');

      const f = new Follower(['errors', '--follow', '--logs', 'logs', '--ndjson'], dir);
      await f.started();
      expect(f.lines()).toEqual([]);
      expect(f.stderr).toContain('note: no errors matched');

      appendFileSync(log, block + `${agent.slice(21, 25).join('\n')}\n`);
      await f.waitFor('the ToolError', () => f.lines().length >= 1);
      const [tool] = f.objects();
      expect(tool).toMatchObject({
        error_type: 'agent_app.ToolError',
        message: "calendar.move_event failed: no event named 'standup'",
        ts: '2026-11-22T00:29:48.812Z',
        kind: 'exception',
        language: 'python',
      });
      expect((tool?.['chain'] as Row[]).map((c) => c['type'])).toEqual(['KeyError']);
      expect((tool?.['frames'] as Row[]).at(-1)).toMatchObject({ function: 'move_event', line: 120 });

      // An error-level line without a traceback.
      appendFileSync(log, '2026-11-22 00:29:50,100 ERROR [agent] calendar sync gave up after 3 tries\n');
      await f.waitFor('the error-level line', () => f.lines().length >= 2);

      // Rotation; the same failure a minute later, in the new file: a new error, printed; the old one is not printed again.
      renameSync(log, `${log}.1`);
      writeFileSync(log, block.replaceAll('2026-11-22 00:29:48,812', '2026-11-22 00:30:48,812'));
      await f.waitFor('the failure again', () => f.lines().length >= 3);
      appendFileSync(log, '2026-11-22 00:31:00,000 ERROR [agent] last one\n');
      await f.waitFor('the last error', () => f.lines().length >= 4);

      expect(await f.interrupt()).toBe(0);
      expect(f.stdout.endsWith('\n')).toBe(true);
      const errors = f.objects();
      expect(errors.map((e) => [e['ts'], e['error_type'], e['message']])).toEqual([
        ['2026-11-22T00:29:48.812Z', 'agent_app.ToolError', "calendar.move_event failed: no event named 'standup'"],
        ['2026-11-22T00:29:50.100Z', null, 'calendar sync gave up after 3 tries'],
        ['2026-11-22T00:30:48.812Z', 'agent_app.ToolError', "calendar.move_event failed: no event named 'standup'"],
        ['2026-11-22T00:31:00.000Z', null, 'last one'],
      ]);
      // One kind of failure, twice.
      expect(errors[0]?.['fingerprint']).toBe(errors[2]?.['fingerprint']);
    },
    TIMEOUT,
  );

  it(
    'prints tracebacks as they come with --traceback on a terminal view',
    async () => {
      const agent = readFileSync(`${FIXTURES}/formats/logs/python/agent.log`, 'utf8').split('\n');
      const dir = workdir({ 'agent.log': `${agent.slice(0, 21).join('\n')}\n` });
      const f = new Follower(['errors', '-f', '--traceback', '-o', 'table', '--logs', 'logs'], dir);
      await f.started();
      await f.waitFor('the first traceback', () => f.stdout.includes('ToolError'));
      appendFileSync(path.join(dir, 'logs', 'agent.log'), '2026-11-22 00:29:50,100 ERROR [agent] calendar sync gave up after 3 tries\n');
      await f.waitFor('the second error', () => f.stdout.includes('calendar sync gave up') && f.stdout.endsWith('\n'));
      expect(await f.interrupt()).toBe(0);
      expect(f.stdout).toContain('KeyError');
      expect(f.stdout.match(/agent_app\.ToolError/g)?.length).toBeGreaterThanOrEqual(1);
      // Blocks stay apart across batches.
      expect(f.stdout).toMatch(/seen in 1 place: agent\.log:7\n\n\S+ +2026-11-22T00:29:50\.100Z/);
    },
    TIMEOUT,
  );
});

describe('obs llm --follow', () => {
  it(
    'prints new LLM calls of the stage asked for, once each',
    async () => {
      const file = 'llm_io_20261121_230000_4242.jsonl';
      const text = readFileSync(`${FIXTURES}/llm/logs/${file}`, 'utf8');
      const calls = text.trim().split('\n').map((l) => JSON.parse(l) as Row);
      const dir = workdir({ [file]: text });
      const f = new Follower(['llm', '--follow', '--stage', 'plan', '--logs', 'logs', '--ndjson'], dir);
      await f.started();
      expect(f.lines().length).toBe(calls.length);

      const call = (n: number, stage: string): string => `${JSON.stringify({ ...calls[1], stage, call_label: `follow_${n}`, created_at: `2026-11-21T23:10:0${n}.000000Z` })}\n`;
      const log = path.join(dir, 'logs', file);
      appendFileSync(log, call(1, 'plan') + call(2, 'refine') + call(3, 'plan'));
      await f.waitFor('follow_3', () => f.stdout.includes('follow_3'));
      appendFileSync(log, call(4, 'refine') + call(5, 'plan'));
      await f.waitFor('follow_5', () => f.stdout.includes('follow_5'));

      expect(await f.interrupt()).toBe(0);
      const rows = f.objects();
      expect(rows.slice(calls.length).map((r) => [r['call_label'], r['stage'], r['model']])).toEqual([
        ['follow_1', 'plan', 'gpt-4.1'],
        ['follow_3', 'plan', 'gpt-4.1'],
        ['follow_5', 'plan', 'gpt-4.1'],
      ]);
      expect(rows.slice(calls.length).every((r) => r['ts'] !== null && r['total_tokens'] === 1500)).toBe(true);
    },
    TIMEOUT,
  );
});

describe('--follow usage errors', () => {
  const dir = `${FIXTURES}/generated/logs`;
  const cases: Array<[string[], RegExp]> = [
    [['events', '--follow', '--until', '1h'], /error: --follow cannot be used with --until\nreason: .*cannot end/],
    [['events', '-f', '--to', '2026-03-02T10:00:00Z'], /error: --follow cannot be used with --to/],
    [['errors', '--follow', '--group'], /error: --follow cannot be used with --group/],
    [['errors', '--follow', '--fail'], /error: --follow cannot be used with --fail/],
    [['llm', '--follow', '--by', 'model'], /error: --follow cannot be used with --by/],
  ];
  for (const [args, message] of cases) {
    it(`obs ${args.join(' ')} exits 2`, async () => {
      const r = await obs([...args, '--logs', dir]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }

  it('a bad OBS_FOLLOW_INTERVAL exits 2', async () => {
    const r = await obs(['events', '--follow', '--logs', dir], { env: { OBS_FOLLOW_INTERVAL: 'often' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error: OBS_FOLLOW_INTERVAL must be a duration of at least 10ms, got "often"');
  });

  it('a missing path at the start exits 3, as without --follow', async () => {
    const r = await obs(['events', '--follow', '--logs', 'no/such/folder']);
    expect(r.exitCode).toBe(3);
  });
});
