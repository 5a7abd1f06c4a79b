/**
 * `obs sessions`: one row per session (Slack thread) with first/last seen,
 * duration, stages, event / LLM call / error counts and tokens.
 */
import { Command } from 'commander';
import type { Context } from '../context.js';
import { SqlParams } from '../db/params.js';
import type { ExitCode } from '../errors.js';
import { compileWhere } from '../filters/where.js';
import { fieldResolver, hasRecordOnlyFilters, recordConditions, whereClause, type RecordFilters } from '../filters/filters.js';
import { formatUsd, type Column } from '../output/render.js';
import { output, readCommand, withSources } from './shared/command.js';
import type { CommonOptions } from './shared/options.js';
import { selectPage } from './shared/query.js';
import { EVENTS, LLM_CALLS, SESSIONS } from './shared/tables.js';

/** Table and TSV columns; the terminal shows durations for people, TSV in milliseconds. */
function columns(forPeople: boolean): Column[] {
  return [
    { key: 'session_key', header: 'session' },
    { key: 'first_ts', header: 'first_seen' },
    forPeople ? { key: 'duration', align: 'right' } : { key: 'duration_ms', align: 'right' },
    { key: 'stages', flex: true },
    { key: 'event_count', header: 'events', align: 'right' },
    { key: 'error_count', header: 'errors', align: 'right' },
    { key: 'llm_call_count', header: 'llm', align: 'right' },
    { key: 'llm_error_count', header: 'llm_err', align: 'right' },
    { key: 'total_tokens', header: 'tokens', align: 'right' },
    { key: 'cost_usd', header: 'cost', align: 'right', text: (v) => formatUsd(v) },
    { key: 'last_event' },
  ];
}

export function humanDuration(ms: unknown): string {
  if (typeof ms !== 'number') return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const sec = Math.round((ms % 60_000) / 1000);
  return m < 60 ? `${m}m${String(sec).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Session conditions: ids and stage on the session itself, the window as an
 * overlap with its lifetime, request/run/key as "has a record with it", and
 * --where on the session's own fields.
 */
export function sessionConditions(f: RecordFilters, params: SqlParams): string[] {
  const conds: string[] = [];
  if (f.session !== undefined) conds.push(`session_key = ${params.add(f.session)}`);
  if (f.thread !== undefined) conds.push(`thread_ts = ${params.add(f.thread)}`);
  if (f.channel !== undefined) conds.push(`channel_id = ${params.add(f.channel)}`);
  if (f.stage !== undefined) conds.push(`list_contains(stages, ${params.add(f.stage)})`);
  if (f.from !== null) conds.push(`last_ts >= make_timestamptz(${params.add(Math.trunc(f.from))}::BIGINT)`);
  if (f.to !== null) conds.push(`first_ts <= make_timestamptz(${params.add(Math.trunc(f.to))}::BIGINT)`);
  if (hasRecordOnlyFilters(f)) {
    const only: RecordFilters = { request: f.request, run: f.run, keys: f.keys, from: null, to: null, tz: f.tz };
    const ev = whereClause(recordConditions(only, EVENTS, params));
    const llm = whereClause(recordConditions(only, LLM_CALLS, params));
    conds.push(`session_key IN (SELECT session_key FROM events ${ev} UNION SELECT session_key FROM llm_calls ${llm})`);
  }
  if (f.where !== undefined) conds.push(compileWhere(f.where, fieldResolver(SESSIONS), params, { tz: f.tz }));
  return conds;
}

export async function runSessions(ctx: Context, o: CommonOptions): Promise<ExitCode> {
  return withSources(ctx, o, async (s) => {
    const params = new SqlParams();
    const conds = sessionConditions(s.filters, params);
    const page = await selectPage(s.db, { file: 'sessions_list.sql', table: SESSIONS, conds, params, orderBy: 'first_ts NULLS LAST, session_key' }, s.limit);
    const forPeople = s.format === 'table' || s.format === 'markdown';
    const rows = forPeople ? page.rows.map((r) => ({ ...r, duration: humanDuration(r['duration_ms']) })) : page.rows;
    output(ctx, s, { noun: 'sessions', columns: columns(forPeople), rows, fields: page.columns, empty: 'no sessions matched', truncated: page.truncated });
  });
}

export function sessionsCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  return readCommand({
    name: 'sessions',
    summary: 'list sessions (Slack threads): when, how long, stages, errors, LLM calls, tokens',
    description:
      'One row per session (Slack thread), from every record that carries its session key and the session index. ' +
      'A time window keeps the sessions active in it; --stage keeps those that reached the stage; ' +
      '--where tests the session fields (duration_ms, error_count, llm_call_count, total_tokens, ...).',
    examples: [
      'obs sessions --logs ./logs',
      "obs sessions --channel C0AA6HC1RJL --where 'error_count > 0'",
      "obs sessions --from 2026-11-21T22:18:00Z --to 2026-11-21T22:19:00Z --json | jq '.sessions[].thread_ts'",
    ],
  }).action((opts: CommonOptions) => run(runSessions(ctx, opts)));
}
