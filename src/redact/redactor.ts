/**
 * Redaction where rows leave obs: every command hands its rows or document
 * to a Redactor before rendering, and stderr passes through one, so stored
 * data and counts are untouched while nothing printed carries a secret.
 * `--no-redact` swaps in NO_REDACTION; the config file adds rules.
 */
import type { Context, OutStream } from '../context.js';
import { ANY_HINT, AWS_CONTEXT, AWS_SECRET, MARK, PAIR_HINT, PAIR_RULES, SHAPE_HINT, SHAPE_RULES, mark, sensitiveKey, type TextRule } from './rules.js';

/** Rules of one's own, from the config file's "redact" key. */
export interface RedactConfig {
  /** Secret shapes: a regular expression and the kind its matches are named by. */
  patterns?: Array<{ kind: string; regex: string }>;
  /** More keys whose values are secrets (matched whole, case ignored). */
  keys?: string[];
}

export interface Redactor {
  readonly on: boolean;
  /** The text with every secret replaced by [REDACTED:kind]. */
  text(text: string): string;
  /** A copy of rows or a document with secrets replaced; key names decide too. */
  value<T>(value: T): T;
  /** This redactor with the config file's rules added. */
  with(config: RedactConfig | undefined): Redactor;
}

function runRule(text: string, rule: TextRule): string {
  rule.pattern.lastIndex = 0;
  return text.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
    // The capture groups come first, then the match's offset (a number), the text, and the named groups.
    const at = rest.findIndex((x) => typeof x === 'number');
    const groups = rest.slice(0, at) as Array<string | undefined>;
    const named = (typeof rest[rest.length - 1] === 'object' ? rest[rest.length - 1] : {}) as Record<string, string | undefined>;
    return rule.replace(match, groups.map((g) => g ?? ''), named);
  });
}

class RuleRedactor implements Redactor {
  readonly on = true;
  private readonly custom: TextRule[];
  private readonly keys: ReadonlySet<string>;

  constructor(config: RedactConfig = {}) {
    this.custom = (config.patterns ?? []).map((p) => ({ kind: p.kind, pattern: new RegExp(p.regex, 'g'), replace: () => mark(p.kind) }));
    this.keys = new Set((config.keys ?? []).map((k) => k.toLowerCase()));
  }

  with(config: RedactConfig | undefined): Redactor {
    if (config === undefined) return this;
    return new RuleRedactor(config);
  }

  text(text: string): string {
    // No built-in shape is shorter than 8 characters; the config's patterns may be. Most text
    // holds no hint of any built-in rule (AWS_CONTEXT's words are among them): one test skips them all.
    if (text.length < 8 || !ANY_HINT.test(text)) return this.customText(text);
    const out = this.freeText(text);
    // A JSON document held as text (the raw column) is also redacted value by value, unescaped, and by
    // its keys ({"credentials": {...}}); it is rewritten only when that finds more than the text rules did.
    const first = out.trimStart()[0];
    if ((first === '{' || first === '[') && (PAIR_HINT.test(out) || SHAPE_HINT.test(out))) return this.jsonText(out) ?? out;
    return out;
  }

  private jsonText(text: string): string | null {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return null;
    }
    const seen = { changes: 0 };
    let walked: unknown;
    try {
      walked = this.walk(parsed, null, seen, 0);
    } catch (err) {
      if (err === TOO_DEEP) return null;
      throw err;
    }
    return seen.changes === 0 ? text : JSON.stringify(walked);
  }

  private freeText(text: string): string {
    let out = text;
    const aws = AWS_CONTEXT.test(text);
    if (SHAPE_HINT.test(out)) for (const rule of SHAPE_RULES) out = runRule(out, rule);
    if (PAIR_HINT.test(out)) for (const rule of PAIR_RULES) out = runRule(out, rule);
    if (aws) {
      AWS_SECRET.lastIndex = 0;
      out = out.replace(AWS_SECRET, mark('aws-secret-key'));
    }
    return this.customText(out);
  }

  private customText(text: string): string {
    let out = text;
    for (const rule of this.custom) out = runRule(out, rule);
    return out;
  }

  value<T>(value: T): T {
    return this.walk(value, null, { changes: 0 }, 0) as T;
  }

  private walk(v: unknown, kind: string | null, seen: { changes: number }, depth: number): unknown {
    if (depth > MAX_DEPTH) throw TOO_DEEP;
    if (typeof v === 'string') {
      if (kind !== null && v !== '' && !v.startsWith(MARK)) {
        seen.changes++;
        return mark(kind);
      }
      const out = this.text(v);
      if (out !== v) seen.changes++;
      return out;
    }
    if (typeof v === 'number' || typeof v === 'bigint') {
      if (kind === null) return v;
      seen.changes++;
      return mark(kind);
    }
    if (Array.isArray(v)) return v.map((x) => this.walk(x, kind, seen, depth + 1));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.walk(x, kind ?? sensitiveKey(k, this.keys), seen, depth + 1);
      return out;
    }
    return v;
  }
}

/** Deeper JSON than any log record has is redacted as text instead. */
const MAX_DEPTH = 100;
const TOO_DEEP = new Error('too deep to redact by keys');

/** What --no-redact gives: everything as it is. */
export const NO_REDACTION: Redactor = {
  on: false,
  text: (text) => text,
  value: (value) => value,
  with: () => NO_REDACTION,
};

export function defaultRedactor(config?: RedactConfig): Redactor {
  return new RuleRedactor(config);
}

/** The context's redactor; on unless --no-redact set it off. */
export function redactorOf(ctx: Context): Redactor {
  return ctx.redactor ?? (ctx.redactor = defaultRedactor());
}

/** A stream that redacts what is written to it (stderr: notes, warnings, errors). */
export function redactingStream(out: OutStream, redactor: () => Redactor): OutStream {
  return {
    write: (chunk: string) => out.write(redactor().text(chunk)),
    get isTTY() {
      return out.isTTY;
    },
    get columns() {
      return out.columns;
    },
  };
}
