/**
 * obs at a terminal (a pseudo-terminal from util-linux `script`): the pager
 * takes the output only when stdout is a terminal, and the progress bar
 * shows on stderr only when it is a terminal and the input is over 50 MB,
 * and leaves nothing behind.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, FIXTURES, obs } from '../helpers/cli.js';
import { inTerminal, obsLine, screen, sh } from '../helpers/terminal.js';

const dir = mkdtempSync(path.join(tmpdir(), 'obs-terminal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A pager that keeps what it is given in `out`, and its LESS and LV in `out.env`. */
const recorder = path.join(dir, 'record-pager');
writeFileSync(recorder, '#!/bin/sh\nprintf "%s|%s" "$LESS" "$LV" > "$1.env"\ncat > "$1"\n');
chmodSync(recorder, 0o755);
let n = 0;
function recording(): { pager: string; out: string } {
  const out = path.join(dir, `paged-${++n}.txt`);
  return { pager: `${recorder} ${out}`, out };
}

const SESSIONS = ['sessions', '--logs', CORPUS, '-q'];
const SESSION_ROW = 'C0AA6HC1RJL:1795299499.694654';
/** The source of the last of the corpus's events, which `events --limit 2` shows last. */
const LAST_EVENT = 'uvicorn_agent_stderr.log:86';

describe('pager', () => {
  it('takes the output of a command on a terminal, with colours, LESS=FRX and LV=-c', async () => {
    const { pager, out } = recording();
    const r = await inTerminal(obsLine(SESSIONS), { env: { PAGER: pager } });
    expect(r.exitCode).toBe(0);
    const paged = readFileSync(out, 'utf8');
    expect(paged).toContain(SESSION_ROW);
    expect(paged).toContain('\x1b[1m');
    expect(readFileSync(`${out}.env`, 'utf8')).toBe('FRX|-c');
    expect(r.raw).not.toContain(SESSION_ROW);
  });

  it('is not used by --follow, whose lines must show as they come', async () => {
    const { pager, out } = recording();
    // obs follows until interrupted, and is interrupted only once its last row is on the screen: the
    // rows showed while it ran, however long a busy machine took to start it.
    const seen = path.join(dir, 'follow-screen');
    const follow = obsLine(['events', '-f', '--logs', CORPUS, '--limit', '2', '-q']);
    // The record starts with the command line, which names the row only as a pattern that does not match itself.
    const row = sh(LAST_EVENT.replaceAll('.', '[.]'));
    const waitRow = `i=0; until grep -q ${row} ${sh(seen)} || [ $i -ge 300 ]; do sleep 0.1; i=$((i+1)); done`;
    const shownWhileRunning = `grep -q ${row} ${sh(seen)} && echo "shown while running"`;
    const line = `${follow} & p=$!; ${waitRow}; ${shownWhileRunning}; sleep 0.5; kill -INT $p; wait $p; echo "exit=$?"`;
    const r = await inTerminal(line, { env: { PAGER: pager, OBS_FOLLOW_INTERVAL: '200ms' }, record: seen });
    expect(existsSync(out)).toBe(false);
    const shown = screen(r.raw).join('\n');
    expect(shown).toMatch(/ts +level +session/);
    expect(shown).toContain('shown while running');
    expect(r.raw).toContain('exit=0');
  });

  it('keeps LESS when it is set', async () => {
    const { pager, out } = recording();
    await inTerminal(obsLine(SESSIONS), { env: { PAGER: pager, LESS: 'R' } });
    expect(readFileSync(`${out}.env`, 'utf8')).toBe('R|-c');
  });

  it('is not used with --no-pager, in a pipe, or when stdout is not a terminal', async () => {
    const noPager = recording();
    const a = await inTerminal(obsLine([...SESSIONS, '--no-pager']), { env: { PAGER: noPager.pager } });
    expect(a.exitCode).toBe(0);
    expect(a.raw).toContain(SESSION_ROW);
    expect(existsSync(noPager.out)).toBe(false);

    const piped = recording();
    const b = await inTerminal(`${obsLine(SESSIONS)} | cat`, { env: { PAGER: piped.pager } });
    expect(b.raw).toContain(SESSION_ROW);
    expect(existsSync(piped.out)).toBe(false);

    const plain = recording();
    const c = await obs(SESSIONS, { env: { PAGER: plain.pager } });
    expect(c.stdout).toContain(SESSION_ROW);
    expect(existsSync(plain.out)).toBe(false);
  });

  it('OBS_PAGER comes before PAGER; empty or cat means no pager', async () => {
    const first = recording();
    const second = recording();
    await inTerminal(obsLine(SESSIONS), { env: { OBS_PAGER: first.pager, PAGER: second.pager } });
    expect(readFileSync(first.out, 'utf8')).toContain(SESSION_ROW);
    expect(existsSync(second.out)).toBe(false);

    const off: Array<Record<string, string>> = [{ OBS_PAGER: '' }, { OBS_PAGER: 'cat' }, { PAGER: 'cat' }, { PAGER: '' }];
    for (const env of off) {
      const unused = recording();
      const r = await inTerminal(obsLine(SESSIONS), { env: { PAGER: unused.pager, ...env } });
      expect(r.raw, JSON.stringify(env)).toContain(SESSION_ROW);
      expect(existsSync(unused.out), JSON.stringify(env)).toBe(false);
    }
  });

  it('writes straight to the terminal, with no error, when the pager is not installed', async () => {
    const r = await inTerminal(obsLine(SESSIONS), { env: { PAGER: 'obs-no-such-pager -R' } });
    expect(r.exitCode).toBe(0);
    expect(r.raw).toContain(SESSION_ROW);
    expect(r.raw).not.toMatch(/not found|error:|warning:/);
  });

  it('is not started for --help, a usage error, or a command that prints nothing on stdout', async () => {
    const help = recording();
    const a = await inTerminal(`${obsLine(['--help'])}; ${obsLine(['errors', '--help'])}`, { env: { PAGER: help.pager } });
    expect(a.raw).toContain('Exit codes:');
    expect(a.raw).toContain('Examples:');
    expect(existsSync(help.out)).toBe(false);

    const usage = recording();
    const b = await inTerminal(obsLine(['sessions', '--no-such-flag']), { env: { PAGER: usage.pager } });
    expect(b.exitCode).toBe(2);
    expect(existsSync(usage.out)).toBe(false);

    const nothing = recording();
    const c = await inTerminal(obsLine(['sessions', '--logs', path.join(dir, 'missing')]), { env: { PAGER: nothing.pager } });
    expect(c.exitCode).toBe(3);
    expect(c.raw).toContain('error:');
    expect(existsSync(nothing.out)).toBe(false);
  });

  it('quit early: the rest is dropped quietly and the exit code is the command\'s (4: a line rejected)', async () => {
    // 200 KB of events, far more than a pipe holds: obs writes on after the pager has gone.
    const args = ['events', '--logs', `${FIXTURES}/edge/malformed-json`, '--logs', CORPUS, '-q'];
    const r = await inTerminal(`${obsLine(args)}; echo "exit=$?"`, { env: { PAGER: 'head -c 100' } });
    expect(r.raw).toContain('exit=4');
    expect(r.raw).not.toMatch(/EPIPE|internal error|Unhandled/);
    expect(r.raw).toContain('line rejected');
  });
});

/** Over the 50 MB threshold: 28,000 JSON lines of 1.9 KB. */
beforeAll(() => {
  const pad = 'x'.repeat(1900);
  const lines: string[] = [];
  const t0 = Date.UTC(2026, 10, 21, 22, 0, 0);
  for (let i = 0; i < 28_000; i++) {
    lines.push(JSON.stringify({ ts: new Date(t0 + i * 10).toISOString(), level: 'info', event: 'tick', message: `tick ${i} ${pad}` }));
  }
  writeFileSync(path.join(dir, 'big.jsonl'), `${lines.join('\n')}\n`);
});

const BAR = /loading [█░]+ [\d.]+\/[\d.]+ MB · \d+\/1 files/;

describe('progress bar', () => {
  const bigArgs = (): string[] => ['sources', '--logs', path.join(dir, 'big.jsonl'), '--no-pager'];

  it('shows while more than 50 MB load on a terminal, then is erased', async () => {
    const r = await inTerminal(obsLine(bigArgs()));
    expect(r.exitCode).toBe(0);
    expect(r.raw).toMatch(BAR);
    expect(r.raw).toContain('linking records and errors');
    // Erased: the last bar drawn is followed by a clear-line, and nothing of it is left on the screen.
    const last = r.raw.lastIndexOf('loading');
    expect(r.raw.indexOf('\r\x1b[2K', last)).toBeGreaterThan(last);
    const shown = screen(r.raw);
    expect(shown.join('\n')).not.toContain('loading');
    expect(shown.some((l) => l.includes('loaded') && l.includes('28000'))).toBe(true);
  });

  it('does not show with --no-progress or -q, nor when stderr is not a terminal', async () => {
    for (const flag of ['--no-progress', '-q']) {
      const r = await inTerminal(obsLine([...bigArgs(), flag]));
      expect(r.exitCode, flag).toBe(0);
      expect(r.raw, flag).toContain('28000');
      expect(r.raw, flag).not.toContain('loading');
    }
    const errFile = path.join(dir, 'stderr.txt');
    const r = await inTerminal(`${obsLine(bigArgs())} 2>${sh(errFile)}`);
    expect(r.raw).toContain('28000');
    expect(r.raw).not.toContain('loading');
    expect(readFileSync(errFile, 'utf8')).toBe('');
  });

  it('does not show for small inputs', async () => {
    const r = await inTerminal(obsLine(['sources', '--logs', CORPUS, '--no-pager']));
    expect(r.exitCode).toBe(0);
    expect(r.raw).not.toContain('loading');
  });
});
