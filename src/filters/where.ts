/**
 * The --where filter: a small expression language compiled to a SQL boolean
 * expression. Nothing the user writes is ever spliced into SQL text: every
 * literal and every JSON path is bound through SqlParams, and only trusted
 * column SQL from the resolver (code, not user input) appears verbatim.
 *
 * Grammar (keywords are case-insensitive):
 *
 *   expr      := or
 *   or        := and ( 'or' and )*
 *   and       := unary ( 'and' unary )*
 *   unary     := 'not' unary | '(' expr ')' | predicate
 *   predicate := field ( cmp literal
 *                      | ( '~' | '!~' ) string
 *                      | [ 'not' ] ( 'like' | 'ilike' | 'contains' ) string
 *                      | [ 'not' ] 'in' '(' literal ( ',' literal )* ')'
 *                      | 'is' [ 'not' ] 'null' )
 *   cmp       := '=' | '==' | '!=' | '<>' | '<' | '<=' | '>' | '>='
 *   field     := key ( '.' key )*          dots mean nesting: err.type
 *   key       := bare | '"' chars '"'      "a.b" is one key with a literal dot;
 *                                          \" or "" is a quote, \\ a backslash
 *   bare      := [A-Za-z_@$][A-Za-z0-9_@$-]*   (after a dot it may start with a digit)
 *   literal   := 'text' ('' escapes a quote) | number | true | false
 *
 * Semantics: every predicate is two-valued. A missing field, a JSON null or a
 * value that cannot be compared (text under a numeric comparison) makes a
 * positive predicate false; the negative forms (!=, <>, !~, not like,
 * not ilike, not in, not contains) and `not` are exact complements, so they
 * match those rows.
 */
import type { SqlParams } from '../db/params.js';
import { usageError } from '../errors.js';
import { parseTimestampValue } from '../time/time.js';

export type FieldType = 'string' | 'number' | 'timestamp' | 'boolean';

export type FieldRef =
  /** sql is a trusted, already-quoted column expression from code, e.g. '"duration_ms"'. */
  | { kind: 'column'; sql: string; type: FieldType }
  /** A field inside a JSON column (column is a trusted quoted identifier); path comes from the user. */
  | { kind: 'json'; column: string; path: string[] };

/**
 * Decides what a field name refers to. `name` is the keys joined with '.'
 * (use it to look up known columns); `path` is the parsed key path, which
 * keeps a quoted key such as "a.b" as one key. For a JSON field, return
 * `path` as the ref's path rather than splitting `name`.
 */
export type FieldResolver = (name: string, path: readonly string[]) => FieldRef;

const EXAMPLE = `duration_ms > 1000 and level = 'error'`;
const GENERAL_HELP = `write a comparison such as: ${EXAMPLE}`;
const OPERATORS_HELP =
  'operators are = != < <= > >= ~ !~ like, not like, ilike, in (...), not in (...), ' +
  `is null, is not null, contains; for example: ${EXAMPLE}`;
const timeHelp = (field: string): string => `use an ISO time string: ${field} >= '2024-05-01T10:00:00Z'`;
/** formatError prints the note after "note: "; the caret line is indented to match. */
const NOTE_PREFIX_WIDTH = 'note: '.length;

/** A DuckDB JSON path with every key quoted: ['err','type'] → $."err"."type". */
export function jsonPathFor(path: readonly string[]): string {
  return '$' + path.map((key) => '."' + key.replace(/["\\]/g, (c) => '\\' + c) + '"').join('');
}

// ---------------------------------------------------------------------------
// Tokens

type Keyword = 'and' | 'or' | 'not' | 'in' | 'is' | 'null' | 'like' | 'ilike' | 'contains' | 'true' | 'false';
const KEYWORDS: ReadonlySet<string> = new Set<Keyword>([
  'and', 'or', 'not', 'in', 'is', 'null', 'like', 'ilike', 'contains', 'true', 'false',
]);

type CmpOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
type SymOp = CmpOp | '~' | '!~';
const SYMBOLIC_OPS: Record<string, SymOp> = {
  '=': '=', '==': '=', '!=': '<>', '<>': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=', '~': '~', '!~': '!~',
};

interface TokBase { pos: number; text: string }
type Tok =
  | (TokBase & { t: 'field'; path: string[] })
  | (TokBase & { t: 'kw'; kw: Keyword })
  | (TokBase & { t: 'op'; op: SymOp })
  | (TokBase & { t: 'str'; value: string })
  | (TokBase & { t: 'num'; value: number })
  | (TokBase & { t: '(' | ')' | ',' | 'eof' });

type FieldTok = Extract<Tok, { t: 'field' }>;

// ---------------------------------------------------------------------------
// AST

type Literal =
  | { kind: 'string'; value: string; pos: number; text: string }
  | { kind: 'number'; value: number; pos: number; text: string }
  | { kind: 'boolean'; value: boolean; pos: number; text: string };

type MatchKind = 'regex' | 'like' | 'ilike' | 'contains';

type Node =
  | { k: 'and' | 'or'; left: Node; right: Node }
  | { k: 'not'; expr: Node }
  | { k: 'cmp'; field: FieldTok; op: CmpOp; opText: string; opPos: number; lit: Literal }
  | { k: 'match'; field: FieldTok; kind: MatchKind; negated: boolean; opText: string; opPos: number; lit: Literal }
  | { k: 'in'; field: FieldTok; negated: boolean; opText: string; opPos: number; items: Literal[] }
  | { k: 'null'; field: FieldTok; negated: boolean };

// ---------------------------------------------------------------------------

/** Compiles a --where expression to a SQL boolean expression; values and paths are bound in params. */
export function compileWhere(expr: string, resolve: FieldResolver, params: SqlParams, opts: { tz?: string } = {}): string {
  const ctx = new Context(expr);
  const tokens = tokenize(ctx);
  const ast = new Parser(ctx, tokens).parseAll();
  const sql = new Compiler(ctx, resolve, params, opts.tz ?? 'UTC').node(ast);
  return sql.startsWith('(') ? sql : `(${sql})`;
}

class Context {
  constructor(readonly expr: string) {}

  /** The expression with a caret under column pos (0-based). */
  caret(pos: number): string {
    const shown = this.expr.replace(/[\t\r\n]/g, ' ');
    return `${shown}\n${' '.repeat(NOTE_PREFIX_WIDTH + pos)}^`;
  }

  fail(message: string, pos: number, reason: string | undefined, help: string = GENERAL_HELP): never {
    throw usageError(`invalid --where expression: ${message} (column ${pos + 1})`, {
      reason,
      note: this.caret(pos),
      help,
    });
  }
}

// ---------------------------------------------------------------------------
// Tokenizer

const IDENT_START = /[A-Za-z_@$]/;
const IDENT_CHAR = /[A-Za-z0-9_@$-]/;
const OP_CHAR = /[=!<>~&|]/;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;

function tokenize(ctx: Context): Tok[] {
  const src = ctx.expr;
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, pos: start, text: c });
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= src.length) {
          ctx.fail('unterminated string', start, 'the string starting here has no closing quote',
            `close it with a single quote; write '' for a quote inside a string: msg = 'it''s done'`);
        }
        const d = src[i]!;
        if (d === "'") {
          if (src[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += d;
        i++;
      }
      out.push({ t: 'str', value, pos: start, text: src.slice(start, i) });
    } else if (/[0-9]/.test(c) || /^(?:-\.?|\.)[0-9]/.test(src.slice(i, i + 3))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src);
      let end = m ? i + m[0].length : i;
      if (!m || /[A-Za-z0-9_@$.]/.test(src[end] ?? '')) {
        while (end < src.length && /[A-Za-z0-9_@$.-]/.test(src[end]!)) end++;
        const text = src.slice(start, Math.max(end, i + 1));
        ctx.fail(`invalid number ${text}`, start, 'numbers are written like 42, -1.5 or 2e3, without units',
          `quote it if it is text: code = '${text.replace(/'/g, "''")}'`);
      }
      const value = Number(m[0]);
      if (!Number.isFinite(value)) {
        ctx.fail(`number ${m[0]} is out of range`, start, 'the number is too large to represent', GENERAL_HELP);
      }
      out.push({ t: 'num', value, pos: start, text: m[0] });
      i = end;
    } else if (OP_CHAR.test(c)) {
      while (i < src.length && OP_CHAR.test(src[i]!)) i++;
      const text = src.slice(start, i);
      const op = SYMBOLIC_OPS[text];
      if (op === undefined) unknownOperator(ctx, text, start);
      out.push({ t: 'op', op, pos: start, text });
    } else if (IDENT_START.test(c) || c === '"') {
      const path: string[] = [];
      let allBare = true;
      for (;;) {
        if (src[i] === '"') {
          allBare = false;
          const [key, next] = readQuotedKey(ctx, i);
          path.push(key);
          i = next;
        } else {
          const keyStart = i;
          if (path.length === 0 && !IDENT_START.test(src[i] ?? '')) break; // unreachable: checked above
          while (i < src.length && IDENT_CHAR.test(src[i]!)) i++;
          if (i === keyStart) {
            ctx.fail(`empty key in field name ${src.slice(start, i)}`, keyStart,
              "a '.' in a field name must be followed by a key",
              `write nested keys as err.type, or quote a key that contains dots: "a.b"`);
          }
          path.push(src.slice(keyStart, i));
        }
        if (src[i] !== '.') break;
        i++;
      }
      const text = src.slice(start, i);
      const lower = text.toLowerCase();
      if (allBare && path.length === 1 && KEYWORDS.has(lower)) {
        out.push({ t: 'kw', kw: lower as Keyword, pos: start, text });
      } else {
        out.push({ t: 'field', path, pos: start, text });
      }
    } else {
      ctx.fail(`unexpected character ${JSON.stringify(c)}`, start,
        c === ';' || c === '-' ? 'the expression is not SQL; comments and statements are not supported' : undefined,
        GENERAL_HELP);
    }
  }
  out.push({ t: 'eof', pos: src.length, text: '' });
  return out;
}

function readQuotedKey(ctx: Context, start: number): [string, number] {
  const src = ctx.expr;
  let i = start + 1;
  let key = '';
  for (;;) {
    if (i >= src.length) {
      ctx.fail('unterminated field name', start, 'the quoted field name starting here has no closing double quote',
        `close it with a double quote: "a.b" = 'x'`);
    }
    const d = src[i]!;
    const next = src[i + 1];
    if (d === '\\' && (next === '"' || next === '\\')) {
      key += next;
      i += 2;
    } else if (d === '"' && next === '"') {
      key += '"';
      i += 2;
    } else if (d === '"') {
      i++;
      break;
    } else {
      key += d;
      i++;
    }
  }
  if (key === '') {
    ctx.fail('empty field name ""', start, 'a quoted field name needs at least one character',
      `quote a key that contains dots: "a.b" = 'x'`);
  }
  return [key, i];
}

function unknownOperator(ctx: Context, text: string, pos: number): never {
  const suggestions: Record<string, string> = {
    '=~': "use ~ for a regex match: msg ~ 'time(d)? ?out'",
    '~=': "use ~ for a regex match: msg ~ 'time(d)? ?out'",
    '!=~': "use !~ for a regex non-match: msg !~ 'health'",
    '===': "use = to compare: level = 'error'",
    '!==': "use != to compare: level != 'debug'",
    '=<': 'use <=: duration_ms <= 1000',
    '=>': 'use >=: duration_ms >= 1000',
    '&&': `use and: ${EXAMPLE}`,
    '&': `use and: ${EXAMPLE}`,
    '||': "use or: level = 'error' or level = 'warn'",
    '|': "use or: level = 'error' or level = 'warn'",
    '!': "use not to negate, or != to compare: not (level = 'debug')",
  };
  ctx.fail(`unknown operator ${text}`, pos, undefined, suggestions[text] ?? OPERATORS_HELP);
}

// ---------------------------------------------------------------------------
// Parser

function describe(tok: Tok): string {
  switch (tok.t) {
    case 'eof': return 'end of input';
    case 'field': return `field name ${tok.text}`;
    case 'kw': return `keyword ${tok.text}`;
    case 'op': return `operator ${tok.text}`;
    case 'str': return `text ${tok.text}`;
    case 'num': return `number ${tok.text}`;
    default: return `'${tok.text}'`;
  }
}

function unexpected(tok: Tok): string {
  return tok.t === 'eof' ? 'unexpected end of input' : `unexpected ${describe(tok)}`;
}

class Parser {
  private i = 0;

  constructor(private readonly ctx: Context, private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.i]!;
  }

  private take(): Tok {
    const tok = this.toks[this.i]!;
    if (tok.t !== 'eof') this.i++;
    return tok;
  }

  private isKw(tok: Tok, ...kws: Keyword[]): boolean {
    return tok.t === 'kw' && kws.includes(tok.kw);
  }

  parseAll(): Node {
    const first = this.peek();
    if (first.t === 'eof') {
      throw usageError('invalid --where expression: the expression is empty', {
        reason: '--where needs at least one comparison',
        help: GENERAL_HELP,
      });
    }
    const node = this.parseOr();
    const tok = this.peek();
    if (tok.t !== 'eof') {
      if (tok.t === ')') {
        this.ctx.fail("unmatched ')'", tok.pos, "there is no '(' for this ')'", GENERAL_HELP);
      }
      this.ctx.fail(unexpected(tok), tok.pos, 'expected and, or, or the end of the expression',
        `join comparisons with and / or: ${EXAMPLE}`);
    }
    return node;
  }

  private parseOr(): Node {
    let left = this.parseAnd();
    while (this.isKw(this.peek(), 'or')) {
      this.take();
      left = { k: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Node {
    let left = this.parseUnary();
    while (this.isKw(this.peek(), 'and')) {
      this.take();
      left = { k: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): Node {
    const tok = this.peek();
    if (this.isKw(tok, 'not')) {
      this.take();
      return { k: 'not', expr: this.parseUnary() };
    }
    if (tok.t === '(') {
      this.take();
      const inner = this.parseOr();
      const close = this.peek();
      if (close.t !== ')') {
        this.ctx.fail(unexpected(close), close.pos, `expected ')' to close the '(' at column ${tok.pos + 1}`,
          `balance the parentheses: (level = 'error' or level = 'warn') and duration_ms > 1000`);
      }
      this.take();
      return inner;
    }
    if (tok.t === 'field') {
      this.take();
      return this.parsePredicate(tok);
    }
    if (tok.t === 'str' || tok.t === 'num' || this.isKw(tok, 'true', 'false', 'null')) {
      this.ctx.fail(unexpected(tok), tok.pos, 'expected a field name; the field goes on the left of the operator',
        `put the field first: ${EXAMPLE}`);
    }
    this.ctx.fail(unexpected(tok), tok.pos, "expected a field name, not or '('", GENERAL_HELP);
  }

  private parsePredicate(field: FieldTok): Node {
    const tok = this.take();
    if (tok.t === 'op') {
      const lit = this.parseLiteral(field, tok);
      if (tok.op === '~' || tok.op === '!~') {
        return { k: 'match', field, kind: 'regex', negated: tok.op === '!~', opText: tok.text, opPos: tok.pos, lit };
      }
      return { k: 'cmp', field, op: tok.op, opText: tok.text, opPos: tok.pos, lit };
    }
    if (tok.t === 'kw') {
      switch (tok.kw) {
        case 'like':
        case 'ilike':
        case 'contains':
          return { k: 'match', field, kind: tok.kw, negated: false, opText: tok.text, opPos: tok.pos, lit: this.parseLiteral(field, tok) };
        case 'in':
          return { k: 'in', field, negated: false, opText: tok.text, opPos: tok.pos, items: this.parseList(field, tok) };
        case 'is': {
          let negated = false;
          if (this.isKw(this.peek(), 'not')) {
            this.take();
            negated = true;
          }
          const n = this.peek();
          if (!this.isKw(n, 'null')) {
            this.ctx.fail(unexpected(n), n.pos, `expected null after ${negated ? 'is not' : 'is'}`,
              `is only tests for null: ${field.text} is null, ${field.text} is not null; compare values with =: level = 'error'`);
          }
          this.take();
          return { k: 'null', field, negated };
        }
        case 'not': {
          const n = this.take();
          const opText = `${tok.text} ${n.text}`;
          if (this.isKw(n, 'like', 'ilike', 'contains')) {
            const kind = (n as Extract<Tok, { t: 'kw' }>).kw as MatchKind;
            return { k: 'match', field, kind, negated: true, opText, opPos: tok.pos, lit: this.parseLiteral(field, n, opText) };
          }
          if (this.isKw(n, 'in')) {
            return { k: 'in', field, negated: true, opText, opPos: tok.pos, items: this.parseList(field, n, opText) };
          }
          this.ctx.fail(unexpected(n), n.pos, `expected like, ilike, in or contains after ${field.text} not`,
            `negate a whole comparison with not before it: not (${field.text} = 'x')`);
        }
      }
    }
    if (tok.t === 'field') {
      this.ctx.fail(`unknown operator ${tok.text}`, tok.pos, `expected an operator after ${field.text}`, OPERATORS_HELP);
    }
    this.ctx.fail(unexpected(tok), tok.pos, `expected an operator after ${field.text}`, OPERATORS_HELP);
  }

  /** A literal after operator token `op`. */
  private parseLiteral(field: FieldTok, op: Tok, opText: string = op.text): Literal {
    const tok = this.take();
    if (tok.t === 'str') return { kind: 'string', value: tok.value, pos: tok.pos, text: tok.text };
    if (tok.t === 'num') return { kind: 'number', value: tok.value, pos: tok.pos, text: tok.text };
    if (tok.t === 'kw' && (tok.kw === 'true' || tok.kw === 'false')) {
      return { kind: 'boolean', value: tok.kw === 'true', pos: tok.pos, text: tok.text };
    }
    if (this.isKw(tok, 'null')) this.nullComparison(field, op, opText, tok.pos);
    if (tok.t === 'field') {
      const plain = tok.path.join('.').replace(/'/g, "''");
      this.ctx.fail(`expected a value after ${opText} but found ${describe(tok)}`, tok.pos,
        'values are quoted text, numbers, true or false; fields can only be compared with values',
        `quote text values: ${field.text} ${opText} '${plain}'`);
    }
    this.ctx.fail(`expected a value after ${opText} but found ${describe(tok)}`, tok.pos,
      "a value is quoted text ('error'), a number (1000), true or false", GENERAL_HELP);
  }

  private nullComparison(field: FieldTok, op: Tok, opText: string, pos: number): never {
    const negative = op.t === 'op' && op.op === '<>' || /^not\b/i.test(opText);
    const fix = negative ? 'is not null' : 'is null';
    this.ctx.fail(`cannot compare with null using ${opText}`, pos,
      'a comparison with null never matches; test for a missing value with is null',
      `use ${fix}: ${field.text} ${fix}`);
  }

  private parseList(field: FieldTok, inTok: Tok, opText: string = inTok.text): Literal[] {
    const open = this.take();
    if (open.t !== '(') {
      this.ctx.fail(`expected '(' after ${opText} but found ${describe(open)}`, open.pos,
        `${opText} takes a parenthesized list of values`, `${field.text} ${opText} ('error', 'warn')`);
    }
    if (this.peek().t === ')') {
      this.ctx.fail('empty list', this.peek().pos, `${opText} needs at least one value`, `${field.text} ${opText} ('error', 'warn')`);
    }
    const items: Literal[] = [];
    for (;;) {
      const valueTok = this.peek();
      if (this.isKw(valueTok, 'null')) {
        this.ctx.fail(`null in an ${opText} list`, valueTok.pos, `null never matches inside ${opText} (...)`,
          `test for a missing value separately: (${field.text} in ('error', 'warn') or ${field.text} is null)`);
      }
      items.push(this.parseLiteral(field, inTok, opText));
      const sep = this.take();
      if (sep.t === ')') break;
      if (sep.t !== ',') {
        this.ctx.fail(`${unexpected(sep)} in ${opText} list`, sep.pos, "expected ',' or ')'",
          `separate values with commas: ${field.text} ${opText} ('error', 'warn')`);
      }
    }
    return items;
  }
}

// ---------------------------------------------------------------------------
// Compiler

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function isIsoTime(s: string): boolean {
  const m = ISO_TIME.exec(s);
  if (!m) return false;
  // A zone needs a time of day.
  if (m[7] !== undefined && m[4] === undefined) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, sec] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59) return false;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d >= 1 && d <= daysInMonth;
}

class Compiler {
  constructor(
    private readonly ctx: Context,
    private readonly resolve: FieldResolver,
    private readonly params: SqlParams,
    /** Zone for times written without one, as for --from. */
    private readonly tz: string,
  ) {}

  node(n: Node): string {
    switch (n.k) {
      case 'and':
        return `(${this.node(n.left)} AND ${this.node(n.right)})`;
      case 'or':
        return `(${this.node(n.left)} OR ${this.node(n.right)})`;
      case 'not':
        return `(NOT ${this.node(n.expr)})`;
      case 'null': {
        const ref = this.ref(n.field);
        const sql = ref.kind === 'column' ? ref.sql : this.jsonText(ref);
        return `(${sql} IS ${n.negated ? 'NOT ' : ''}NULL)`;
      }
      case 'cmp':
        return n.op === '<>'
          ? negate(this.comparison(n.field, '=', n.opText, n.lit))
          : twoValued(this.comparison(n.field, n.op, n.opText, n.lit));
      case 'match': {
        const sql = this.match(n);
        return n.negated ? negate(sql) : twoValued(sql);
      }
      case 'in': {
        const sql = this.inList(n);
        return n.negated ? negate(sql) : twoValued(sql);
      }
    }
  }

  private ref(field: FieldTok): FieldRef {
    return this.resolve(field.path.join('.'), field.path);
  }

  private jsonText(ref: Extract<FieldRef, { kind: 'json' }>): string {
    return `json_extract_string(${ref.column}, ${this.params.add(jsonPathFor(ref.path))})`;
  }

  /** The field as text, for text comparisons and pattern matches. */
  private textOf(ref: FieldRef): string {
    if (ref.kind === 'json') return this.jsonText(ref);
    return ref.type === 'string' ? ref.sql : `CAST(${ref.sql} AS VARCHAR)`;
  }

  /** The field as a number; text that is not a number becomes NULL (and so does not match). */
  private numberOf(ref: FieldRef, field: FieldTok, lit: Literal): string {
    if (ref.kind === 'json') return `NULLIF(TRY_CAST(${this.jsonText(ref)} AS DOUBLE), 'NaN'::DOUBLE)`;
    switch (ref.type) {
      case 'number':
        return ref.sql;
      case 'string':
        return `NULLIF(TRY_CAST(${ref.sql} AS DOUBLE), 'NaN'::DOUBLE)`;
      case 'timestamp':
        this.ctx.fail(`cannot compare timestamp field ${field.text} with a number`, lit.pos,
          `${field.text} holds times; ${lit.text} is a number`, timeHelp(field.text));
      case 'boolean':
        this.ctx.fail(`cannot compare boolean field ${field.text} with a number`, lit.pos,
          `${field.text} holds true or false`, `compare with true or false: ${field.text} = true`);
    }
  }

  private numberParam(value: number): string {
    // The DuckDB client binds integer-valued numbers as integers and rejects those past int64;
    // past 2^53 (where they are inexact anyway) bind the text and cast it to DOUBLE instead.
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      return `CAST(${this.params.add(String(value))} AS DOUBLE)`;
    }
    return this.params.add(value);
  }

  private timeParam(field: FieldTok, lit: Extract<Literal, { kind: 'string' }>): string {
    if (!isIsoTime(lit.value)) {
      this.ctx.fail(`invalid time ${lit.text} for timestamp field ${field.text}`, lit.pos,
        'expected YYYY-MM-DD, optionally followed by THH:MM[:SS[.fff]] and Z or an offset such as +02:00',
        timeHelp(field.text));
    }
    const micros = parseTimestampValue(lit.value, this.tz);
    if (micros === null) {
      this.ctx.fail(`invalid time ${lit.text} for timestamp field ${field.text}`, lit.pos, undefined, timeHelp(field.text));
    }
    return `make_timestamptz(${this.params.add(micros)}::BIGINT)`;
  }

  private comparison(field: FieldTok, op: CmpOp, opText: string, lit: Literal): string {
    const ref = this.ref(field);
    switch (lit.kind) {
      case 'number':
        return `${this.numberOf(ref, field, lit)} ${op} ${this.numberParam(lit.value)}`;
      case 'string':
        if (ref.kind === 'column' && ref.type === 'timestamp') {
          return `${ref.sql} ${op} ${this.timeParam(field, lit)}`;
        }
        if (ref.kind === 'column' && ref.type === 'number') {
          this.ctx.fail(`cannot compare number field ${field.text} with text ${lit.text}`, lit.pos,
            `${field.text} holds numbers; a quoted value is text`,
            `write the number without quotes: ${field.text} ${opText} ${/^-?\d/.test(lit.value) ? lit.value : '1000'}`);
        }
        if (ref.kind === 'column' && ref.type === 'boolean') {
          this.ctx.fail(`cannot compare boolean field ${field.text} with text ${lit.text}`, lit.pos,
            `${field.text} holds true or false; a quoted value is text`,
            `write true or false without quotes: ${field.text} = true`);
        }
        return `${this.textOf(ref)} ${op} ${this.params.add(lit.value)}`;
      case 'boolean':
        if (op !== '=') {
          this.ctx.fail(`cannot use ${opText} with ${lit.text}`, lit.pos, 'true and false can only be compared with = and !=',
            `${field.text} = ${lit.text}`);
        }
        if (ref.kind === 'json') return `${this.jsonText(ref)} = ${this.params.add(String(lit.value))}`;
        if (ref.type === 'boolean') return `${ref.sql} = ${this.params.add(lit.value)}`;
        if (ref.type === 'string') return `${ref.sql} = ${this.params.add(String(lit.value))}`;
        this.ctx.fail(`cannot compare ${ref.type} field ${field.text} with ${lit.text}`, lit.pos,
          `${field.text} holds ${ref.type === 'number' ? 'numbers' : 'times'}, not true or false`,
          ref.type === 'number' ? `${field.text} > 1000` : timeHelp(field.text));
    }
  }

  private match(n: Extract<Node, { k: 'match' }>): string {
    const { field, lit, opText } = n;
    if (lit.kind !== 'string') {
      const what = n.kind === 'contains' ? 'text' : 'pattern';
      this.ctx.fail(`${opText} needs a quoted ${what}, not ${lit.text}`, lit.pos,
        `${opText} matches text`,
        n.kind === 'regex' ? `quote the pattern: ${field.text} ${opText} '^5'`
          : n.kind === 'contains' ? `quote the text: ${field.text} ${opText} '${lit.text}'`
          : `quote the pattern: ${field.text} ${opText} '%${lit.text}%'`);
    }
    const text = this.textOf(this.ref(field));
    const p = this.params.add(lit.value);
    switch (n.kind) {
      case 'regex':
        return `regexp_matches(${text}, ${p})`;
      case 'like':
        return `${text} LIKE ${p}`;
      case 'ilike':
        return `${text} ILIKE ${p}`;
      case 'contains':
        return `contains(${text}, ${p})`;
    }
  }

  private inList(n: Extract<Node, { k: 'in' }>): string {
    const { field, items, opText } = n;
    const first = items[0]!;
    if (first.kind === 'boolean') {
      this.ctx.fail(`true and false cannot be used in an ${opText} list`, first.pos, 'lists hold numbers or text',
        `compare with =: ${field.text} = ${first.text}`);
    }
    for (const item of items) {
      if (item.kind !== first.kind) {
        this.ctx.fail(`mixed value types in ${opText} list: ${item.text} is not a ${first.kind}`, item.pos,
          'all values in a list must be numbers, or all must be quoted text',
          `level ${opText} ('error', 'warn') or status ${opText} (500, 503)`);
      }
    }
    const ref = this.ref(field);
    let left: string;
    let values: string[];
    if (first.kind === 'number') {
      left = this.numberOf(ref, field, first);
      values = items.map((item) => this.numberParam(item.value as number));
    } else if (ref.kind === 'column' && ref.type === 'timestamp') {
      left = ref.sql;
      values = items.map((item) => this.timeParam(field, item as Extract<Literal, { kind: 'string' }>));
    } else if (ref.kind === 'column' && (ref.type === 'number' || ref.type === 'boolean')) {
      this.ctx.fail(`cannot compare ${ref.type} field ${field.text} with text ${first.text}`, first.pos,
        `${field.text} holds ${ref.type === 'number' ? 'numbers' : 'true or false'}; a quoted value is text`,
        ref.type === 'number' ? `write numbers without quotes: ${field.text} ${opText} (500, 503)` : `${field.text} = true`);
    } else {
      left = this.textOf(ref);
      values = items.map((item) => this.params.add(item.value as string));
    }
    return `${left} IN (${values.join(', ')})`;
  }
}

/** A predicate that is false (never NULL) when the field is missing or not comparable. */
function twoValued(sql: string): string {
  return `COALESCE(${sql}, false)`;
}

/** The exact complement of twoValued(sql). */
function negate(sql: string): string {
  return `(NOT COALESCE(${sql}, false))`;
}
