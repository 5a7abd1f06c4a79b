/**
 * The walk's thread (see beginDiscover): lists the folders named by --logs,
 * hands the listing over, and stats files while the command loads DuckDB.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { walkOnThread } from './discover.js';

if (parentPort !== null) await walkOnThread(workerData, parentPort);
