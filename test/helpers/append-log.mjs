/**
 * A log writer for the tests of files read while they are written: appends
 * numbered records to a file, each line cut at random points into two or
 * three write() calls with a pause between them, so a reader often finds a
 * last line without its line end. Runs until it has written `count` records
 * (0: until SIGTERM), finishing the record under way, then prints how many it
 * wrote.
 *
 *   node append-log.mjs <file> <jsonl|session> <count> <seed>
 *
 * Record n's message is `tick n`. `jsonl`: JSON lines in the shape of
 * fixtures/generated/logs/app.jsonl, every third one a Python logging line
 * (`2026-03-02 09:00:00,003 INFO [planner.agent] tick 3`), as a container's
 * stdout mixes them. `session`: session-log lines, Python logging with a JSON
 * message (`2026-03-02 09:00:00,001 INFO {"event": "tick", ...}`).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const [file, shape, countText, seedText] = process.argv.slice(2);
const count = Number(countText);
let state = Number(seedText) >>> 0;
/** mulberry32 */
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const BASE = Date.parse('2026-03-02T09:00:00.000Z');
function asctime(n) {
  return new Date(BASE + n).toISOString().replace('T', ' ').replace('.', ',').slice(0, 23);
}

function line(n) {
  if (shape === 'session') {
    const msg = { event: 'tick', message: `tick ${n}`, session_key: 'C0FFFFFFFFF:1772442000.000100', thread_ts: '1772442000.000100', stage: 'collect', seq: n };
    return `${asctime(n)} INFO ${JSON.stringify(msg).replaceAll('":', '": ').replaceAll(',"', ', "')}\n`;
  }
  if (n % 3 === 0) return `${asctime(n)} INFO [planner.agent] tick ${n}\n`;
  return `${JSON.stringify({ ts: new Date(BASE + n).toISOString(), level: 'info', logger: 'planner.agent', message: `tick ${n}`, run_id: 'run-4242-20260302T090000Z', category: 'append', seq: n })}\n`;
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let stop = false;
process.on('SIGTERM', () => {
  stop = true;
});

const fd = openSync(file, 'a');
let n = 0;
while (!stop && (count === 0 || n < count)) {
  n++;
  const bytes = Buffer.from(line(n));
  // Two or three pieces, cut anywhere (a UTF-8 character may be cut too).
  const cuts = [random(), random()].slice(0, random() < 0.5 ? 1 : 2).map((r) => 1 + Math.floor(r * (bytes.length - 1))).sort((a, b) => a - b);
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut <= at) continue;
    writeSync(fd, bytes.subarray(at, cut));
    at = cut;
    if (at < bytes.length) await pause(Math.floor(random() * 4));
  }
  await pause(Math.floor(random() * 3));
}
closeSync(fd);
process.stdout.write(`${n}\n`);
