/**
 * Notes and warnings on stderr. Notes (the window used, what was loaded) are
 * silenced by -q; warnings (input rejected, files unreadable) are not, and
 * are kept so a JSON document can carry them too.
 */
import type { Context } from '../../context.js';

export interface Reporter {
  note(message: string): void;
  warn(message: string): void;
  /** Every warning given so far, in order. */
  readonly warnings: string[];
}

export function reporter(ctx: Context, quiet: boolean): Reporter {
  const warnings: string[] = [];
  return {
    warnings,
    note: (message) => {
      if (!quiet) ctx.stderr.write(`note: ${message}\n`);
    },
    warn: (message) => {
      warnings.push(message);
      ctx.stderr.write(`warning: ${message}\n`);
    },
  };
}
