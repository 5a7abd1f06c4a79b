/** The helpers obs sql uses to name a statement and find what an EXPLAIN explains. */
import { describe, expect, it } from 'vitest';
import { explainedCandidates, leadingKeyword, tableFunctions } from '../../../src/db/read-only.js';

describe('leadingKeyword', () => {
  it.each([
    ['select 1', 'SELECT'],
    ['  -- a comment\n  copy events to \'x\'', 'COPY'],
    ['/* a /* nested */ comment */ Pragma version', 'PRAGMA'],
    ['((select 1))', 'SELECT'],
    ['', null],
    ['; select 1', null],
  ])('%j → %s', (sql, word) => {
    expect(leadingKeyword(sql)).toBe(word);
  });
});

describe('explainedCandidates', () => {
  it('gives the text after EXPLAIN [ANALYZE], and after a group of options', () => {
    expect(explainedCandidates('EXPLAIN select 1')).toEqual(['select 1']);
    expect(explainedCandidates('explain analyze\n delete from events')).toEqual(['delete from events']);
    expect(explainedCandidates('explain (format json) select 1')).toEqual(['(format json) select 1', 'select 1']);
    expect(explainedCandidates('explain(select 1)')).toEqual(['(select 1)', '']);
  });

  it('skips nothing DuckDB might read otherwise: no comment, no quote in the options', () => {
    expect(explainedCandidates('explain /* x */ select 1')).toEqual(['/* x */ select 1']);
    expect(explainedCandidates("explain ('x)') delete from events")).toEqual(["('x)') delete from events"]);
    expect(explainedCandidates('explainx select 1')).toEqual([]);
    expect(explainedCandidates('explain analyzed')).toEqual(['analyzed']);
    expect(explainedCandidates('select 1')).toEqual([]);
  });
});

describe('tableFunctions', () => {
  it('finds every table function node of a syntax tree, nested or not', () => {
    const tree = {
      node: {
        from_table: { type: 'TABLE_FUNCTION', function: { function_name: 'Range' } },
        where_clause: { subquery: { node: { from_table: { type: 'TABLE_FUNCTION', function: { function_name: 'read_csv' } } } } },
      },
    };
    expect(tableFunctions([tree])).toEqual(['range', 'read_csv']);
    expect(tableFunctions({ type: 'TABLE_FUNCTION', function: null })).toEqual(['']);
    expect(tableFunctions({ type: 'BASE_TABLE', table_name: 'events' })).toEqual([]);
  });
});
