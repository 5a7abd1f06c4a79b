import { readFileSync } from 'node:fs';

/** The version in package.json, read from the package root (the same path from src/ and dist/). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
