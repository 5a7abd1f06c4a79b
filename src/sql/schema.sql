-- The tables obs loads. Every record table shares the same leading columns,
-- so one filter works on all of them and every row says where it came from.

CREATE TABLE files (
  path        VARCHAR NOT NULL,
  kind        VARCHAR NOT NULL,
  status      VARCHAR NOT NULL,
  size_bytes  BIGINT,
  lines       BIGINT NOT NULL DEFAULT 0,
  records     BIGINT NOT NULL DEFAULT 0,
  rejected    BIGINT NOT NULL DEFAULT 0,
  repaired    BIGINT NOT NULL DEFAULT 0,
  blank       BIGINT NOT NULL DEFAULT 0,
  untimed     BIGINT NOT NULL DEFAULT 0,
  first_ts    TIMESTAMPTZ,
  last_ts     TIMESTAMPTZ,
  formats     JSON,
  note        VARCHAR
);
COMMENT ON TABLE files IS 'One row per file found: its kind, line accounting and time range.';
COMMENT ON COLUMN files.status IS 'loaded, unreadable, or skipped (not a log: binary, or a kind obs does not load yet).';
COMMENT ON COLUMN files.lines IS 'Physical lines read; lines = lines inside records + rejected + blank.';
COMMENT ON COLUMN files.records IS 'Rows loaded from the file (a record may span several lines, e.g. a traceback).';
COMMENT ON COLUMN files.rejected IS 'Lines that could not be parsed; each is kept as an event with parse_error set.';
COMMENT ON COLUMN files.untimed IS 'Records with no time of their own (crash dumps, lines without a timestamp): time filters never select them.';
COMMENT ON COLUMN files.formats IS 'Records read by each log format, e.g. {"pino": 120, "text": 1}; a file may mix formats.';
COMMENT ON COLUMN files.repaired IS 'Lines loaded after replacing invalid UTF-8 or removing NUL bytes.';

CREATE TABLE line_issues (
  source_file VARCHAR NOT NULL,
  source_line BIGINT NOT NULL,
  problem     VARCHAR NOT NULL,
  reason      VARCHAR NOT NULL,
  excerpt     VARCHAR
);
COMMENT ON TABLE line_issues IS 'Every rejected or repaired line, with file:line and the reason.';
COMMENT ON COLUMN line_issues.problem IS 'rejected (kept as a raw event) or repaired (loaded after fixing the bytes).';

CREATE TABLE events (
  ts          TIMESTAMPTZ,
  source_file VARCHAR NOT NULL,
  source_line BIGINT NOT NULL,
  source_kind VARCHAR NOT NULL,
  format      VARCHAR,
  session_key VARCHAR,
  thread_ts   VARCHAR,
  channel_id  VARCHAR,
  stage       VARCHAR,
  trace_id    VARCHAR,
  span_id     VARCHAR,
  request_id  VARCHAR,
  run_id      VARCHAR,
  workflow_id VARCHAR,
  category    VARCHAR,
  level       VARCHAR,
  event       VARCHAR,
  message     VARCHAR,
  logger      VARCHAR,
  parse_error VARCHAR,
  raw         JSON,
  linked_ids  VARCHAR
);
COMMENT ON TABLE events IS 'Every log record: session-log events, application-log lines, audit-log exceptions, rejected lines.';
COMMENT ON COLUMN events.ts IS 'Record time in UTC (naive times are read in --tz).';
COMMENT ON COLUMN events.format IS 'The log format that read the record (obs formats lists them): pino, structlog, python_logging, logfmt, text, ...; NULL for rejected lines.';
COMMENT ON COLUMN events.level IS 'Normalised level: trace, debug, info, warn, error or fatal.';
COMMENT ON COLUMN events.event IS 'Event name (event, event_type) when the record has one.';
COMMENT ON COLUMN events.message IS 'Message text; for text lines the line itself, with continuation lines (tracebacks) appended.';
COMMENT ON COLUMN events.parse_error IS 'Why the line could not be parsed; the line text is in message.';
COMMENT ON COLUMN events.linked_ids IS 'The correlation ids obs filled in from other records because this one left them out (thread_ts, channel_id, session_key, comma-separated); NULL when the record carried its own.';
COMMENT ON COLUMN events.raw IS 'The record as JSON: a JSON line exactly as logged, the JSON message of a text line, or the fields a text format read (logfmt pairs, access-log fields); NULL for plain text.';

CREATE TABLE llm_calls (
  ts                TIMESTAMPTZ,
  source_file       VARCHAR NOT NULL,
  source_line       BIGINT NOT NULL,
  session_key       VARCHAR,
  thread_ts         VARCHAR,
  channel_id        VARCHAR,
  stage             VARCHAR,
  trace_id          VARCHAR,
  span_id           VARCHAR,
  request_id        VARCHAR,
  run_id            VARCHAR,
  workflow_id       VARCHAR,
  category          VARCHAR,
  agent             VARCHAR,
  model             VARCHAR,
  status            VARCHAR,
  call_label        VARCHAR,
  function          VARCHAR,
  prompt_tokens     BIGINT,
  completion_tokens BIGINT,
  total_tokens      BIGINT,
  cache_read_tokens BIGINT,
  cache_write_tokens BIGINT,
  reasoning_tokens  BIGINT,
  usage_source      VARCHAR,
  cost_usd          DOUBLE,
  cost_source       VARCHAR NOT NULL,
  cost_detail       JSON NOT NULL,
  price_table       VARCHAR,
  latency_ms        DOUBLE,
  error             VARCHAR,
  raw               JSON,
  linked_ids        VARCHAR
);
COMMENT ON TABLE llm_calls IS 'One row per LLM call in the llm_io audit log.';
COMMENT ON COLUMN llm_calls.prompt_tokens IS 'Every input token, cache reads and writes included (Anthropic''s input_tokens plus its cache counts).';
COMMENT ON COLUMN llm_calls.completion_tokens IS 'Every output token, reasoning included (Gemini''s candidates plus thoughts).';
COMMENT ON COLUMN llm_calls.total_tokens IS 'As logged, or prompt_tokens + completion_tokens when absent.';
COMMENT ON COLUMN llm_calls.cache_read_tokens IS 'Part of prompt_tokens read from the provider''s cache.';
COMMENT ON COLUMN llm_calls.cache_write_tokens IS 'Part of prompt_tokens written to the provider''s cache.';
COMMENT ON COLUMN llm_calls.reasoning_tokens IS 'Part of completion_tokens spent on reasoning.';
COMMENT ON COLUMN llm_calls.usage_source IS 'Where the token counts were read, e.g. response_excerpt.usage (openai_chat).';
COMMENT ON COLUMN llm_calls.cost_usd IS 'The call''s cost in USD; NULL when unknown (never 0 for unknown).';
COMMENT ON COLUMN llm_calls.cost_source IS 'logged (the record carried it), computed (tokens x a price) or unknown.';
COMMENT ON COLUMN llm_calls.cost_detail IS 'How cost_usd was reached: the logged field; or the price table, rates per million tokens, tokens and USD by type; or why it is unknown.';
COMMENT ON COLUMN llm_calls.price_table IS 'The price table that computed cost_usd (cost_detail.table, e.g. genai-prices 0.1.8 or config prices[0]); NULL unless cost_source is computed.';
COMMENT ON COLUMN llm_calls.linked_ids IS 'The correlation ids obs filled in from other records (thread_ts, channel_id, session_key, comma-separated); NULL when the record carried its own.';
COMMENT ON COLUMN llm_calls.latency_ms IS 'Call latency when the record carries it (latency_ms, duration_ms); NULL otherwise.';

CREATE TABLE spans (
  ts             TIMESTAMPTZ,
  source_file    VARCHAR NOT NULL,
  source_line    BIGINT NOT NULL,
  session_key    VARCHAR,
  thread_ts      VARCHAR,
  channel_id     VARCHAR,
  stage          VARCHAR,
  trace_id       VARCHAR,
  span_id        VARCHAR,
  request_id     VARCHAR,
  run_id         VARCHAR,
  workflow_id    VARCHAR,
  category       VARCHAR,
  parent_span_id VARCHAR,
  name           VARCHAR NOT NULL,
  kind           VARCHAR NOT NULL,
  service        VARCHAR,
  scope          VARCHAR,
  end_ts         TIMESTAMPTZ,
  duration_ms    DOUBLE,
  status         VARCHAR NOT NULL,
  status_message VARCHAR,
  attributes     JSON NOT NULL,
  resource       JSON NOT NULL,
  events         JSON NOT NULL,
  links          JSON NOT NULL
);
COMMENT ON TABLE spans IS 'OpenTelemetry spans from OTLP/JSON exports (one export request per line, as the Collector''s file exporter writes).';
COMMENT ON COLUMN spans.ts IS 'Span start (UTC); end_ts is its end.';
COMMENT ON COLUMN spans.kind IS 'internal, server, client, producer, consumer or unspecified.';
COMMENT ON COLUMN spans.status IS 'unset, ok or error; status_message says why.';
COMMENT ON COLUMN spans.duration_ms IS 'end - start, from the nanosecond times.';
COMMENT ON COLUMN spans.session_key IS 'Correlation ids from the span attributes: common names, session.id, or a namespaced key ending in one (slack.thread_ts).';
COMMENT ON COLUMN spans.events IS 'Span events [{name, ts, attributes}]; each is also a row of events, and an exception event an error.';

CREATE TABLE session_index (
  session_key  VARCHAR,
  thread_ts    VARCHAR,
  channel_id   VARCHAR,
  user_id      VARCHAR,
  planned_date VARCHAR,
  created_at   TIMESTAMPTZ,
  log_path     VARCHAR,
  log_file     VARCHAR,
  pid          BIGINT,
  source_file  VARCHAR NOT NULL,
  source_line  BIGINT NOT NULL
);
COMMENT ON TABLE session_index IS 'Entries of timeboxing_session_index.jsonl; log_file is where log_path was found, NULL when the file is gone.';

CREATE TABLE error_records (
  record_id    BIGINT NOT NULL,
  ts           TIMESTAMPTZ,
  source_file  VARCHAR NOT NULL,
  source_line  BIGINT NOT NULL,
  source_kind  VARCHAR NOT NULL,
  session_key  VARCHAR,
  thread_ts    VARCHAR,
  channel_id   VARCHAR,
  stage        VARCHAR,
  trace_id     VARCHAR,
  span_id      VARCHAR,
  request_id   VARCHAR,
  run_id       VARCHAR,
  workflow_id  VARCHAR,
  category     VARCHAR,
  level        VARCHAR,
  kind         VARCHAR NOT NULL,
  language     VARCHAR,
  error_type   VARCHAR,
  message      VARCHAR,
  frames       JSON,
  chain        JSON,
  traceback    VARCHAR,
  logger       VARCHAR,
  context_from VARCHAR NOT NULL,
  ts_from      VARCHAR,
  error_id     VARCHAR,
  test_id      VARCHAR
);
COMMENT ON TABLE error_records IS 'Every place an error was seen: a traceback in a log record or JSON field, an error-level record, a failed LLM call, a crash dump.';
COMMENT ON COLUMN error_records.kind IS 'exception (a traceback or a typed error), crash (a faulthandler dump), or log (an error-level record without an exception).';
COMMENT ON COLUMN error_records.context_from IS 'Where session, thread, stage and trace came from: record (its own fields), line (ids written in the line that introduced the traceback), reference (a record naming this crash file), nearby (records of the same file within 10 s, all of one session), merged (from the other sightings of the same error), none.';
COMMENT ON COLUMN error_records.ts_from IS 'record, or file_name when a crash file had no time of its own and no record named it.';
COMMENT ON COLUMN error_records.error_id IS 'The occurrence (row of errors) this sighting was merged into.';
COMMENT ON COLUMN error_records.test_id IS 'The test a test runner reported failing (pytest''s node id, node:test''s suite > test names); NULL for errors found in logs.';

CREATE TABLE errors (
  error_id     VARCHAR NOT NULL,
  ts           TIMESTAMPTZ,
  last_ts      TIMESTAMPTZ,
  source_file  VARCHAR NOT NULL,
  source_line  BIGINT NOT NULL,
  source_kind  VARCHAR NOT NULL,
  session_key  VARCHAR,
  thread_ts    VARCHAR,
  channel_id   VARCHAR,
  stage        VARCHAR,
  trace_id     VARCHAR,
  span_id      VARCHAR,
  request_id   VARCHAR,
  run_id       VARCHAR,
  workflow_id  VARCHAR,
  category     VARCHAR,
  level        VARCHAR,
  kind         VARCHAR NOT NULL,
  language     VARCHAR,
  error_type   VARCHAR,
  message      VARCHAR,
  frames       JSON,
  chain        JSON,
  traceback    VARCHAR,
  logger       VARCHAR,
  context_from VARCHAR NOT NULL,
  fingerprint  VARCHAR NOT NULL,
  seen_count   BIGINT NOT NULL,
  seen_in      JSON NOT NULL,
  test_id      VARCHAR
);
COMMENT ON TABLE errors IS 'One row per failure: the sightings of one exception in several files merged into one occurrence.';
COMMENT ON COLUMN errors.error_id IS 'Stable id of the occurrence (same inputs, same id).';
COMMENT ON COLUMN errors.ts IS 'First sighting.';
COMMENT ON COLUMN errors.source_file IS 'The sighting with the fullest traceback; every sighting is in seen_in.';
COMMENT ON COLUMN errors.error_type IS 'The final exception''s type, as qualified as any sighting wrote it.';
COMMENT ON COLUMN errors.frames IS 'List of {file, line, function, code}, outermost first, innermost (where it was raised) last.';
COMMENT ON COLUMN errors.chain IS 'Linked exceptions, nearest first: {relation: cause|context|group_member|thread, depth, type, message, frames}.';
COMMENT ON COLUMN errors.fingerprint IS 'Type + innermost application frames (file and function, no line numbers); without frames, type + message with numbers and ids blanked.';
COMMENT ON COLUMN errors.seen_in IS 'Every sighting: {source_file, source_line, source_kind, ts}.';
COMMENT ON COLUMN errors.test_id IS 'The test that failed, when a test runner reported the error (pytest''s node id, node:test''s suite > test names).';
