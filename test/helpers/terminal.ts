/**
 * Runs a shell command line on a pseudo-terminal, as a user at a terminal
 * would, with util-linux `script`: the command's stdin, stdout and stderr are
 * the terminal (unless the command line redirects them), and what the
 * terminal received comes back as raw bytes (the tty turns "\n" into
 * "\r\n"). The environment is hermetic, as in cli.ts, without NO_COLOR.
 * With `record`, script also writes what the terminal receives to that file
 * as it comes, where the command line itself can watch for it.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { BIN, CACHE_HOME, ROOT } from './cli.js';

export const SCRIPT = '/usr/bin/script';

/** A word for sh. */
export function sh(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** `node bin/obs.js ARGS...` as a shell command line. */
export function obsLine(args: string[]): string {
  return [process.execPath, BIN, ...args].map(sh).join(' ');
}

export interface TerminalResult {
  /** Everything the terminal received, stdout and stderr together. */
  raw: string;
  exitCode: number;
}

export async function inTerminal(
  line: string,
  opts: { env?: Record<string, string>; cols?: number; rows?: number; timeout?: number; record?: string } = {},
): Promise<TerminalResult> {
  if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} (util-linux) is needed to run obs on a pseudo-terminal; install util-linux`);
  const size = `stty cols ${opts.cols ?? 100} rows ${opts.rows ?? 30}`;
  const r = await execa(SCRIPT, ['-qfec', `${size}; ${line}`, opts.record ?? '/dev/null'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', XDG_CACHE_HOME: CACHE_HOME, TZ: 'UTC', SHELL: '/bin/sh', TERM: 'xterm', ...opts.env },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: false,
    timeout: opts.timeout ?? 60_000,
  });
  return { raw: String(r.stdout), exitCode: r.exitCode ?? -1 };
}

/**
 * The lines left on the screen once the terminal has drawn `raw`: "\r" goes
 * back to the start of the line, ESC[2K clears it, ESC[K clears to its end;
 * other escape sequences (colours) are dropped.
 */
export function screen(raw: string): string[] {
  const lines: string[] = [];
  let line: string[] = [];
  let col = 0;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch === '\x1b') {
      const m = /^\x1b\[[0-9;?]*[A-Za-z]/.exec(raw.slice(i, i + 16));
      if (m !== null) {
        if (m[0] === '\x1b[2K') line = [];
        else if (m[0] === '\x1b[K' || m[0] === '\x1b[0K') line = line.slice(0, col);
        i += m[0].length - 1;
        continue;
      }
    }
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      lines.push(line.join(''));
      line = [];
      col = 0;
    } else {
      line[col] = ch;
      col += 1;
    }
  }
  if (line.length > 0) lines.push(line.join(''));
  return lines.map((l) => l.replaceAll('\u0000', ''));
}
