/**
 * Part of `npm run build`: bundles DuckDB's client (@duckdb/node-api, 180
 * CommonJS files) into one file, dist/vendor/duckdb-node-api.cjs, which the
 * built obs loads (src/db/duckdb.ts). Node then reads and wraps one module
 * instead of 180: the client loads in about 35 ms instead of 65. Its native
 * part (@duckdb/node-bindings) stays a package, found in node_modules.
 */
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [createRequire(import.meta.url).resolve('@duckdb/node-api')],
  outfile: path.join(root, 'dist/vendor/duckdb-node-api.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['@duckdb/node-bindings'],
  legalComments: 'inline',
  logLevel: 'warning',
});
