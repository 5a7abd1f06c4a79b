// What a script would do without obs: read each file line by line with
// readline, JSON.parse every line (after the `asctime LEVEL ` prefix of
// session logs) and filter or sum in JavaScript.
// Usage: node readline.mjs <thread|errors|llm> <logs dir> [thread_ts]
import { createReadStream, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

const [task, dir, thread] = process.argv.slice(2);
const names = readdirSync(dir).sort();
const llmFiles = names.filter((n) => /^llm_io_\d.*\.jsonl$/.test(n));
const sessionFiles = names.filter((n) => /^timeboxing_session_\d.*\.log$/.test(n));
const files = task === 'llm' ? llmFiles : [...llmFiles, 'app.jsonl', ...sessionFiles];

async function* records(name) {
  const session = name.endsWith('.log');
  for await (const line of createInterface({ input: createReadStream(join(dir, name)), crlfDelay: Infinity })) {
    if (!line) continue;
    const r = JSON.parse(session ? line.slice(line.indexOf('{')) : line);
    if (session) r.level = line.split(' ', 3)[2];
    yield r;
  }
}

const out = task === 'thread' ? [] : {};
for (const name of files) {
  for await (const r of records(name)) {
    if (task === 'thread') {
      if (r.thread_ts === thread) out.push(r);
    } else if (task === 'errors') {
      if (r.stage !== 'plan') continue;
      let type = null;
      if (typeof r.exc === 'string') type = /\n([^\n:]+):[^\n]*$/.exec(r.exc)?.[1] ?? 'unknown';
      else if (r.event_type === 'LLMCall' && r.status === 'error') type = String(r.error).split(':')[0];
      else if (r.level === 'ERROR' || r.level === 'error') type = r.error_type ?? 'log';
      if (type !== null) out[type] = (out[type] ?? 0) + 1;
    } else {
      const g = (out[r.model] ??= { calls: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0 });
      g.calls += 1;
      if (r.status === 'error') g.errors += 1;
      g.prompt_tokens += r.prompt_tokens ?? 0;
      g.completion_tokens += r.completion_tokens ?? 0;
    }
  }
}
process.stdout.write(JSON.stringify(out) + '\n');
