/**
 * sessions.sql on real DuckDB: a session's thread and channel are those its
 * events name most often, else its LLM calls, else the session index; the
 * smallest on a tie, whatever order the records came in.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../../src/db/database.js';
import { sqlFile } from '../../../src/db/sql-files.js';

let db: Database;

beforeEach(async () => {
  db = await Database.open();
});

afterEach(() => db.close());

/** Events of session S, one per (thread, channel) given, in that order. */
async function events(pairs: Array<[string | null, string | null]>): Promise<void> {
  for (const [i, [thread, channel]] of pairs.entries()) {
    await db.exec(
      "INSERT INTO events (ts, source_file, source_line, source_kind, session_key, thread_ts, channel_id) VALUES (TIMESTAMPTZ '2026-03-02 09:00:00+00' + to_seconds($i), 'app.jsonl', $i, 'app_log', 'S', $thread, $channel)",
      { i, thread, channel },
    );
  }
}

async function llmCall(thread: string, channel: string): Promise<void> {
  await db.exec(
    "INSERT INTO llm_calls (ts, source_file, source_line, session_key, thread_ts, channel_id, cost_source, cost_detail) VALUES (TIMESTAMPTZ '2026-03-02 09:00:00+00', 'llm_io.jsonl', 1, 'S', $thread, $channel, 'unknown', '{}')",
    { thread, channel },
  );
}

async function session(): Promise<{ thread_ts: unknown; channel_id: unknown }> {
  await db.execScript(sqlFile('sessions.sql'), { touched_only: false });
  const { rows } = await db.query("SELECT thread_ts, channel_id FROM sessions WHERE session_key = 'S'");
  expect(rows).toHaveLength(1);
  return { thread_ts: rows[0]!['thread_ts'], channel_id: rows[0]!['channel_id'] };
}

describe('sessions.sql: thread and channel', () => {
  it('the ones named most often, not the first or the smallest', async () => {
    await events([['1.2', 'C2'], ['1.9', 'C9'], ['1.9', 'C9'], ['1.2', 'C9'], ['1.9', 'C2']]);
    expect(await session()).toEqual({ thread_ts: '1.9', channel_id: 'C9' });
  });

  it('the smallest on a tie, in either order', async () => {
    await events([['1.9', 'C9'], ['1.2', 'C2'], ['1.2', 'C9'], ['1.9', 'C2']]);
    expect(await session()).toEqual({ thread_ts: '1.2', channel_id: 'C2' });
  });

  it('a record without one does not count: the events that name one decide', async () => {
    await events([[null, null], [null, null], ['1.5', null], [null, 'C5']]);
    expect(await session()).toEqual({ thread_ts: '1.5', channel_id: 'C5' });
  });

  it("the LLM calls' when no event names one, the events' otherwise", async () => {
    await events([[null, null]]);
    await llmCall('7.7', 'C7');
    expect(await session()).toEqual({ thread_ts: '7.7', channel_id: 'C7' });
    await events([['1.1', 'C1']]);
    expect(await session()).toEqual({ thread_ts: '1.1', channel_id: 'C1' });
  });
});
