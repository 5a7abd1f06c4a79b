/**
 * Notes and warnings on stderr. Notes (the window used, what was loaded) are
 * silenced by -q; warnings (input rejected, files unreadable) are not.
 */
import type { Context } from '../../context.js';

export interface Reporter {
  note(message: string): void;
  warn(message: string): void;
}

export function reporter(ctx: Context, quiet: boolean): Reporter {
  return {
    note: (message) => {
      if (!quiet) ctx.stderr.write(`note: ${message}\n`);
    },
    warn: (message) => {
      ctx.stderr.write(`warning: ${message}\n`);
    },
  };
}
