/**
 * `obs triage` on the artifacts of a failed CI run (fixtures/triage, made by
 * pytest 9, node --test and Python logging from the project in repo/).
 * Expected groups come from the project's sources (lines found by their
 * text), from the worker's JSON lines read here, and from the failures the
 * tests provoke (fixtures/triage/README.md), never from obs's own output.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, obs } from '../helpers/cli.js';

const TRIAGE = path.join(FIXTURES, 'triage');
const REPO = path.join(TRIAGE, 'repo');
/** The paths as a user in the project folder gives them. */
const ARTIFACTS = 'fixtures/triage/artifacts';
const NEXT = 'fixtures/triage/next';
const ROOT_FLAG = ['--repo-root', 'fixtures/triage/repo'];
const ANSI = /\u001b\[/;

interface Group {
  rank: number;
  fingerprint: string;
  severity: 'error' | 'warning';
  kind: string;
  error_type: string | null;
  message: string;
  count: number;
  first_seen: { file: string; line: number; ts: string | null };
  location: { file: string; line: number | null; function: string | null } | null;
  files: string[];
  test: string | null;
  tests: string[];
  traceback: string | null;
}

interface Doc {
  schema: number;
  root: string;
  root_from: string;
  inputs: { paths: string[]; files: number; loaded: number; lines: number; rejected: number };
  summary: { errors: number; warnings: number; occurrences: number; new: number; known_hidden: number };
  fail_on: string;
  failed: boolean;
  groups: Group[];
  baseline: { file: string; fingerprints: number; hidden: string[] } | null;
  warnings: string[];
}

function lineOf(file: string, text: string): number {
  const i = readFileSync(path.join(REPO, file), 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (i === -1) throw new Error(`${text} not in ${file}`);
  return i + 1;
}

/** The worker's records, read here. */
const workerLines = ['worker-1.jsonl', 'worker-2.jsonl'].flatMap((f) =>
  readFileSync(path.join(TRIAGE, 'artifacts', 'logs', f), 'utf8')
    .trim()
    .split('\n')
    .map((l) => ({ ...(JSON.parse(l) as Record<string, string>), file: `${ARTIFACTS}/logs/${f}` }) as Record<string, string> & { file: string }),
);
const logged = (pred: (r: Record<string, string>) => boolean): number => workerLines.filter(pred).length;

interface Expected {
  severity: 'error' | 'warning';
  count: number;
  type: string;
  message: string;
  location: string | null;
  test: string | null;
}

/**
 * The groups in rank order: errors before warnings, then by count, then by
 * first seen: the worker's timed lines before the test reports, which have
 * no time and come by file (node-test.txt before pytest.txt) and line.
 */
const EXPECTED: Expected[] = [
  {
    severity: 'error',
    // test_total_unknown_sku, and the worker's failed order in each run: the same three innermost frames.
    count: 1 + logged((r) => (r['exc'] ?? '').includes('app.pricing.PricingError')),
    type: 'app.pricing.PricingError',
    message: "unknown sku 'Z-9'",
    location: `src/app/pricing.py:${lineOf('src/app/pricing.py', 'raise PricingError')}`,
    test: 'tests/test_pricing.py::test_total_unknown_sku',
  },
  {
    severity: 'error',
    count: logged((r) => (r['exc'] ?? '').includes('ZeroDivisionError')),
    type: 'ZeroDivisionError',
    message: 'division by zero',
    location: `src/app/inventory.py:${lineOf('src/app/inventory.py', 'shipped / ordered')}`,
    test: null,
  },
  {
    severity: 'error',
    count: 1,
    type: 'AssertionError',
    message: 'Expected values to be strictly equal:',
    location: `web/test/quote.test.js:${lineOf('web/test/quote.test.js', '{ price: 100, qty: 1 }')}`,
    test: 'quote > adds the tax',
  },
  {
    severity: 'error',
    count: 1,
    type: 'TypeError',
    message: "Cannot read properties of null (reading '1')",
    location: `web/src/quote.js:${lineOf('web/src/quote.js', 'match[1]')}`,
    test: 'parseSku > reads a lower-case sku',
  },
  {
    severity: 'error',
    count: 1,
    type: 'json.decoder.JSONDecodeError',
    message: 'Expecting property name enclosed in double quotes: line 1 column 20 (char 19)',
    // The innermost frame is in json; the project's innermost is config.load.
    location: `src/app/config.py:${lineOf('src/app/config.py', 'json.load(fh)')}`,
    test: 'tests/test_pricing.py::test_currency',
  },
  {
    severity: 'error',
    count: 1,
    type: 'AssertionError',
    message: 'assert 108 == 110',
    location: `tests/test_pricing.py:${lineOf('tests/test_pricing.py', 'with_tax(100) == 110')}`,
    test: 'tests/test_pricing.py::test_with_tax',
  },
  {
    severity: 'error',
    count: 1,
    type: 'AssertionError',
    message: 'assert 54 == 50',
    location: `tests/test_pricing.py:${lineOf('tests/test_pricing.py', 'rate=0.08) == amount')}`,
    test: 'tests/test_pricing.py::test_tax_free_amounts[50]',
  },
  {
    severity: 'warning',
    count: logged((r) => r['level'] === 'warning' && (r['error'] ?? '').startsWith('TimeoutError:')),
    type: 'TimeoutError',
    message: 'payment gateway did not answer in 2.0s',
    location: null,
    test: null,
  },
  {
    severity: 'warning',
    count: 1,
    type: 'DeprecationWarning',
    message: 'legacy_discount() is deprecated; use discount()',
    location: `tests/test_pricing.py:${lineOf('tests/test_pricing.py', 'legacy_discount(100)')}`,
    test: 'tests/test_pricing.py::test_legacy_discount',
  },
];

const place = (g: Group): string | null => (g.location === null ? null : `${g.location.file}:${g.location.line}`);
const shape = (g: Group): Expected => ({
  severity: g.severity,
  count: g.count,
  type: g.error_type ?? '',
  message: g.message.split('\n')[0] ?? '',
  location: place(g),
  test: g.test,
});

async function triage(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ doc: Doc; stderr: string; exitCode: number }> {
  const r = await obs(['triage', ...args, '--format', 'json'], opts);
  let doc: Doc;
  try {
    doc = JSON.parse(r.stdout) as Doc;
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.exitCode}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return { doc, stderr: r.stderr, exitCode: r.exitCode };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'obs-triage-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('obs triage on a CI run', () => {
  let run: { doc: Doc; stderr: string; exitCode: number };
  beforeAll(async () => {
    run = await triage([ARTIFACTS, ...ROOT_FLAG]);
  });

  it('finds each group with its count, type, message, in-repo location and test, in rank order', () => {
    expect(run.exitCode).toBe(0);
    expect(run.doc.groups.map(shape)).toEqual(EXPECTED);
    expect(run.doc.groups.map((g) => g.rank)).toEqual(EXPECTED.map((_, i) => i + 1));
    expect(run.stderr).not.toMatch(/warning:/);
  });

  it('says where each group was seen, and first', () => {
    const [pricing, zero, nodeAssert] = run.doc.groups;
    expect(pricing!.files).toEqual([`${ARTIFACTS}/logs/worker-1.jsonl`, `${ARTIFACTS}/logs/worker-2.jsonl`, `${ARTIFACTS}/pytest.txt`]);
    const firstFailure = workerLines.find((r) => (r['exc'] ?? '').includes('PricingError'))!;
    expect(pricing!.first_seen).toEqual({
      file: firstFailure.file,
      line: workerLines.filter((r) => r.file === firstFailure.file).indexOf(firstFailure) + 1,
      ts: new Date(firstFailure['ts']!).toISOString(),
    });
    expect(zero!.files).toEqual([`${ARTIFACTS}/logs/worker-1.jsonl`, `${ARTIFACTS}/logs/worker-2.jsonl`]);
    const tap = readFileSync(path.join(TRIAGE, 'artifacts', 'node-test.txt'), 'utf8').split('\n');
    expect(nodeAssert!.first_seen).toEqual({ file: `${ARTIFACTS}/node-test.txt`, line: tap.findIndex((l) => l.trim() === 'not ok 1 - adds the tax') + 1, ts: null });
    expect(nodeAssert!.traceback).toContain("name: 'AssertionError'");
  });

  it('writes a versioned JSON document with its inputs and summary, no bigint anywhere', () => {
    const d = run.doc;
    expect(d.schema).toBe(1);
    expect(d.root).toBe(REPO);
    expect(d.root_from).toBe('flag');
    expect(d.inputs).toMatchObject({ paths: [ARTIFACTS], files: 4, loaded: 4, rejected: 0 });
    const lines = ['pytest.txt', 'node-test.txt', 'logs/worker-1.jsonl', 'logs/worker-2.jsonl']
      .map((f) => readFileSync(path.join(TRIAGE, 'artifacts', f), 'utf8').replace(/\n$/, '').split('\n').length)
      .reduce((a, b) => a + b, 0);
    expect(d.inputs.lines).toBe(lines);
    expect(d.summary).toEqual({
      errors: EXPECTED.filter((g) => g.severity === 'error').length,
      warnings: EXPECTED.filter((g) => g.severity === 'warning').length,
      occurrences: EXPECTED.reduce((n, g) => n + g.count, 0),
      new: EXPECTED.length,
      known_hidden: 0,
    });
    expect(d).toMatchObject({ fail_on: 'never', failed: false, baseline: null, warnings: [] });
    const keys = Object.keys(d.groups[0]!).sort();
    expect(keys).toEqual(['count', 'error_type', 'files', 'fingerprint', 'first_seen', 'kind', 'language', 'location', 'message', 'rank', 'severity', 'sightings', 'test', 'tests', 'traceback'].sort());
  });

  it('gives the same fingerprints whichever reporter printed the tests', async () => {
    const byTest = (doc: Doc): Record<string, string> => Object.fromEntries(doc.groups.filter((g) => g.test !== null).map((g) => [g.test, g.fingerprint]));
    const base = byTest(run.doc);
    for (const file of ['pytest-tb-short.txt', 'pytest-tb-native.txt', 'node-test-spec.txt']) {
      const { doc } = await triage([`fixtures/triage/reporters/${file}`, ...ROOT_FLAG]);
      const got = byTest(doc);
      expect(Object.keys(got).length, file).toBeGreaterThan(1);
      for (const [test, fp] of Object.entries(got)) expect(fp, `${file}: ${test}`).toBe(base[test]);
      if (file === 'node-test-spec.txt') {
        expect(doc.groups.map((g) => [g.count, place(g)])).toEqual([
          [1, EXPECTED[2]!.location],
          [1, EXPECTED[3]!.location],
        ]);
      }
    }
  });
});

describe('markdown for the step summary', () => {
  it('has a heading, a summary table, and each group with its location and traceback folded', async () => {
    const r = await obs(['triage', ARTIFACTS, ...ROOT_FLAG, '--format', 'markdown']);
    expect(r.exitCode).toBe(0);
    const md = r.stdout;
    const lines = md.split('\n');
    expect(lines[0]).toBe('## obs triage: 7 error groups, 2 warning groups');
    const rows = lines.filter((l) => /^\| \d+ \|/.test(l));
    expect(rows).toHaveLength(EXPECTED.length);
    expect(rows[0]).toBe(`| 1 | error | 3 | app.pricing.PricingError: unknown sku 'Z-9' | ${EXPECTED[0]!.location} | tests/test_pricing.py::test_total_unknown_sku |`);
    // A parametrized test's brackets are escaped, the row keeps its six cells.
    expect(rows[6]).toContain('tests/test_pricing.py::test_tax_free_amounts\\[50\\]');
    expect(rows[7]).toBe('| 8 | warning | 2 | TimeoutError: payment gateway did not answer in 2.0s | – | – |');
    for (const [i, g] of EXPECTED.entries()) {
      expect(md).toContain(`\n### ${i + 1}. `);
      if (g.location !== null) expect(md).toContain(`- location: \`${g.location}\``);
    }
    // The TimeoutError was logged without a traceback: its message is shown.
    expect(md.match(/<details><summary>Traceback<\/summary>/g)).toHaveLength(EXPECTED.length - 1);
    expect(md).toContain('<details><summary>Message</summary>\n\n```text\npayment gateway did not answer in 2.0s\n```\n\n</details>');
    expect(md.match(/^```text$/gm)).toHaveLength(EXPECTED.length);
    expect(md).toContain('E       assert 108 == 110');
    expect(md).not.toMatch(ANSI);
  });

  it('matches the reviewed golden file', async () => {
    const r = await obs(['triage', ARTIFACTS, ...ROOT_FLAG, '--format', 'markdown']);
    const golden = readFileSync(path.join(ROOT, 'test', 'e2e', 'golden', 'triage-artifacts.md'), 'utf8');
    expect(r.stdout).toBe(golden);
  });
});

describe('GitHub annotations', () => {
  it('one line per group at its innermost frame in the repository, escaped as the runner reads them', async () => {
    const r = await obs(['triage', ARTIFACTS, ...ROOT_FLAG, '--format', 'github']);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(EXPECTED.length);
    expect(lines.map((l) => /^::(error|warning) /.exec(l)?.[1])).toEqual(EXPECTED.map((g) => g.severity));
    const at = (g: Expected): string => (g.location === null ? '' : `file=${g.location.replace(/:(\d+)$/, ',line=$1')},`);
    expect(lines[0]).toBe(
      `::error ${at(EXPECTED[0]!)}title=app.pricing.PricingError (3 times)::app.pricing.PricingError: unknown sku 'Z-9'%0A` +
        `test: tests/test_pricing.py::test_total_unknown_sku%0A` +
        `seen in: ${ARTIFACTS}/logs/worker-1.jsonl, ${ARTIFACTS}/logs/worker-2.jsonl, ${ARTIFACTS}/pytest.txt`,
    );
    // The assert's diff keeps its blank line, as %0A%0A.
    expect(lines[2]).toBe(
      `::error ${at(EXPECTED[2]!)}title=AssertionError::AssertionError: Expected values to be strictly equal:%0A%0A108 !== 110%0Atest: quote > adds the tax%0Aseen in: ${ARTIFACTS}/node-test.txt`,
    );
    // The type's dots stay, a title's colon would be %3A: there is none here, but the JSON error's message has colons in data, unescaped.
    expect(lines[4]).toBe(
      `::error ${at(EXPECTED[4]!)}title=json.decoder.JSONDecodeError::json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 20 (char 19)%0Atest: tests/test_pricing.py::test_currency%0Aseen in: ${ARTIFACTS}/pytest.txt`,
    );
    // No frame in the repository: no file, no line.
    expect(lines[7]).toBe(`::warning title=TimeoutError (2 times)::TimeoutError: payment gateway did not answer in 2.0s%0Aseen in: ${ARTIFACTS}/logs/worker-1.jsonl, ${ARTIFACTS}/logs/worker-2.jsonl`);
    expect(lines[8]).toBe(
      `::warning ${at(EXPECTED[8]!)}title=DeprecationWarning::DeprecationWarning: legacy_discount() is deprecated; use discount()%0Atest: tests/test_pricing.py::test_legacy_discount%0Aseen in: ${ARTIFACTS}/pytest.txt`,
    );
  });

  it('has no file where the repository has none of the frames (the repository of the working directory here)', async () => {
    const r = await obs(['triage', `${ARTIFACTS}/node-test.txt`, '--format', 'github']);
    expect(r.stdout.split('\n').filter((l) => l !== '')).toEqual([expect.stringMatching(/^::error title=AssertionError::/), expect.stringMatching(/^::error title=TypeError::/)]);
  });
});

describe('the repository root', () => {
  it('comes from $GITHUB_WORKSPACE, and from the git work tree of the working directory', async () => {
    const fromEnv = await triage([ARTIFACTS], { env: { GITHUB_WORKSPACE: REPO } });
    expect(fromEnv.doc.root_from).toBe('GITHUB_WORKSPACE');
    expect(fromEnv.doc.groups.map(place)).toEqual(EXPECTED.map((g) => g.location));

    const checkout = path.join(tmp, 'checkout');
    cpSync(REPO, checkout, { recursive: true });
    mkdirSync(path.join(checkout, '.git'));
    const fromGit = await triage([path.join(TRIAGE, 'artifacts')], { cwd: path.join(checkout, 'src', 'app') });
    expect(fromGit.doc.root).toBe(checkout);
    expect(fromGit.doc.root_from).toBe('git');
    expect(fromGit.doc.groups.map(place)).toEqual(EXPECTED.map((g) => g.location));
    // --repo-root wins over both.
    const flag = await triage([ARTIFACTS, '--repo-root', 'fixtures'], { env: { GITHUB_WORKSPACE: REPO } });
    expect(flag.doc.root_from).toBe('flag');
    expect(flag.doc.groups.map(place).filter((p) => p !== null)).toEqual([]);
  });
});

describe('--fail-on', () => {
  it('never (the default) exits 0; error and warning exit 1 when such a group is found', async () => {
    for (const [flag, code] of [[[], 0], [['--fail-on', 'never'], 0], [['--fail-on', 'error'], 1], [['--fail-on', 'warning'], 1]] as const) {
      const r = await obs(['triage', ARTIFACTS, ...ROOT_FLAG, '--format', 'github', ...flag]);
      expect(r.exitCode, flag.join(' ')).toBe(code);
      if (code === 1) expect(r.stderr).toContain(`exit 1 (${flag.join(' ')})`);
    }
  });

  it('counts only what the baseline does not hold: warnings alone fail --fail-on warning, not error', async () => {
    const { doc } = await triage([ARTIFACTS, ...ROOT_FLAG]);
    const errorsOnly = path.join(tmp, 'errors-only.json');
    writeFileSync(errorsOnly, JSON.stringify({ ...doc, groups: doc.groups.filter((g) => g.severity === 'error') }));
    const e = await triage([ARTIFACTS, ...ROOT_FLAG, '--baseline', errorsOnly, '--fail-on', 'error']);
    expect(e.exitCode).toBe(0);
    expect(e.doc.groups.map((g) => g.severity)).toEqual(['warning', 'warning']);
    const w = await triage([ARTIFACTS, ...ROOT_FLAG, '--baseline', errorsOnly, '--fail-on', 'warning']);
    expect(w.exitCode).toBe(1);
    expect(w.doc.failed).toBe(true);
  });

  it('exit 1 wins over 4 (a rejected line); without it, 4', async () => {
    const dir = path.join(tmp, 'with-bad-line');
    cpSync(path.join(TRIAGE, 'artifacts'), dir, { recursive: true });
    cpSync(path.join(FIXTURES, 'edge', 'malformed-json', 'app.jsonl'), path.join(dir, 'app.jsonl'));
    const plain = await triage([dir, ...ROOT_FLAG]);
    expect(plain.exitCode).toBe(4);
    expect(plain.doc.inputs.rejected).toBeGreaterThan(0);
    expect(plain.stderr).toMatch(/warning: .*app\.jsonl:\d+: line rejected/);
    const failing = await triage([dir, ...ROOT_FLAG, '--fail-on', 'error']);
    expect(failing.exitCode).toBe(1);
  });
});

describe('--baseline', () => {
  it('reports only the groups new since the baseline, and how many known ones it hid', async () => {
    const base = path.join(tmp, 'baseline.json');
    const first = await obs(['triage', ARTIFACTS, ...ROOT_FLAG, '--json']);
    writeFileSync(base, first.stdout);
    const { doc, exitCode, stderr } = await triage([ARTIFACTS, NEXT, ...ROOT_FLAG, '--baseline', base, '--fail-on', 'error']);
    expect(exitCode).toBe(1);
    expect(doc.groups.map(shape)).toEqual([
      {
        severity: 'error',
        count: 1,
        type: 'KeyError',
        message: "'B-2'",
        location: `src/app/inventory.py:${lineOf('src/app/inventory.py', 'levels[sku] =')}`,
        test: 'tests/test_inventory.py::test_restock_new_sku',
      },
    ]);
    expect(doc.summary).toEqual({ errors: 1, warnings: 0, occurrences: 1, new: 1, known_hidden: EXPECTED.length });
    expect(doc.baseline).toEqual({ file: base, fingerprints: EXPECTED.length, hidden: expect.any(Array) });
    expect(doc.baseline!.hidden.sort()).toEqual((JSON.parse(first.stdout) as Doc).groups.map((g) => g.fingerprint).sort());
    expect(stderr).toContain(`${EXPECTED.length} known group(s) hidden`);

    const md = await obs(['triage', ARTIFACTS, NEXT, ...ROOT_FLAG, '--baseline', base, '--format', 'markdown']);
    expect(md.stdout).toContain(`${EXPECTED.length} known groups hidden (baseline ${base})`);

    // A baseline written with a baseline still knows what that one hid.
    const second = path.join(tmp, 'second.json');
    writeFileSync(second, (await obs(['triage', ARTIFACTS, NEXT, ...ROOT_FLAG, '--baseline', base, '--json'])).stdout);
    const again = await triage([ARTIFACTS, NEXT, ...ROOT_FLAG, '--baseline', second, '--fail-on', 'error']);
    expect(again.exitCode).toBe(0);
    expect(again.doc.groups).toEqual([]);
    expect(again.doc.summary.known_hidden).toBe(EXPECTED.length + 1);
  });

  it('a baseline that is missing, not JSON or not an obs triage document is a usage error naming the file and the fault', async () => {
    const write = (name: string, text: string): string => {
      const p = path.join(tmp, name);
      writeFileSync(p, text);
      return p;
    };
    const cases: Array<[string, RegExp]> = [
      [path.join(tmp, 'missing.json'), /error: cannot read the baseline .*missing\.json\nreason: no such file/],
      [write('text.json', 'not json at all'), /error: the baseline .*text\.json is not JSON\nreason: /],
      [write('schema.json', '{"schema": 2, "groups": []}'), /error: the baseline .*schema\.json is not an obs triage document\nreason: "schema" is 2, expected 1/],
      [write('nogroups.json', '{"schema": 1}'), /reason: it has no "groups" list/],
      [write('nofp.json', '{"schema": 1, "groups": [{"fingerprint": "abc"}, {"count": 3}]}'), /reason: groups\[1\] has no "fingerprint" string/],
      [write('array.json', '[]'), /reason: it is not a JSON object/],
    ];
    for (const [file, message] of cases) {
      const r = await obs(['triage', ARTIFACTS, '--baseline', file]);
      expect(r.exitCode, file).toBe(2);
      expect(r.stderr, file).toMatch(message);
      expect(r.stdout, file).toBe('');
    }
  });
});

describe('output hygiene', () => {
  it('no escape code and no note on a piped stdout, in any format, with colours allowed; JSON parses', async () => {
    for (const format of ['text', 'json', 'markdown', 'github']) {
      const r = await obs(['triage', ARTIFACTS, ...ROOT_FLAG, '--format', format], { env: { NO_COLOR: '' } });
      expect(r.exitCode, format).toBe(0);
      expect(r.stdout, format).not.toMatch(ANSI);
      expect(r.stdout, format).not.toMatch(/^(note|warning): /m);
      expect(r.stdout.length, format).toBeGreaterThan(0);
      if (format === 'json') expect(() => JSON.parse(r.stdout)).not.toThrow();
    }
  });

  it('colours the text view only when forced, and --no-color wins', async () => {
    const forced = await obs(['triage', ARTIFACTS, ...ROOT_FLAG], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(ANSI);
    const off = await obs(['triage', ARTIFACTS, ...ROOT_FLAG, '--no-color'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(off.stdout).not.toMatch(ANSI);
    const dumb = await obs(['triage', ARTIFACTS, ...ROOT_FLAG], { env: { NO_COLOR: '', TERM: 'dumb' } });
    expect(dumb.stdout).not.toMatch(ANSI);
  });

  it('-q silences notes; --json and -o json are --format json; two formats are a usage error', async () => {
    const loud = await obs(['triage', NEXT, ...ROOT_FLAG, '--fail-on', 'error']);
    expect(loud.stderr).toMatch(/^note: /m);
    const quiet = await obs(['triage', NEXT, ...ROOT_FLAG, '--fail-on', 'error', '-q']);
    expect(quiet.exitCode).toBe(1);
    expect(quiet.stderr).toBe('');
    const a = await obs(['triage', NEXT, ...ROOT_FLAG, '--json']);
    const b = await obs(['triage', NEXT, ...ROOT_FLAG, '-o', 'json']);
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
    const both = await obs(['triage', NEXT, '--format', 'json', '-o', 'markdown']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('choose one output format');
  });

  it('usage errors exit 2, missing input 3; --tz and --config are the shared ones', async () => {
    expect((await obs(['triage'])).exitCode).toBe(2);
    expect((await obs(['triage', ARTIFACTS, '--format', 'yaml'])).exitCode).toBe(2);
    expect((await obs(['triage', ARTIFACTS, '--fail-on', 'sometimes'])).exitCode).toBe(2);
    const root = await obs(['triage', ARTIFACTS, '--repo-root', 'no/such/dir']);
    expect(root.exitCode).toBe(2);
    expect(root.stderr).toContain('--repo-root no/such/dir is not a folder');
    expect((await obs(['triage', ARTIFACTS, '--tz', 'Mars/Olympus'])).exitCode).toBe(2);
    const config = path.join(tmp, 'obs.config.json');
    writeFileSync(config, '{"logz": []}');
    const badConfig = await obs(['triage', ARTIFACTS, '--config', config]);
    expect(badConfig.exitCode).toBe(2);
    expect(badConfig.stderr).toContain('logz');
    const missing = await obs(['triage', 'fixtures/triage/no-such-artifacts']);
    expect(missing.exitCode).toBe(3);
    // The fix names the argument, not --logs, which triage does not take.
    expect(missing.stderr).toMatch(/^help: give the files and folders the CI run left/m);
    expect(missing.stderr).not.toContain('--logs');
  });

  it('is listed under CI in the help, with examples', async () => {
    const top = await obs(['--help']);
    expect(top.stdout).toMatch(/CI:\n\s+triage /);
    const help = await obs(['triage', '--help']);
    expect(help.stdout).toContain('obs triage artifacts/ --format markdown >> "$GITHUB_STEP_SUMMARY"');
    expect(help.stdout).toContain('--fail-on <severity>');
  });
});
