/**
 * Per-session debug logs: `timeboxing_session_<YYYYmmdd_HHMMSS>_<safe_key>_<pid>.log`,
 * written by Python logging with `%(asctime)s %(levelname)s %(message)s`, the
 * message a JSON object. Plain-text lines are events too. The file's session
 * (from the index, or its name) is given to every record that lacks one.
 */
import type { Correlation, SourceKind } from '../types.js';
import { logReader } from '../../formats/reader.js';

export const SESSION_LOG_NAME = /^timeboxing_session_(\d{8}_\d{6})_(.+)_(\d+)\.log$/;
const SESSION_LOG_LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} [A-Z]+ \{"event"/;

/**
 * The session a session log belongs to, read from its file name. The name
 * holds a "safe" key (`C0AA6HC1RJL_1795299499.694654`); a Slack channel id
 * and thread ts are recognised, anything else gives no session.
 */
export function sessionFromFileName(name: string): Correlation {
  const m = SESSION_LOG_NAME.exec(name);
  if (!m) return {};
  const safe = m[2] ?? '';
  const slack = /^([A-Z0-9]+)_(\d+\.\d+)$/.exec(safe);
  if (!slack) return {};
  const [, channel, ts] = slack;
  return { session_key: `${channel}:${ts}`, channel_id: channel ?? null, thread_ts: ts ?? null };
}

export const sessionLogSource: SourceKind = {
  name: 'session_log',
  description: 'per-session debug log (Python logging, JSON messages)',
  detect: ({ name, head }) => SESSION_LOG_NAME.test(name) || (head[0] !== undefined && SESSION_LOG_LINE.test(head[0])),
  parser: (ctx, sink) => logReader(ctx, sink, { strictJson: true }),
};
