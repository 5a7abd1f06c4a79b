/**
 * Known failures and the exit codes they map to. Every error a user can cause
 * is an ObsError: what failed, why, and how to fix it. Anything else is a bug
 * and keeps its stack (shown with --debug).
 */

export const EXIT = {
  /** Success, including when nothing matched. */
  OK: 0,
  /** `--fail` was given and errors matched (a CI gate). */
  FOUND: 1,
  /** Usage or configuration error: a bad flag, value, config key or query. */
  USAGE: 2,
  /** No usable input: a path is missing or unreadable, or no log file was found. */
  NO_INPUT: 3,
  /** Partial result: some input was rejected or a source failed; the rest was answered. */
  PARTIAL: 4,
  /** The output could not be written (obs export): a folder that cannot be created or written, a full disk; 73 is EX_CANTCREAT. */
  CANT_CREATE: 73,
  /** An unexpected internal error (a bug in obs); 70 is EX_SOFTWARE in sysexits.h. */
  INTERNAL: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface ObsErrorDetails {
  /** Why it failed. */
  reason?: string;
  /** What was seen (a file:line, a value). */
  note?: string;
  /** How to fix it. */
  help?: string;
}

export class ObsError extends Error {
  readonly exitCode: ExitCode;
  readonly reason: string | undefined;
  readonly note: string | undefined;
  readonly help: string | undefined;

  constructor(exitCode: ExitCode, message: string, details: ObsErrorDetails = {}) {
    super(message);
    this.name = 'ObsError';
    this.exitCode = exitCode;
    this.reason = details.reason;
    this.note = details.note;
    this.help = details.help;
  }
}

/** A bad flag, value, expression or configuration: exit 2. */
export function usageError(message: string, details: ObsErrorDetails = {}): ObsError {
  return new ObsError(EXIT.USAGE, message, details);
}

/** Nothing to read: exit 3. */
export function noInputError(message: string, details: ObsErrorDetails = {}): ObsError {
  return new ObsError(EXIT.NO_INPUT, message, details);
}

/** The output cannot be written: exit 73. */
export function cantCreateError(message: string, details: ObsErrorDetails = {}): ObsError {
  return new ObsError(EXIT.CANT_CREATE, message, details);
}

/** DuckDB ran out of memory under its limit ("failed to pin block", "could not allocate"): the statement left nothing behind. */
export function isOutOfMemory(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('Out of Memory Error');
}

/** Formats an error in the error / reason / note / help shape, one item per line. */
export function formatError(err: ObsError): string {
  const lines = [`error: ${err.message}`];
  if (err.reason) lines.push(`reason: ${err.reason}`);
  if (err.note) lines.push(`note: ${err.note}`);
  if (err.help) lines.push(`help: ${err.help}`);
  return lines.join('\n') + '\n';
}
