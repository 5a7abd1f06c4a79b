/**
 * `obs export --parquet <dir>`: loads the logs as every command does and
 * writes the loaded tables as Hive-partitioned Parquet, for DuckDB, Trino or
 * Spark to query where the logs are kept, and for obs to read back
 * (`--logs <dir>`). Prints one row per table: rows, files, bytes.
 */
import { Command } from 'commander';
import type { Context } from '../context.js';
import type { ExitCode } from '../errors.js';
import type { Column } from '../output/render.js';
import { redactorOf } from '../redact/redactor.js';
import { output, readCommand, withSources } from './shared/command.js';
import type { CommonOptions } from './shared/options.js';

export interface ExportOptions extends CommonOptions {
  parquet: string;
  overwrite?: boolean;
}

const COLUMNS: Column[] = [
  { key: 'table' },
  { key: 'rows', align: 'right' },
  { key: 'files', align: 'right' },
  { key: 'bytes', align: 'right' },
  { key: 'partitioned_by', text: (v) => (v as string[]).join(', ') },
  { key: 'path', flex: true },
];

function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function runExport(ctx: Context, o: ExportOptions): Promise<ExitCode> {
  // DuckDB loads only for commands that read logs (see openSources).
  const { checkTarget, writeExport } = await import('../export/parquet.js');
  // Before any log is read: a target that would be refused is refused at once.
  const target = await checkTarget(o.parquet, ctx.cwd, o.overwrite === true);
  return withSources(ctx, o, async (s) => {
    const tables = await writeExport(s.db, target, redactorOf(ctx));
    const totals = { rows: 0, files: 0, bytes: 0 };
    for (const t of tables) {
      totals.rows += t.rows;
      totals.files += t.files;
      totals.bytes += t.bytes;
    }
    output(ctx, s, {
      noun: 'tables',
      columns: COLUMNS,
      rows: tables.map((t) => ({ ...t })),
      meta: { directory: target.shown, format: 'parquet', compression: 'zstd', redacted: redactorOf(ctx).on, totals },
    });
    s.report.note(
      `wrote ${totals.rows} rows in ${totals.files} Parquet files (${size(totals.bytes)}) to ${target.shown}; ` +
        `read them back with --logs ${target.shown}, or in DuckDB: SELECT * FROM read_parquet('${target.shown.replace(/'/g, "''")}/events/**/*.parquet', hive_partitioning = true)`,
    );
  }, { ahead: false });
}

export function exportCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  return readCommand({
    name: 'export',
    summary: 'write the loaded tables as Parquet, partitioned by day and source, for DuckDB, Trino or Spark',
    description:
      'Load the logs and write every loaded table (events, llm_calls, spans, errors, error_records, session_index, ' +
      'line_issues, sessions, files) as zstd-compressed Parquet under <dir>/<table>/, the record tables partitioned ' +
      'Hive-style by day=YYYY-MM-DD (UTC; records without a time under day=__HIVE_DEFAULT_PARTITION__) and source=<kind>. ' +
      'obs reads an export back with --logs <dir>. Secrets are redacted as in every output unless --no-redact. ' +
      'The folder must be new or empty; --overwrite replaces a previous export. Exit code 73 when the folder cannot be written.',
    filters: false,
    own: (cmd) =>
      cmd
        .requiredOption('--parquet <dir>', 'the folder to write the export to (new or empty)')
        .option('--overwrite', 'replace a previous obs export in <dir> (refused when <dir> holds anything else)'),
    examples: [
      'obs export --parquet ./export --logs ./logs',
      'obs export --parquet ./export --overwrite --json',
      'obs errors --logs ./export',
      "obs export --parquet ./export && duckdb -c \"SELECT source, count(*) FROM read_parquet('export/events/**/*.parquet', hive_partitioning = true) GROUP BY source\"",
    ],
  }).action((opts: ExportOptions) => run(runExport(ctx, opts)));
}
