/**
 * Deterministic agent logs for `npm run bench`: the shapes of the bundled
 * sample run (fixtures/sample-corpus/logs), repeated over many sessions until
 * the files add up to the requested size.
 *
 *   timeboxing_session_<stamp>_<channel>_<thread_ts>_<pid>.log   one per session,
 *       Python logging lines `asctime LEVEL {json}`
 *   timeboxing_session_index.jsonl                                one line per session
 *   llm_io_<stamp>_<pid>.jsonl, llm_io_index.jsonl                LLM calls with excerpts
 *   app.jsonl                                                     JSON app log, errors
 *                                                                 carrying Python tracebacks
 *
 * Everything comes from a seeded PRNG (no clock, no Math.random): the same
 * seed and size give the same bytes. The logs go to `<dir>/logs`, a manifest
 * to `<dir>/manifest.json`, which lets a later run reuse the files.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export const STAGES = ['collect', 'plan', 'refine', 'confirm'] as const;
export const MODELS = ['gpt-4.1', 'gpt-4o-mini', 'google/gemini-2.5-flash', 'claude-sonnet-4'] as const;
const GENERATOR_VERSION = 1;
const MANIFEST = 'manifest.json';
const BASE_MS = Date.UTC(2026, 10, 21, 8, 0, 0);
const LLM_FILE_BYTES = 64 * 1024 * 1024;
const PID = 7824;

export interface Manifest {
  version: number;
  seed: number;
  target_bytes: number;
  bytes: number;
  files: number;
  sessions: number;
  llm_calls: number;
  errors: number;
  /** A thread from the middle of the data, for the thread lookup. */
  thread_ts: string;
}

/** mulberry32: small, fast and good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** "100MB", "1GB", "200KB", "512" (bytes), decimal or binary-free: 1 MB = 1,000,000 bytes. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?\s*$/i.exec(text);
  if (!m) throw new Error(`not a size: ${text} (examples: 200KB, 100MB, 1GB)`);
  const unit = (m[2] ?? 'B').toUpperCase();
  const mult = unit === 'GB' ? 1e9 : unit === 'MB' ? 1e6 : unit === 'KB' ? 1e3 : 1;
  return Math.round(Number(m[1]) * mult);
}

export function formatSize(bytes: number): string {
  if (bytes >= 1e9 && bytes % 1e9 === 0) return `${bytes / 1e9}GB`;
  if (bytes >= 1e6 && bytes % 1e6 === 0) return `${bytes / 1e6}MB`;
  if (bytes >= 1e3 && bytes % 1e3 === 0) return `${bytes / 1e3}KB`;
  return `${bytes}B`;
}

const WORDS = (
  'plan day focus block meeting deadline report quarterly review draft lunch break deep work ' +
  'calendar sync team standup email inbox follow up customer call design doc write code test ' +
  'deploy release notes budget hiring interview one on one retro sprint backlog triage bug fix ' +
  'morning afternoon evening energy high low prefer avoid move shift slot minutes hour buffer ' +
  'commute gym walk errands pick up kids dentist travel flight hotel prepare slides demo'
).split(' ');
const TOOLS = ['workspace.get_settings', 'calendar.list_events', 'memory.search_constraints', 'calendar.create_block', 'tasks.list_open'];
const LABELS: Record<string, [string, string, string]> = {
  collect: ['collect_constraints', 'extract_constraints', 'constraint_extractor'],
  plan: ['plan_draft', 'draft_plan', 'timeboxing_agent'],
  refine: ['refine_plan', 'patch_timeboxes', 'timebox_patcher'],
  confirm: ['confirm_summary', 'summarize_plan', 'summary_agent'],
};
const CHANNELS = ['C0AA6HC1RJL', 'C07PLN4R2KD', 'C05QX7T2MNB', 'C09ZR4K8LWD'];
const USERS = ['U06RDF2HS9T', 'U0A1B2C3D4E', 'U0ZK8M4N6QB', 'U03HJ5P7QRS'];

interface Failure {
  type: string;
  message: string;
  frames: [string, number, string, string][];
}
const FAILURES: Failure[] = [
  {
    type: 'AttributeError',
    message: "'NoneType' object has no attribute 'strip'",
    frames: [
      ['/usr/lib/python3/dist-packages/uvicorn/protocols/http/h11_impl.py', 366, 'run_asgi', 'result = await app(self.scope, self.receive, self.send)'],
      ['/app/planner/planner_agent.py', 831, 'app', 'result = await AGENT.handle_turn(body, headers.get("traceparent"))'],
      ['/app/planner/planner_agent.py', 696, '_handle_turn_locked', 'normalized = text.strip()'],
    ],
  },
  {
    type: 'KeyError',
    message: "'start'",
    frames: [
      ['/app/planner/planner_agent.py', 512, '_draft_plan', 'blocks = build_blocks(constraints, events)'],
      ['/app/planner/timeboxing/blocks.py', 88, 'build_blocks', 'start = parse_hhmm(event["start"])'],
    ],
  },
  {
    type: 'ValueError',
    message: 'invalid time block: end 09:30 is before start 10:00',
    frames: [
      ['/app/planner/planner_agent.py', 604, '_refine_plan', 'patched = apply_patch(plan, patch)'],
      ['/app/planner/timeboxing/patch.py', 141, 'apply_patch', 'validate_blocks(result)'],
      ['/app/planner/timeboxing/patch.py', 57, 'validate_blocks', 'raise ValueError(f"invalid time block: end {b.end} is before start {b.start}")'],
    ],
  },
  {
    type: 'planner.llm.errors.LLMTimeoutError',
    message: 'LLM call plan_draft (gpt-4.1) timed out after 2.5s',
    frames: [
      ['/app/planner/planner_agent.py', 361, '_llm_call', '_code, response, _h = await asyncio.to_thread(_post_json, url, body, headers, LLM_TIMEOUT_S)'],
      ['/usr/lib/python3.11/asyncio/threads.py', 25, 'to_thread', 'return await loop.run_in_executor(None, func_call)'],
      ['/app/planner/planner_agent.py', 380, '_llm_call', 'raise LLMTimeoutError(message) from exc'],
    ],
  },
  {
    type: 'json.decoder.JSONDecodeError',
    message: 'Expecting value: line 1 column 1 (char 0)',
    frames: [
      ['/app/planner/planner_agent.py', 455, '_parse_constraints', 'data = json.loads(content)'],
      ['/usr/lib/python3.11/json/__init__.py', 346, 'loads', 'return _default_decoder.decode(s)'],
      ['/usr/lib/python3.11/json/decoder.py', 355, 'raw_decode', 'raise JSONDecodeError("Expecting value", s, err.value) from None'],
    ],
  },
];

function traceback(f: Failure): string {
  let s = 'Traceback (most recent call last):\n';
  for (const [file, line, fn, code] of f.frames) {
    s += `  File "${file}", line ${line}, in ${fn}\n    ${code}\n    ${'^'.repeat(Math.min(code.length, 60))}\n`;
  }
  return s + `${f.type}: ${f.message}`;
}

/** `2026-11-21 22:18:19,705` (Python logging asctime, UTC). */
function asctime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`;
}
function stamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** Python's json.dumps spacing (", " and ": "), which the real logs use. */
function pyJson(value: unknown): string {
  return JSON.stringify(value).replace(/"(?:[^"\\]|\\.)*"|[,:]/g, (t) => (t === ',' ? ', ' : t === ':' ? ': ' : t));
}

class Out {
  bytes = 0;
  files = 0;
  private streams = new Map<string, WriteStream>();
  constructor(private dir: string) {}
  write(name: string, text: string): void {
    let s = this.streams.get(name);
    if (!s) {
      s = createWriteStream(join(this.dir, name), { highWaterMark: 1 << 20 });
      this.streams.set(name, s);
      this.files += 1;
    }
    s.write(text);
    this.bytes += Buffer.byteLength(text);
  }
  /** Closes one file (a finished session log), keeping the open-file count small. */
  async close(name: string): Promise<void> {
    const s = this.streams.get(name);
    if (!s) return;
    this.streams.delete(name);
    await new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  async closeAll(): Promise<void> {
    for (const name of [...this.streams.keys()]) await this.close(name);
  }
}

/** Writes a corpus of about `targetBytes` into `<dir>/logs` (emptied first). */
export async function generate(dir: string, targetBytes: number, seed: number): Promise<Manifest> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const hex = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rnd() * 16)];
    return s;
  };
  const words = (n: number) => {
    const w: string[] = [];
    for (let i = 0; i < n; i++) w.push(pick(WORDS));
    return w.join(' ');
  };

  const out = new Out(join(dir, 'logs'));
  let now = BASE_MS;
  let llmFile = `llm_io_${stamp(now)}_${PID}.jsonl`;
  let llmBytes = 0;
  out.write('llm_io_index.jsonl', pyJson({ type: 'llm_io', created_at: new Date(now).toISOString().replace('Z', '000Z'), log_path: `/app/planner/var/logs/${llmFile}`, pid: PID, mode: 'sanitized', sink: 'file' }) + '\n');
  const app = (ms: number, level: string, logger: string, message: string, extra: Record<string, unknown> = {}) =>
    out.write('app.jsonl', pyJson({ ts: new Date(ms).toISOString(), level, logger, message, ...extra }) + '\n');
  app(now, 'info', 'planner.agents.timeboxing.agent', `starting planner agent pid=${PID} python=3.11.2`);

  let sessions = 0;
  let llmCalls = 0;
  let errors = 0;
  const threads: string[] = [];
  while (out.bytes < targetBytes) {
    now += int(2_000, 60_000);
    const channel = pick(CHANNELS);
    const thread_ts = `${Math.floor(now / 1000)}.${String(int(0, 999_999)).padStart(6, '0')}`;
    const session_key = `${channel}:${thread_ts}`;
    const planned = new Date(now + int(0, 3) * 86_400_000).toISOString().slice(0, 10);
    const user = pick(USERS);
    const file = `timeboxing_session_${stamp(now)}_${channel}_${thread_ts}_${PID}.log`;
    threads.push(thread_ts);
    sessions += 1;
    out.write('timeboxing_session_index.jsonl', pyJson({
      type: 'timeboxing_session', created_at: new Date(now).toISOString().replace('Z', '000+00:00'), session_key, thread_ts,
      channel_id: channel, user_id: user, planned_date: planned, stage: 'collect', log_path: `/app/planner/var/logs/${file}`, pid: PID,
    }) + '\n');
    app(now, 'info', 'planner.agents.timeboxing.agent', `Created timeboxing session ${session_key} for user ${user} (planned_date=${planned})`);

    const turns = int(3, 8);
    let stageIdx = 0;
    for (let turn = 1; turn <= turns; turn++) {
      const stage = STAGES[Math.min(stageIdx, STAGES.length - 1)] as string;
      const trace_id = hex(32);
      const span_id = hex(16);
      const base = { session_key, thread_ts, channel_id: channel, planned_date: planned, stage, trace_id, span_id };
      const ev = (level: string, fields: Record<string, unknown>) => {
        now += int(5, 400);
        out.write(file, `${asctime(now)} ${level} ${pyJson({ event: fields['event'], ...base, ...fields })}\n`);
      };
      ev('INFO', { event: 'graph_turn_start', user_text: `<@U0PLANNERB> ${words(int(6, 30))}`, turn, event_id: `Ev${hex(10).toUpperCase()}`, parent_span_id: hex(16) });
      for (let t = int(1, 3); t > 0; t--) ev('INFO', { event: 'tool_call', tool: pick(TOOLS), status: 'ok', latency_ms: int(200, 9000) / 10 });
      const [label, fn, agent] = LABELS[stage] as [string, string, string];
      let failed: Failure | null = null;
      for (let c = int(1, 3); c > 0; c--) {
        const model = pick(MODELS);
        const ok = rnd() > 0.08;
        const prompt_tokens = ok ? int(300, 4000) : null;
        const completion_tokens = ok ? int(50, 1200) : null;
        const latency_ms = int(200, 5000) + 0.5;
        const llm_span_id = hex(16);
        const error = ok ? null : `RateLimitError: HTTP 429 Too Many Requests from POST http://127.0.0.1:18750/v1/chat/completions: Rate limit reached for ${model}`;
        ev(ok ? 'INFO' : 'WARNING', { event: 'llm_call', call_label: label, model, status: ok ? 'ok' : 'error', latency_ms, prompt_tokens, completion_tokens, llm_span_id, ...(error ? { error } : {}) });
        const created = new Date(now).toISOString().replace('Z', '000Z');
        const record = pyJson({
          event_type: 'LLMCall', agent, model, status: ok ? 'ok' : 'error', call_label: label, function: fn, stage, session_key, thread_ts, channel_id: channel,
          prompt_tokens, completion_tokens,
          request_excerpt: [
            { role: 'system', content: `You are the ${agent.replace('_', ' ')} of a timeboxing assistant that lives in Slack. ${words(int(60, 200))}` },
            { role: 'tool', tool_call_id: `call_${hex(8)}`, content: pyJson({ events: [{ title: words(3), start: '10:00', end: '10:30' }], memory: [{ name: words(2), value: true }] }) },
            { role: 'user', content: `<@U0PLANNERB> ${words(int(20, 120))}` },
          ],
          response_excerpt: ok
            ? { id: `chatcmpl-${hex(24)}`, object: 'chat.completion', created: Math.floor(now / 1000), model, choices: [{ index: 0, message: { role: 'assistant', content: words(int(40, 300)) }, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens, completion_tokens, total_tokens: (prompt_tokens ?? 0) + (completion_tokens ?? 0) }, system_fingerprint: `fp_${hex(10)}` }
            : null,
          error, latency_ms, trace_id, span_id: llm_span_id,
          request_options: { base_url: 'http://127.0.0.1:18750/v1', api_key: '***REDACTED***', timeout_s: 2.5, attempt: 1, headers: { Authorization: '***REDACTED***', 'X-Request-Id': `req_${hex(12)}` } },
          created_at: created,
        }) + '\n';
        if (llmBytes + record.length > LLM_FILE_BYTES) {
          await out.close(llmFile);
          llmFile = `llm_io_${stamp(now)}_${PID}.jsonl`;
          llmBytes = 0;
          out.write('llm_io_index.jsonl', pyJson({ type: 'llm_io', created_at: created, log_path: `/app/planner/var/logs/${llmFile}`, pid: PID, mode: 'sanitized', sink: 'file' }) + '\n');
        }
        out.write(llmFile, record);
        llmBytes += Buffer.byteLength(record);
        llmCalls += 1;
        if (!ok) {
          app(now, 'warning', 'planner.llm.client', `LLM rate limited (call_label=${label} model=${model}); retrying once`, { session_key, trace_id, span_id, stage, thread_ts, channel_id: channel });
          errors += 1;
        }
      }
      if (rnd() < 0.12) failed = pick(FAILURES);
      if (failed) {
        const short = failed.type.slice(failed.type.lastIndexOf('.') + 1);
        ev('ERROR', { event: 'graph_turn_error', error: failed.message, error_type: short, elapsed_s: int(100, 4000) / 1000 });
        app(now, 'error', 'uvicorn.error', 'Exception in ASGI application\n', { session_key, trace_id, span_id, stage, thread_ts, channel_id: channel, exc: traceback(failed) });
        errors += 1;
      } else {
        ev('INFO', { event: 'stage_decision', decision: rnd() < 0.6 ? 'advance' : 'stay', reason: words(int(4, 12)) });
        ev('INFO', { event: 'graph_turn_end', turn, elapsed_s: int(300, 6000) / 1000 });
        if (rnd() < 0.6) stageIdx += 1;
      }
      app(now, 'info', 'planner.agents.timeboxing.agent', `turn end session=${session_key} stage=${stage} turn=${turn} trace_id=${trace_id}`);
    }
    await out.close(file);
  }
  await out.closeAll();
  const manifest: Manifest = {
    version: GENERATOR_VERSION,
    seed,
    target_bytes: targetBytes,
    bytes: out.bytes,
    files: out.files,
    sessions,
    llm_calls: llmCalls,
    errors,
    thread_ts: threads[Math.floor(threads.length / 2)] ?? '',
  };
  writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** The corpus in `dir` if its manifest matches size and seed, else a fresh one. */
export async function ensureCorpus(dir: string, targetBytes: number, seed: number): Promise<{ manifest: Manifest; reused: boolean }> {
  const path = join(dir, MANIFEST);
  if (existsSync(path)) {
    try {
      const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
      if (m.version === GENERATOR_VERSION && m.seed === seed && m.target_bytes === targetBytes) return { manifest: m, reused: true };
    } catch {
      // an unreadable manifest: generate again
    }
  }
  return { manifest: await generate(dir, targetBytes, seed), reused: false };
}
