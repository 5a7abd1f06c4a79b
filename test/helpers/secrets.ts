/**
 * Secrets of every kind obs redacts, made up from a seeded random source, and
 * ways to plant them in log records: free text with the separators real logs
 * put around them, JSON values, and Python tracebacks. Shared by the property
 * test of the redactor and the end-to-end test of every command's output.
 */

/** A seeded generator: the same seed gives the same cases. */
export { prng as random } from '../../scripts/bench/generate.js';

export type Rand = () => number;

export const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64URL = `${ALNUM}-_`;

function chars(rand: Rand, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

/** Random but never a word: at least one digit and one letter of each case. */
function credential(rand: Rand, n: number, alphabet = ALNUM): string {
  return `${chars(rand, alphabet, n - 3)}${chars(rand, 'abcdefghijklmnopqrstuvwxyz', 1)}${chars(rand, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1)}${chars(rand, '0123456789', 1)}`;
}

const b64url = (s: string): string => Buffer.from(s).toString('base64url');

/**
 * One planted secret: `text` is what goes into the log, `secret` the part
 * that must never be printed (the whole text, or the credential inside it).
 */
export interface Planted {
  kind: string;
  text: string;
  secret: string;
}

type Maker = (rand: Rand) => Planted;

export const SECRET_KINDS: Record<string, Maker> = {
  'openai-key': (rand) => {
    const s = `sk-${pick(rand, ['proj-', '', 'svcacct-'])}${credential(rand, 48, B64URL)}`;
    return { kind: 'openai-key', text: s, secret: s };
  },
  'anthropic-key': (rand) => {
    const s = `sk-ant-api03-${credential(rand, 80, B64URL)}`;
    return { kind: 'anthropic-key', text: s, secret: s };
  },
  'slack-token': (rand) => {
    const s = `${pick(rand, ['xoxb', 'xoxp', 'xoxa', 'xoxs'])}-${chars(rand, '0123456789', 12)}-${chars(rand, '0123456789', 13)}-${credential(rand, 24)}`;
    return { kind: 'slack-token', text: s, secret: s };
  },
  'bearer-token': (rand) => {
    const token = credential(rand, 32, `${ALNUM}._-`);
    return { kind: 'bearer-token', text: `${pick(rand, ['Authorization: ', 'authorization=', ''])}Bearer ${token}`, secret: token };
  },
  'basic-auth': (rand) => {
    const b64 = Buffer.from(`${chars(rand, 'abcdefghij', 6)}:${credential(rand, 14)}`).toString('base64');
    return { kind: 'basic-auth', text: `Basic ${b64}`, secret: b64 };
  },
  'aws-keys': (rand) => {
    const id = `${pick(rand, ['AKIA', 'ASIA'])}${chars(rand, UPPER_DIGITS, 16)}`;
    const secret = credential(rand, 40, `${ALNUM}/+`);
    return { kind: 'aws-keys', text: `${id} ${pick(rand, ['', 'secret ', 'and '])}${secret}`, secret };
  },
  'aws-access-key-id': (rand) => {
    const id = `${pick(rand, ['AKIA', 'ASIA'])}${chars(rand, UPPER_DIGITS, 16)}`;
    return { kind: 'aws-access-key-id', text: id, secret: id };
  },
  'github-token': (rand) => {
    const s = pick(rand, [`ghp_${credential(rand, 36)}`, `gho_${credential(rand, 36)}`, `github_pat_11${credential(rand, 20)}_${credential(rand, 59)}`]);
    return { kind: 'github-token', text: s, secret: s };
  },
  'google-api-key': (rand) => {
    const s = `AIza${credential(rand, 35, B64URL)}`;
    return { kind: 'google-api-key', text: s, secret: s };
  },
  jwt: (rand) => {
    const s = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${chars(rand, ALNUM, 12)}","iat":${Math.floor(rand() * 1e9)}}`)}.${credential(rand, 43, B64URL)}`;
    return { kind: 'jwt', text: s, secret: s.split('.')[2] as string };
  },
  'private-key': (rand) => {
    const body = Array.from({ length: 3 }, () => credential(rand, 64, `${ALNUM}+/`));
    const type = pick(rand, ['RSA ', 'EC ', 'OPENSSH ', '']);
    return { kind: 'private-key', text: `-----BEGIN ${type}PRIVATE KEY-----\n${body.join('\n')}\n-----END ${type}PRIVATE KEY-----`, secret: body[1] as string };
  },
  'url-password': (rand) => {
    const pw = credential(rand, 16);
    return { kind: 'url-password', text: `${pick(rand, ['postgres', 'redis', 'https', 'amqp'])}://${pick(rand, ['app', 'svc', ''])}:${pw}@${pick(rand, ['db.internal:5432/agent', 'cache:6379/0', 'proxy.example.com/'])}`, secret: pw };
  },
  'json-pair': (rand) => {
    const v = credential(rand, 20);
    const key = pick(rand, ['token', 'api_key', 'password', 'client_secret', 'access_token', 'apiKey']);
    return { kind: 'json-pair', text: pick(rand, [`{"${key}": "${v}", "user": "bob"}`, `{"${key}":"${v}"`, `'${key}': '${v}'`]), secret: v };
  },
  'key-value': (rand) => {
    const v = credential(rand, 20);
    const key = pick(rand, ['token', 'access_token', 'password', 'SLACK_SIGNING_SECRET', 'OPENAI_API_KEY', 'db_password']);
    return { kind: 'key-value', text: `${key}=${pick(rand, [v, `"${v}"`])}`, secret: v };
  },
  'header-dump': (rand) => {
    const v = credential(rand, 24);
    return { kind: 'header-dump', text: `${pick(rand, ['Cookie: sessionid=', 'X-Api-Key: ', 'Set-Cookie: sid='])}${v}${pick(rand, ['', '; Path=/'])}`, secret: v };
  },
};

export const KINDS = Object.keys(SECRET_KINDS);

export function makeSecret(rand: Rand, kind = pick(rand, KINDS)): Planted {
  return (SECRET_KINDS[kind] as Maker)(rand);
}

const WORDS = ['the', 'plan', 'request', 'failed', 'retrying', 'user', 'said', 'calendar', 'model', 'answer', 'slack', 'stage', 'error:', 'ok', '429'];
/** What real logs put on either side of a value. */
const BEFORE = [' ', ' ', '\n', '(', '"', "'", '=', ': ', '[', ',', '\t', ' key '];
const AFTER = [' ', ' ', '\n', ')', '"', "'", ',', '.', ';', ']', '\t'];

function words(rand: Rand, n: number): string {
  return Array.from({ length: n }, () => pick(rand, WORDS)).join(' ');
}

/** Free text with the secret somewhere in it. */
export function inText(rand: Rand, p: Planted): string {
  return `${words(rand, Math.floor(rand() * 6))}${pick(rand, BEFORE)}${p.text}${pick(rand, AFTER)}${words(rand, Math.floor(rand() * 6))}`;
}

/** A JSON value (object) with the secret in free text at some depth, or under a sensitive key. */
export function inJson(rand: Rand, p: Planted): Record<string, unknown> {
  const leaf = rand() < 0.8 ? inText(rand, p) : p.text;
  let value: unknown = leaf;
  const depth = Math.floor(rand() * 4);
  for (let i = 0; i < depth; i++) {
    value = rand() < 0.3 ? [words(rand, 2), value] : { [pick(rand, ['data', 'request', 'body', 'messages', 'detail', 'context'])]: value, n: Math.floor(rand() * 100) };
  }
  return { ts: '2026-11-21T22:18:05.123Z', level: 'error', event: 'llm_call_failed', prompt_tokens: 1200, [pick(rand, ['message', 'error', 'detail', 'extra'])]: value };
}

/** A Python traceback (the shape of fixtures/tracebacks) with the secret in the exception message or a source line. */
export function inTraceback(rand: Rand, p: Planted): string {
  const where = rand();
  const source = where < 0.3 ? `    client = Client(${inText(rand, p).replace(/\n/g, ' ')})` : '    return call_gateway(order_id, amount)';
  const message = where >= 0.3 ? inText(rand, p) : 'gateway did not answer within 5.0s';
  return [
    'Traceback (most recent call last):',
    '  File "/srv/demo/app/payments.py", line 23, in charge',
    source,
    '  File "/srv/demo/app/payments.py", line 14, in call_gateway',
    '    raise GatewayError(message)',
    `app.errors.GatewayError: ${message}`,
  ].join('\n');
}
