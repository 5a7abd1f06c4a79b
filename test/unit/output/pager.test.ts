import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Context, OutStream } from '../../../src/context.js';
import { DEFAULT_PAGER, PagedOutput, pagerCommand, pagerFor, pagerProgram, programExists } from '../../../src/output/pager.js';

const dir = mkdtempSync(path.join(tmpdir(), 'obs-pager-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stream(isTTY: boolean): OutStream & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    isTTY,
    columns: 120,
    write(chunk: string) {
      written.push(chunk);
      return true;
    },
  };
}

const PATH = process.env['PATH'] ?? '/usr/bin:/bin';

function context(env: Record<string, string | undefined>, isTTY = true): Context {
  return { stdout: stream(isTTY), stderr: stream(isTTY), env: { PATH, ...env }, cwd: dir, now: () => 0 };
}

describe('pagerCommand', () => {
  it('takes OBS_PAGER, then PAGER, then less -FRX', () => {
    expect(pagerCommand({ OBS_PAGER: 'most', PAGER: 'more' })).toBe('most');
    expect(pagerCommand({ PAGER: 'more' })).toBe('more');
    expect(pagerCommand({})).toBe(DEFAULT_PAGER);
    expect(DEFAULT_PAGER).toBe('less -FRX');
  });

  it('is null for an empty value or cat, at whichever level it is set', () => {
    expect(pagerCommand({ OBS_PAGER: '', PAGER: 'less' })).toBeNull();
    expect(pagerCommand({ OBS_PAGER: 'cat', PAGER: 'less' })).toBeNull();
    expect(pagerCommand({ PAGER: ' ' })).toBeNull();
    expect(pagerCommand({ PAGER: 'cat' })).toBeNull();
  });
});

describe('pagerProgram', () => {
  it('is the first word after variable assignments, when the shell need not decide', () => {
    expect(pagerProgram('less -FRX')).toBe('less');
    expect(pagerProgram('LESS=R  /usr/bin/less -S')).toBe('/usr/bin/less');
    expect(pagerProgram('~/bin/pager')).toBe('~/bin/pager');
    expect(pagerProgram('"my pager" -x')).toBeNull();
    expect(pagerProgram('$HOME/pager')).toBeNull();
    expect(pagerProgram('exec less')).toBeNull();
  });
});

describe('programExists', () => {
  it('finds names on PATH and executable paths', () => {
    expect(programExists('sh', { PATH }, dir)).toBe(true);
    expect(programExists('obs-no-such-pager', { PATH }, dir)).toBe(false);
    expect(programExists('sh', { PATH: '' }, dir)).toBe(false);
    const script = path.join(dir, 'pager.sh');
    writeFileSync(script, '#!/bin/sh\ncat\n');
    expect(programExists('./pager.sh', { PATH }, dir)).toBe(false);
    chmodSync(script, 0o755);
    expect(programExists('./pager.sh', { PATH }, dir)).toBe(true);
  });
});

describe('pagerFor', () => {
  const out = path.join(dir, 'unused.txt');
  const recorder = `sh -c 'cat > ${out}'`;

  it('pages only a terminal, without --no-pager, with a pager that is there', () => {
    expect(pagerFor(context({ PAGER: recorder }), {})).toBeInstanceOf(PagedOutput);
    expect(pagerFor(context({ PAGER: recorder }), { pager: true })).toBeInstanceOf(PagedOutput);
    expect(pagerFor(context({ PAGER: recorder }, false), {})).toBeNull();
    expect(pagerFor(context({ PAGER: recorder }), { pager: false })).toBeNull();
    expect(pagerFor(context({ PAGER: 'cat' }), {})).toBeNull();
    expect(pagerFor(context({ PAGER: 'obs-no-such-pager -R' }), {})).toBeNull();
    expect(existsSync(out)).toBe(false);
  });

  it('keeps the terminal\'s isTTY and width, so colours and tables are decided as without it', () => {
    const paged = pagerFor(context({ PAGER: recorder }), {});
    expect(paged?.isTTY).toBe(true);
    expect(paged?.columns).toBe(120);
  });
});

describe('PagedOutput', () => {
  it('starts the pager on the first write and waits for it on close', async () => {
    const out = path.join(dir, 'paged.txt');
    const terminal = stream(true);
    const paged = new PagedOutput(terminal, { command: `cat > ${out}; printf '%s %s' "$LESS" "$LV" > ${out}.env`, env: { PATH } });
    expect(paged.started).toBe(false);
    paged.write('');
    expect(paged.started).toBe(false);
    paged.write('one\n');
    expect(paged.started).toBe(true);
    paged.write('two\n');
    await paged.close();
    expect(readFileSync(out, 'utf8')).toBe('one\ntwo\n');
    expect(readFileSync(`${out}.env`, 'utf8')).toBe('FRX -c');
    expect(terminal.written).toEqual([]);
  });

  it('starts nothing when nothing is written', async () => {
    const paged = new PagedOutput(stream(true), { command: `touch ${path.join(dir, 'never')}`, env: { PATH } });
    await paged.close();
    expect(paged.started).toBe(false);
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('drops the rest quietly when the pager quits early', async () => {
    const paged = new PagedOutput(stream(true), { command: 'head -c 10 > /dev/null', env: { PATH } });
    const line = `${'x'.repeat(1023)}\n`;
    // 4 MB: far more than the pipe holds once the pager has gone.
    for (let i = 0; i < 4096; i++) paged.write(line);
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 1024; i++) paged.write(line);
    await expect(paged.close()).resolves.toBeUndefined();
  });
});
