/**
 * No secret leaves obs: the sample run's planted secrets (truth.json) and
 * secrets of every kind planted by a seeded generator in JSON values, text
 * lines, tracebacks, the llm_io log and a rejected line never appear on
 * stdout or stderr of any command, in any format. --no-redact prints them,
 * with a warning, so the check can fail; the config file adds rules.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { execa } from 'execa';
import { BIN, CACHE_HOME, CORPUS, obs } from '../helpers/cli.js';
import { KINDS, inJson, inText, inTraceback, makeSecret, random, type Planted } from '../helpers/secrets.js';

const url = inject('prometheusUrl');
const THREAD = '1795299499.694654';
const SESSION = `C0AA6HC1RJL:${THREAD}`;
const TRACE = 'a79b034cab0d9b2deb6173cf62266e44';
const ENV = { OBS_NOW: '2026-11-21T22:20:05Z' };
const SEED = 7;

const truth = JSON.parse(readFileSync(path.join(CORPUS, 'truth.json'), 'utf8')) as {
  global: { planted_secret_strings: string[]; must_never_appear: Array<{ secret: string }> };
};

let dir = '';
let LOGS: string[] = [];
const planted: Planted[] = [];

/** Writes logs in the sample run's shapes, into its thread and time, with secrets of every kind. */
function plantLogs(root: string): void {
  const rand = random(SEED);
  const base = { session_key: SESSION, thread_ts: THREAD, channel_id: 'C0AA6HC1RJL', stage: 'plan', trace_id: TRACE };
  const json: string[] = [];
  const text: string[] = [];
  const llm: string[] = [];
  const realLlm = JSON.parse(readFileSync(path.join(CORPUS, 'logs/llm_io_20261121_221805_7824.jsonl'), 'utf8').split('\n')[0] as string) as Record<string, unknown>;
  KINDS.forEach((kind, i) => {
    const ts = new Date(Date.parse('2026-11-21T22:19:00.000Z') + i * 1000);
    const iso = ts.toISOString();
    const py = iso.replace('T', ' ').replace('Z', '').replace('.', ',');
    const [a, b, c, d, e] = Array.from({ length: 5 }, () => makeSecret(rand, kind));
    planted.push(a as Planted, b as Planted, c as Planted, d as Planted, e as Planted);
    json.push(JSON.stringify({ ts: iso, level: 'error', logger: 'planner.tools', message: inText(rand, a as Planted), ...base, extra: inJson(rand, b as Planted) }));
    json.push(JSON.stringify({ ts: iso, level: 'error', logger: 'uvicorn.error', message: 'Exception in ASGI application\n', ...base, exc: inTraceback(rand, c as Planted) }));
    text.push(`${py} ERROR [planner.core.http] request failed session=${SESSION} stage=plan ${inText(rand, d as Planted).replace(/\n/g, ' ')}`);
    text.push(`${py} ERROR [planner.core.http] call failed session=${SESSION} stage=plan`);
    text.push(inTraceback(rand, e as Planted));
    const f = makeSecret(rand, kind);
    planted.push(f);
    const messages = [...(realLlm['request_excerpt'] as unknown[]).slice(0, 1), { role: 'user', content: inText(rand, f) }];
    llm.push(JSON.stringify({ ...realLlm, ts: iso, request_excerpt: messages, error: inText(rand, f).replace(/\n/g, ' ') }));
  });
  // A line that cannot be parsed is quoted (file:line and an excerpt) in warnings and by obs sources --issues.
  const bad = makeSecret(rand, 'slack-token');
  planted.push(bad);
  json.push(`{"ts": "2026-11-21T22:19:30.000Z", "level": "error", "message": "token ${bad.text}`);
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, 'planted.jsonl'), `${json.join('\n')}\n`);
  writeFileSync(path.join(root, 'planted.log'), `${text.join('\n')}\n`);
  writeFileSync(path.join(root, 'llm_io_20261121_221900_9999.jsonl'), `${llm.join('\n')}\n`);
}

/** Every secret that must not be printed, longest first (a secret may contain a shorter one). */
function secrets(): string[] {
  const all = [...truth.global.planted_secret_strings, ...truth.global.must_never_appear.map((m) => m.secret), ...planted.map((p) => p.secret)];
  return [...new Set(all)].sort((a, b) => b.length - a.length);
}

function leaks(output: string): string[] {
  return secrets().filter((s) => output.includes(s));
}

/** Each leaked secret with the text around it, for the failure message. */
function shown(output: string): string[] {
  return leaks(output).map((s) => {
    const at = output.indexOf(s);
    return JSON.stringify(output.slice(Math.max(0, at - 80), at + s.length + 20));
  });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'obs-redaction-'));
  plantLogs(path.join(dir, 'logs'));
  LOGS = ['--logs', CORPUS, '--logs', path.join(dir, 'logs')];
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const ROW_FORMATS = ['table', 'tsv', 'json', 'ndjson', 'csv', 'markdown'] as const;

describe('no planted secret in any output', () => {
  let errorId = '';
  beforeAll(async () => {
    // An exception of the planted logs: its message and traceback hold secrets.
    const r = await obs(['errors', ...LOGS, '--json', 'error_id', '--where', "source_file like '%planted.jsonl'", '--kind', 'exception', '--limit', '1'], { env: ENV });
    errorId = String((JSON.parse(r.stdout) as { errors: Array<{ error_id: string }> }).errors[0]?.error_id);
  });

  const commands: Array<[string, () => string[], readonly string[]]> = [
    ['events', () => ['events', ...LOGS], ROW_FORMATS],
    ['errors', () => ['errors', ...LOGS], ROW_FORMATS],
    ['errors --traceback', () => ['errors', '--traceback', ...LOGS], ['table']],
    ['errors --group', () => ['errors', '--group', ...LOGS], ROW_FORMATS],
    ['errors show', () => ['errors', 'show', errorId, ...LOGS], ROW_FORMATS],
    ['sessions', () => ['sessions', ...LOGS], ROW_FORMATS],
    ['llm', () => ['llm', ...LOGS], ROW_FORMATS],
    ['llm --by model', () => ['llm', '--by', 'model', ...LOGS], ROW_FORMATS],
    ['sources --issues', () => ['sources', '--issues', ...LOGS], ROW_FORMATS],
    ['sources', () => ['sources', ...LOGS], ['table']],
    ['sql events', () => ['sql', ...LOGS, 'select * from events'], ROW_FORMATS],
    ['sql llm_calls', () => ['sql', ...LOGS, "select raw, error, raw->>'error' as token from llm_calls"], ROW_FORMATS],
    ['sql line_issues', () => ['sql', ...LOGS, 'select * from line_issues'], ['tsv', 'json']],
    ['query', () => ['query', '--thread', THREAD, '--verbose', ...LOGS, '--prometheus', url], ROW_FORMATS],
    ['trace', () => ['trace', TRACE, ...LOGS], ROW_FORMATS],
    ['report', () => ['report', ...LOGS, '--prometheus', url], ['table', 'json', 'markdown']],
    ['triage', () => ['triage', path.join(dir, 'logs'), CORPUS], ['text', 'json', 'markdown', 'github']],
  ];

  /** Commands whose output has no logged text, only counts and names. */
  const NO_TEXT = new Set(['sessions', 'llm --by model', 'sources']);

  for (const [name, args, formats] of commands) {
    it(`obs ${name}`, async () => {
      let all = '';
      for (const format of formats) {
        const r = await obs([...args(), '-o', format], { env: ENV });
        const label = `obs ${name} -o ${format}`;
        expect([0, 4], `${label}: exit ${r.exitCode}\n${r.stderr}`).toContain(r.exitCode);
        expect(shown(r.stdout), `${label}: secrets on stdout`).toEqual([]);
        expect(shown(r.stderr), `${label}: secrets on stderr`).toEqual([]);
        all += r.stdout + r.stderr;
      }
      if (!NO_TEXT.has(name)) expect(all, `obs ${name}: nothing was redacted`).toContain('[REDACTED:');
    }, 120_000);
  }

  it('obs events --follow', async () => {
    // Follows until stopped: the first batch (every record) is printed, then the process is ended.
    const r = await execa(process.execPath, [BIN, 'events', '--follow', ...LOGS, '--ndjson'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', XDG_CACHE_HOME: CACHE_HOME, NO_COLOR: '1', TZ: 'UTC', ...ENV },
      extendEnv: false,
      reject: false,
      timeout: 8000,
    });
    const out = String(r.stdout);
    expect(out.split('\n').length).toBeGreaterThan(100);
    expect(shown(out)).toEqual([]);
    expect(shown(String(r.stderr))).toEqual([]);
    expect(out).toContain('[REDACTED:');
  }, 30_000);

  it('obs metrics: label values and the query as echoed', async () => {
    // label_replace gives every series a label holding a password, as a scraped DSN label would.
    const promql = 'label_replace(up, "dsn", "postgres://app:Pw9xK2mQ7vL4@db:5432/agent", "job", ".*")';
    for (const format of ROW_FORMATS) {
      const r = await obs(['metrics', promql, '--from', '2026-11-21T22:17:00Z', '--to', '2026-11-21T22:21:00Z', '--prometheus', url, '-o', format]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('Pw9xK2mQ7vL4');
      if (format !== 'table') expect(r.stdout).toContain('REDACTED:url-password');
    }
    const open = await obs(['metrics', promql, '--from', '2026-11-21T22:17:00Z', '--to', '2026-11-21T22:21:00Z', '--prometheus', url, '--json', '--no-redact']);
    expect(open.stdout).toContain('Pw9xK2mQ7vL4');
  });

  it('the secrets are in the logs obs read: --no-redact prints them, and warns', async () => {
    const r = await obs(['sql', ...LOGS, "select message, raw::varchar as raw from events union all select error, raw::varchar from llm_calls", '--no-redact', '--json'], { env: ENV });
    expect(r.stderr).toMatch(/^warning: --no-redact: secrets in the logs .* are printed as they are$/m);
    const shown = leaks(r.stdout);
    const expected = secrets().filter((s) => !truth.global.must_never_appear.some((m) => m.secret === s));
    expect(shown.sort()).toEqual(expected.sort());
    const issues = await obs(['sources', '--issues', ...LOGS, '--no-redact', '--json'], { env: ENV });
    expect(leaks(issues.stdout), 'the rejected line is quoted as logged').toEqual([planted[planted.length - 1]?.secret]);
  });

  it('--no-redact is taken after a subcommand and before it', async () => {
    const after = await obs(['errors', 'show', errorId, ...LOGS, '--no-redact', '--json'], { env: ENV });
    const before = await obs(['errors', '--no-redact', 'show', errorId, ...LOGS, '--json'], { env: ENV });
    for (const r of [after, before]) {
      expect(r.stdout).not.toContain('[REDACTED:');
      expect(leaks(r.stdout).length).toBeGreaterThan(0);
    }
  });
});

describe('rules of the config file', () => {
  it('adds secret patterns and keys', async () => {
    const cfgDir = path.join(dir, 'cfg');
    mkdirSync(cfgDir, { recursive: true });
    writeFileSync(path.join(cfgDir, 'app.jsonl'), `${JSON.stringify({ ts: '2026-11-21T22:19:00Z', level: 'info', message: 'signed with itk_Q2w9E8r7T6y5U4i3', 'x-signature': 'v1=9f8e7d' })}\n`);
    writeFileSync(path.join(cfgDir, 'obs.config.json'), JSON.stringify({ redact: { patterns: [{ kind: 'internal-token', regex: 'itk_[A-Za-z0-9]{16}' }], keys: ['x-signature'] } }));
    const r = await obs(['events', '--logs', 'app.jsonl', '--json'], { cwd: cfgDir });
    expect(r.exitCode).toBe(0);
    const row = (JSON.parse(r.stdout) as { events: Array<{ message: string; raw: string }> }).events[0];
    expect(row?.message).toBe('signed with [REDACTED:internal-token]');
    expect(row?.raw).not.toContain('itk_Q2w9E8r7T6y5U4i3');
    expect(row?.raw).not.toContain('v1=9f8e7d');
  });

  it.each([
    [{ redact: { patterns: [{ kind: 'x', regex: '(' }] } }, /invalid value for "redact.patterns.0.regex"/, /not a regular expression/],
    [{ redact: { patterns: [{ kind: 'x', regex: 'a*' }] } }, /invalid value for "redact.patterns.0.regex"/, /matches empty text/],
    [{ redact: { patterns: [{ kind: 'Bad Kind', regex: 'a+' }] } }, /invalid value for "redact.patterns.0.kind"/, /lower-case/],
    [{ redact: { pattern: [] } }, /unknown key "redact.pattern"/, /the keys of "redact" are: patterns, keys/],
  ])('refuses a bad rule: %j', async (config, message, detail) => {
    const cfgDir = mkdtempSync(path.join(dir, 'bad-'));
    writeFileSync(path.join(cfgDir, 'obs.config.json'), JSON.stringify(config));
    const r = await obs(['events', '--logs', CORPUS], { cwd: cfgDir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(detail);
  });
});
