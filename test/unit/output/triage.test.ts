/**
 * The views of obs triage that must be exact: GitHub's escaping of workflow
 * commands (the runner's rules: data escapes %, CR, LF; a property value
 * also : and ,), the annotation lines built from groups, and markdown that
 * a `|` or a backtick in a message cannot break.
 */
import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, mdCode, renderTriageGithub, renderTriageMarkdown, type TriageDoc, type TriageGroup } from '../../../src/output/triage.js';

function group(over: Partial<TriageGroup>): TriageGroup {
  return {
    rank: 1,
    fingerprint: '0123456789ab',
    severity: 'error',
    kind: 'exception',
    language: 'python',
    error_type: 'ValueError',
    message: 'bad value',
    count: 1,
    sightings: 1,
    first_seen: { file: 'ci/pytest.txt', line: 12, ts: null },
    location: { file: 'src/app/x.py', line: 7, function: 'parse' },
    files: ['ci/pytest.txt'],
    test: null,
    tests: [],
    traceback: 'Traceback (most recent call last):\nValueError: bad value',
    ...over,
  };
}

function doc(groups: TriageGroup[]): TriageDoc {
  return {
    schema: 1,
    root: '/repo',
    root_from: 'flag',
    inputs: { paths: ['ci'], files: 1, loaded: 1, skipped: 0, unreadable: 0, lines: 10, records: 5, rejected: 0, repaired: 0, passed_over: 0 },
    summary: {
      errors: groups.filter((g) => g.severity === 'error').length,
      warnings: groups.filter((g) => g.severity === 'warning').length,
      occurrences: groups.reduce((n, g) => n + g.count, 0),
      new: groups.length,
      known_hidden: 0,
    },
    fail_on: 'never',
    failed: false,
    groups,
    baseline: null,
    warnings: [],
  };
}

describe('GitHub workflow command escaping', () => {
  it('escapes %, CR and LF in data, % first so an escape is never escaped twice', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
    expect(escapeData('%0A is literal')).toBe('%250A is literal');
  });

  it('escapes : and , too in a property value', () => {
    expect(escapeProperty('src/a,b:c.py')).toBe('src/a%2Cb%3Ac.py');
    expect(escapeProperty('KeyError (3 times)\n50%')).toBe('KeyError (3 times)%0A50%25');
  });
});

describe('annotations', () => {
  it('one line per group: severity, the in-repo location, a title, the message with test and files', () => {
    const out = renderTriageGithub(
      doc([
        group({
          error_type: 'app.errors.QuotaError',
          message: 'quota 100% used: tenant a,b\nretry later',
          count: 3,
          location: { file: 'src/app/quota, v2.py', line: 41, function: 'charge' },
          tests: ['tests/test_q.py::test_a[x:y]'],
          files: ['ci/pytest.txt', 'ci/app.log'],
        }),
        group({ rank: 2, severity: 'warning', error_type: null, message: 'disk almost full', location: null }),
        group({ rank: 3, location: { file: 'web/a.js', line: null, function: null } }),
      ]),
    );
    expect(out.split('\n')).toEqual([
      '::error file=src/app/quota%2C v2.py,line=41,title=app.errors.QuotaError (3 times)::app.errors.QuotaError: quota 100%25 used: tenant a,b%0Aretry later%0Atest: tests/test_q.py::test_a[x:y]%0Aseen in: ci/pytest.txt, ci/app.log',
      '::warning title=Warning::disk almost full%0Aseen in: ci/pytest.txt',
      '::error file=web/a.js,title=ValueError::ValueError: bad value%0Aseen in: ci/pytest.txt',
      '',
    ]);
  });

  it('nothing at all when there is no group', () => {
    expect(renderTriageGithub(doc([]))).toBe('');
  });
});

describe('markdown', () => {
  it('escapes | in the summary table, and fences a traceback holding backticks with a longer fence', () => {
    const md = renderTriageMarkdown(doc([group({ message: 'expected a|b, got ```x```', traceback: 'ValueError: expected a|b, got ```x```' })]));
    const row = md.split('\n').find((l) => l.startsWith('| 1 |'))!;
    expect(row).toBe('| 1 | error | 1 | ValueError: expected a\\|b, got \\`\\`\\`x\\`\\`\\` | src/app/x.py:7 | – |');
    expect(row.split(/(?<!\\)\|/)).toHaveLength(8);
    expect(md).toContain('\n````text\nValueError: expected a|b, got ```x```\n````\n');
    expect(md).toContain('<details><summary>Traceback</summary>');
  });

  it('inline code never ends early on a backtick', () => {
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
  });
});
