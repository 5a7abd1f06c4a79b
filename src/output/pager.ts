/**
 * The pager. On a terminal, a command's output goes through OBS_PAGER, else
 * PAGER, else `less -FRX` (which prints output that fits on one screen and
 * exits, and shows colours); an empty value or `cat` means no pager. The
 * pager starts on the first write, so a command that prints nothing (an
 * error, an empty answer) never starts it, and runs with LESS=FRX and LV=-c
 * unless those are set. A pager that cannot be found means writing straight
 * to the terminal; a pager that quits early (q in less) drops the rest of the
 * output, and the command still ends with its own exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Context, OutStream } from '../context.js';

export const DEFAULT_PAGER = 'less -FRX';

type Env = Record<string, string | undefined>;

/** The pager command: OBS_PAGER, else PAGER, else less -FRX; null for none (an empty value or cat). */
export function pagerCommand(env: Env): string | null {
  const chosen = (env['OBS_PAGER'] ?? env['PAGER'] ?? DEFAULT_PAGER).trim();
  return chosen === '' || chosen === 'cat' ? null : chosen;
}

/** Words a shell runs itself, whose presence on PATH says nothing. */
const SHELL_WORDS = new Set(['exec', 'command', 'eval', 'builtin', 'if', 'case', 'for', 'while', '{', '(', '!']);

/**
 * The program a pager command line starts, when that can be told without a
 * shell: the first word after NAME=value assignments, if it is a plain name
 * or path. null when the shell decides (quotes, variables, shell words).
 */
export function pagerProgram(command: string): string | null {
  for (const word of command.split(/\s+/)) {
    if (word === '' || /^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) continue;
    return /^[\w.+/@%,:~-]+$/.test(word) && !SHELL_WORDS.has(word) ? word : null;
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether the program is there to run: a path that is executable, or a name found on PATH. */
export function programExists(program: string, env: Env, cwd: string): boolean {
  if (program.includes('/')) return isExecutable(path.resolve(cwd, program.replace(/^~(?=\/)/, env['HOME'] ?? '~')));
  return (env['PATH'] ?? '').split(path.delimiter).some((dir) => dir !== '' && isExecutable(path.join(dir, program)));
}

export interface PagerOptions {
  /** The shell command line of the pager. */
  command: string;
  env: Env;
  /** Called on Ctrl-C once the pager has exited (the terminal is the shell's again). */
  onInterrupt?: () => void;
}

/**
 * A stdout that writes into the pager's standard input, starting the pager
 * on the first write. isTTY and columns are the terminal's, so colours and
 * table widths are decided as without a pager.
 */
export class PagedOutput implements OutStream {
  private child: ChildProcess | undefined;
  /** Written before the pager was known to have started. */
  private queue: string[] = [];
  /** 'idle' until the first write; 'direct' when the pager could not start; 'gone' once it quit or was closed. */
  private state: 'idle' | 'starting' | 'running' | 'direct' | 'gone' = 'idle';
  private exited: Promise<void> = Promise.resolve();
  private readonly onSigint = (): void => this.interrupt();

  constructor(
    private readonly target: OutStream,
    private readonly opts: PagerOptions,
  ) {}

  get isTTY(): boolean | undefined {
    return this.target.isTTY;
  }

  get columns(): number | undefined {
    return this.target.columns;
  }

  /** Whether a pager process was started. */
  get started(): boolean {
    return this.child !== undefined;
  }

  write(chunk: string): boolean {
    if (chunk === '') return true;
    switch (this.state) {
      case 'idle':
        this.start();
        return this.write(chunk);
      case 'starting':
        this.queue.push(chunk);
        return true;
      case 'running':
        return this.child?.stdin?.write(chunk) ?? true;
      case 'direct':
        return this.target.write(chunk);
      case 'gone':
        return true;
    }
  }

  /** Ends the pager's input and waits until the user has quit it. */
  async close(): Promise<void> {
    if (this.state === 'starting') await new Promise<void>((resolve) => this.child?.once('spawn', resolve).once('error', () => resolve()));
    if (this.state === 'running') this.child?.stdin?.end();
    if (this.state !== 'direct') this.state = 'gone';
    await this.exited;
    process.removeListener('SIGINT', this.onSigint);
  }

  private start(): void {
    const { command, env } = this.opts;
    this.state = 'starting';
    const child = spawn(command, {
      shell: true,
      stdio: ['pipe', 'inherit', 'inherit'],
      env: { ...env, LESS: env['LESS'] ?? 'FRX', LV: env['LV'] ?? '-c' },
    });
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.once('error', () => resolve());
    });
    child.once('spawn', () => {
      if (this.state !== 'starting') return;
      this.state = 'running';
      for (const chunk of this.queue) child.stdin?.write(chunk);
      this.queue = [];
    });
    child.once('error', () => {
      if (this.state !== 'starting') return;
      // The shell itself could not be started: write to the terminal instead.
      this.state = 'direct';
      for (const chunk of this.queue) this.target.write(chunk);
      this.queue = [];
    });
    // The user quit the pager before reading everything: the rest is dropped.
    child.stdin?.on('error', () => {
      this.state = 'gone';
    });
    child.once('exit', () => {
      if (this.state === 'running') this.state = 'gone';
    });
    // Ctrl-C reaches the pager too, which stays; wait for it to quit before leaving the terminal.
    process.on('SIGINT', this.onSigint);
  }

  private interrupt(): void {
    if (this.state === 'running') this.child?.stdin?.end();
    if (this.state !== 'direct') this.state = 'gone';
    void this.exited.then(() => this.opts.onInterrupt?.());
  }
}

export interface PagerFlags {
  /** false with --no-pager. */
  pager?: boolean;
}

/**
 * The paged stdout for a command, or null when paging does not apply:
 * --no-pager, stdout not a terminal, no pager configured, or the pager
 * program not found.
 */
export function pagerFor(ctx: Context, flags: PagerFlags, onInterrupt?: () => void): PagedOutput | null {
  if (flags.pager === false || ctx.stdout.isTTY !== true) return null;
  const command = pagerCommand(ctx.env);
  if (command === null) return null;
  const program = pagerProgram(command);
  if (program !== null && !programExists(program, ctx.env, ctx.cwd)) return null;
  return new PagedOutput(ctx.stdout, { command, env: ctx.env, ...(onInterrupt === undefined ? {} : { onInterrupt }) });
}
