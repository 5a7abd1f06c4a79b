/**
 * Everything a command needs from the outside world, in one place so tests
 * can pass their own: streams, environment, working directory and clock.
 */
export interface OutStream {
  write(chunk: string): boolean;
  /** Calls back once a stream whose write returned false can take more (process streams). */
  once?(event: 'drain', listener: () => void): unknown;
  isTTY?: boolean;
  columns?: number;
}

import type { Redactor } from './redact/redactor.js';

export interface Context {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Current time in epoch microseconds. */
  now(): number;
  /** How output is redacted: set once the command's flags and config are read (redactorOf gives the default, on). */
  redactor?: Redactor;
}

/** The real context: process streams, environment, working directory and clock. */
export function processContext(): Context {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: () => Date.now() * 1000,
  };
}
