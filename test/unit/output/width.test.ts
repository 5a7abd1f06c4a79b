/**
 * Terminal widths: wide characters take two columns, combining marks none, so
 * a table with Japanese, emoji or accented text keeps its columns aligned, and
 * a cut never splits a character.
 */
import { describe, expect, it } from 'vitest';
import { PLAIN } from '../../../src/output/color.js';
import { render } from '../../../src/output/render.js';
import { displayWidth, truncateToWidth } from '../../../src/output/width.js';

describe('displayWidth', () => {
  it('counts columns, not UTF-16 units', () => {
    expect(displayWidth('plan')).toBe(4);
    expect(displayWidth('予定を立てる')).toBe(12);
    expect(displayWidth('ok ✅')).toBe(5);
    expect(displayWidth('🚀')).toBe(2);
    expect('🚀'.length).toBe(2);
    expect(displayWidth('café')).toBe(4);
    expect(displayWidth('cafe\u0301')).toBe(4);
    expect(displayWidth('ｆｕｌｌ')).toBe(8);
  });

  it('cuts to a width with an ellipsis, never inside a wide character', () => {
    expect(truncateToWidth('abcdef', 4)).toBe('abc…');
    expect(truncateToWidth('予定を立てる', 6)).toBe('予定…');
    expect(displayWidth(truncateToWidth('予定を立てる', 6))).toBe(5);
    expect(truncateToWidth('abc', 3)).toBe('abc');
  });
});

describe('the table view', () => {
  it('aligns columns that hold wide characters, and right-aligns numbers', () => {
    const lines: string[] = [];
    render({ write: (s: string) => lines.push(s) > 0 }, {
      format: 'table',
      noun: 'rows',
      columns: [{ key: 'message' }, { key: 'n', align: 'right' }, { key: 'stage' }],
      rows: [
        { message: '予定を立てる', n: 7, stage: 'plan' },
        { message: 'plan 🚀', n: 12345, stage: 'confirm' },
        { message: 'ascii only', n: null, stage: 'refine' },
      ],
      meta: {},
      color: PLAIN,
    });
    const out = lines.join('').split('\n').filter((l) => l !== '');
    expect(out).toEqual([
      'message           n  stage',
      '予定を立てる      7  plan',
      'plan 🚀       12345  confirm',
      'ascii only           refine',
    ]);
    // The stage column starts at the same terminal column on every line.
    const starts = out.map((l) => displayWidth(l.slice(0, l.search(/(stage|plan|confirm|refine)$/))));
    expect(new Set(starts).size).toBe(1);
  });
});
