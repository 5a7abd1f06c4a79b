/**
 * What `obs sql` reads of a statement before it lets it run: its first
 * keyword (to name a refused statement as it was written), the query an
 * EXPLAIN explains, and the table functions a query's syntax tree calls.
 * These only name and find things; whether a statement is a query comes from
 * DuckDB's own parser and binder (see commands/sql.ts).
 */

/**
 * Table functions a query may call: they read the loaded tables, DuckDB's own
 * catalog or nothing at all, and change nothing. Any other (read_csv, glob,
 * enable_logging, query, ...) is refused before the statement is bound.
 */
export const TABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  'range',
  'generate_series',
  'unnest',
  'repeat',
  'repeat_row',
  'json_each',
  'json_tree',
  'query_table',
  'summary',
  'duckdb_columns',
  'duckdb_constraints',
  'duckdb_databases',
  'duckdb_dependencies',
  'duckdb_functions',
  'duckdb_indexes',
  'duckdb_keywords',
  'duckdb_schemas',
  'duckdb_sequences',
  'duckdb_settings',
  'duckdb_tables',
  'duckdb_types',
  'duckdb_views',
  'pragma_table_info',
  'pragma_show',
  'pragma_storage_info',
  'pragma_database_size',
  'pragma_version',
  'pragma_platform',
  'pg_timezone_names',
  'icu_calendar_names',
  'test_all_types',
]);

/** The offset of the next token at or after i: whitespace and comments (`--` to the line's end, `/* *\/`, nested) skipped. */
function skipSpace(sql: string, i: number): number {
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i]!)) i++;
    if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', i)) {
      let depth = 0;
      do {
        if (sql.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (sql.startsWith('*/', i)) {
          depth--;
          i += 2;
        } else {
          i++;
        }
      } while (depth > 0 && i < sql.length);
    } else {
      return i;
    }
  }
}

function wordAt(sql: string, i: number): string | null {
  const m = /[A-Za-z_][A-Za-z0-9_]*/y;
  m.lastIndex = i;
  return m.exec(sql)?.[0] ?? null;
}

/** The first word of a statement, upper case (opening parentheses skipped), or null when it starts with no word. */
export function leadingKeyword(sql: string): string | null {
  let i = skipSpace(sql, 0);
  while (sql[i] === '(') i = skipSpace(sql, i + 1);
  return wordAt(sql, i)?.toUpperCase() ?? null;
}

/**
 * The text an `EXPLAIN [ANALYZE] [(options)] <statement>` explains, as
 * candidates to hand to DuckDB's parser: the text after EXPLAIN (and ANALYZE),
 * and the text after a group of options such as `(FORMAT json)`. Empty when
 * the statement does not start with EXPLAIN. Only plain whitespace may come
 * before the candidate and the options hold only words, commas and `=`: no
 * comment, quote or parenthesis that DuckDB might read otherwise. A
 * candidate is a suffix of the statement; the caller accepts one only if
 * DuckDB parses it as a single query.
 */
export function explainedCandidates(sql: string): string[] {
  const out: string[] = [];
  const head = '^[ \\t\\r\\n]*EXPLAIN(?![\\w$])(?:[ \\t\\r\\n]+ANALY[SZ]E(?![\\w$]))?[ \\t\\r\\n]*';
  for (const prefix of [new RegExp(head, 'i'), new RegExp(`${head}\\([\\w \\t\\r\\n,=]*\\)[ \\t\\r\\n]*`, 'i')]) {
    const m = prefix.exec(sql);
    if (m !== null) out.push(sql.slice(m[0].length));
  }
  return out;
}

/**
 * The names of the table functions a syntax tree (DuckDB's
 * json_serialize_sql) calls, anywhere: in FROM, joins, subqueries, CTEs. A
 * table function node without a plain name gives "" (never allowed).
 */
export function tableFunctions(tree: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o['type'] === 'TABLE_FUNCTION') {
      const fn = o['function'] as Record<string, unknown> | null | undefined;
      out.push(typeof fn?.['function_name'] === 'string' ? fn['function_name'].toLowerCase() : '');
    }
    for (const child of Object.values(o)) walk(child);
  };
  walk(tree);
  return out;
}
