import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRotation, discover, inRotationOrder, rotationKey, sortRotations, walkAccepts } from '../../../src/load/discover.js';

describe('rotationKey', () => {
  it('finds the live name, the number or the date of rotated names, plain or gzip', () => {
    expect(rotationKey('app.log')).toEqual({ base: 'app.log', kind: 'live', n: 0, stamp: '', gzip: false });
    expect(rotationKey('app.log.1')).toEqual({ base: 'app.log', kind: 'numbered', n: 1, stamp: '', gzip: false });
    expect(rotationKey('app.log.2.gz')).toEqual({ base: 'app.log', kind: 'numbered', n: 2, stamp: '', gzip: true });
    expect(rotationKey('app.jsonl.1')).toMatchObject({ base: 'app.jsonl', kind: 'numbered', n: 1 });
    expect(rotationKey('app.jsonl.gz')).toMatchObject({ base: 'app.jsonl', kind: 'live', gzip: true });
    expect(rotationKey('x.log.gz')).toMatchObject({ base: 'x.log', kind: 'live', gzip: true });
    expect(rotationKey('app.log.12')).toMatchObject({ kind: 'numbered', n: 12 });
  });

  it('reads TimedRotatingFileHandler and logrotate dateext suffixes as dates', () => {
    expect(rotationKey('app.log.2026-11-21')).toEqual({ base: 'app.log', kind: 'dated', n: 0, stamp: '20261121', gzip: false });
    expect(rotationKey('app.log-20261121')).toMatchObject({ base: 'app.log', kind: 'dated', stamp: '20261121' });
    expect(rotationKey('app.log.2026-11-21.gz')).toMatchObject({ base: 'app.log', kind: 'dated', stamp: '20261121', gzip: true });
    expect(rotationKey('app.log.2026-11-21_13-05-09')).toMatchObject({ kind: 'dated', stamp: '20261121130509' });
    expect(rotationKey('app.log.2026-11-21_13')).toMatchObject({ kind: 'dated', stamp: '2026112113' });
    expect(rotationKey('app.log-2026112113')).toMatchObject({ kind: 'dated', stamp: '2026112113' });
    expect(rotationKey('app.jsonl-20261121.gz')).toMatchObject({ base: 'app.jsonl', kind: 'dated', gzip: true });
  });

  it('is null for names that are not logs, live or rotated', () => {
    for (const name of ['config.yml', 'app.log.bak', 'app.log.1.bak', 'backup.tar.gz', 'data.csv.gz', 'app.log.2026-11', 'README', 'app.logs']) {
      expect(rotationKey(name), name).toBeNull();
    }
  });
});

describe('walkAccepts', () => {
  it('reads log names, rotated names and their gzip forms', () => {
    for (const name of [
      'app.log',
      'app.log.1',
      'app.log.1.gz',
      'app.log.2.gz',
      'app.jsonl.gz',
      'app.jsonl.1',
      'x.log.gz',
      'app.log.2026-11-21',
      'app.log-20261121',
      'app.log.2026-11-21.gz',
      'APP.LOG.3.GZ',
    ]) {
      expect(walkAccepts(name), name).toEqual({ read: true });
    }
  });

  it('passes over other compressed files with a reason specific to each', () => {
    const reason = (name: string): string => {
      const r = walkAccepts(name);
      if (r.read) throw new Error(`${name} is read`);
      return r.reason;
    };
    expect(reason('app.log.1.bz2')).toBe('bzip2-compressed: obs reads gzip only; decompress it first (bunzip2 -k)');
    expect(reason('app.log.xz')).toBe('xz-compressed: obs reads gzip only; decompress it first (unxz -k)');
    expect(reason('app.log.zst')).toBe('zstd-compressed: obs reads gzip only; decompress it first (unzstd)');
    expect(reason('logs.zip')).toBe('zip archive: obs reads gzip only; extract it first (unzip)');
    expect(reason('backup.tar.gz')).toBe('compressed tar archive: obs does not read archives; extract it first (tar -xf)');
    expect(reason('backup.tgz')).toBe('compressed tar archive: obs does not read archives; extract it first (tar -xf)');
    expect(reason('backup.tar.xz')).toBe('compressed tar archive: obs does not read archives; extract it first (tar -xf)');
    expect(reason('data.csv.gz')).toBe('gzip-compressed, but data.csv is not a log file name (name the file in --logs to read it anyway)');
    expect(reason('config.yml')).toBe('not a log file name');
    expect(reason('app.log.bak')).toBe('not a log file name');
  });
});

describe('sortRotations', () => {
  it('puts numbered backups highest first, then the live file', () => {
    expect(sortRotations(['app.log', 'app.log.1.gz', 'app.log.10.gz', 'app.log.2.gz', 'app.log.3.gz'])).toEqual([
      'app.log.10.gz',
      'app.log.3.gz',
      'app.log.2.gz',
      'app.log.1.gz',
      'app.log',
    ]);
    expect(sortRotations(['app.log.1', 'app.log', 'app.log.2'])).toEqual(['app.log.2', 'app.log.1', 'app.log']);
  });

  it('puts dated files oldest date first, then the live file', () => {
    expect(sortRotations(['app.log', 'app.log.2026-11-21.gz', 'app.log.2026-11-19', 'app.log.2026-11-20'])).toEqual([
      'app.log.2026-11-19',
      'app.log.2026-11-20',
      'app.log.2026-11-21.gz',
      'app.log',
    ]);
    expect(sortRotations(['app.log-20261121', 'app.log', 'app.log-20261120'])).toEqual(['app.log-20261120', 'app.log-20261121', 'app.log']);
    // An hourly stamp sorts within its day.
    expect(sortRotations(['app.log.2026-11-21_13', 'app.log.2026-11-22', 'app.log.2026-11-21'])).toEqual([
      'app.log.2026-11-21',
      'app.log.2026-11-21_13',
      'app.log.2026-11-22',
    ]);
  });

  it('keeps one rotation set together and every other file in name order', () => {
    expect(
      sortRotations(['b.jsonl', 'app.log.2', 'zeta.txt', 'app.log', 'a.log', 'app.log.1', 'app.jsonl.1', 'app.jsonl', 'app.log.bak', 'notes.md']),
    ).toEqual(['a.log', 'app.jsonl.1', 'app.jsonl', 'app.log.2', 'app.log.1', 'app.log', 'app.log.bak', 'b.jsonl', 'notes.md', 'zeta.txt']);
  });

  it('is a consistent comparison: equal names compare 0, others antisymmetric', () => {
    const names = ['app.log', 'app.log.1', 'app.log.2.gz', 'app.log-20261121', 'app.log.2026-11-20', 'x.txt', 'app.log.1.gz'];
    for (const a of names) {
      expect(compareRotation(a, a)).toBe(0);
      for (const b of names) if (a !== b) expect(Math.sign(compareRotation(a, b))).toBe(-Math.sign(compareRotation(b, a)));
    }
  });
});

describe('discover: rotation order', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obs-rotation-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'logs/daily'), { recursive: true });
  for (const name of ['app.log', 'app.log.1', 'app.log.2.gz', 'app.log.3.gz', 'other.log', 'app.log.1.bz2', 'backup.tar.gz']) {
    writeFileSync(path.join(dir, 'logs', name), 'x\n');
  }
  for (const name of ['worker.log', 'worker.log.2026-11-21', 'worker.log.2026-11-20.gz']) writeFileSync(path.join(dir, 'logs/daily', name), 'x\n');

  it('walks each folder with rotation sets oldest first, and says why it passes over the rest', async () => {
    const d = await discover(['logs'], dir);
    expect(d.files.map((f) => f.display)).toEqual([
      'logs/app.log.3.gz',
      'logs/app.log.2.gz',
      'logs/app.log.1',
      'logs/app.log',
      'logs/other.log',
      'logs/daily/worker.log.2026-11-20.gz',
      'logs/daily/worker.log.2026-11-21',
      'logs/daily/worker.log',
    ]);
    expect(d.ignored).toEqual([
      { display: 'logs/app.log.1.bz2', reason: 'bzip2-compressed: obs reads gzip only; decompress it first (bunzip2 -k)' },
      { display: 'logs/backup.tar.gz', reason: 'compressed tar archive: obs does not read archives; extract it first (tar -xf)' },
    ]);
  });

  it('orders a glob’s matches the same way', async () => {
    const d = await discover(['logs/app.log{,.[0-9],.[0-9].gz}'], dir);
    expect(d.files.map((f) => f.display)).toEqual(['logs/app.log.3.gz', 'logs/app.log.2.gz', 'logs/app.log.1', 'logs/app.log']);
  });

  it('walks a folder of live names only in the order of their UTF-16 code units, as sortRotations gives it', async () => {
    const names = ['b.log', 'B.log', 'a.jsonl', 'é.log', 'a.log', 'Z_x.txt', 'a.log.txt', '_u.log', '10.log', '9.log', 'notes.md'];
    mkdirSync(path.join(dir, 'live'));
    for (const name of names) writeFileSync(path.join(dir, 'live', name), 'x\n');
    const d = await discover(['live'], dir);
    const expected = ['10.log', '9.log', 'B.log', 'Z_x.txt', '_u.log', 'a.jsonl', 'a.log', 'a.log.txt', 'b.log', 'é.log'];
    expect(d.files.map((f) => path.basename(f.display))).toEqual(expected);
    expect(sortRotations(names.filter((n) => n !== 'notes.md'))).toEqual(expected);
    expect(d.ignored).toEqual([{ display: 'live/notes.md', reason: 'not a log file name' }]);
  });

  it('puts a folder listing of live names in code-unit order, whether or not it came sorted', () => {
    const expected = ['10.log', '9.log', 'B.log', 'Z_x.txt', '_u.log', 'a.jsonl', 'a.log', 'a.log.txt', 'b.log', 'é.log'];
    const listing = (names: string[]) => names.map((name) => ({ entry: { name }, key: rotationKey(name) }));
    const names = (l: Array<{ entry: { name: string } }>) => l.map((n) => n.entry.name);
    expect(names(inRotationOrder(listing(expected)))).toEqual(expected);
    expect(names(inRotationOrder(listing([...expected].reverse())))).toEqual(expected);
    expect(names(inRotationOrder(listing(['a.log', 'b.log', 'é.log', 'B.log'])))).toEqual(['B.log', 'a.log', 'b.log', 'é.log']);
    // A rotated name among them: rotation order, the live file last of its set.
    expect(names(inRotationOrder(listing(['a.log', 'a.log.1', 'b.log'])))).toEqual(['a.log.1', 'a.log', 'b.log']);
  });

  it('keeps files named explicitly in the order given', async () => {
    const d = await discover(['logs/app.log', 'logs/app.log.1', 'logs/app.log.3.gz'], dir);
    expect(d.files.map((f) => f.display)).toEqual(['logs/app.log', 'logs/app.log.1', 'logs/app.log.3.gz']);
  });
});
