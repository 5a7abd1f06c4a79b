/**
 * pytest's terminal output, as a CI job saves it: the session header, the
 * progress lines, the FAILURES and ERRORS sections (one report per test, in
 * pytest's own traceback styles: failure.ts), the warnings summary and the
 * short test summary. Each failed test is one record at level error whose
 * error carries its frames, type, message and node id
 * (`tests/test_pricing.py::test_with_tax`, read from the short summary line
 * that names it); each warning of the summary a record at level warn. A
 * test that only the short summary names (`--tb=no`, `--tb=line`) is an
 * error with the type and message the summary gives (cut to the terminal's
 * width, as pytest cut them). Relative paths are made absolute with the
 * header's `rootdir:`. Every other line goes through the log formats, as in
 * a text log.
 */
import path from 'node:path';
import { logReader } from '../../formats/reader.js';
import type { RawLine } from '../lines.js';
import { reportRecorder } from '../test-report.js';
import type { FileContext, LineParser, RecordSink, ReportedError, SourceKind } from '../types.js';
import { CAPTURED, parseFailure, typeAndMessage } from './failure.js';

const SESSION_START = /^=+ test session starts =+$/;
/** `tests/test_x.py F.F..FE   [100%]`, or `-q`'s `..F.F..FE   [100%]`. */
const PROGRESS = /^(?:\S+\.py )?[.FEsxXR]+ +\[ *\d+%\]$/;
const BANNER = /^=+ (.+?) =+$/;
/** `3 failed, 5 passed, 1 warning, 1 error in 0.04s`, between `=` or not (`-q`). */
const FINAL = /^=*\s*((?:\d+ [a-z]+(?:, )?)+|no tests ran) in ([\d.]+)s(?: \([^)]*\))?\s*=*$/;
const TITLE = /^_+ (.+?) _+$/;
const ENTRY_SEPARATOR = /^(?:_ )+_?\s*$/;
/** The rest of the line, trailing spaces trimmed in code: `(.+?)\s*$` backtracks quadratically. */
const ROOTDIR = /^rootdir: ([\s\S]+)$/;
const SUMMARY_LINE = /^(FAILED|ERROR) (\S+(?: \S+)*?)(?: - (.*))?$/;
const ERROR_TITLE = /^ERROR at (setup|teardown) of (.+)$/;
const COLLECT_TITLE = /^ERROR collecting (.+)$/;
/** `  /path/x.py:21: DeprecationWarning: message` in the warnings summary. */
const WARNING_LOCATION = /^ {2}(\S(?:.*?\S)?):(\d+): ([A-Za-z_][\w.]*): (.*)$/;
const WARNING_COUNT = /^(.+?): \d+ warnings?$/;

type Mode = 'outside' | 'failures' | 'errors' | 'warnings' | 'summary';

interface Failure {
  section: 'failures' | 'errors';
  title: string;
  line: RawLine;
  lines: string[];
}

interface Warned {
  line: RawLine;
  tests: string[];
  lines: string[];
}

interface SummaryEntry {
  line: RawLine;
  outcome: 'FAILED' | 'ERROR';
  nodeId: string;
  message: string | null;
}

export function detectPytest(head: string[]): boolean {
  return head.some((l) => SESSION_START.test(l) || PROGRESS.test(l));
}

/** The test a report's title names, and when it failed. */
function titled(f: Failure): { name: string; when: 'setup' | 'call' | 'teardown' | 'collect' } {
  if (f.section === 'errors') {
    const e = ERROR_TITLE.exec(f.title);
    if (e) return { name: e[2] ?? '', when: e[1] as 'setup' | 'teardown' };
    const c = COLLECT_TITLE.exec(f.title);
    if (c) return { name: c[1] ?? '', when: 'collect' };
  }
  return { name: f.title, when: 'call' };
}

/** The part of a node id a report's title shows: `tests/x.py::TestA::test_b[1]` → `TestA.test_b[1]`. */
function titleOf(nodeId: string): string {
  return nodeId.split('::').slice(1).join('.');
}

function relativeTo(rootdir: string | null, file: string): string {
  if (rootdir !== null && file.startsWith(`${rootdir}/`)) return file.slice(rootdir.length + 1);
  return file;
}

/** The node id of a report no summary line names: the test module of its first frame and the title, or the title. */
function guessNodeId(f: Failure, when: string, name: string, firstFile: string | undefined, rootdir: string | null): string {
  if (when === 'collect') return name;
  if (firstFile !== undefined && /(?:^|\/)(?:test_[^/]*|[^/]*_test)\.py$/.test(firstFile)) {
    const bracket = name.indexOf('[');
    const base = bracket === -1 ? name : name.slice(0, bracket);
    return `${relativeTo(rootdir, firstFile)}::${base.replaceAll('.', '::')}${bracket === -1 ? '' : name.slice(bracket)}`;
  }
  return name;
}

/** An error as a short summary line gives it: `FAILED tests/x.py::test_y - KeyError: 'B-2'`. */
function fromSummary(s: SummaryEntry): ReportedError {
  const { type, message } = typeAndMessage([s.message ?? ''], null);
  return {
    language: 'python',
    kind: type === null ? 'log' : 'exception',
    level: 'error',
    type,
    message: message === '' ? `${s.outcome === 'ERROR' ? 'error in' : 'failed:'} ${s.nodeId}` : message,
    frames: [],
    chain: [],
    text: s.line.text,
    startLine: 0,
    testId: s.nodeId,
  };
}

function fromWarning(w: Warned, rootdir: string | null): ReportedError | null {
  const at = w.lines.findIndex((l) => WARNING_LOCATION.test(l));
  const m = at === -1 ? null : WARNING_LOCATION.exec(w.lines[at] ?? '');
  if (m === null) return null;
  const messageLines = [m[4] ?? ''];
  let code: string | null = null;
  for (const l of w.lines.slice(at + 1)) {
    if (/^ {4}/.test(l)) {
      code ??= l.trim();
      continue;
    }
    if (code === null && /^ {2}\S/.test(l)) messageLines.push(l.slice(2));
  }
  const printed = m[1] ?? '';
  const file = rootdir !== null && !path.posix.isAbsolute(printed) ? path.posix.join(rootdir, printed) : printed;
  const test = w.tests.map((t) => WARNING_COUNT.exec(t)?.[1] ?? t)[0] ?? null;
  return {
    language: 'python',
    kind: 'exception',
    level: 'warn',
    type: m[3] ?? null,
    message: messageLines.join('\n'),
    frames: [{ file, line: Number(m[2]), function: null, code }],
    chain: [],
    text: [...w.tests, ...w.lines].join('\n'),
    startLine: 0,
    testId: test,
  };
}

export function pytestParser(ctx: FileContext, sink: RecordSink): LineParser {
  const text = logReader(ctx, sink, { strictJson: false });
  let mode: Mode = 'outside';
  let rootdir: string | null = null;
  const failures: Failure[] = [];
  const warned: Warned[] = [];
  const summary: SummaryEntry[] = [];
  let failure: Failure | null = null;
  let warning: Warned | null = null;

  const record = reportRecorder(ctx, sink, 'pytest');

  const closeOpen = (): void => {
    failure = null;
    if (warning !== null) warned.push(warning);
    warning = null;
  };

  const finalLine = (line: RawLine, counts: string, seconds: string): void => {
    const raw: Record<string, unknown> = {};
    for (const m of counts.matchAll(/(\d+) ([a-z]+)/g)) {
      const noun = m[2] ?? '';
      raw[noun === 'warning' ? 'warnings' : noun === 'error' ? 'errors' : noun] = Number(m[1]);
    }
    raw['duration_s'] = Number(seconds);
    const failed = Number(raw['failed'] ?? 0) + Number(raw['errors'] ?? 0);
    record(line, line.text, failed > 0 ? 'error' : 'info', 'pytest_summary', raw);
  };

  /** The reports, now that the short summary has named their tests. */
  const emitReports = (): void => {
    const used = new Set<number>();
    for (const f of failures) {
      const { name, when } = titled(f);
      const outcome = f.section === 'errors' ? 'ERROR' : 'FAILED';
      const k = summary.findIndex((s, i) => !used.has(i) && s.outcome === outcome && (when === 'collect' ? s.nodeId === name : titleOf(s.nodeId) === name));
      if (k !== -1) used.add(k);
      const named = k === -1 ? null : summary[k]!;
      // Before parseFailure, which trims the blank lines around the report from f.lines.
      const lastLine = f.line.lineNo + f.lines.length;
      const parsed = parseFailure(f.lines, rootdir);
      const nodeId = named?.nodeId ?? guessNodeId(f, when, name, parsed?.frames[0]?.file, rootdir);
      let error: ReportedError;
      if (parsed !== null) error = { ...parsed, level: 'error', startLine: 0, testId: nodeId };
      else if (named !== null) error = { ...fromSummary(named), text: f.lines.join('\n').trim() };
      else {
        const first = f.lines.find((l) => l.trim() !== '' && !CAPTURED.test(l))?.trim() ?? f.title;
        error = { language: 'python', kind: 'log', level: 'error', type: null, message: first, frames: [], chain: [], text: f.lines.join('\n').trim(), startLine: 0, testId: nodeId };
      }
      const body = [f.line.text, ...f.lines];
      while (body.length > 1 && (body[body.length - 1] ?? '').trim() === '') body.pop();
      const outcomeName = f.section === 'errors' ? 'error' : 'failed';
      record(f.line, body.join('\n'), 'error', f.section === 'errors' ? 'test_error' : 'test_failed', { test: nodeId, outcome: outcomeName, when }, [error], lastLine);
    }
    for (const w of warned) {
      const error = fromWarning(w, rootdir);
      const lastLine = w.line.lineNo + w.tests.length + w.lines.length - 1;
      record(w.line, [...w.tests, ...w.lines].join('\n'), 'warn', 'test_warning', { test: error?.testId ?? null }, error === null ? [] : [error], lastLine);
    }
    // A summary line with no report of its own is the only word on that test.
    summary.forEach((s, i) => {
      const raw = { test: s.nodeId, outcome: s.outcome === 'ERROR' ? 'error' : 'failed' };
      record(s.line, s.line.text, 'error', s.outcome === 'ERROR' ? 'test_error' : 'test_failed', raw, used.has(i) ? [] : [fromSummary(s)]);
    });
    failures.length = 0;
    warned.length = 0;
    summary.length = 0;
  };

  return {
    line(line) {
      const t = line.text;
      const banner = t.startsWith('=') ? BANNER.exec(t) : null;
      if (SESSION_START.test(t) || banner !== null) {
        closeOpen();
        text.end();
        const final = banner === null ? null : FINAL.exec(t);
        if (final !== null) {
          mode = 'outside';
          finalLine(line, final[1] ?? '', final[2] ?? '0');
          return;
        }
        const name = banner?.[1] ?? '';
        mode = name === 'FAILURES' ? 'failures' : name === 'ERRORS' ? 'errors' : name === 'warnings summary' ? 'warnings' : name === 'short test summary info' ? 'summary' : 'outside';
        record(line, t, 'info', SESSION_START.test(t) ? 'pytest_session_start' : 'pytest_section', null);
        return;
      }
      switch (mode) {
        case 'outside': {
          const final = FINAL.exec(t);
          if (final !== null && !t.startsWith(' ')) {
            text.end();
            finalLine(line, final[1] ?? '', final[2] ?? '0');
            return;
          }
          const root = ROOTDIR.exec(t);
          if (root) rootdir = (root[1] ?? '').trimEnd().replace(/\\/g, '/');
          text.line(line);
          return;
        }
        case 'failures':
        case 'errors': {
          const title = ENTRY_SEPARATOR.test(t) ? null : TITLE.exec(t);
          if (title !== null) {
            failure = { section: mode, title: title[1] ?? '', line, lines: [] };
            failures.push(failure);
          } else if (failure !== null) {
            (failure as Failure).lines.push(t);
          } else if (t.trim() === '') sink.blank(line);
          else record(line, t, null, null, null);
          return;
        }
        case 'warnings': {
          if (t.trim() === '' || t.startsWith('-- Docs: ')) {
            closeOpen();
            if (t.trim() === '') sink.blank(line);
            else record(line, t, 'info', 'pytest_section', null);
            return;
          }
          const indented = t.startsWith(' ');
          const w = warning as Warned | null;
          if (w !== null && (indented || w.lines.length === 0)) {
            if (indented) w.lines.push(t);
            else w.tests.push(t);
            return;
          }
          closeOpen();
          warning = indented ? { line, tests: [], lines: [t] } : { line, tests: [t], lines: [] };
          return;
        }
        case 'summary': {
          const m = SUMMARY_LINE.exec(t);
          if (m) summary.push({ line, outcome: m[1] as 'FAILED' | 'ERROR', nodeId: m[2] ?? '', message: m[3] ?? null });
          else if (t.trim() === '') sink.blank(line);
          else record(line, t, 'info', null, null);
          return;
        }
      }
    },
    end() {
      closeOpen();
      text.end();
      emitReports();
    },
  };
}

export const pytestSource: SourceKind = {
  name: 'pytest',
  description: "pytest's terminal output: failures and errors with their tracebacks and node ids, warnings, the short summary",
  detect: ({ head }) => detectPytest(head),
  parser: pytestParser,
};
