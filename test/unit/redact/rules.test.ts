/**
 * One test per redaction rule: the secret shape is replaced by its kind, and
 * the text around it, near misses and token counts are kept.
 */
import { describe, expect, it } from 'vitest';
import { NO_REDACTION, defaultRedactor, redactingStream } from '../../../src/redact/redactor.js';
import { ANY_HINT, AWS_CONTEXT, sensitiveKey } from '../../../src/redact/rules.js';

const r = defaultRedactor();
const text = (s: string): string => r.text(s);

describe('secret shapes in free text', () => {
  it('OpenAI-style keys (sk-, sk-proj-)', () => {
    expect(text('key sk-proj-u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAj in case')).toBe('key [REDACTED:openai-key] in case');
    expect(text('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')).toBe('[REDACTED:openai-key]');
    expect(text('the task-runner-and-the-scheduler-with-long-names')).toBe('the task-runner-and-the-scheduler-with-long-names');
    expect(text('sk-short')).toBe('sk-short');
  });

  it('Anthropic-style keys (sk-ant-)', () => {
    expect(text('ANTHROPIC_KEY is sk-ant-api03-Xy9_kLm2nOp3qRs4tUv5wXy6zAb7cDe8fGh9-iJk0lMn')).toBe('ANTHROPIC_KEY is [REDACTED:anthropic-key]');
  });

  it('Slack tokens (xoxb-, xoxp-, xapp-) and webhook URLs', () => {
    expect(text('(token xoxb-231171247084-6426995750488-J0RlgLKOmxgJTeKdNnFRIBXu)')).toBe('(token [REDACTED:slack-token])');
    expect(text('xoxp-1234567890-0987654321-abcdef')).toBe('[REDACTED:slack-token]');
    expect(text('app xapp-1-A0123456789-1234567890123-abcdef0123')).toBe('app [REDACTED:slack-token]');
    expect(text('post to https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX now')).toBe('post to [REDACTED:slack-webhook] now');
    expect(text('the xox- prefix')).toBe('the xox- prefix');
  });

  it('Authorization: Bearer … keeps the scheme and names the token', () => {
    expect(text('Authorization: Bearer sk-or-v1-eeb975729fae923d5a4fd12aab')).toBe('Authorization: Bearer [REDACTED:openai-key]');
    expect(text('authorization: bearer 4f2a9c1e7b3d5f6a8c0e')).toBe('authorization: bearer [REDACTED:bearer-token]');
    expect(text('"Bearer eyJhbGciOi.abc123.def"')).toBe('"Bearer [REDACTED:bearer-token]"');
    expect(text('the bearer of bad news')).toBe('the bearer of bad news');
  });

  it('Basic credentials only when they decode to user:password', () => {
    expect(text('Authorization: Basic YWRtaW46aHVudGVyMg==')).toBe('Authorization: Basic [REDACTED:basic-auth]');
    expect(text('sent Basic YWRtaW46aHVudGVyMg== to the proxy')).toBe('sent Basic [REDACTED:basic-auth] to the proxy');
    expect(text('Basic information about the plan')).toBe('Basic information about the plan');
  });

  it('AWS access key ids, and the secret key beside one', () => {
    expect(text('id AKIAOJFLJOOA7LQSAJ2X secret Oqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po+799')).toBe(
      'id [REDACTED:aws-access-key-id] secret [REDACTED:aws-secret-key]',
    );
    expect(text('ASIAY34FZKBOKMUTVV7A')).toBe('[REDACTED:aws-access-key-id]');
    // A git commit id is 40 characters too, but one case only: kept.
    expect(text('commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12 by AKIAOJFLJOOA7LQSAJ2X')).toBe('commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12 by [REDACTED:aws-access-key-id]');
    // Without an access key id or the secret's name nearby, 40 characters are just text.
    expect(text('Oqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po+799')).toBe('Oqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po+799');
    expect(text('aws_secret_access_key=Oqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po+799')).toBe('aws_secret_access_key=[REDACTED:secret]');
  });

  it('the one hint test that lets text skip every rule still sees what the AWS rule needs', () => {
    for (const s of ['aws_secret', 'AWSSECRET=x', 'secret_access_key', 'SecretAccessKey', 'akiaoJFLJOOA7LQSAJ2X', 'ASIAY34FZKBOKMUTVV7A']) {
      expect(AWS_CONTEXT.test(s), s).toBe(true);
      expect(ANY_HINT.test(s), s).toBe(true);
    }
    expect(ANY_HINT.test('planner finished the collect stage in 2.4 s')).toBe(false);
  });

  it('GitHub tokens (ghp_, gho_, github_pat_)', () => {
    expect(text('ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 and gho_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789')).toBe('[REDACTED:github-token] and [REDACTED:github-token]');
    expect(text('github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz')).toBe('[REDACTED:github-token]');
  });

  it('Google API keys (AIza)', () => {
    expect(text('key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY&q=x')).toBe('key=[REDACTED:google-api-key]&q=x');
  });

  it('JWTs', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    expect(text(`session ${jwt}.`)).toBe('session [REDACTED:jwt].');
  });

  it('PEM private keys, whole or cut off', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n-----END RSA PRIVATE KEY-----';
    expect(text(`key:\n${pem}\nnext`)).toBe('key:\n[REDACTED:private-key]\nnext');
    expect(text('body: "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbm')).toBe('body: "[REDACTED:private-key]');
    expect(text('-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE')).toBe('-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE');
  });

  it('passwords in URLs keep the user and host', () => {
    expect(text('connect postgres://app:hunter2@db.internal:5432/agent failed')).toBe('connect postgres://app:[REDACTED:url-password]@db.internal:5432/agent failed');
    expect(text('redis://:s3cr3t@cache:6379/0')).toBe('redis://:[REDACTED:url-password]@cache:6379/0');
    expect(text('see http://example.com:8080/path and a@b.c')).toBe('see http://example.com:8080/path and a@b.c');
  });
});

describe('sensitive key/value pairs inside text', () => {
  it('JSON fragments, also escaped inside a JSON string and cut off at the end', () => {
    expect(text('{"token": "abc", "prompt_tokens": 12, "api_key": 12345}')).toBe('{"token": "[REDACTED:token]", "prompt_tokens": 12, "api_key": "[REDACTED:api-key]"}');
    expect(text('{\\"password\\": \\"hunter2\\", \\"user\\": \\"bob\\"}')).toBe('{\\"password\\": \\"[REDACTED:password]\\", \\"user\\": \\"bob\\"}');
    expect(text('body_head={"token":"nEN5N1aE6PwZPf1Qh6yYTWmE","team_id":"T0')).toBe('body_head={"token":"[REDACTED:token]","team_id":"T0');
    expect(text('{"token":"nEN5N1aE6PwZ')).toBe('{"token":"[REDACTED:token]');
  });

  it("Python dict reprs ('api_key': '…')", () => {
    expect(text("request_options={'api_key': 'abc', 'max_tokens': 100}")).toBe("request_options={'api_key': '[REDACTED:api-key]', 'max_tokens': 100}");
  });

  it('key=value pairs: query strings, logfmt, environment dumps', () => {
    expect(text('GET /oauth?access_token=abc123&page=2')).toBe('GET /oauth?access_token=[REDACTED:token]&page=2');
    expect(text('password="p a s s" user=bob')).toBe('password="[REDACTED:password]" user=bob');
    expect(text("client_secret='x1' scope=read")).toBe("client_secret='[REDACTED:secret]' scope=read");
    expect(text('SLACK_SIGNING_SECRET=28b5b7a767c76fb008f86bebb2737f6a\nPWD=/srv')).toBe('SLACK_SIGNING_SECRET=[REDACTED:secret]\nPWD=/srv');
    expect(text('max_tokens=100 tokens=5 token_count=3')).toBe('max_tokens=100 tokens=5 token_count=3');
  });

  it('HTTP header dumps: cookies and authorization headers to the end of the line', () => {
    expect(text('GET / HTTP/1.1\nHost: x\nCookie: sessionid=abc; csrftoken=def\nX-Api-Key: k-123\nAccept: */*')).toBe(
      'GET / HTTP/1.1\nHost: x\nCookie: [REDACTED:cookie]\nX-Api-Key: [REDACTED:api-key]\nAccept: */*',
    );
    expect(text('Set-Cookie: sid=31d4d96e407aad42; Path=/')).toBe('Set-Cookie: [REDACTED:cookie]');
  });

  it('"token: value" only when the value looks like a credential', () => {
    expect(text('invalid token: expired')).toBe('invalid token: expired');
    expect(text('token: 9f8e7d6c5b4a3')).toBe('token: [REDACTED:token]');
    expect(text('password: hunter')).toBe('password: [REDACTED:password]');
    expect(text('prompt_tokens: 10')).toBe('prompt_tokens: 10');
  });
});

describe('sensitive keys of structured values', () => {
  it('names secrets by key, never token counts', () => {
    for (const k of ['token', 'access_token', 'accessToken', 'X-Auth-Token', 'Authorization', 'api_key', 'apiKey', 'x-api-key', 'OPENAI_API_KEY', 'secret', 'client_secret', 'password', 'db_password', 'passwd', 'cookie', 'Set-Cookie', 'private_key', 'credentials', 'aws_secret_access_key', 'slack_signing_secret']) {
      expect(sensitiveKey(k), k).not.toBeNull();
    }
    for (const k of ['prompt_tokens', 'completion_tokens', 'total_tokens', 'max_tokens', 'cache_read_tokens', 'tokens', 'token_count', 'session_key', 'thread_ts', 'author', 'key', 'pwd', 'cache_key', 'trace_id']) {
      expect(sensitiveKey(k), k).toBeNull();
    }
  });

  it('replaces the values of sensitive keys at any depth, and shapes in every string', () => {
    const row = {
      ts: '2026-11-21T22:18:05Z',
      prompt_tokens: 1200,
      request_options: { api_key: 'abc', headers: { Authorization: 'Bearer zzz', Accept: 'json' }, max_tokens: 800 },
      tokens: ['xoxb-231171247084-6426995750488-J0RlgLKOmxgJTeKdNnFRIBXu'],
      credentials: ['a', 'b'],
      password: 4321,
      token: null,
      has_token: true,
      empty_secret: '',
    };
    expect(r.value(row)).toEqual({
      ts: '2026-11-21T22:18:05Z',
      prompt_tokens: 1200,
      request_options: { api_key: '[REDACTED:api-key]', headers: { Authorization: '[REDACTED:authorization]', Accept: 'json' }, max_tokens: 800 },
      tokens: ['[REDACTED:slack-token]'],
      credentials: ['[REDACTED:credential]', '[REDACTED:credential]'],
      password: '[REDACTED:password]',
      token: null,
      has_token: true,
      empty_secret: '',
    });
    // The input is not changed: stored rows stay as they were.
    expect(row.request_options.api_key).toBe('abc');
  });

  it('is idempotent', () => {
    const once = r.value({ token: 'abc', message: 'Authorization: Bearer 4f2a9c1e7b3d5f6a8c0e', raw: '{"password":"x"}' });
    expect(r.value(once)).toEqual(once);
  });
});

describe('rules of the config file, --no-redact and stderr', () => {
  it('adds patterns and keys', () => {
    const own = defaultRedactor().with({ patterns: [{ kind: 'internal-token', regex: 'itk_[A-Za-z0-9]{8}' }], keys: ['X-Signature'] });
    expect(own.text('sent itk_Ab12Cd34 ok')).toBe('sent [REDACTED:internal-token] ok');
    // A value that is the secret alone, shorter than any built-in shape.
    expect(defaultRedactor().with({ patterns: [{ kind: 'pin', regex: 'pin\\d{3}' }] }).value({ note: 'pin123' })).toEqual({ note: '[REDACTED:pin]' });
    expect(own.value({ 'x-signature': 'v1=abcdef' })).toEqual({ 'x-signature': '[REDACTED:secret]' });
    // The built-in rules still apply.
    expect(own.text('xoxb-231171247084-6426995750488-J0RlgLKOmxgJ')).toBe('[REDACTED:slack-token]');
  });

  it('NO_REDACTION leaves everything', () => {
    expect(NO_REDACTION.text('xoxb-231171247084-6426995750488-J0RlgLKOmxgJ')).toBe('xoxb-231171247084-6426995750488-J0RlgLKOmxgJ');
    expect(NO_REDACTION.value({ token: 'a' })).toEqual({ token: 'a' });
  });

  it('a redacting stream keeps the terminal properties of the stream under it', () => {
    const written: string[] = [];
    const under = { write: (c: string) => (written.push(c), true), isTTY: true, columns: 91 };
    const s = redactingStream(under, () => r);
    s.write('warning: app.log:3: rejected: {"token":"nEN5N1aE6PwZPf1Qh6yYTWmE"}\n');
    expect(written).toEqual(['warning: app.log:3: rejected: {"token":"[REDACTED:token]"}\n']);
    expect(s.isTTY).toBe(true);
    expect(s.columns).toBe(91);
  });
});

describe('JSON held as text', () => {
  it('keeps the bytes when the text rules found everything, and redacts objects under sensitive keys', () => {
    expect(text('{"user": "bob",  "token": "abc"}')).toBe('{"user": "bob",  "token": "[REDACTED:token]"}');
    expect(text('{"credentials": {"user": "bob", "pass": "hunter2"}, "n": 1}')).toBe('{"credentials":{"user":"[REDACTED:credential]","pass":"[REDACTED:credential]"},"n":1}');
    expect(text('{"prompt_tokens": 12, "message": "plain"}')).toBe('{"prompt_tokens": 12, "message": "plain"}');
  });
});

describe('no catastrophic backtracking', () => {
  // Each took under 0.4 s when written; a rule that backtracks on such input takes hours, so the bound only catches that.
  const M = 1_000_000;
  it.each([
    ['a run of backslashes before a key', `${'\\'.repeat(M)}"token"`],
    ['an unterminated JSON value', `"token": "${'x'.repeat(M)}`],
    ['repeated keys without values', 'token: '.repeat(M / 7)],
    ['repeated key=', 'token='.repeat(M / 6)],
    ['a long base64url run', 'aZ09-_'.repeat(M / 6)],
    ['repeated Bearer', 'Bearer '.repeat(M / 7)],
    ['a private key without its end', `-----BEGIN PRIVATE KEY-----${'A'.repeat(M)}`],
    ['repeated URL starts', 'http://a:'.repeat(M / 9)],
    ['sensitive words run together', 'secret_token_api_key_'.repeat(M / 21)],
  ])('%s (1 MB)', (_name, input) => {
    const start = performance.now();
    r.text(input);
    expect(performance.now() - start).toBeLessThan(5000);
  });
});
