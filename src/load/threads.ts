/**
 * The loader's threads: the walk's (walk-thread.ts) and the parsing thread
 * (parse-thread.ts). The built CLI runs their compiled modules; from src/
 * (under the test runner) a thread runs the TypeScript through tsx.
 */
import { Worker } from 'node:worker_threads';

export function startThread(entry: 'walk-thread' | 'parse-thread', workerData: unknown): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const source = JSON.stringify(new URL(`./${entry}.ts`, import.meta.url).href);
    return new Worker(`import('tsx/esm/api').then((tsx) => tsx.tsImport(${source}, ${source}))`, { eval: true, workerData });
  }
  return new Worker(new URL(`./${entry}.js`, import.meta.url), { workerData });
}
