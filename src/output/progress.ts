/**
 * The progress bar shown on stderr while a large input loads: files done of
 * the total, bytes read of the total, lines per second and time elapsed. Only
 * on a terminal (stderr a TTY, TERM not dumb), only when the files add up to
 * more than the threshold (50 MB), redrawn in place at most ten times a
 * second, and erased when loading ends, so nothing of it stays on the screen.
 * Other writes to stderr while it shows go through `stream`, which clears the
 * bar, writes, and draws it again below.
 */
import type { Context, OutStream } from '../context.js';
import type { LoadProgress } from '../load/load.js';

/** Inputs up to this size load without a bar: they take a few seconds at most. */
export const PROGRESS_THRESHOLD_BYTES = 50_000_000;
const REDRAW_MS = 100;
/** Back to the start of the line, and clear it. */
const CLEAR_LINE = '\r\x1b[2K';
const BAR_CELLS = 20;

export interface ProgressOptions {
  /** Show the bar only when the files add up to more than this many bytes. */
  thresholdBytes?: number;
  /** The clock, in milliseconds. */
  now?: () => number;
  /** Redraw on a timer (default true); without it, only tick() redraws. */
  timer?: boolean;
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export class ProgressBar implements LoadProgress {
  /** stderr for everyone else while the bar may show: clears it before a write and redraws it after. */
  readonly stream: OutStream;
  private readonly threshold: number;
  private readonly now: () => number;
  private readonly useTimer: boolean;
  private timer: ReturnType<typeof setInterval> | undefined;
  private files = 0;
  private bytes = 0;
  private filesDone = 0;
  private bytesDone = 0;
  private lines = 0;
  private fileBytes = 0;
  private fileRead = 0;
  private linking = false;
  private active = false;
  private ended = false;
  private startedAt = 0;
  /** The text on the screen now ('' when none). */
  private shown = '';
  /** Whether the cursor is at the start of a line (no partial line written by someone else). */
  private atLineStart = true;

  constructor(private readonly out: OutStream, opts: ProgressOptions = {}) {
    this.threshold = opts.thresholdBytes ?? PROGRESS_THRESHOLD_BYTES;
    this.now = opts.now ?? Date.now;
    this.useTimer = opts.timer ?? true;
    const bar = this;
    this.stream = {
      write: (chunk: string) => bar.writeAround(chunk),
      get isTTY() {
        return out.isTTY;
      },
      get columns() {
        return out.columns;
      },
    };
  }

  /** Whether the bar is being shown (the input is over the threshold and loading has not ended). */
  get showing(): boolean {
    return this.active;
  }

  total(files: number, bytes: number): void {
    this.files = files;
    this.bytes = bytes;
    if (!this.active && !this.ended && bytes > this.threshold) {
      this.active = true;
      this.startedAt = this.now();
      if (this.useTimer) {
        this.timer = setInterval(() => this.tick(), REDRAW_MS);
        this.timer.unref();
      }
      this.draw();
    }
  }

  fileStarted(_path: string, bytes: number): void {
    this.fileBytes = bytes;
    this.fileRead = 0;
  }

  read(bytes: number, lines: number): void {
    this.fileRead += bytes;
    this.bytesDone += bytes;
    this.lines += lines;
  }

  fileFinished(_path: string): void {
    this.filesDone += 1;
    // A file passed over, or read only in part, is done all the same.
    if (this.fileRead < this.fileBytes) this.bytesDone += this.fileBytes - this.fileRead;
    this.fileBytes = 0;
    this.fileRead = 0;
  }

  filesRead(): void {
    this.linking = true;
    this.draw();
  }

  /** Redraws when the text changed; the timer calls it every 100 ms. */
  tick(): void {
    this.draw();
  }

  /** Erases the bar for good. */
  end(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.shown !== '') this.out.write(CLEAR_LINE);
    this.shown = '';
    this.active = false;
    this.ended = true;
  }

  /** The bar's text, cut to the terminal's width. */
  text(): string {
    const ms = this.now() - this.startedAt;
    const parts: string[] = [];
    const done = Math.min(this.bytesDone, this.bytes);
    if (this.linking) {
      parts.push(`loading: ${megabytes(this.bytes)} MB read from ${this.files} file(s), ${this.lines.toLocaleString('en-US')} lines; linking records and errors`);
    } else {
      const filled = this.bytes === 0 ? 0 : Math.round((done / this.bytes) * BAR_CELLS);
      parts.push(`loading ${'█'.repeat(filled)}${'░'.repeat(BAR_CELLS - filled)} ${megabytes(done)}/${megabytes(this.bytes)} MB`);
      parts.push(`${Math.min(this.filesDone, this.files)}/${this.files} files`);
      if (ms >= 250) parts.push(`${Math.round((this.lines * 1000) / ms).toLocaleString('en-US')} lines/s`);
    }
    parts.push(elapsed(ms));
    const line = parts.join(' · ');
    // One character short of the width: writing the last column wraps on some terminals.
    const width = Math.max(20, (this.out.columns || 80) - 1);
    return [...line].length > width ? [...line].slice(0, width - 1).join('') + '…' : line;
  }

  private draw(): void {
    if (!this.active || !this.atLineStart) return;
    const text = this.text();
    if (text === this.shown) return;
    this.out.write(CLEAR_LINE + text);
    this.shown = text;
  }

  private writeAround(chunk: string): boolean {
    if (!this.active || chunk === '') return this.out.write(chunk);
    const clear = this.shown === '' ? '' : CLEAR_LINE;
    this.shown = '';
    this.atLineStart = chunk.endsWith('\n');
    const text = this.atLineStart ? this.text() : '';
    this.shown = text;
    return this.out.write(clear + chunk + text);
  }
}

export interface ProgressFlags {
  quiet?: boolean;
  /** false with --no-progress. */
  progress?: boolean;
}

/** The bar for this run, or null: --no-progress, -q, stderr not a terminal, or TERM=dumb. */
export function progressBar(ctx: Context, o: ProgressFlags, opts: ProgressOptions = {}): ProgressBar | null {
  if (o.progress === false || o.quiet === true) return null;
  if (ctx.stderr.isTTY !== true || ctx.env['TERM'] === 'dumb') return null;
  return new ProgressBar(ctx.stderr, opts);
}

/**
 * Runs `load` with a progress bar when one applies. While it runs, the
 * context's stderr is the bar's stream, so notes and warnings written during
 * loading do not mangle it; the bar is erased when loading ends or fails.
 */
export async function withLoadProgress<T>(ctx: Context, o: ProgressFlags, load: (progress: LoadProgress | undefined) => Promise<T>): Promise<T> {
  const bar = progressBar(ctx, o);
  if (bar === null) return load(undefined);
  const stderr = ctx.stderr;
  ctx.stderr = bar.stream;
  try {
    return await load(bar);
  } finally {
    bar.end();
    ctx.stderr = stderr;
  }
}
