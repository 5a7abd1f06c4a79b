/**
 * parseLogfmt: a line is logfmt only when it is nothing but pairs, with at
 * least two `key=value` pairs. Lines of other formats (most of them have no
 * `=` at all) are turned away before any parsing; these cases pin that the
 * shortcut gives the parser's own answer at its edges.
 */
import { describe, expect, it } from 'vitest';
import { parseLogfmt } from '../../../src/formats/logfmt.js';

describe('parseLogfmt', () => {
  it('reads pairs, quoted values with escapes, and flags', () => {
    expect(parseLogfmt('ts=2026-11-21T22:18:05.637Z level=info msg="Starting \\"Prometheus\\"\\n" ready')).toEqual({
      ts: '2026-11-21T22:18:05.637Z',
      level: 'info',
      msg: 'Starting "Prometheus"\n',
      ready: true,
    });
    expect(parseLogfmt('debug a=1 b=2')).toEqual({ debug: true, a: '1', b: '2' });
    expect(parseLogfmt('a= b=')).toEqual({ a: '', b: '' });
  });

  it('turns away a line with fewer than two pairs, however many "=" it holds', () => {
    expect(parseLogfmt('')).toBeNull();
    expect(parseLogfmt('2026-11-21 08:00:38,503 INFO {"event": "graph_turn_start"}')).toBeNull();
    expect(parseLogfmt('a=1')).toBeNull();
    expect(parseLogfmt('a=1 flag')).toBeNull();
    expect(parseLogfmt('a="x=y" flag')).toBeNull();
    expect(parseLogfmt('a==1')).toBeNull();
  });

  it('turns away a line that is not only pairs', () => {
    expect(parseLogfmt('a=1 b=2 "quoted words"')).toBeNull();
    expect(parseLogfmt('a=1 b="unterminated')).toBeNull();
    expect(parseLogfmt('a=1 b="x"y')).toBeNull();
    expect(parseLogfmt('a=1 b=x"y')).toBeNull();
  });

  it('never reads a line with fewer than two "=" as logfmt', () => {
    // Every line of up to five characters over an alphabet of the characters that matter.
    const alphabet = ['a', '=', ' ', '"', '\\'];
    const lines: string[] = [''];
    for (let len = 1; len <= 5; len++) {
      for (const prefix of lines.filter((l) => l.length === len - 1)) for (const c of alphabet) lines.push(prefix + c);
    }
    for (const line of lines) {
      const equals = line.split('=').length - 1;
      if (equals < 2) expect(parseLogfmt(line), JSON.stringify(line)).toBeNull();
    }
    expect(lines.filter((l) => parseLogfmt(l) !== null)).toContain('a= a=');
  });
});
