/**
 * DuckDB's client, @duckdb/node-api, loaded with require. It is CommonJS:
 * imported from ES modules, Node first parses each of its 180 files to find
 * their export names, which cost about 100 ms at every start that reads logs.
 * Code that needs its values takes them from here; its types are imported
 * as types.
 */
import { createRequire } from 'node:module';

export const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
