/**
 * Loaded with `node --import`: writes to $OBS_IMPORT_LOG every module the
 * process loads, ESM (through a load hook) and CommonJS (require's cache,
 * read at exit), one URL or path per line. Tests use it to check what obs
 * loads before it has anything to do.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const log = process.env['OBS_IMPORT_LOG'];
if (log) {
  register('./record-imports-hooks.mjs', import.meta.url, { data: { log } });
  process.on('exit', () => {
    const cjs = Object.keys(createRequire(import.meta.url).cache);
    if (cjs.length > 0) appendFileSync(log, `${cjs.join('\n')}\n`);
  });
}
