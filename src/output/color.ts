/**
 * Whether to colour: off when stdout is not a terminal, with NO_COLOR,
 * TERM=dumb or --no-color; FORCE_COLOR turns it on. chalk does not read
 * NO_COLOR itself, so the decision is made here and passed to it.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export function useColor(env: Record<string, string | undefined>, isTTY: boolean, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return isTTY;
}

export function palette(enabled: boolean): ChalkInstance {
  return new Chalk({ level: enabled ? 1 : 0 });
}

export function levelColor(c: ChalkInstance, level: string): string {
  switch (level) {
    case 'fatal':
    case 'error':
      return c.red(level);
    case 'warn':
      return c.yellow(level);
    case 'debug':
    case 'trace':
      return c.dim(level);
    default:
      return level;
  }
}
