/**
 * `obs llm`: LLM calls from the audit log, one per row, or rolled up with
 * --by (calls, errors, tokens, latency percentiles where latency is known).
 */
import { Command } from 'commander';
import type { Context } from '../context.js';
import { SqlParams } from '../db/params.js';
import type { ExitCode } from '../errors.js';
import { matchText, recordConditions } from '../filters/filters.js';
import type { Column } from '../output/render.js';
import { output, readCommand, withSources } from './shared/command.js';
import type { CommonOptions } from './shared/options.js';
import { GROUP_KEYS, parseGroupKeys, rollupLlmCalls } from './shared/llm-rollup.js';
import { parseRaw, selectPage } from './shared/query.js';
import { LLM_CALLS } from './shared/tables.js';

export interface LlmOptions extends CommonOptions {
  model?: string;
  status?: string;
  callLabel?: string;
  by?: string;
}

const CALL_COLUMNS: Column[] = [
  { key: 'ts' },
  { key: 'model' },
  { key: 'status', level: true },
  { key: 'stage' },
  { key: 'call_label' },
  { key: 'prompt_tokens', header: 'prompt', align: 'right' },
  { key: 'completion_tokens', header: 'completion', align: 'right' },
  { key: 'total_tokens', header: 'total', align: 'right' },
  { key: 'latency_ms', align: 'right' },
  { key: 'session_key', header: 'session', flex: true },
];

const ROLLUP_COLUMNS: Column[] = [
  { key: 'calls', align: 'right' },
  { key: 'errors', align: 'right' },
  { key: 'prompt_tokens', header: 'prompt', align: 'right' },
  { key: 'completion_tokens', header: 'completion', align: 'right' },
  { key: 'total_tokens', header: 'total', align: 'right' },
  { key: 'latency_p50_ms', header: 'p50_ms', align: 'right' },
  { key: 'latency_p95_ms', header: 'p95_ms', align: 'right' },
];

export async function runLlm(ctx: Context, o: LlmOptions): Promise<ExitCode> {
  const groupKeys = o.by === undefined ? null : parseGroupKeys(o.by);
  return withSources(ctx, o, async (s) => {
    const params = new SqlParams();
    const conds = recordConditions(s.filters, LLM_CALLS, params);
    if (o.model !== undefined) conds.push(matchText('model', o.model, params));
    if (o.status !== undefined) conds.push(`status = ${params.add(o.status)}`);
    if (o.callLabel !== undefined) conds.push(matchText('call_label', o.callLabel, params));

    if (groupKeys !== null) {
      const rows = await rollupLlmCalls(s.db, conds, params, groupKeys);
      const columns = [...groupKeys.map((k) => ({ key: k })), ...ROLLUP_COLUMNS];
      const truncated = s.limit !== null && rows.length > s.limit;
      output(ctx, s, {
        noun: 'groups',
        columns,
        rows: truncated ? rows.slice(0, s.limit ?? 0) : rows,
        meta: { by: groupKeys },
        empty: 'no LLM calls matched',
        truncated,
      });
      return;
    }
    const page = await selectPage(s.db, 'llm_calls.sql', LLM_CALLS, conds, params, 'ts NULLS LAST, source_file, source_line', s.limit);
    output(ctx, s, { noun: 'llm_calls', columns: CALL_COLUMNS, rows: parseRaw(page.rows), empty: 'no LLM calls matched', truncated: page.truncated });
  });
}

export function llmCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  return readCommand({
    name: 'llm',
    summary: 'list LLM calls, or roll them up by model, stage, call label or session',
    description: 'List LLM calls from the llm_io audit log: model, status, tokens and latency; --by rolls them up.',
    own: (cmd) =>
      cmd
        .option('--model <name>', 'only this model (wildcards allowed: gpt-4*)')
        .option('--status <status>', 'only calls with this status (ok, error)')
        .option('--call-label <label>', 'only this call label (wildcards allowed)')
        .option('--by <keys>', `roll up by ${Object.keys(GROUP_KEYS).join('|')} (comma-separated for several)`),
    examples: [
      'obs llm --thread 1795299499.694654',
      'obs llm --by model',
      'obs llm --by stage,model --status error',
      "obs llm --thread 1795299499.694654 --json | jq '[.llm_calls[].total_tokens] | add'",
    ],
  }).action((opts: LlmOptions) => run(runLlm(ctx, opts)));
}
