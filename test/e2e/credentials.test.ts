/**
 * Prometheus credentials are never printed. Each kind (a bearer token or a
 * user and password, from the environment, the config file, or the URL's
 * user info) is set to a distinctive value and every command that talks to
 * Prometheus runs against the fixture Prometheus, a port nothing listens on,
 * and servers that answer with errors, warnings and redirects that echo the
 * Authorization header back: no form of the secret (as given, percent-encoded,
 * user:password, the header's base64) appears on stdout or stderr, in any
 * output format. And a config file holding credentials that other users can
 * read gets a warning.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { obs, ROOT, type CliResult } from '../helpers/cli.js';
import { freePort } from '../helpers/prometheus.js';

const live = inject('prometheusUrl');
const LOGS = ['--logs', path.join(ROOT, 'fixtures/generated/logs')];
const THREAD = '1772442000.100200';
const WINDOW = ['--from', '2026-03-02T08:00:00Z', '--to', '2026-03-02T10:00:00Z'];

const TOKEN = 'tok-SECRET-7Hq2vX';
const CONFIG_TOKEN = 'cfgtok-SECRET-p4Lm';
const USER = 'obs-user';
const PASSWORD = 'pw-SECRET-9Zx4Rt';
const CONFIG_PASSWORD = 'cfgpw-SECRET-Qe8s';
/** Characters a URL's user info must percent-encode. */
const URL_PASSWORD = 'url pw@SECRET:3Kd8/%';
/** A token written as the URL's user name, without a password. */
const URL_TOKEN = 'urltok-SECRET-Vb6n';

/** Every form in which a secret could show. */
function forms(secret: string, user?: string): string[] {
  const out = [secret, encodeURIComponent(secret)];
  if (user !== undefined) out.push(Buffer.from(`${user}:${secret}`).toString('base64'), `${user}:${secret}`);
  return out;
}
const ALL_SECRETS = [
  ...forms(TOKEN),
  ...forms(CONFIG_TOKEN),
  ...forms(PASSWORD, USER),
  ...forms(CONFIG_PASSWORD, USER),
  ...forms(URL_PASSWORD, USER),
  ...forms(URL_TOKEN),
  Buffer.from(`${URL_TOKEN}:`).toString('base64'),
  // The distinctive part alone: no fragment of any of them either.
  'SECRET',
];

function expectNoSecret(r: CliResult, label: string): void {
  for (const secret of ALL_SECRETS) {
    expect(r.stdout, `${label}: stdout shows ${secret}`).not.toContain(secret);
    expect(r.stderr, `${label}: stderr shows ${secret}`).not.toContain(secret);
  }
}

const userinfo = (user: string, password?: string): string =>
  `${encodeURIComponent(user)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@`;
const withUserinfo = (url: string, info: string): string => url.replace('://', `://${info}`);

/** How a credential reaches obs: environment, a config file, or the URL (in env, config or flag). */
interface Kind {
  name: string;
  /** Environment, flags and config file for a Prometheus at url. */
  setup(url: string): { env: Record<string, string>; args: string[]; config: Record<string, unknown> | null };
}

const KINDS: Kind[] = [
  { name: 'OBS_PROMETHEUS_TOKEN', setup: (url) => ({ env: { OBS_PROMETHEUS_URL: url, OBS_PROMETHEUS_TOKEN: TOKEN }, args: [], config: null }) },
  {
    name: 'OBS_PROMETHEUS_USERNAME and OBS_PROMETHEUS_PASSWORD',
    setup: (url) => ({ env: { OBS_PROMETHEUS_URL: url, OBS_PROMETHEUS_USERNAME: USER, OBS_PROMETHEUS_PASSWORD: PASSWORD }, args: [], config: null }),
  },
  { name: 'config bearer_token', setup: (url) => ({ env: {}, args: [], config: { prometheus: { url, bearer_token: CONFIG_TOKEN } } }) },
  {
    name: 'config basic_auth',
    setup: (url) => ({ env: {}, args: [], config: { prometheus: { url, basic_auth: { username: USER, password: CONFIG_PASSWORD } } } }),
  },
  { name: 'user info in OBS_PROMETHEUS_URL', setup: (url) => ({ env: { OBS_PROMETHEUS_URL: withUserinfo(url, userinfo(USER, URL_PASSWORD)) }, args: [], config: null }) },
  { name: 'user info in config prometheus.url', setup: (url) => ({ env: {}, args: [], config: { prometheus: { url: withUserinfo(url, userinfo(URL_TOKEN)) } } }) },
  { name: 'user info in --prometheus', setup: (url) => ({ env: {}, args: ['--prometheus', withUserinfo(url, userinfo(USER, URL_PASSWORD))], config: null }) },
];

/**
 * A server answering the Prometheus API in one way per path prefix, each
 * echoing the Authorization header it got: /401, /400 (an error envelope),
 * /500 (an HTML page), /html (a 200 that is not the API), /warn (success
 * with the header in warnings and infos), /cross (a redirect to the other
 * server), /userinfo (a redirect to a URL holding the credentials).
 */
let echo: Server;
let other: Server;
let echoUrl = '';
let otherUrl = '';
/** Authorization headers the other server received (after a redirect to another origin). */
const otherAuth: Array<string | null> = [];
let dir = '';

function decoded(auth: string | undefined): string {
  if (auth === undefined) return '';
  if (auth.startsWith('Basic ')) return Buffer.from(auth.slice(6), 'base64').toString();
  return auth.replace(/^Bearer /, '');
}

function answer(req: IncomingMessage, res: ServerResponse): void {
  const auth = req.headers.authorization ?? '';
  const plain = decoded(req.headers.authorization);
  const [, mode = '', ...rest] = (req.url ?? '').split('/');
  const api = rest.join('/');
  const send = (status: number, type: string, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'Content-Type': type, ...headers });
    res.end(body);
  };
  switch (mode) {
    case '401':
      return send(401, 'text/plain', `unauthorized: ${auth} (${plain})\n`);
    case '400':
      return send(400, 'application/json', JSON.stringify({ status: 'error', errorType: 'bad_data', error: `bad credentials ${auth} ${plain}` }));
    case '500':
      return send(500, 'text/html', `<html><body><h1>500</h1><p>${auth}</p><p>${plain}</p></body></html>`);
    case 'html':
      return send(200, 'text/html', `<html><body>login as ${plain} with ${auth}</body></html>`);
    case 'warn': {
      const data = api.includes('label/') ? ['up'] : api.endsWith('alerts') ? { alerts: [] } : api.endsWith('query_exemplars') || api.endsWith('series') ? [] : { resultType: 'matrix', result: [] };
      return send(200, 'application/json', JSON.stringify({ status: 'success', data, warnings: [`remote read sent ${auth}`], infos: [`as ${plain}`] }));
    }
    case 'cross':
      return send(307, 'text/plain', '', { Location: `${otherUrl}/401/${api}` });
    case 'userinfo':
      return send(302, 'text/plain', '', { Location: `${withUserinfo(otherUrl, `${encodeURIComponent(plain)}@`)}/401/${api}` });
    default:
      return send(404, 'text/plain', `no ${mode} for ${plain}`);
  }
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  return `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`;
}

let dead = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'obs-credentials-'));
  echo = createServer(answer);
  other = createServer((req, res) => {
    otherAuth.push(req.headers.authorization ?? null);
    answer(req, res);
  });
  echoUrl = await listen(echo);
  otherUrl = await listen(other);
  dead = `http://127.0.0.1:${await freePort()}`;
});

afterAll(async () => {
  await Promise.all([echo, other].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  rmSync(dir, { recursive: true, force: true });
});

const TARGETS: Array<[string, () => string]> = [
  ['the fixture Prometheus', () => live],
  ['a port nothing listens on', () => dead],
  ['HTTP 401 echoing the header', () => `${echoUrl}/401`],
  ['HTTP 400 error envelope echoing it', () => `${echoUrl}/400`],
  ['HTTP 500 page echoing it', () => `${echoUrl}/500`],
  ['an HTML page, not the API', () => `${echoUrl}/html`],
  ['warnings and infos echoing it', () => `${echoUrl}/warn`],
  ['a redirect to another origin', () => `${echoUrl}/cross`],
  ['a redirect to a URL with the credentials in it', () => `${echoUrl}/userinfo`],
];

/** Runs obs with a kind's credentials for a Prometheus at url; a config file, if any, is mode 644 (the warning is output too). */
async function run(kind: Kind, url: string, args: string[]): Promise<CliResult> {
  const { env, args: extra, config } = kind.setup(url);
  let cwd = dir;
  if (config !== null) {
    cwd = mkdtempSync(path.join(dir, 'cwd-'));
    writeFileSync(path.join(cwd, 'obs.config.json'), JSON.stringify(config));
    chmodSync(path.join(cwd, 'obs.config.json'), 0o644);
  }
  return obs([...args, ...extra], { cwd, env });
}

const COMMANDS: Array<[string, string[], readonly string[]]> = [
  ['metrics', ['metrics', 'sum(up)', ...WINDOW], ['table', 'tsv', 'json', 'ndjson', 'csv', 'markdown']],
  ['query', ['query', ...LOGS, '--thread', THREAD], ['table', 'tsv', 'json', 'ndjson', 'csv', 'markdown']],
  ['report', ['report', ...LOGS, ...WINDOW], ['table', 'json', 'markdown']],
];

/** Runs the tasks three at a time, results in order. */
async function pool<T>(tasks: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return out;
}

/** Targets every command runs against; obs metrics (the quickest) runs against all. */
const MAIN_TARGETS = ['the fixture Prometheus', 'a port nothing listens on', 'HTTP 401 echoing the header', 'warnings and infos echoing it'];

describe.each(KINDS.map((k) => [k.name, k] as const))('credentials from %s are never printed', (_name, kind) => {
  it.each(TARGETS)('%s, as JSON', async (target, url) => {
    const commands = COMMANDS.filter(([name]) => name === 'metrics' || MAIN_TARGETS.includes(target));
    const results = await pool(commands.map(([, args]) => () => run(kind, url(), [...args, '--json'])));
    results.forEach((r, i) => {
      const label = `${commands[i]![0]} against ${target}`;
      expectNoSecret(r, label);
      // Something was said about Prometheus: the run got as far as asking it.
      expect(r.stdout + r.stderr, label).toMatch(/Prometheus|127\.0\.0\.1:\d+/);
      const answered = target === 'the fixture Prometheus' || target === 'warnings and infos echoing it';
      expect(r.exitCode === 0, `${label}: exit ${r.exitCode}\n${r.stderr}`).toBe(answered);
    });
  });
});

describe('in every output format', () => {
  // One kind per target: what differs between formats is how a message is rendered, not where the secret came from.
  const cases: Array<[string, Kind]> = [
    ['the fixture Prometheus', KINDS[0]!],
    ['HTTP 401 echoing the header', KINDS[4]!],
    ['warnings and infos echoing it', KINDS[3]!],
    ['an HTML page, not the API', KINDS[5]!],
  ];
  it.each(cases)('%s', async (target, kind) => {
    const url = TARGETS.find(([t]) => t === target)![1]();
    const runs = COMMANDS.flatMap(([name, args, formats]) => formats.map((format) => ({ label: `${kind.name}: ${name} -o ${format} against ${target}`, args: [...args, '-o', format] })));
    const results = await pool(runs.map((x) => () => run(kind, url, x.args)));
    results.forEach((r, i) => expectNoSecret(r, runs[i]!.label));
  });
});

describe('what the servers saw', () => {
  it('a redirect to another origin carries no Authorization header there', async () => {
    otherAuth.length = 0;
    await run(KINDS[0]!, `${echoUrl}/cross`, ['metrics', 'sum(up)', ...WINDOW, '--json']);
    await run(KINDS[1]!, `${echoUrl}/cross`, ['metrics', 'sum(up)', ...WINDOW, '--json']);
    expect(otherAuth.length).toBeGreaterThan(0);
    expect(otherAuth.every((a) => a === null)).toBe(true);
  });
});

describe('credentials in places obs only reads', () => {
  it('a token with a line break in it: refused before any request, without the value', async () => {
    const r = await obs(['metrics', 'up', ...WINDOW], { env: { OBS_PROMETHEUS_URL: live, OBS_PROMETHEUS_TOKEN: `${TOKEN}\nmore` } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: OBS_PROMETHEUS_TOKEN holds a character an HTTP header cannot carry$/m);
    expect(r.stderr).toMatch(/a line feed \(the value is not shown\)/);
    expectNoSecret(r, 'token with a line break');
  });

  it('a config file that is not valid JSON: where, not what', async () => {
    const cwd = mkdtempSync(path.join(dir, 'bad-json-'));
    writeFileSync(path.join(cwd, 'obs.config.json'), `{"prometheus": {"url": "${live}",\n  "bearer_token": ${CONFIG_TOKEN}}}\n`);
    const r = await obs(['metrics', 'up', ...WINDOW], { cwd });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^reason: Unexpected token 'c' at line 2, column 19$/m);
    expectNoSecret(r, 'bad JSON');
  });

  it('an invalid URL with user info is described, not shown', async () => {
    const r = await obs(['metrics', 'up', ...WINDOW], { env: { OBS_PROMETHEUS_URL: `ftp://${userinfo(USER, URL_PASSWORD)}127.0.0.1:1` } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('got a value with user info');
    expectNoSecret(r, 'invalid URL');
  });

  it('--prometheus=URL given to a command without the flag: the usage error drops the user info', async () => {
    const r = await obs(['events', ...LOGS, `--prometheus=${withUserinfo(live, userinfo(USER, URL_PASSWORD))}`]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`unknown option '--prometheus=${live}'`);
    expectNoSecret(r, 'unknown option');
  });
});

describe('a config file with credentials that others can read', () => {
  const WARNING = /^warning: (.*) holds (.*) and can be read by (.*) \(mode (\d+)\); run chmod 600 (.*), or move the secret to the environment: (.*)$/m;

  function configIn(config: unknown, mode: number, name = 'obs.config.json'): string {
    const cwd = mkdtempSync(path.join(dir, 'mode-'));
    writeFileSync(path.join(cwd, name), JSON.stringify(config));
    chmodSync(path.join(cwd, name), mode);
    return cwd;
  }

  it('mode 644: one warning naming the file, what it holds and the fix; the exit code is unchanged', async () => {
    const config = { prometheus: { url: dead, bearer_token: CONFIG_TOKEN } };
    const open = await obs(['query', ...LOGS, '--thread', THREAD, '--json'], { cwd: configIn(config, 0o644) });
    const closed = await obs(['query', ...LOGS, '--thread', THREAD, '--json'], { cwd: configIn(config, 0o600) });
    const m = WARNING.exec(open.stderr);
    expect(m, open.stderr).not.toBeNull();
    expect(m!.slice(1)).toEqual([
      'obs.config.json',
      'a bearer token ("prometheus.bearer_token")',
      'its group and all users',
      '644',
      'obs.config.json',
      'OBS_PROMETHEUS_TOKEN',
    ]);
    expect(open.stderr.match(/^warning: obs\.config\.json holds/gm)).toHaveLength(1);
    expect(closed.stderr).not.toMatch(/holds a bearer token/);
    // Prometheus is down either way: exit 4, the rest answered.
    expect(closed.exitCode).toBe(4);
    expect(open.exitCode).toBe(closed.exitCode);
    expect(open.stdout).toBe(closed.stdout);
    expectNoSecret(open, 'warning');
  });

  it('mode 640 (group only) with basic_auth and a password in the URL; --config names its own file', async () => {
    const config = { prometheus: { url: withUserinfo(dead, userinfo(USER, URL_PASSWORD)), basic_auth: { username: USER, password: CONFIG_PASSWORD } } };
    const cwd = configIn(config, 0o640, 'team obs.json');
    const r = await obs(['sources', ...LOGS, '--config', 'team obs.json'], { cwd });
    expect(r.exitCode).toBe(0);
    const m = WARNING.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(m!.slice(1)).toEqual([
      'team obs.json',
      'a password ("prometheus.basic_auth") and a password in "prometheus.url"',
      'its group',
      '640',
      "'team obs.json'",
      'OBS_PROMETHEUS_USERNAME and OBS_PROMETHEUS_PASSWORD; OBS_PROMETHEUS_USERNAME and OBS_PROMETHEUS_PASSWORD (the URL without user info)',
    ]);
    expectNoSecret(r, 'warning');
  });

  it('mode 604 (others only), a token as the URL user name, obs metrics', async () => {
    const r = await obs(['metrics', 'up', ...WINDOW], { cwd: configIn({ prometheus: { url: withUserinfo(dead, userinfo(URL_TOKEN)) } }, 0o604) });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^warning: obs\.config\.json holds user info in "prometheus\.url" and can be read by all users \(mode 604\)/m);
    expectNoSecret(r, 'warning');
  });

  it('no warning at mode 600, nor for a readable file without credentials', async () => {
    const tight = await obs(['sources', ...LOGS], { cwd: configIn({ prometheus: { url: dead, bearer_token: CONFIG_TOKEN } }, 0o600) });
    const plain = await obs(['sources', ...LOGS], { cwd: configIn({ prometheus: { url: dead }, tz: 'UTC' }, 0o644) });
    for (const r of [tight, plain]) {
      expect(r.exitCode).toBe(0);
      expect(r.stderr).not.toMatch(/can be read by/);
    }
  });
});
