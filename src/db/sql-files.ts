/**
 * SQL lives in readable files under src/sql/, one query per file. They are
 * read from the package root, so the same path works from src/ and dist/.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SQL_DIR = fileURLToPath(new URL('../../src/sql/', import.meta.url));
const cache = new Map<string, string>();

export function sqlFile(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(SQL_DIR + name, 'utf8');
    cache.set(name, text);
  }
  return text;
}
