/**
 * Whether to colour: off when stdout is not a terminal, with NO_COLOR,
 * TERM=dumb or --no-color; FORCE_COLOR turns it on. chalk does not read
 * NO_COLOR itself, so the decision is made here and passed to it.
 */

/** The styles obs's output uses: chalk's when colouring, the text as it is otherwise. */
export interface Palette {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const asIs = (text: string): string => text;

/** No colour: JSON, pipes, NO_COLOR. */
export const PLAIN: Palette = { bold: asIs, dim: asIs, red: asIs, yellow: asIs, cyan: asIs };

export function useColor(env: Record<string, string | undefined>, isTTY: boolean, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return isTTY;
}

/** The palette: chalk is loaded only to colour (14 ms of every start that prints no colour otherwise). */
export async function palette(enabled: boolean): Promise<Palette> {
  if (!enabled) return PLAIN;
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 });
}

export function levelColor(c: Palette, level: string): string {
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
