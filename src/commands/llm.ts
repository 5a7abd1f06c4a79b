/**
 * `obs llm`: LLM calls, one per row with tokens by type and cost with its
 * source, or rolled up with --by (calls, errors, tokens by type, known cost
 * and the calls without one, latency percentiles where latency is known).
 */
import { Command } from 'commander';
import type { Context } from '../context.js';
import { SqlParams } from '../db/params.js';
import type { ExitCode } from '../errors.js';
import { matchText, recordConditions } from '../filters/filters.js';
import { formatUsd, type Column, type Row } from '../output/render.js';
import { PRICE_TABLE } from '../llm/prices.js';
import { output, outputStream, readCommand, withSources } from './shared/command.js';
import type { CommonOptions } from './shared/options.js';
import { GROUP_KEYS, parseGroupKeys, rollupWithTotals, unknownCostReasons } from './shared/llm-rollup.js';
import { parseJsonFields, parseRaw, streamPage } from './shared/query.js';
import { LLM_CALLS } from './shared/tables.js';
import { addFollowOption, follower } from '../follow/follow.js';
import { LLM_IDENTITY } from '../follow/identity.js';

export interface LlmOptions extends CommonOptions {
  model?: string;
  status?: string;
  callLabel?: string;
  by?: string;
}

const tokens = (key: string, header: string): Column => ({ key, header, align: 'right' });

const CALL_COLUMNS: Column[] = [
  { key: 'ts' },
  { key: 'model' },
  { key: 'status', level: true },
  { key: 'stage' },
  { key: 'call_label' },
  tokens('prompt_tokens', 'input'),
  tokens('cache_read_tokens', 'cached'),
  tokens('completion_tokens', 'output'),
  tokens('reasoning_tokens', 'reasoning'),
  { key: 'cost_usd', header: 'cost', align: 'right', text: (v) => formatUsd(v, 6) },
  { key: 'cost_source', header: 'cost_from' },
  { key: 'latency_ms', align: 'right' },
  { key: 'session_key', header: 'session', flex: true },
];

const ROLLUP_COLUMNS: Column[] = [
  { key: 'calls', align: 'right' },
  { key: 'errors', align: 'right' },
  tokens('prompt_tokens', 'input'),
  tokens('cache_read_tokens', 'cached'),
  tokens('cache_write_tokens', 'cache_write'),
  tokens('completion_tokens', 'output'),
  tokens('reasoning_tokens', 'reasoning'),
  { key: 'cost_usd', header: 'cost', align: 'right', text: (v) => formatUsd(v) },
  { key: 'cost_unknown_calls', header: 'no_cost', align: 'right' },
  { key: 'latency_p50_ms', header: 'p50_ms', align: 'right' },
  { key: 'latency_p90_ms', header: 'p90_ms', align: 'right' },
  { key: 'latency_p95_ms', header: 'p95_ms', align: 'right' },
  { key: 'latency_p99_ms', header: 'p99_ms', align: 'right' },
];

/** "6 of 58 LLM calls have no known cost, and cost sums the other 52: 6 × the call logged no token counts". */
function unknownCostNote(totals: Row, reasons: Array<{ reason: string; calls: number }>): string | null {
  const unknown = Number(totals['cost_unknown_calls'] ?? 0);
  const calls = Number(totals['calls'] ?? 0);
  if (unknown === 0) return null;
  const why = reasons.map((r) => `${r.calls} × ${r.reason}`).join('; ');
  return `${unknown} of ${calls} LLM calls have no known cost, and cost sums the other ${calls - unknown}: ${why}`;
}

export async function runLlm(ctx: Context, o: LlmOptions): Promise<ExitCode> {
  const groupKeys = o.by === undefined ? null : parseGroupKeys(o.by);
  return (o.follow ? follower(LLM_IDENTITY) : withSources)(ctx, o, async (s) => {
    const params = new SqlParams();
    const conds = recordConditions(s.filters, LLM_CALLS, params);
    if (o.model !== undefined) conds.push(matchText('model', o.model, params));
    if (o.status !== undefined) conds.push(`status = ${params.add(o.status)}`);
    if (o.callLabel !== undefined) conds.push(matchText('call_label', o.callLabel, params));

    if (groupKeys !== null) {
      const { groups: rows, totals } = await rollupWithTotals(s.db, conds, params, groupKeys);
      // The reasons are read only when some call has no known cost (with every price known, that is a scan saved).
      const reasons = Number(totals['cost_unknown_calls'] ?? 0) > 0 ? await unknownCostReasons(s.db, conds, params) : [];
      const note = unknownCostNote(totals, reasons);
      if (note !== null) s.report.note(note);
      const truncated = s.limit !== null && rows.length > s.limit;
      output(ctx, s, {
        noun: 'groups',
        columns: [...groupKeys.map((k) => ({ key: k })), ...ROLLUP_COLUMNS],
        rows: truncated ? rows.slice(0, s.limit ?? 0) : rows,
        fields: [...groupKeys, ...Object.keys(totals)],
        meta: { by: groupKeys, price_table: PRICE_TABLE, totals, cost_unknown_reasons: reasons },
        empty: 'no LLM calls matched',
        truncated,
        footer: rows.length > 1 ? [{ ...totals, [groupKeys[0] ?? 'total']: 'total' }] : [],
      });
      return;
    }
    const page = await streamPage(s.db, { file: 'llm_calls.sql', table: LLM_CALLS, conds, params, orderBy: 'ts NULLS LAST, source_file, source_line' }, s.limit);
    await outputStream(ctx, s, {
      noun: 'llm_calls',
      columns: CALL_COLUMNS,
      page,
      map: (chunk) => parseJsonFields(parseRaw(chunk), ['cost_detail']),
      meta: { price_table: PRICE_TABLE },
      empty: 'no LLM calls matched',
    });
  });
}

export function llmCommand(ctx: Context, run: (p: Promise<ExitCode>) => void): Command {
  return readCommand({
    name: 'llm',
    summary: 'list LLM calls with tokens and cost, or roll them up by model, stage, session, hour...',
    description:
      'List LLM calls from the llm_io audit log: model, status, tokens by type (input, cached, output, reasoning), cost and where it ' +
      'comes from (logged, computed from a price table, or unknown), and latency; --by rolls them up with latency percentiles.\n\n' +
      'Prices come from the config file\'s "prices", then the shipped table (@pydantic/genai-prices).',
    own: (cmd) =>
      addFollowOption(cmd)
        .option('--model <name>', 'only this model (wildcards allowed: gpt-4*)')
        .option('--status <status>', 'only calls with this status (ok, error)')
        .option('--call-label <label>', 'only this call label (wildcards allowed)')
        .option('--by <keys>', `roll up by ${Object.keys(GROUP_KEYS).join('|')} (comma-separated for several)`),
    examples: [
      'obs llm --thread 1795299499.694654',
      'obs llm --by model',
      'obs llm --by stage,model --status error',
      'obs llm --by day --since 7d',
      "obs llm --follow --ndjson | jq -c '{ts, model, status, total_tokens, cost_usd}'",
      "obs llm --thread 1795299499.694654 --json | jq '[.llm_calls[].cost_usd // empty] | add'",
    ],
  }).action((opts: LlmOptions) => run(runLlm(ctx, opts)));
}
