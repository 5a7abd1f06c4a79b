/**
 * `obs events`: every log record, filtered, in time order.
 */
import { Command } from 'commander';
import path from 'node:path';
import type { Context } from '../context.js';
import { SqlParams } from '../db/params.js';
import type { ExitCode } from '../errors.js';
import { levelCondition, levelsAtLeast, matchText, recordConditions } from '../filters/filters.js';
import { isColumnFormat, type Column, type Row } from '../output/render.js';
import { outputStream, readCommand, withSources } from './shared/command.js';
import type { CommonOptions } from './shared/options.js';
import { parseRaw, streamPage } from './shared/query.js';
import { EVENTS } from './shared/tables.js';
import { addFollowOption, follower } from '../follow/follow.js';
import { EVENT_IDENTITY } from '../follow/identity.js';

export interface EventsOptions extends CommonOptions {
  event?: string;
  level?: string;
  contains?: string;
  category?: string;
}

const COLUMNS: Column[] = [
  { key: 'ts' },
  { key: 'level', level: true },
  { key: 'session_key', header: 'session' },
  { key: 'stage' },
  { key: 'event' },
  { key: 'details', flex: true },
  { key: 'source' },
];

/** Fields shown in the payload summary are the ones not already in a column. */
const SHOWN = new Set(['event', 'level', 'session_key', 'thread_ts', 'channel_id', 'stage', 'trace_id', 'span_id', 'planned_date', 'ts', 'timestamp', 'time']);

/** A one-line summary for the terminal: the message, or the payload as key=value. */
export function details(row: Row): string {
  const message = typeof row['message'] === 'string' ? row['message'] : null;
  if (message !== null && message !== '') return message;
  const raw = row['raw'];
  if (raw === null || typeof raw !== 'object') return '';
  return Object.entries(raw as Record<string, unknown>)
    .filter(([k]) => !SHOWN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

export async function runEvents(ctx: Context, o: EventsOptions): Promise<ExitCode> {
  const minLevels = o.level === undefined ? null : levelsAtLeast(o.level);
  return (o.follow ? follower(EVENT_IDENTITY) : withSources)(ctx, o, async (s) => {
    const params = new SqlParams();
    const conds = recordConditions(s.filters, EVENTS, params);
    if (o.event !== undefined) conds.push(matchText('event', o.event, params));
    if (o.category !== undefined) conds.push(`category = ${params.add(o.category)}`);
    if (minLevels !== null) conds.push(levelCondition(minLevels, params));
    if (o.contains !== undefined) {
      const p = params.add(o.contains);
      conds.push(`(contains(coalesce(message, ''), ${p}) OR contains(coalesce(CAST(raw AS VARCHAR), ''), ${p}))`);
    }
    const page = await streamPage(s.db, { file: 'events.sql', table: EVENTS, conds, params, orderBy: 'ts NULLS LAST, source_file, source_line' }, s.limit);
    // On a terminal the source is the file name and line; TSV keeps the whole path.
    const map = (chunk: Row[]): Row[] =>
      isColumnFormat(s.format)
        ? parseRaw(chunk).map((r) => {
            const file = String(r['source_file']);
            const shown = s.format === 'table' ? path.basename(file) : file;
            return { ...r, details: details(r), source: `${shown}:${r['source_line']}` };
          })
        : parseRaw(chunk);
    await outputStream(ctx, s, { noun: 'events', columns: COLUMNS, page, map, empty: 'no events matched' });
  });
}

export function eventsCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  return readCommand({
    name: 'events',
    summary: 'list log records (session logs, application logs, audit exceptions)',
    description: 'List every log record, in time order, with its session, stage and source file:line.',
    own: (cmd) =>
      addFollowOption(cmd)
        .option('--event <glob>', 'event name, wildcards allowed (graph_turn_*)')
        .option('--level <level>', 'this level or more severe (debug, info, warn, error, fatal)')
        .option('--contains <text>', 'records whose text or fields contain this text (case-sensitive)')
        .option('--category <name>', 'only this category'),
    examples: [
      'obs events --thread 1795299499.694654',
      'obs events --level warn --stage plan',
      'obs events -f --level warn',
      "obs events --event 'graph_turn_*' --where 'duration_ms > 1000'",
      "obs events --contains IntegrityError --json | jq '.events[].source_file'",
      'obs events --level error --json ts,session_key,message',
      'obs events --stage plan --csv ts,event,source > plan.csv',
    ],
  }).action((opts: EventsOptions) => run(runEvents(ctx, opts)));
}
