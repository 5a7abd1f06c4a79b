/**
 * The formats obs knows without configuration, each with lines written by the
 * library it describes (from the bundled fixtures). Text formats are tried in
 * this order, so a specific one comes before a general one; JSON formats are
 * scored (the one whose requirements the record meets in greatest number
 * wins). A test parses every sample with its own format and checks that no
 * other format claims it first.
 */
import type { FormatInput } from './definition.js';

const LEVEL = '(?<level>TRACE|DEBUG|INFO|NOTICE|WARNING|WARN|ERROR|CRITICAL|FATAL|trace|debug|info|notice|warning|warn|error|critical|fatal)';
const ASCTIME = String.raw`(?<ts>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?)`;
/** Uvicorn pads the level to 9 columns: `INFO:     `. */
const UVICORN_LEVEL = '(?<level>TRACE|DEBUG|INFO|WARNING|ERROR|CRITICAL):';

export const BUILTIN_FORMATS: readonly FormatInput[] = [
  // ---- JSON ----------------------------------------------------------------
  {
    name: 'pino',
    description: 'pino (Node): epoch-millisecond time, numeric levels 10-60, msg, err with stack',
    type: 'json',
    require: { level: 'number', time: 'number', pid: 'number' },
    fields: { ts: 'time', level: 'level', message: 'msg', logger: ['name', 'module'], request_id: ['reqId', 'req.id', 'request_id'] },
    time: 'epoch_ms',
    levels: { '10': 'trace', '20': 'debug', '30': 'info', '40': 'warn', '50': 'error', '60': 'fatal' },
    samples: [
      {
        line: '{"level":30,"time":1795299496333,"pid":7825,"hostname":"vm","service":"planner-gateway","version":"0.1.0","trace_id":"8b091be36484c8764f66cb4124c1401e","span_id":"ae28be5ed4d7699c","route":"/slack/events","msg":"answered url_verification challenge"}',
        expect: { ts: '2026-11-21T22:18:16.333Z', level: 'info', message: 'answered url_verification challenge', trace_id: '8b091be36484c8764f66cb4124c1401e', span_id: 'ae28be5ed4d7699c' },
      },
    ],
  },
  {
    name: 'bunyan',
    description: 'bunyan (Node): v, name, hostname, pid, numeric level, ISO time, msg',
    type: 'json',
    require: { v: 'number', name: 'string', hostname: 'string', pid: 'number', level: 'number', time: 'string', msg: 'any' },
    fields: { ts: 'time', level: 'level', message: 'msg', logger: 'name', request_id: ['req_id', 'reqId'] },
    levels: { '10': 'trace', '20': 'debug', '30': 'info', '40': 'warn', '50': 'error', '60': 'fatal' },
    samples: [
      {
        line: '{"name":"gateway-audit","hostname":"vm","pid":6116,"level":30,"thread_ts":"1795400000.000100","session_key":"C0FMT00001:1795400000.000100","user":"U0FMTUSER1","action":"agent.turn.dispatch","trace_id":"758cf417b3059ccd6607af41f8a9225b","span_id":"3ccee54453622d2e","msg":"agent turn dispatched","time":"2026-11-22T00:29:48.790Z","v":0}',
        expect: { ts: '2026-11-22T00:29:48.790Z', level: 'info', logger: 'gateway-audit', message: 'agent turn dispatched', thread_ts: '1795400000.000100', trace_id: '758cf417b3059ccd6607af41f8a9225b' },
      },
    ],
  },
  {
    name: 'winston',
    description: 'winston json (Node): level name, message, timestamp, stack when logged with errors({stack: true})',
    type: 'json',
    require: { level: 'string', message: 'any', timestamp: 'string' },
    fields: { ts: 'timestamp', level: 'level', message: 'message', logger: ['logger', 'label'] },
    levels: { http: 'debug', verbose: 'debug', silly: 'trace' },
    samples: [
      {
        line: '{"level":"info","message":"answered url_verification challenge","service":"planner-gateway","timestamp":"2026-11-21T22:18:16.333Z","trace_id":"8b091be36484c8764f66cb4124c1401e"}',
        expect: { ts: '2026-11-21T22:18:16.333Z', level: 'info', message: 'answered url_verification challenge', trace_id: '8b091be36484c8764f66cb4124c1401e' },
      },
    ],
  },
  {
    name: 'structlog',
    description: 'structlog JSONRenderer (Python): event, level, timestamp, logger, exception',
    type: 'json',
    require: { event: 'string', level: 'string', timestamp: 'any' },
    fields: { ts: 'timestamp', level: 'level', event: 'event', logger: 'logger' },
    samples: [
      {
        line: '{"component": "durable_store", "session_key": "C0AA6HC1RJL:1795299499.694654", "thread_ts": "1795299499.694654", "stage": "collect", "request_id": "job-5c25213e2abd", "trace_id": "e43b0cd1f43243f761c484e3e08276ea", "kind": "persist_constraints", "queue_wait_ms": 0.6, "event": "job_dequeued", "level": "debug", "timestamp": "2026-11-21T22:18:20.590241Z"}',
        expect: { ts: '2026-11-21T22:18:20.590241Z', level: 'debug', event: 'job_dequeued', message: null, session_key: 'C0AA6HC1RJL:1795299499.694654', request_id: 'job-5c25213e2abd' },
      },
    ],
  },
  {
    name: 'json_envelope',
    description: 'the JSON envelope of Python logging formatters: ts, level, logger, message, exc',
    type: 'json',
    require: { ts: 'string', level: 'string', logger: 'string', message: 'any' },
    fields: { ts: 'ts', level: 'level', logger: 'logger', message: 'message' },
    samples: [
      {
        line: '{"ts": "2026-11-21T22:18:19.704Z", "level": "info", "logger": "planner.agents.timeboxing.agent", "message": "turn start session=C0AA6HC1RJL:1795299499.694654 stage=collect turn=1 trace_id=e43b0cd1f43243f761c484e3e08276ea", "session_key": "C0AA6HC1RJL:1795299499.694654", "trace_id": "e43b0cd1f43243f761c484e3e08276ea", "span_id": "13ed31e93a5614be", "stage": "collect", "thread_ts": "1795299499.694654", "channel_id": "C0AA6HC1RJL"}',
        expect: { ts: '2026-11-21T22:18:19.704Z', level: 'info', logger: 'planner.agents.timeboxing.agent', stage: 'collect', thread_ts: '1795299499.694654' },
      },
    ],
  },
  {
    name: 'json',
    description: 'any other JSON object per line: time, level, message and ids by their common names',
    type: 'json',
  },

  // ---- text ----------------------------------------------------------------
  {
    name: 'python_logging',
    description: 'Python logging, "%(asctime)s %(levelname)s [%(name)s] %(message)s"; tracebacks continue the record',
    type: 'regex',
    pattern: `^${ASCTIME} ${LEVEL} \\[(?<logger>[^\\]\\s]+)\\] ?(?<message>.*)$`,
    multiline: true,
    samples: [
      {
        line: '2026-11-21 22:18:30,766 WARNING [planner.llm.client] LLM rate limited (call_label=collect_constraints model=gpt-4.1); retrying once with fallback model gpt-4o-mini',
        expect: { ts: '2026-11-21T22:18:30.766Z', level: 'warn', logger: 'planner.llm.client', message: 'LLM rate limited (call_label=collect_constraints model=gpt-4.1); retrying once with fallback model gpt-4o-mini' },
      },
    ],
  },
  {
    name: 'python_logging_dashes',
    description: 'Python logging, "%(asctime)s - %(name)s - %(levelname)s - %(message)s"',
    type: 'regex',
    pattern: `^${ASCTIME} - (?<logger>\\S+) - ${LEVEL} - (?<message>.*)$`,
    multiline: true,
    samples: [
      {
        line: '2026-11-22 00:23:58,885 - planner.agent - WARNING - stage plan took 2.4s thread_ts=1795299499.694654',
        expect: { ts: '2026-11-22T00:23:58.885Z', level: 'warn', logger: 'planner.agent', message: 'stage plan took 2.4s thread_ts=1795299499.694654' },
      },
    ],
  },
  {
    name: 'python_basic',
    description: 'Python logging.basicConfig() default, "%(levelname)s:%(name)s:%(message)s" (no time)',
    type: 'regex',
    pattern: '^(?<level>DEBUG|INFO|WARNING|ERROR|CRITICAL):(?<logger>[\\w.\\-]+):(?<message>.*)$',
    multiline: true,
    samples: [
      {
        line: 'WARNING:planner.agent:stage plan took 2.4s thread_ts=1795299499.694654',
        expect: { ts: null, level: 'warn', logger: 'planner.agent', message: 'stage plan took 2.4s thread_ts=1795299499.694654' },
      },
    ],
  },
  {
    name: 'uvicorn_access',
    description: 'uvicorn access log: client, request line, status',
    type: 'regex',
    pattern: `^${UVICORN_LEVEL}\\s+(?<client>\\S+) - "(?<method>[A-Z]+) (?<path>\\S+) (?<protocol>[^"]+)" (?<status>\\d{3})(?: (?<reason>.*))?$`,
    samples: [
      {
        line: 'INFO:     127.0.0.1:37244 - "POST /agent/turn HTTP/1.1" 200 OK',
        expect: { ts: null, level: 'info', message: 'INFO:     127.0.0.1:37244 - "POST /agent/turn HTTP/1.1" 200 OK' },
      },
    ],
  },
  {
    name: 'level_prefix',
    description: 'uvicorn console lines and any "LEVEL:  message" line, with no time; tracebacks continue the record',
    type: 'regex',
    pattern: `^${UVICORN_LEVEL}\\s+(?<message>.*)$`,
    multiline: true,
    samples: [
      {
        line: 'INFO:     Started server process [7824]',
        expect: { ts: null, level: 'info', message: 'Started server process [7824]' },
      },
    ],
  },
  {
    name: 'flask',
    description: 'Flask / werkzeug, "[%(asctime)s] %(levelname)s in %(module)s: %(message)s"',
    type: 'regex',
    pattern: `^\\[${ASCTIME}\\] ${LEVEL} in (?<logger>[\\w.]+): (?<message>.*)$`,
    multiline: true,
    samples: [
      {
        line: '[2026-11-21 22:18:27,011] ERROR in h11_impl: Exception in ASGI application',
        expect: { ts: '2026-11-21T22:18:27.011Z', level: 'error', logger: 'h11_impl', message: 'Exception in ASGI application' },
      },
    ],
  },
  {
    name: 'gunicorn',
    description: 'gunicorn error log, "[time +zone] [pid] [LEVEL] message"',
    type: 'regex',
    pattern: '^\\[(?<ts>\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?: [+-]\\d{4})?)\\] \\[(?<pid>\\d+)\\] \\[(?<level>[A-Z]+)\\] (?<message>.*)$',
    multiline: true,
    samples: [
      {
        line: '[2026-11-22 00:29:49 +0000] [6167] [INFO] Starting gunicorn 20.1.0',
        expect: { ts: '2026-11-22T00:29:49Z', level: 'info', message: 'Starting gunicorn 20.1.0' },
      },
    ],
  },
  {
    name: 'access_log',
    description: 'Common / combined access log (gunicorn, nginx, Apache): client, time, request line, status, size',
    type: 'regex',
    pattern: '^(?<client>\\S+) \\S+ (?<user>\\S+) \\[(?<ts>\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4})\\] "(?<method>[A-Z]+) (?<path>\\S+)(?: (?<protocol>[^"]*))?" (?<status>\\d{3}) (?<bytes>\\d+|-)(?: "(?<referer>[^"]*)" "(?<user_agent>[^"]*)")?.*$',
    time: 'clf',
    default_level: 'info',
    samples: [
      {
        line: '127.0.0.1 - - [22/Nov/2026:00:29:49 +0000] "GET /admin/sessions/C0FMT00001:1795400000.000100 HTTP/1.1" 200 59 "https://admin.example.invalid/sessions" "obs-fixture-client/1.0"',
        expect: { ts: '2026-11-22T00:29:49Z', level: 'info' },
      },
    ],
  },
  {
    name: 'logfmt',
    description: 'logfmt (Go kit, logrus, Prometheus): key=value pairs with a level and a message or time',
    type: 'logfmt',
    require: { 'level|lvl|severity': 'any', 'msg|message|ts|time|t': 'any' },
    fields: { ts: ['ts', 'time', 't'], level: ['level', 'lvl', 'severity'], message: ['msg', 'message'], logger: ['logger', 'caller', 'component'] },
    samples: [
      {
        line: 'ts=2026-11-21T22:20:01.758Z caller=main.go:823 level=warn msg="Received SIGTERM, exiting gracefully..."',
        expect: { ts: '2026-11-21T22:20:01.758Z', level: 'warn', message: 'Received SIGTERM, exiting gracefully...', logger: 'main.go:823' },
      },
    ],
  },
  {
    name: 'timestamped',
    description: 'any line starting with an ISO or asctime timestamp, then an optional level and [logger]',
    type: 'regex',
    pattern: `^\\[?${ASCTIME}\\]?(?:\\s+-)?(?:\\s+\\[?(?<level>TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL|Trace|Debug|Info|Warn|Warning|Error|Critical|Fatal|trace|debug|info|warn|warning|error|critical|fatal)\\]?:?)?(?:\\s+\\[(?<logger>[\\w.\\-:]+)\\])?(?:\\s+|$)(?<message>.*)$`,
    multiline: true,
    samples: [
      {
        line: '2026-11-21 22:18:19,705 INFO {"event": "graph_turn_start", "session_key": "C0AA6HC1RJL:1795299499.694654", "thread_ts": "1795299499.694654", "stage": "collect"}',
        expect: { ts: '2026-11-21T22:18:19.705Z', level: 'info', event: 'graph_turn_start', thread_ts: '1795299499.694654', stage: 'collect' },
      },
    ],
  },
];

/** The name of the fallback for lines no format claims: they start a record of their own or continue the one before. */
export const PLAIN_TEXT = 'text';
