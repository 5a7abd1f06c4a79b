/**
 * What every read command does around its own query: build the commander
 * command with the shared flags and examples, open the sources, render rows
 * with the shared document fields, close the database, and pick the exit code.
 */
import { Command } from 'commander';
import type { Context, OutStream } from '../../context.js';
import type { ExitCode } from '../../errors.js';
import { render, type Column, type Row } from '../../output/render.js';
import { addFilterOptions, addInputOptions, addOutputOptions, exitFor, openSources, type CommonOptions, type Loaded } from './options.js';

export interface CommandSpec {
  name: string;
  summary: string;
  description: string;
  examples: string[];
  /** Adds the command's own flags (shown first in --help). */
  own?: (cmd: Command) => void;
  /** Whether the shared record filters apply (every command but sources). */
  filters?: boolean;
}

export function readCommand(spec: CommandSpec): Command {
  const cmd = new Command(spec.name).summary(spec.summary).description(spec.description);
  spec.own?.(cmd);
  if (spec.filters !== false) addFilterOptions(cmd);
  addOutputOptions(cmd);
  addInputOptions(cmd);
  cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}`);
  return cmd;
}

/** Opens the sources, runs the body, closes the database; exit 4 when input was rejected or unreadable. */
export async function withSources<O extends CommonOptions>(ctx: Context, o: O, body: (s: Loaded) => Promise<void>): Promise<ExitCode> {
  const s = await openSources(ctx, o);
  try {
    await body(s);
    return exitFor(s.load);
  } finally {
    s.db.close();
  }
}

export interface Output {
  noun: string;
  columns: Column[];
  rows: Row[];
  /** Top-level fields of the JSON document besides window and count. */
  meta?: Record<string, unknown>;
  /** Said on stderr when there are no rows, e.g. "no events matched". */
  empty?: string;
  /** The limit cut the rows. */
  truncated?: boolean;
  /** Rows shown below the others in the table view only (a total). */
  footer?: Row[];
  /** Prints the rows itself, instead of the table (obs errors --traceback). */
  view?: (out: OutStream, rows: Row[]) => void;
}

export function output(ctx: Context, s: Loaded, out: Output): void {
  if (s.collect) return s.collect(out);
  if (out.rows.length === 0 && out.empty) s.report.note(out.empty);
  if (out.truncated) s.report.note(`showing the first ${s.limit} ${out.noun.replace('_', ' ')}; raise --limit for more`);
  if (out.view) return out.view(ctx.stdout, out.rows);
  const truncated = out.truncated === undefined ? {} : { truncated: out.truncated };
  render(ctx.stdout, {
    format: s.format,
    noun: out.noun,
    columns: out.columns,
    rows: out.rows,
    meta: { window: s.window, count: out.rows.length, ...truncated, ...out.meta },
    color: s.color,
    width: ctx.stdout.columns,
    ...(out.footer === undefined ? {} : { footer: out.footer }),
  });
}
