/**
 * DuckDB's client, @duckdb/node-api, loaded with require. It is CommonJS:
 * imported from ES modules, Node first parses each of its 180 files to find
 * their export names, which cost about 100 ms at every start that reads logs.
 * The build bundles its files into one (scripts/bundle-duckdb-client.mjs),
 * which loads in about 35 ms instead of 65; run from src/ (under the test
 * runner), it is the package itself. Code that needs its values takes them
 * from here; its types are imported as types.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const duckdb = (import.meta.url.endsWith('.ts') ? require('@duckdb/node-api') : require('../vendor/duckdb-node-api.cjs')) as typeof import('@duckdb/node-api');
