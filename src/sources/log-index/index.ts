/**
 * Index files (`timeboxing_session_index.jsonl`, `llm_io_index.jsonl`): one
 * line per log file the application opened, with its absolute `log_path` on
 * the machine that wrote it. The loader resolves each path (as written, or
 * beside the index when the logs were copied elsewhere) and reports entries
 * whose file is gone.
 */
import { asId, asInt, asText } from '../fields.js';
import { jsonLinesParser } from '../jsonl/index.js';
import type { SourceKind } from '../types.js';
import { parseTimestampValue } from '../../time/time.js';

export const logIndexSource: SourceKind = {
  name: 'log_index',
  description: 'index of session or audit log files (one entry per file, with log_path)',
  isIndex: true,
  detect: ({ name, head }) =>
    /_index\.jsonl$/.test(name) && (head[0] === undefined || /"log_path"/.test(head[0])),
  parser(ctx, sink) {
    return jsonLinesParser(sink, (obj, _raw, line) => {
      const logPath = asText(obj['log_path']);
      if (logPath === null) {
        sink.reject(line, 'index entry has no "log_path"');
        return;
      }
      sink.indexEntry({
        sourceLine: line.lineNo,
        type: asId(obj['type']),
        logPath,
        createdAt: obj['created_at'] === undefined ? null : parseTimestampValue(obj['created_at'], ctx.tz),
        sessionKey: asId(obj['session_key']),
        threadTs: asId(obj['thread_ts']),
        channelId: asId(obj['channel_id']),
        userId: asId(obj['user_id']),
        plannedDate: asId(obj['planned_date']),
        pid: asInt(obj['pid']),
      });
    });
  },
};
