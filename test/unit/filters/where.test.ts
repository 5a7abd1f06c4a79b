import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlParams } from '../../../src/db/params.js';
import { ObsError, formatError } from '../../../src/errors.js';
import { compileWhere, jsonPathFor, type FieldResolver, type FieldType } from '../../../src/filters/where.js';

const COLUMNS: Record<string, FieldType> = {
  level: 'string',
  msg: 'string',
  duration_ms: 'number',
  ts: 'timestamp',
  ok: 'boolean',
};

/** Known columns by name; everything else is a path into raw. */
const resolve: FieldResolver = (name, path) => {
  const type = COLUMNS[name];
  if (type && path.length === 1) return { kind: 'column', sql: `"${name}"`, type };
  return { kind: 'json', column: '"raw"', path: [...path] };
};

/** Every field is a path into raw. */
const rawOnly: FieldResolver = (_name, path) => ({ kind: 'json', column: '"raw"', path: [...path] });

const ROWS: Array<[number, string | null, number | null, string | null, boolean | null, string | null, unknown]> = [
  [1, 'error', 1500, '2024-05-01T10:00:00Z', false, 'request timed out',
    { duration_ms: 1500, err: { type: 'Timeout', code: 504 }, 'a.b': 'dotted', user: 'alice', flag: true, score: 5 }],
  [2, 'warn', 200, '2024-05-01T11:00:00Z', true, "it's fine",
    { duration_ms: '1500', err: { type: 'DbError' }, a: { b: 'nested' }, user: 'bob', flag: false }],
  [3, 'info', 50, '2024-05-02T00:00:00Z', true, 'GET /health 200',
    { duration_ms: 'slow', user: null, status: '200', score: 'NaN' }],
  [4, null, null, null, null, null, { duration_ms: 999 }],
  [5, 'debug', 3000, '2024-04-30T23:59:59Z', false, "x' or 1=1 --",
    { duration_ms: 1e4, 'a") or 1=1 --': 'sneaky', 'q"k': 'quoted', msg2: 'Timeout' }],
];

let instance: DuckDBInstance;
let con: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  con = await instance.connect();
  // Times without a zone are read in the session time zone; pin it so the test does not depend on the host.
  await con.run(`SET TimeZone = 'UTC'`);
  await con.run(
    'CREATE TABLE t (id INTEGER, level VARCHAR, duration_ms DOUBLE, ts TIMESTAMPTZ, ok BOOLEAN, msg VARCHAR, raw JSON)',
  );
  for (const [id, level, duration, ts, ok, msg, raw] of ROWS) {
    await con.run(
      'INSERT INTO t VALUES ($id, $level, $duration, CAST($ts AS TIMESTAMPTZ), $ok, $msg, CAST($raw AS JSON))',
      { id, level, duration, ts, ok, msg, raw: JSON.stringify(raw) },
    );
  }
});

afterAll(() => {
  con?.closeSync();
  instance?.closeSync();
});

async function ids(expr: string, resolver: FieldResolver = resolve): Promise<number[]> {
  const params = new SqlParams();
  const sql = compileWhere(expr, resolver, params);
  const reader = await con.runAndReadAll(`SELECT id FROM t WHERE ${sql} ORDER BY id`, params.values);
  return reader.getRowsJS().map((row) => Number(row[0]));
}

function compileError(expr: string, resolver: FieldResolver = resolve): ObsError {
  try {
    compileWhere(expr, resolver, new SqlParams());
  } catch (err) {
    expect(err).toBeInstanceOf(ObsError);
    const obsErr = err as ObsError;
    expect(obsErr.exitCode).toBe(2);
    expect(obsErr.help).toBeTruthy();
    return obsErr;
  }
  throw new Error(`expected ${JSON.stringify(expr)} to be rejected`);
}

/** The note an error at 0-based column pos carries: the expression and a caret aligned under "note: ". */
function caretNote(expr: string, pos: number): string {
  return `${expr}\n${' '.repeat('note: '.length + pos)}^`;
}

describe('jsonPathFor', () => {
  it('quotes every key', () => {
    expect(jsonPathFor(['err', 'type'])).toBe('$."err"."type"');
    expect(jsonPathFor(['a.b'])).toBe('$."a.b"');
    expect(jsonPathFor([])).toBe('$');
  });

  it('escapes quotes and backslashes inside keys', () => {
    expect(jsonPathFor(['a"b', 'c\\d'])).toBe('$."a\\"b"."c\\\\d"');
  });

  it('produces paths DuckDB reads back to the same key', async () => {
    const doc = JSON.stringify({ 'q"k': 1, 'b\\s': 2, 'a.b': 3, x: { y: 4 } });
    const cases: Array<[string[], string]> = [[['q"k'], '1'], [['b\\s'], '2'], [['a.b'], '3'], [['x', 'y'], '4']];
    for (const [path, expected] of cases) {
      const reader = await con.runAndReadAll('SELECT json_extract_string(CAST($d AS JSON), $p)', {
        d: doc,
        p: jsonPathFor(path),
      });
      expect(reader.getRowsJS()[0]?.[0]).toBe(expected);
    }
  });
});

describe('compileWhere: SQL shape', () => {
  it('binds the JSON path and the value; only placeholders appear in the SQL', () => {
    const params = new SqlParams();
    const sql = compileWhere('duration_ms > 1000', rawOnly, params);
    expect(sql).toBe(
      `(COALESCE(NULLIF(TRY_CAST(json_extract_string("raw", $p1) AS DOUBLE), 'NaN'::DOUBLE) > $p2, false))`,
    );
    expect(params.values).toEqual({ p1: '$."duration_ms"', p2: 1000 });
  });

  it('compares a number column directly', () => {
    const params = new SqlParams();
    expect(compileWhere('duration_ms >= 10', resolve, params)).toBe('(COALESCE("duration_ms" >= $p1, false))');
    expect(params.values).toEqual({ p1: 10 });
  });

  it('binds a time for a timestamp column as epoch microseconds, naive times in the zone given', () => {
    const params = new SqlParams();
    expect(compileWhere(`ts < '2024-05-01'`, resolve, params)).toBe(
      '(COALESCE("ts" < make_timestamptz($p1::BIGINT), false))',
    );
    expect(params.values).toEqual({ p1: Date.UTC(2024, 4, 1) * 1000 });
    const amsterdam = new SqlParams();
    compileWhere(`ts < '2024-05-01T12:00:00'`, resolve, amsterdam, { tz: 'Europe/Amsterdam' });
    expect(amsterdam.values).toEqual({ p1: Date.UTC(2024, 4, 1, 10) * 1000 });
    const explicit = new SqlParams();
    compileWhere(`ts < '2024-05-01T12:00:00+00:00'`, resolve, explicit, { tz: 'Europe/Amsterdam' });
    expect(explicit.values).toEqual({ p1: Date.UTC(2024, 4, 1, 12) * 1000 });
  });

  it('continues numbering in a shared SqlParams', () => {
    const params = new SqlParams();
    params.add('already');
    expect(compileWhere(`level = 'x'`, resolve, params)).toBe('(COALESCE("level" = $p2, false))');
  });
});

describe('compileWhere: matching rows', () => {
  it('compares JSON fields numerically for number literals, skipping non-numbers', async () => {
    // 1500, "1500" and 1e4 match; "slow" and 999 do not.
    expect(await ids('duration_ms > 1000', rawOnly)).toEqual([1, 2, 5]);
    expect(await ids('duration_ms < 1000', rawOnly)).toEqual([4]);
    expect(await ids('status = 200')).toEqual([3]);
    // "NaN" is not a number to compare with.
    expect(await ids('score > 1')).toEqual([1]);
  });

  it('compares JSON fields as text for string literals', async () => {
    expect(await ids(`duration_ms = '1500'`, rawOnly)).toEqual([1, 2]);
    expect(await ids(`status = '200'`)).toEqual([3]);
    expect(await ids(`user = 'bob'`)).toEqual([2]);
    expect(await ids(`user >= 'b'`)).toEqual([2]);
  });

  it('compares number columns', async () => {
    expect(await ids('duration_ms > 1000')).toEqual([1, 5]);
    expect(await ids('duration_ms == 200')).toEqual([2]);
    expect(await ids('duration_ms <= 200')).toEqual([2, 3]);
  });

  it('reads negative, decimal, exponent and very large numbers', async () => {
    expect(await ids('duration_ms > -1.5e1')).toEqual([1, 2, 3, 5]);
    expect(await ids('duration_ms > .5E2')).toEqual([1, 2, 5]);
    expect(await ids('duration_ms < 1e-3')).toEqual([]);
    expect(await ids('err.code < 100000000000000000000')).toEqual([1]);
    expect(await ids('duration_ms < 1e300')).toEqual([1, 2, 3, 5]);
    expect(await ids('duration_ms > -9007199254740993')).toEqual([1, 2, 3, 5]);
  });

  it('follows nested paths and keeps quoted keys with dots whole', async () => {
    expect(await ids(`err.type = 'Timeout'`)).toEqual([1]);
    expect(await ids(`err.code = 504`)).toEqual([1]);
    expect(await ids(`a.b = 'nested'`)).toEqual([2]);
    expect(await ids(`"a.b" = 'dotted'`)).toEqual([1]);
    expect(await ids(`"err".type = 'DbError'`)).toEqual([2]);
    expect(await ids(`"q""k" = 'quoted'`)).toEqual([5]);
    expect(await ids(`"q\\"k" = 'quoted'`)).toEqual([5]);
  });

  it('compares strings, with doubled quotes inside literals', async () => {
    expect(await ids(`level = 'error'`)).toEqual([1]);
    expect(await ids(`msg = 'it''s fine'`)).toEqual([2]);
    expect(await ids(`level <> 'error'`)).toEqual([2, 3, 4, 5]);
  });

  it('applies not > and > or', async () => {
    expect(await ids(`level = 'error' or level = 'warn' and ok = true`)).toEqual([1, 2]);
    expect(await ids(`(level = 'error' or level = 'warn') and ok = true`)).toEqual([2]);
    expect(await ids(`not level = 'info' and ok = true`)).toEqual([2]);
    expect(await ids(`level = 'info' or not ok = true and duration_ms > 1000`)).toEqual([1, 3, 5]);
    expect(await ids(`not not level = 'info'`)).toEqual([3]);
  });

  it('makes not and the negative operators exact complements, including missing values', async () => {
    expect(await ids(`not (level = 'error' or ok = true)`)).toEqual([4, 5]);
    expect(await ids(`level != 'error'`)).toEqual([2, 3, 4, 5]);
    expect(await ids(`not level = 'error'`)).toEqual([2, 3, 4, 5]);
    expect(await ids('not duration_ms > 1000', rawOnly)).toEqual([3, 4]);
  });

  it('accepts keywords in any case', async () => {
    expect(await ids(`level IN ('error') OR level IS NULL`)).toEqual([1, 4]);
    expect(await ids(`NOT ok = TRUE And level Is Not Null`)).toEqual([1, 5]);
    expect(await ids(`msg NOT LIKE '%e%'`)).toEqual([4, 5]);
  });

  it('handles in and not in lists', async () => {
    expect(await ids(`level in ('error', 'warn')`)).toEqual([1, 2]);
    expect(await ids(`level not in ('error', 'warn')`)).toEqual([3, 4, 5]);
    expect(await ids('duration_ms in (50, 200)')).toEqual([2, 3]);
    expect(await ids('err.code in (500, 504)')).toEqual([1]);
    expect(await ids('duration_ms in (1500)', rawOnly)).toEqual([1, 2]);
    expect(await ids(`ts in ('2024-05-01T10:00:00Z', '2024-05-02')`)).toEqual([1, 3]);
  });

  it('tests is null and is not null on columns and JSON fields', async () => {
    expect(await ids('level is null')).toEqual([4]);
    expect(await ids('level is not null')).toEqual([1, 2, 3, 5]);
    // JSON null and a missing key are both null.
    expect(await ids('user is null')).toEqual([3, 4, 5]);
    expect(await ids('user is not null')).toEqual([1, 2]);
    expect(await ids('err is not null')).toEqual([1, 2]);
  });

  it('matches regular expressions', async () => {
    expect(await ids(`msg ~ 'timed? ?out'`)).toEqual([1]);
    expect(await ids(`msg ~ '(?i)timed? ?out'`)).toEqual([1]);
    expect(await ids(`msg !~ 'time'`)).toEqual([2, 3, 4, 5]);
    expect(await ids(`err.type ~ '^Time'`)).toEqual([1]);
    expect(await ids(`duration_ms ~ '^15'`)).toEqual([1]);
  });

  it('leaves an invalid regex to DuckDB', async () => {
    await expect(ids(`msg ~ '('`)).rejects.toThrow();
  });

  it('matches like and ilike patterns', async () => {
    expect(await ids(`msg like '%fine'`)).toEqual([2]);
    expect(await ids(`msg like '%FINE'`)).toEqual([]);
    expect(await ids(`msg ilike '%FINE'`)).toEqual([2]);
    expect(await ids(`msg not like '%fine'`)).toEqual([1, 3, 4, 5]);
    expect(await ids(`msg not ilike '%FINE'`)).toEqual([1, 3, 4, 5]);
    expect(await ids(`msg2 like 'Time%'`)).toEqual([5]);
  });

  it('matches substrings with contains, case-sensitively', async () => {
    expect(await ids(`msg contains 'health'`)).toEqual([3]);
    expect(await ids(`msg contains 'Health'`)).toEqual([]);
    expect(await ids(`msg contains 'it''s'`)).toEqual([2]);
    expect(await ids(`msg not contains 'e'`)).toEqual([4, 5]);
    expect(await ids(`err.type contains 'Error'`)).toEqual([2]);
    expect(await ids(`msg contains '%'`)).toEqual([]);
  });

  it('compares timestamp columns with ISO strings', async () => {
    expect(await ids(`ts >= '2024-05-01T10:30:00Z'`)).toEqual([2, 3]);
    expect(await ids(`ts < '2024-05-01'`)).toEqual([5]);
    expect(await ids(`ts = '2024-05-01T12:00:00+02:00'`)).toEqual([1]);
    expect(await ids(`ts > '2024-05-01 10:00'`)).toEqual([2, 3]);
  });

  it('compares booleans on columns and JSON fields', async () => {
    expect(await ids('ok = true')).toEqual([2, 3]);
    expect(await ids('ok != true')).toEqual([1, 4, 5]);
    expect(await ids('ok = false')).toEqual([1, 5]);
    expect(await ids('flag = true')).toEqual([1]);
    expect(await ids('flag == false')).toEqual([2]);
    expect(await ids('level = true')).toEqual([]);
  });
});

describe('compileWhere: injection attempts stay data', () => {
  it('binds a string literal that tries to break out of its quotes', async () => {
    const params = new SqlParams();
    const sql = compileWhere(`level = 'x'' or 1=1 --'`, resolve, params);
    expect(sql).not.toContain('1=1');
    expect(sql).not.toContain('--');
    expect(Object.values(params.values)).toEqual(["x' or 1=1 --"]);
    expect(await ids(`level = 'x'' or 1=1 --'`)).toEqual([]);
    // The same text as data matches exactly the row holding it.
    expect(await ids(`msg = 'x'' or 1=1 --'`)).toEqual([5]);
  });

  it('binds a field name that tries to break out of the JSON path', async () => {
    const expr = `"a\\") or 1=1 --" = 'sneaky'`;
    const params = new SqlParams();
    const sql = compileWhere(expr, resolve, params);
    expect(sql).not.toContain('1=1');
    expect(sql).not.toContain('sneaky');
    expect(params.values).toEqual({ p1: jsonPathFor(['a") or 1=1 --']), p2: 'sneaky' });
    expect(params.values.p1).toBe('$."a\\") or 1=1 --"');
    expect(await ids(expr)).toEqual([5]);
    expect(await ids(`"a\\") or 1=1 --" = 'other'`)).toEqual([]);
  });

  it('rejects SQL syntax outside literals', () => {
    const err = compileError(`level = 'x'; DROP TABLE t`);
    expect(err.message).toContain('unexpected character ";"');
    expect(compileError(`level = 'x' -- comment`).message).toContain('unexpected character "-"');
  });
});

describe('compileWhere: errors', () => {
  it('rejects an empty expression', () => {
    for (const expr of ['', '   ']) {
      const err = compileError(expr);
      expect(err.message).toBe('invalid --where expression: the expression is empty');
      expect(err.help).toContain(`duration_ms > 1000 and level = 'error'`);
    }
  });

  it('reports an unexpected end of input with a caret', () => {
    const err = compileError('level =');
    expect(err.message).toBe(
      'invalid --where expression: expected a value after = but found end of input (column 8)',
    );
    expect(err.note).toBe(caretNote('level =', 7));

    const dangling = compileError(`level = 'error' and`);
    expect(dangling.message).toBe('invalid --where expression: unexpected end of input (column 20)');
    expect(dangling.reason).toBe("expected a field name, not or '('");
    expect(dangling.note).toBe(caretNote(`level = 'error' and`, 19));

    expect(compileError('not').message).toContain('unexpected end of input');
    expect(compileError('level').message).toBe('invalid --where expression: unexpected end of input (column 6)');
    expect(compileError('level').reason).toBe('expected an operator after level');
  });

  it('aligns the caret under the offending column in formatted output', () => {
    const expr = `level = 'a' 'b'`;
    const err = compileError(expr);
    expect(err.message).toBe(`invalid --where expression: unexpected text 'b' (column 13)`);
    expect(err.reason).toBe('expected and, or, or the end of the expression');
    const lines = formatError(err).split('\n');
    const noteLine = lines.findIndex((l) => l.startsWith('note: '));
    expect(lines[noteLine]).toBe(`note: ${expr}`);
    const caretLine = lines[noteLine + 1]!;
    expect(caretLine.indexOf('^')).toBe(`note: ${expr}`.indexOf(`'b'`));
  });

  it('reports unexpected tokens', () => {
    expect(compileError(`level 'x'`).message).toBe(`invalid --where expression: unexpected text 'x' (column 7)`);
    expect(compileError(`level = 'x' level = 'y'`).message).toContain('unexpected field name level');
    const lit = compileError(`'error' = level`);
    expect(lit.message).toContain(`unexpected text 'error' (column 1)`);
    expect(lit.help).toContain('put the field first');
    expect(compileError(`level = 'x' and or ok = true`).message).toContain('unexpected keyword or');
    expect(compileError(`level = ,`).message).toContain(`expected a value after = but found ','`);
  });

  it('suggests quoting a bare word used as a value', () => {
    const err = compileError('level = error');
    expect(err.message).toContain('expected a value after = but found field name error');
    expect(err.help).toBe(`quote text values: level = 'error'`);
  });

  it('rejects unknown operators', () => {
    const regex = compileError(`msg =~ 'x'`);
    expect(regex.message).toBe('invalid --where expression: unknown operator =~ (column 5)');
    expect(regex.note).toBe(caretNote(`msg =~ 'x'`, 4));
    expect(regex.help).toContain('use ~');

    const word = compileError(`level equals 'x'`);
    expect(word.message).toBe('invalid --where expression: unknown operator equals (column 7)');
    expect(word.help).toContain('operators are');

    expect(compileError(`level = 'a' && ok = true`).help).toContain('use and');
    expect(compileError(`level = 'a' || ok = true`).help).toContain('use or');
    expect(compileError(`!ok`).message).toContain('unknown operator !');
    expect(compileError(`level not = 'x'`).reason).toBe('expected like, ilike, in or contains after level not');
  });

  it('rejects unterminated strings and names', () => {
    const str = compileError(`level = 'abc`);
    expect(str.message).toBe('invalid --where expression: unterminated string (column 9)');
    expect(str.note).toBe(caretNote(`level = 'abc`, 8));
    expect(str.help).toContain("''");

    expect(compileError(`msg = 'it''s`).message).toContain('unterminated string (column 7)');

    const name = compileError(`"a.b = 1`);
    expect(name.message).toBe('invalid --where expression: unterminated field name (column 1)');
  });

  it('rejects malformed field names and numbers', () => {
    expect(compileError(`err..type = 'x'`).message).toContain('empty key in field name');
    expect(compileError(`err. = 'x'`).message).toContain('empty key in field name');
    expect(compileError(`"" = 'x'`).message).toContain('empty field name');
    const num = compileError('duration_ms > 10ms');
    expect(num.message).toBe('invalid --where expression: invalid number 10ms (column 15)');
    expect(compileError('duration_ms > 1.2.3').message).toContain('invalid number 1.2.3');
    expect(compileError('duration_ms > 1e999').message).toContain('out of range');
  });

  it('rejects = null and suggests is null', () => {
    const eq = compileError('err.type = null');
    expect(eq.message).toBe('invalid --where expression: cannot compare with null using = (column 12)');
    expect(eq.help).toBe('use is null: err.type is null');
    expect(compileError('err.type != null').help).toBe('use is not null: err.type is not null');
    expect(compileError(`level in ('a', null)`).help).toContain('is null');
    expect(compileError(`level is 'x'`).reason).toBe('expected null after is');
    expect(compileError(`level is not 5`).reason).toBe('expected null after is not');
  });

  it('reports unbalanced parentheses', () => {
    const open = compileError(`(level = 'x'`);
    expect(open.message).toBe('invalid --where expression: unexpected end of input (column 13)');
    expect(open.reason).toBe(`expected ')' to close the '(' at column 1`);
    const close = compileError(`level = 'x')`);
    expect(close.message).toBe(`invalid --where expression: unmatched ')' (column 12)`);
  });

  it('rejects type mismatches against typed columns', () => {
    const tsNum = compileError('ts > 5');
    expect(tsNum.message).toBe('invalid --where expression: cannot compare timestamp field ts with a number (column 6)');
    expect(tsNum.help).toBe(`use an ISO time string: ts >= '2024-05-01T10:00:00Z'`);

    const badTime = compileError(`ts > 'yesterday'`);
    expect(badTime.message).toContain(`invalid time 'yesterday' for timestamp field ts`);
    expect(badTime.help).toContain('ISO time string');
    expect(compileError(`ts > '2024-02-30'`).message).toContain('invalid time');
    expect(compileError(`ts in ('2024-05-01', 'soon')`).message).toContain(`invalid time 'soon'`);
    expect(compileError(`ts in (1, 2)`).message).toContain('cannot compare timestamp field ts with a number');

    const numText = compileError(`duration_ms > 'abc'`);
    expect(numText.message).toContain(`cannot compare number field duration_ms with text 'abc'`);
    expect(compileError(`duration_ms > '1000'`).help).toBe('write the number without quotes: duration_ms > 1000');
    expect(compileError(`duration_ms in ('1', '2')`).message).toContain('cannot compare number field');

    expect(compileError(`ok = 'true'`).help).toBe('write true or false without quotes: ok = true');
    expect(compileError('ok = 1').message).toContain('cannot compare boolean field ok with a number');
    expect(compileError('duration_ms = true').message).toContain('cannot compare number field duration_ms with true');
    expect(compileError('flag > true').message).toContain('cannot use > with true');
  });

  it('rejects bad in lists', () => {
    const mixed = compileError(`level in ('a', 1)`);
    expect(mixed.message).toBe('invalid --where expression: mixed value types in in list: 1 is not a string (column 16)');
    expect(compileError(`level in ()`).message).toContain('empty list');
    expect(compileError(`level in 'a'`).message).toContain(`expected '(' after in but found text 'a'`);
    expect(compileError(`level in ('a' 'b')`).message).toContain(`unexpected text 'b' in in list`);
    expect(compileError(`level not in ('a'`).message).toContain('unexpected end of input in not in list');
    expect(compileError(`flag in (true, false)`).message).toContain('true and false cannot be used');
  });

  it('requires quoted patterns for ~, like and contains', () => {
    expect(compileError('msg ~ 5').message).toContain('~ needs a quoted pattern, not 5');
    expect(compileError('msg like 5').help).toBe(`quote the pattern: msg like '%5%'`);
    expect(compileError('msg contains 5').help).toBe(`quote the text: msg contains '5'`);
    expect(compileError('msg not like null').help).toContain('is not null');
  });
});
