/**
 * The property the redactor promises: a secret of any kind, planted anywhere
 * in free text, a JSON value (as an object, as JSON text, as JSON text inside
 * a JSON string) or a Python traceback, never survives redaction. Seeded:
 * OBS_REDACT_SEED reproduces a failure; the cases are printed with it.
 */
import { describe, expect, it } from 'vitest';
import { defaultRedactor } from '../../../src/redact/redactor.js';
import { KINDS, inJson, inText, inTraceback, makeSecret, random } from '../../helpers/secrets.js';

const SEED = Number(process.env['OBS_REDACT_SEED'] ?? 20261122);
const CASES = 400;
const r = defaultRedactor();

function check(shown: string, secret: string, kind: string, input: string): void {
  expect(shown.includes(secret), `seed ${SEED}: ${kind} survived in\n${input}\n→\n${shown}`).toBe(false);
}

describe(`redaction of planted secrets (seed ${SEED})`, () => {
  for (const kind of KINDS) {
    it(`${kind}: in text, JSON values, JSON text and tracebacks`, () => {
      const rand = random(SEED + KINDS.indexOf(kind));
      for (let i = 0; i < CASES; i++) {
        const p = makeSecret(rand, kind);
        const line = inText(rand, p);
        check(r.text(line), p.secret, kind, line);
        const doc = inJson(rand, p);
        check(JSON.stringify(r.value(doc)), p.secret, kind, JSON.stringify(doc));
        check(r.text(JSON.stringify(doc)), p.secret, kind, JSON.stringify(doc));
        // Cut off, as excerpts are: no longer JSON, so only the text rules see it.
        check(r.text(JSON.stringify(doc).slice(0, -2)), p.secret, kind, JSON.stringify(doc).slice(0, -2));
        check(r.text(JSON.stringify({ line: JSON.stringify(doc) })), p.secret, kind, JSON.stringify({ line: JSON.stringify(doc) }));
        const tb = inTraceback(rand, p);
        check(r.text(tb), p.secret, kind, tb);
      }
    });
  }

  it('keeps text without secrets as it is', () => {
    const rand = random(SEED);
    const plain = ['prompt_tokens=1200 completion_tokens=80 max_tokens=4096', 'session_key=C07PLN4R2KD:1795299510.264323 stage=plan', 'GET http://127.0.0.1:9090/api/v1/query_range?query=up&step=15', 'Traceback (most recent call last):\n  File "/srv/app.py", line 3, in <module>\nValueError: bad plan'];
    for (const t of plain) expect(r.text(t)).toBe(t);
    for (let i = 0; i < 200; i++) {
      const doc = { ts: '2026-11-21T22:18:05Z', usage: { prompt_tokens: Math.floor(rand() * 1e5), total_tokens: 5 }, message: 'the plan was sent', thread_ts: '1795299510.264323' };
      expect(r.value(doc)).toEqual(doc);
    }
  });
});
