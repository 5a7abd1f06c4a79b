/**
 * The parsing thread (see parse-ahead.ts): parses a large load's files in
 * order and sends what each parser gave to the loader's thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseOnThread } from './parse-ahead.js';

if (parentPort !== null) await parseOnThread(workerData, parentPort);
