/**
 * Parsing ahead on a thread of its own, for large loads. On two cores, one
 * thread parsing and appending every file leaves the other core idle: here
 * the parsing thread (parse-thread.ts) reads and parses the files in the
 * loader's order, and records what each parser gave its sink (lines, rows,
 * rejected lines, progress). The loader's thread plays each record back into
 * the file's real sink, which counts, appends to DuckDB and finds the errors,
 * as it would have with the parser beside it. The rows, the accounting and
 * their order are the same; only the parsing moves.
 *
 * The parsing thread runs at most MAX_IN_FLIGHT chunks ahead of the loader,
 * so that what waits to be appended stays a few megabytes whatever the
 * input's size.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { FormatSet } from '../formats/formats.js';
import { paceHeap } from '../heap.js';
import type { FormatDefinition } from '../formats/definition.js';
import { PriceBook, type PriceOverride } from '../llm/prices.js';
import type { RawLine } from '../sources/lines.js';
import { SOURCES } from '../sources/index.js';
import type { EventRow, IndexEntry, LlmCallRow, SpanRow } from '../sources/types.js';
import { readFile, type LineSink, type PlaybackSink, type ReadOrder, type ReadOutcome } from './read-file.js';
import { ErrorCollector, type Observation } from './errors/extract.js';
import { startThread } from './threads.js';

/**
 * Bytes to parse from which a load parses on the thread: below, the thread's
 * start (25-40 ms, and its own load of the parsers) costs more than it saves.
 */
export const PARSE_THREAD_BYTES = 16 * 1024 * 1024;
/** A chunk is sent once its lines hold this many characters, or it holds CHUNK_OPS entries. */
const CHUNK_CHARS = 1024 * 1024;
const CHUNK_OPS = 16_384;
/**
 * Growth of this thread's heap past what was live before it asks for a full
 * collection (see paceHeap; the loader's thread allows HEAP_HEADROOM). At
 * 1 GB, building the cache peaked at 0.89 GiB with the loader's room here too.
 */
const THREAD_HEAP_HEADROOM = 64 * 1024 * 1024;
/** Chunks sent and not yet played back, at most. */
const MAX_IN_FLIGHT = 8;
/**
 * Files the thread is told of at a time: the next ones are sent once it has
 * half of these left. Told of all at once, the 168,948 files of the 10 GB
 * benchmark took 95 MB of the 102 MB the thread held live (their paths, ids
 * and kinds), a quarter of a GiB with the room its heap is given.
 */
export const TASK_WINDOW = 1024;

/** What a parser gave its sink, as entries of a flat list: the code, then its arguments. */
const LINE = 0; // a line's length (a line with nothing repaired)
const REPAIRED_LINE = 1; // the line
const EVENT = 2;
const LLM_CALL = 3;
const SPAN = 4;
const INDEX_ENTRY = 5;
const REJECT = 6; // the line, the reason, what is known
const BLANK = 7; // the line
const PROGRESS = 8; // bytes, lines
const SIGHTING = 9; // an error seen in the last record (ErrorCollector)

/** A file for the thread to parse: where, how it is shown, its ids, and its kind's name. */
export interface ParseTask extends ReadOrder {
  kind: string;
}

export interface ParseOrder {
  /** The first tasks; the rest come as messages (TaskBatch), TASK_WINDOW at a time. */
  tasks: ParseTask[];
  /** How many tasks there are in all. */
  taskCount: number;
  tz: string;
  userFormats: readonly FormatDefinition[];
  priceConfig: PriceOverride[];
  holdUnterminated: boolean;
  holdIfWrittenWithinMs: number;
  progress: boolean;
  /** One cell: chunks sent and not yet played back. */
  inFlight: SharedArrayBuffer;
}

/** More tasks for the thread, sent by the loader's thread. */
interface TaskBatch {
  tasks: ParseTask[];
}

/** The files for the thread to parse, in order, made as the thread is told of them. */
export interface TaskSource {
  count: number;
  at(index: number): ParseTask;
}

interface Chunk {
  /** The task's index. */
  file: number;
  ops: unknown[];
  /** Set on a file's last chunk. */
  done: ReadOutcome | null;
}

/**
 * The parsing thread's side: records what the parser gives, and the errors
 * seen in each record (as the loader's sink would look for them), and sends
 * it in chunks.
 */
class Recorder implements LineSink {
  private ops: unknown[] = [];
  private chars = 0;
  private readonly errors: ErrorCollector;

  constructor(
    private readonly port: MessagePort,
    private readonly inFlight: Int32Array,
    private readonly file: number,
    private readonly task: ParseTask,
    tz: string,
  ) {
    this.errors = new ErrorCollector(tz, (o) => this.ops.push(SIGHTING, o));
  }

  line(line: RawLine): void {
    if (line.invalidUtf8 || line.nulBytes) this.ops.push(REPAIRED_LINE, line);
    else this.ops.push(LINE, line.text.length);
    this.chars += line.text.length;
    if (this.chars >= CHUNK_CHARS || this.ops.length >= CHUNK_OPS) this.send(null);
  }

  event(row: EventRow): void {
    this.ops.push(EVENT, row);
    this.errors.fromEvent(row, this.task.path, this.task.kind);
  }

  llmCall(row: LlmCallRow): void {
    this.ops.push(LLM_CALL, row);
    this.errors.fromLlmCall(row, this.task.path, this.task.kind);
  }

  span(row: SpanRow): void {
    this.ops.push(SPAN, row);
  }

  indexEntry(entry: IndexEntry): void {
    this.ops.push(INDEX_ENTRY, entry);
  }

  reject(line: RawLine, reason: string, known?: { ts?: number | null; level?: string | null }): void {
    this.ops.push(REJECT, line, reason, known);
  }

  blank(line: RawLine): void {
    this.ops.push(BLANK, line);
  }

  progress(bytes: number, lines: number): void {
    this.ops.push(PROGRESS, bytes, lines);
  }

  /** Sends what is recorded, once fewer than MAX_IN_FLIGHT chunks wait. */
  send(done: ReadOutcome | null): void {
    for (;;) {
      const waiting = Atomics.load(this.inFlight, 0);
      if (waiting < MAX_IN_FLIGHT) break;
      Atomics.wait(this.inFlight, 0, waiting);
    }
    Atomics.add(this.inFlight, 0, 1);
    this.port.postMessage({ file: this.file, ops: this.ops, done } satisfies Chunk);
    this.ops = [];
    this.chars = 0;
  }
}

/** The parsing thread: parses every task in order, sending what each parser gave. */
export async function parseOnThread(order: ParseOrder, port: MessagePort): Promise<void> {
  const inFlight = new Int32Array(order.inFlight);
  const formats = FormatSet.create(order.userFormats);
  const prices = new PriceBook(order.priceConfig);
  const tasks = new ThreadTasks(order.tasks, port);
  for (let i = 0; i < order.taskCount; i++) {
    const task = await tasks.next();
    const recorder = new Recorder(port, inFlight, i, task, order.tz);
    const kind = SOURCES.find((k) => k.name === task.kind);
    if (kind?.parser === undefined) throw new Error(`the parsing thread has no parser for the kind ${task.kind}`);
    const outcome = await readFile(task, kind.parser, recorder, {
      tz: order.tz,
      formats,
      prices,
      holdUnterminated: order.holdUnterminated,
      holdIfWrittenWithinMs: order.holdIfWrittenWithinMs,
      onProgress: order.progress ? (bytes, lines) => recorder.progress(bytes, lines) : undefined,
      // What this thread parsed is garbage once sent: its heap is given less room than the loader's.
      onBreath: async () => paceHeap(THREAD_HEAP_HEADROOM),
    });
    recorder.send(outcome);
  }
}

function taskBatch(tasks: TaskSource, from: number, window: number): ParseTask[] {
  const batch: ParseTask[] = [];
  for (let i = from; i < Math.min(tasks.count, from + window); i++) batch.push(tasks.at(i));
  return batch;
}

/** The thread's tasks: those received and not yet begun, in order, and a wait for the loader to send more. */
export class ThreadTasks {
  private readonly queue: ParseTask[];
  private head = 0;
  private arrived: (() => void) | null = null;

  constructor(
    first: ParseTask[],
    private readonly port: MessagePort,
  ) {
    this.queue = first;
    port.on('message', (batch: TaskBatch) => {
      // The tasks begun are dropped.
      this.queue.splice(0, this.head);
      this.head = 0;
      for (const t of batch.tasks) this.queue.push(t);
      this.arrived?.();
    });
    // The port keeps the thread alive only while it waits for tasks.
    port.unref();
  }

  async next(): Promise<ParseTask> {
    if (this.head === this.queue.length) {
      this.port.ref();
      while (this.head === this.queue.length) await new Promise<void>((resolve) => (this.arrived = resolve));
      this.arrived = null;
      this.port.unref();
    }
    return this.queue[this.head++]!;
  }
}

/** Plays a chunk's records back into the file's sink, in the order the parser gave them. */
function play(ops: unknown[], sink: PlaybackSink, onSighting: (o: Observation) => void, onProgress: ((bytes: number, lines: number) => void) | undefined): void {
  let i = 0;
  while (i < ops.length) {
    const op = ops[i++];
    switch (op) {
      case LINE:
        sink.plainLine(ops[i++] as number);
        break;
      case REPAIRED_LINE:
        sink.line(ops[i++] as RawLine);
        break;
      case EVENT:
        sink.event(ops[i++] as EventRow);
        break;
      case LLM_CALL:
        sink.llmCall(ops[i++] as LlmCallRow);
        break;
      case SPAN:
        sink.span(ops[i++] as SpanRow);
        break;
      case INDEX_ENTRY:
        sink.indexEntry(ops[i++] as IndexEntry);
        break;
      case REJECT:
        sink.reject(ops[i] as RawLine, ops[i + 1] as string, ops[i + 2] as { ts?: number | null; level?: string | null } | undefined);
        i += 3;
        break;
      case BLANK:
        sink.blank(ops[i++] as RawLine);
        break;
      case SIGHTING:
        onSighting(ops[i++] as Observation);
        break;
      case PROGRESS:
        onProgress?.(ops[i] as number, ops[i + 1] as number);
        i += 2;
        break;
      default:
        throw new Error(`the parsing thread sent an entry of unknown code ${String(op)}`);
    }
  }
}

/** The loader's side of the parsing thread. */
export class ParseAhead {
  private readonly chunks: Chunk[] = [];
  private waiting: { resolve: (c: Chunk) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private finished = 0;

  private constructor(
    private readonly thread: Worker,
    private readonly inFlight: Int32Array,
    private readonly tasks: TaskSource,
    private readonly window: number,
    /** Tasks the thread was told of. */
    private sent: number,
  ) {
    thread.on('message', (c: Chunk) => {
      if (c.done !== null) this.finished++;
      const w = this.waiting;
      this.waiting = null;
      if (w !== null) w.resolve(c);
      else this.chunks.push(c);
    });
    thread.once('error', (err) => this.fail(new Error(`the parsing thread failed: ${err.message}`)));
    thread.once('exit', (code) => {
      if (this.finished < this.tasks.count) this.fail(new Error(`the parsing thread stopped (exit code ${code}) before it parsed every file`));
    });
  }

  /**
   * Starts the thread on the tasks, telling it of `window` at a time; null
   * when it cannot start (the loader then parses them itself).
   */
  static start(settings: Omit<ParseOrder, 'inFlight' | 'tasks' | 'taskCount'>, tasks: TaskSource, window = TASK_WINDOW): ParseAhead | null {
    const inFlight = new SharedArrayBuffer(4);
    const first = taskBatch(tasks, 0, window);
    try {
      const order = { ...settings, tasks: first, taskCount: tasks.count, inFlight } satisfies ParseOrder;
      return new ParseAhead(startThread('parse-thread', order), new Int32Array(inFlight), tasks, window, first.length);
    } catch {
      return null;
    }
  }

  /** Tells the thread of the next tasks once fewer than half a window are left to it, `played` files having been played back. */
  private feed(played: number): void {
    if (this.sent === this.tasks.count || this.sent - played >= this.window / 2) return;
    const batch = taskBatch(this.tasks, this.sent, this.window);
    this.sent += batch.length;
    this.thread.postMessage({ tasks: batch } satisfies TaskBatch);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(this.failure);
  }

  private next(): Promise<Chunk> {
    const c = this.chunks.shift();
    if (c !== undefined) return Promise.resolve(c);
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /**
   * Plays task `file` back into its sink (which leaves finding errors to the
   * thread) and its errors' sightings into onSighting, chunk by chunk, letting
   * the event loop go after each chunk (onBreath) and keeping this thread's
   * heap from growing far past what is live (paceHeap); resolves with how its
   * reading ended.
   */
  async playBack(
    file: number,
    sink: PlaybackSink,
    on: { sighting: (o: Observation) => void; progress: ((bytes: number, lines: number) => void) | undefined; breath: () => Promise<void> },
  ): Promise<ReadOutcome> {
    for (;;) {
      const chunk = await this.next();
      if (chunk.file !== file) throw new Error(`the parsing thread sent file ${chunk.file} where file ${file} was due`);
      play(chunk.ops, sink, on.sighting, on.progress);
      Atomics.sub(this.inFlight, 0, 1);
      Atomics.notify(this.inFlight, 0);
      if (chunk.done !== null) this.feed(file + 1);
      // The chunks played back are garbage now: as when this thread reads (lines.ts), its heap is kept near what is live.
      paceHeap();
      // After a file's last chunk too: most session logs are one chunk, and a folder of them was read with no batch copied into the cache.
      await on.breath();
      if (chunk.done !== null) return chunk.done;
    }
  }

  /** Stops the thread (it has finished, or the load failed). */
  close(): void {
    this.failure ??= new Error('the parsing thread was stopped');
    void this.thread.terminate();
  }
}
