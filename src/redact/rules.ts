/**
 * What obs redacts: keys whose values are secrets (token, password, cookie,
 * ...; never token counts such as prompt_tokens), and secret-shaped text
 * anywhere (API keys, Slack and GitHub tokens, bearer and basic credentials,
 * JWTs, private keys, passwords in URLs), including key/value pairs written
 * inside free text (JSON fragments, key=value, header lines). Each
 * replacement names its kind: [REDACTED:slack-token].
 */

export const MARK = '[REDACTED:';

export function mark(kind: string): string {
  return `${MARK}${kind}]`;
}

/** Words of a key: "X-Api-Key" → [x, api, key]; "accessToken" → [access, token]. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

const ANY_WORD: Record<string, string> = {
  secret: 'secret',
  secrets: 'secret',
  password: 'password',
  passwd: 'password',
  passphrase: 'password',
  credential: 'credential',
  credentials: 'credential',
  apikey: 'api-key',
};

const LAST_WORD: Record<string, string> = {
  token: 'token',
  cookie: 'cookie',
  cookies: 'cookie',
  authorization: 'authorization',
  auth: 'authorization',
};

const LAST_PAIR: Record<string, string> = {
  'api key': 'api-key',
  'private key': 'private-key',
  'secret key': 'secret',
  'access key': 'secret',
  'signing key': 'secret',
};

/**
 * The kind of secret a key holds, or null. Token counts are not secrets:
 * prompt_tokens, max_tokens and token_count are kept, access_token is not.
 */
export function sensitiveKey(key: string, extra: ReadonlySet<string> = EMPTY): string | null {
  if (extra.size > 0 && extra.has(key.toLowerCase())) return 'secret';
  // Output repeats the same few keys on every row: remember each key's answer.
  let kind = KEY_KINDS.get(key);
  if (kind === undefined) {
    kind = kindOfKey(key);
    if (KEY_KINDS.size < 10_000) KEY_KINDS.set(key, kind);
  }
  return kind;
}

const KEY_KINDS = new Map<string, string | null>();

function kindOfKey(key: string): string | null {
  const words = keyWords(key);
  const last = words[words.length - 1];
  if (last === undefined) return null;
  for (const w of words) {
    const kind = ANY_WORD[w];
    if (kind !== undefined) return kind;
  }
  const pair = words.length >= 2 ? LAST_PAIR[`${words[words.length - 2]} ${last}`] : undefined;
  return pair ?? LAST_WORD[last] ?? null;
}

const EMPTY: ReadonlySet<string> = new Set();

/** A rule over text: the pattern (global) and what replaces a match. */
export interface TextRule {
  kind: string;
  pattern: RegExp;
  replace: (match: string, groups: string[], named: Record<string, string | undefined>) => string;
}

const whole = (kind: string) => (): string => mark(kind);

/** Text that looks like a random credential rather than a word: long, or with digits or symbols. */
export function looksSecret(value: string): boolean {
  if (value.length < 8 || value.startsWith(MARK)) return false;
  return value.length >= 20 || /[0-9]/.test(value) || /[._~+/=-]/.test(value);
}

function isBasicCredential(b64: string): boolean {
  const text = Buffer.from(b64, 'base64').toString('utf8');
  return /^[\x20-\x7e]+:[\x20-\x7e]*$/.test(text);
}

/*
 * A secret may start right after an escaped line break: "…failed:\nsk-…" inside
 * JSON text, where \b sees no word boundary (and would see one between "\" and "n",
 * reading the key as "npassword"). Every rule starts with (?:\b(?<!\\)|(?<=\\[nrt])).
 */

/** Characters a key may have inside free text; the key must contain one of the sensitive words. */
const KEY = String.raw`[A-Za-z0-9_.-]{0,40}(?:token|secret|passw|passphrase|api[_-]?key|apikey|auth|cookie|credential|private[_-]?key|access[_-]?key|signing[_-]?key)[A-Za-z0-9_.-]{0,40}`;

/** Text that may hold a sensitive key/value pair; the pair rules run only on such text. */
export const PAIR_HINT = /token|secret|passw|passphrase|api[_-]?key|apikey|auth|cookie|credential|private[_-]?key|access[_-]?key|signing[_-]?key/i;

/** Text that may hold a secret of a known shape; the shape rules run only on such text. */
export const SHAPE_HINT = /-----BEGIN|eyJ|sk-|xox|xapp-|hooks\.slack|gh[pousr]_|github_pat_|AIza|AKIA|ASIA|ABIA|ACCA|:\/\/|bearer|basic/i;

/**
 * Text that may hold anything a built-in rule finds: either hint, which
 * between them hold every word AWS_CONTEXT needs (an access key id's prefix,
 * or "secret").
 */
export const ANY_HINT = new RegExp(`${SHAPE_HINT.source}|${PAIR_HINT.source}`, 'i');

/**
 * Replaces the value of a sensitive key found in text, keeping the key and
 * the quoting around it; a key that only looks sensitive (max_tokens) is kept.
 */
function pairRule(pattern: string, flags = 'gi', { needsShape = false, quote = '' } = {}): TextRule {
  return {
    kind: 'pair',
    pattern: new RegExp(pattern, flags),
    replace: (match, _groups, named) => {
      const { before = '', key = '', value = '', after = '' } = named;
      const kind = sensitiveKey(key);
      if (kind === null || value === '' || value.startsWith(MARK)) return match;
      // A header whose credentials were already named (Authorization: Bearer [REDACTED:bearer-token]) stays as it is.
      if (kind !== 'cookie' && value.includes(MARK)) return match;
      // "token: expired" is prose; "token: 9f8e7d6c5b4a" is not.
      if (needsShape && (kind === 'token' || kind === 'authorization') && keyWords(key).length === 1 && !looksSecret(value)) return match;
      return `${before}${quote}${mark(kind)}${quote}${after}`;
    },
  };
}

/** The built-in rules for secrets of a known shape, in the order they run. */
export const SHAPE_RULES: readonly TextRule[] = [
  {
    kind: 'private-key',
    pattern: /-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|$)/g,
    replace: whole('private-key'),
  },
  { kind: 'jwt', pattern: /(?:\b(?<!\\)|(?<=\\[nrt]))eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, replace: whole('jwt') },
  { kind: 'anthropic-key', pattern: /(?:\b(?<!\\)|(?<=\\[nrt]))sk-ant-[A-Za-z0-9_-]{16,}/g, replace: whole('anthropic-key') },
  { kind: 'openai-key', pattern: /(?:\b(?<!\\)|(?<=\\[nrt]))sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g, replace: whole('openai-key') },
  { kind: 'slack-token', pattern: /(?:\b(?<!\\)|(?<=\\[nrt]))(?:xox[abposr]|xapp)-[A-Za-z0-9-]{10,}/g, replace: whole('slack-token') },
  {
    kind: 'slack-webhook',
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]+/g,
    replace: whole('slack-webhook'),
  },
  { kind: 'github-token', pattern: /(?:\b(?<!\\)|(?<=\\[nrt]))(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})/g, replace: whole('github-token') },
  { kind: 'google-api-key', pattern: /(?:\b(?<!\\)|(?<=\\[nrt]))AIza[0-9A-Za-z_-]{30,}/g, replace: whole('google-api-key') },
  { kind: 'aws-access-key-id', pattern: /(?:\b(?<!\\)|(?<=\\[nrt]))(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}/g, replace: whole('aws-access-key-id') },
  {
    kind: 'url-password',
    pattern: /(?:\b(?<!\\)|(?<=\\[nrt]))([a-z][a-z0-9+.-]*:\/\/)([^\s:/?#@'"<>]*):([^\s/?#@'"<>]+)@/gi,
    replace: (match, [scheme = '', user = '', pass = '']) => (pass.startsWith(MARK) ? match : `${scheme}${user}:${mark('url-password')}@`),
  },
  {
    kind: 'bearer-token',
    pattern: /(?:\b(?<!\\)|(?<=\\[nrt]))(Bearer)([ \t]+)([A-Za-z0-9._~+/-]+=*)/gi,
    replace: (match, [word = '', space = '', token = '']) => (looksSecret(token) ? `${word}${space}${mark('bearer-token')}` : match),
  },
  {
    kind: 'basic-auth',
    pattern: /(?:\b(?<!\\)|(?<=\\[nrt]))(Basic)([ \t]+)([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/gi,
    replace: (match, [word = '', space = '', b64 = '']) => (isBasicCredential(b64) ? `${word}${space}${mark('basic-auth')}` : match),
  },
];

/** The built-in rules for key/value pairs inside text; they run after the shape rules. */
export const PAIR_RULES: readonly TextRule[] = [
  // "token": "…" in JSON, and cut off at the end.
  pairRule(String.raw`(?<before>"(?<key>${KEY})"\s*:\s*")(?<value>(?:[^"\\]|\\.)*)(?<after>"|$)`),
  // \"token\": \"…\" in JSON inside a JSON string, at any depth of escaping.
  pairRule(String.raw`(?<before>(?<!\\)(?<q>\\+)"(?<key>${KEY})\k<q>"\s*:\s*\k<q>")(?<value>(?:(?!\k<q>")[\s\S])*)(?<after>\k<q>"|$)`),
  // "api_key": 12345 becomes a string, so the JSON stays valid.
  pairRule(String.raw`(?<before>"(?<key>${KEY})"\s*:\s*)(?<value>-?\d[\d.eE+-]*)(?<after>)`, 'gi', { quote: '"' }),
  // 'token': '…' in a Python dict's repr.
  pairRule(String.raw`(?<before>'(?<key>${KEY})'\s*:\s*')(?<value>(?:[^'\\]|\\.)*)(?<after>'|$)`),
  // token=…, token="…", token=\"…\" (query strings, logfmt, environment dumps, keyword arguments).
  pairRule(String.raw`(?<before>(?:\b(?<!\\)|(?<=\\[nrt]))(?<key>${KEY})\s*=\s*")(?<value>(?:[^"\\\n]|\\.)*)(?<after>"|$)`),
  pairRule(String.raw`(?<before>(?:\b(?<!\\)|(?<=\\[nrt]))(?<key>${KEY})\s*=\s*(?<q>\\+)")(?<value>(?:(?!\k<q>")[^\n])*)(?<after>\k<q>"|$)`),
  pairRule(String.raw`(?<before>(?:\b(?<!\\)|(?<=\\[nrt]))(?<key>${KEY})\s*=\s*')(?<value>[^'\n]*)(?<after>'|$)`),
  pairRule(String.raw`(?<before>(?:\b(?<!\\)|(?<=\\[nrt]))(?<key>${KEY})\s*=\s*)(?<value>[^\s&,;'"\\<>)}\]]+)(?<after>)`),
  // Header lines and "password: …": the rest of the line for cookies and authorization headers.
  pairRule(String.raw`(?<before>(?:^|(?<=\\n))[ \t]*(?<key>(?:set-)?cookie|(?:proxy-)?authorization|x-[a-z-]*(?:token|key|auth)[a-z-]*)[ \t]*:[ \t]*)(?<value>(?:(?!\\[nr])[^\r\n"])+)(?<after>)`, 'gim'),
  pairRule(String.raw`(?<before>(?:\b(?<!\\)|(?<=\\[nrt]))(?<key>${KEY})[ \t]*:[ \t]*)(?<value>[^\s,;'"\\<>)}\]]+)(?<after>)`, 'gi', { needsShape: true }),
];

/**
 * An AWS secret access key (40 characters of base64, mixed case) is only
 * told from other text by what stands beside it: an access key id or the
 * words of the secret's name.
 */
export const AWS_CONTEXT = /(?:\b(?<!\\)|(?<=\\[nrt]))(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b|aws_?secret|secret_?access_?key/i;
export const AWS_SECRET = /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[A-Z])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
