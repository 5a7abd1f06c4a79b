/** The record tables as the filters see them: column names and types. */
import type { TableSpec } from '../../filters/filters.js';
import { CORRELATION_COLUMNS } from '../../sources/fields.js';

const correlation = Object.fromEntries(CORRELATION_COLUMNS.map((c) => [c, 'string' as const]));

export const EVENTS: TableSpec = {
  name: 'events',
  raw: 'raw',
  columns: {
    ts: 'timestamp',
    source_file: 'string',
    source_line: 'number',
    source_kind: 'string',
    ...correlation,
    format: 'string',
    level: 'string',
    event: 'string',
    message: 'string',
    logger: 'string',
    parse_error: 'string',
  },
};

/** Spans: a field that is not a column is looked up among the span attributes. */
export const SPANS: TableSpec = {
  name: 'spans',
  raw: 'attributes',
  columns: {
    ts: 'timestamp',
    source_file: 'string',
    source_line: 'number',
    ...correlation,
    parent_span_id: 'string',
    name: 'string',
    kind: 'string',
    service: 'string',
    status: 'string',
    duration_ms: 'number',
  },
};

export const LLM_CALLS: TableSpec = {
  name: 'llm_calls',
  raw: 'raw',
  columns: {
    ts: 'timestamp',
    source_file: 'string',
    source_line: 'number',
    ...correlation,
    agent: 'string',
    model: 'string',
    status: 'string',
    call_label: 'string',
    function: 'string',
    prompt_tokens: 'number',
    completion_tokens: 'number',
    total_tokens: 'number',
    cache_read_tokens: 'number',
    cache_write_tokens: 'number',
    reasoning_tokens: 'number',
    cost_usd: 'number',
    cost_source: 'string',
    usage_source: 'string',
    latency_ms: 'number',
    error: 'string',
  },
};

export const SESSIONS: TableSpec = {
  name: 'sessions',
  columns: {
    session_key: 'string',
    thread_ts: 'string',
    channel_id: 'string',
    user_id: 'string',
    planned_date: 'string',
    first_ts: 'timestamp',
    last_ts: 'timestamp',
    duration_ms: 'number',
    last_event: 'string',
    event_count: 'number',
    error_count: 'number',
    warning_count: 'number',
    llm_call_count: 'number',
    llm_error_count: 'number',
    prompt_tokens: 'number',
    completion_tokens: 'number',
    total_tokens: 'number',
    cost_usd: 'number',
    cost_unknown_calls: 'number',
    log_file: 'string',
    log_missing: 'boolean',
  },
};

export const ERRORS: TableSpec = {
  name: 'errors',
  columns: {
    error_id: 'string',
    ts: 'timestamp',
    last_ts: 'timestamp',
    source_file: 'string',
    source_line: 'number',
    source_kind: 'string',
    ...correlation,
    level: 'string',
    kind: 'string',
    language: 'string',
    error_type: 'string',
    message: 'string',
    traceback: 'string',
    logger: 'string',
    context_from: 'string',
    fingerprint: 'string',
    seen_count: 'number',
    test_id: 'string',
  },
};

/** Columns of errors that hold JSON, parsed before output. */
export const ERROR_JSON_COLUMNS = ['frames', 'chain', 'seen_in'] as const;
