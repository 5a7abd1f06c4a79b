/**
 * The output of `node --test`, in its two default reporters: TAP (Node 20's
 * default when stdout is not a terminal, as in CI) and spec (on a terminal,
 * `--test-reporter=spec`, and the default from Node 23).
 *
 * - TAP: each test point (`not ok 1 - adds the tax`) with its YAML block
 *   (`error`, `name`, `code`, `stack`, `location`, `failureType`) is one
 *   record; a failed one carries an error with the stack's frames (printed
 *   without `at `). Subtests nest by four spaces under `# Subtest: name`.
 * - spec: `✖ name (1.2ms)` and the indented error printed below it, read by
 *   the Node stack parser; suites are the `▶ name` lines above. The
 *   `✖ failing tests:` list at the end repeats every failure: its records
 *   carry no error of their own.
 *
 * A test's id is its suites' names and its own, joined with ` > `. A suite
 * that failed only because a test in it did (`failureType: 'subtestsFailed'`)
 * and a test cancelled with its parent are not errors of their own. Every
 * other line goes through the log formats, as in a text log.
 */
import { logReader } from '../../formats/reader.js';
import { parseFrame, parseNode } from '../../tracebacks/node.js';
import type { RawLine } from '../lines.js';
import { reportRecorder } from '../test-report.js';
import type { FileContext, LineParser, RecordSink, ReportedError, SourceKind } from '../types.js';
import { parseTapYaml, withoutFinalNewlines } from './yaml.js';

const TAP_VERSION = /^TAP version \d+$/;
const TEST_POINT = /^(\s*)(not ok|ok) (\d+)(?: - (.*?))?(?: # (SKIP|TODO)\b.*)?$/;
const SUBTEST = /^(\s*)# Subtest: (.*)$/;
const YAML_START = /^\s*---$/;
const YAML_END = /^\s*\.\.\.$/;
const SPEC_MARK = /^(\s*)(▶|✔|✖|﹣) (.*?)(?: \(([\d.]+)m?s\))?(?: # (?:SKIP|TODO)\b.*)?$/;
const SPEC_FAILING = /^✖ failing tests:$/;
/** Failures that are another's consequence, not errors of their own. */
const CONSEQUENCES = new Set(['subtestsFailed', 'cancelledByParent']);

export function detectNodeTest(head: string[]): boolean {
  if (head.some((l) => TAP_VERSION.test(l))) return true;
  // The spec reporter's first line is a test's or a suite's.
  return head[0] !== undefined && SPEC_MARK.test(head[0]);
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** The lines without the indentation they share (a subtest's four spaces a level), joined. */
function dedent(lines: string[]): string {
  // A loop, not Math.min(...): a spread of 10^5 values overflows the stack.
  let cut = Infinity;
  for (const l of lines) if (l.trim() !== '') cut = Math.min(cut, indentOf(l));
  return lines.map((l) => l.slice(Math.min(cut, indentOf(l)))).join('\n');
}

/** The names of the suites a test at this indentation is inside, outermost first. */
function parents(names: Map<number, string>, indent: number): string[] {
  return [...names.entries()].filter(([at]) => at < indent).sort((a, b) => a[0] - b[0]).map(([, n]) => n);
}

function forget(names: Map<number, string>, fromIndent: number): void {
  for (const at of [...names.keys()]) if (at >= fromIndent) names.delete(at);
}

/** A TAP test point's block: its error, when it failed as a test of its own. */
function tapError(yaml: Record<string, unknown>, testId: string, text: string): ReportedError | null {
  if (typeof yaml['failureType'] === 'string' && CONSEQUENCES.has(yaml['failureType'])) return null;
  const stack = typeof yaml['stack'] === 'string' ? yaml['stack'] : '';
  // V8 prints the innermost call first; frames are kept outermost first.
  const frames = stack
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => parseFrame(l.replace(/^at /, '')))
    .reverse();
  const type = typeof yaml['name'] === 'string' ? yaml['name'] : null;
  const error = yaml['error'];
  const message = error === undefined || error === null ? 'test failed' : String(error);
  return { language: 'node', kind: type === null ? 'log' : 'exception', level: 'error', type, message, frames, chain: [], text, startLine: 0, testId };
}

/** A spec reporter's error block, read by the Node stack parser. */
function specError(lines: string[], testId: string): ReportedError {
  const text = withoutFinalNewlines(dedent(lines));
  const parsed = parseNode(text)[0];
  if (parsed !== undefined) return { ...parsed, level: 'error', startLine: 0, text, testId };
  const first = text.split('\n', 1)[0] ?? '';
  return { language: 'node', kind: 'log', level: 'error', type: null, message: first, frames: [], chain: [], text, startLine: 0, testId };
}

interface OpenPoint {
  kind: 'tap' | 'spec';
  line: RawLine;
  indent: number;
  passed: boolean;
  name: string;
  testId: string;
  lines: string[];
  /** TAP: inside the `---` ... `...` block. */
  inYaml: boolean;
  /** spec: the record repeats a failure listed before (`✖ failing tests:`). */
  repeat: boolean;
}

export function nodeTestParser(ctx: FileContext, sink: RecordSink): LineParser {
  const text = logReader(ctx, sink, { strictJson: false });
  const subtests = new Map<number, string>();
  const suites = new Map<number, string>();
  let open: OpenPoint | null = null;
  let repeats = false;

  const record = reportRecorder(ctx, sink, 'node_test');

  const close = (): void => {
    const p = open;
    if (p === null) return;
    open = null;
    const body = [...p.lines];
    while (body.length > 0 && (body[body.length - 1] ?? '').trim() === '') body.pop();
    const message = [p.line.text, ...body].join('\n');
    const raw: Record<string, unknown> = { test: p.testId, outcome: p.passed ? 'passed' : 'failed' };
    let errors: ReportedError[] = [];
    if (p.kind === 'tap') {
      const yaml = parseTapYaml(body.filter((l) => !YAML_START.test(l) && !YAML_END.test(l)));
      for (const k of ['location', 'duration_ms', 'failureType', 'type'] as const) {
        if (yaml[k] !== undefined) raw[k === 'failureType' ? 'failure_type' : k] = yaml[k];
      }
      const e = p.passed ? null : tapError(yaml, p.testId, dedent([p.line.text, ...body]));
      if (e !== null) errors = [e];
    } else if (!p.passed && !p.repeat && body.length > 0) {
      errors = [specError(body, p.testId)];
    }
    if (p.repeat) raw['repeat'] = true;
    record(p.line, message, p.passed ? 'info' : 'error', p.passed ? 'test_passed' : 'test_failed', raw, errors, p.line.lineNo + p.lines.length);
  };

  return {
    line(line) {
      const t = line.text;
      const p = open as OpenPoint | null;
      if (p !== null) {
        if (p.kind === 'tap') {
          if (!p.inYaml && p.lines.length === 0 && YAML_START.test(t) && indentOf(t) > p.indent) {
            p.inYaml = true;
            p.lines.push(t);
            return;
          }
          if (p.inYaml) {
            p.lines.push(t);
            if (YAML_END.test(t) && indentOf(t) === indentOf(p.lines[0] ?? '')) p.inYaml = false;
            else return;
            close();
            return;
          }
        } else if (t.trim() === '' || indentOf(t) > p.indent) {
          p.lines.push(t);
          return;
        }
        close();
      }
      const sub = SUBTEST.exec(t);
      if (sub) {
        const indent = (sub[1] ?? '').length;
        forget(subtests, indent);
        subtests.set(indent, sub[2] ?? '');
        text.end();
        record(line, t, 'info', 'test_start', null, []);
        return;
      }
      const tp = TEST_POINT.exec(t);
      if (tp) {
        text.end();
        const indent = (tp[1] ?? '').length;
        const name = (tp[4] ?? '').replace(/\\#/g, '#');
        const testId = [...parents(subtests, indent), name].join(' > ');
        forget(subtests, indent + 1);
        open = { kind: 'tap', line, indent, passed: tp[2] === 'ok', name, testId, lines: [], inYaml: false, repeat: false };
        return;
      }
      if (SPEC_FAILING.test(t)) {
        repeats = true;
        text.end();
        record(line, t, 'info', null, null, []);
        return;
      }
      const spec = SPEC_MARK.exec(t);
      if (spec) {
        text.end();
        const indent = (spec[1] ?? '').length;
        const mark = spec[2];
        const name = spec[3] ?? '';
        if (mark === '▶') {
          forget(suites, indent);
          suites.set(indent, name);
          record(line, t, 'info', 'test_start', null, []);
          return;
        }
        const testId = [...parents(suites, indent), name].join(' > ');
        if (mark !== '✖') {
          record(line, t, 'info', mark === '✔' ? 'test_passed' : 'test_skipped', { test: testId }, []);
          return;
        }
        forget(suites, indent);
        open = { kind: 'spec', line, indent, passed: false, name, testId, lines: [], inYaml: false, repeat: repeats };
        return;
      }
      text.line(line);
    },
    end() {
      close();
      text.end();
    },
  };
}

export const nodeTestSource: SourceKind = {
  name: 'node_test',
  description: 'node --test output (TAP or spec reporter): failed tests with their errors, stacks and names',
  detect: ({ head }) => detectNodeTest(head),
  parser: nodeTestParser,
};
