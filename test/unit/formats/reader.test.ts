import { describe, expect, it } from 'vitest';
import { logReader } from '../../../src/formats/reader.js';
import { FormatSet } from '../../../src/formats/formats.js';
import type { EventRow, RecordSink } from '../../../src/sources/types.js';
import type { RawLine } from '../../../src/sources/lines.js';
import { PriceBook } from '../../../src/llm/prices.js';

function parse(text: string, strictJson = false, tz = 'UTC'): { events: EventRow[]; rejected: Array<[number, string]>; blank: number } {
  const events: EventRow[] = [];
  const rejected: Array<[number, string]> = [];
  let blank = 0;
  const sink: RecordSink = {
    event: (r) => events.push(r),
    llmCall: () => {},
    span: () => {},
    indexEntry: () => {},
    reject: (l, reason) => rejected.push([l.lineNo, reason]),
    blank: () => blank++,
  };
  const p = logReader({ path: 'x.log', tz, defaults: { session_key: 'C1:1.2' }, formats: FormatSet.create(), prices: new PriceBook() }, sink, { strictJson });
  text.split('\n').forEach((t, i) => {
    const line: RawLine = { lineNo: i + 1, text: t, invalidUtf8: false, nulBytes: false, unterminated: false };
    p.line(line);
  });
  p.end();
  return { events, rejected, blank };
}

describe('log reader', () => {
  it("reads Flask's `[time] LEVEL in module: message` with the module as logger, and nothing else that way", () => {
    const { events } = parse(
      [
        '[2026-11-21 22:18:30,765] ERROR in planner_agent: {"type": "LLMCall", "status": "error", "session_key": "C07:1.2"}',
        '2026-11-21 22:18:31,000 INFO in progress: 3 jobs left',
      ].join('\n'),
    );
    expect(events.map((e) => [e.logger, e.session_key, e.message])).toEqual([
      ['planner_agent', 'C07:1.2', null],
      [null, 'C1:1.2', 'in progress: 3 jobs left'],
    ]);
  });

  it('reads a Python logging line with a JSON message as structured fields', () => {
    const { events } = parse(
      '2026-11-21 22:18:19,705 INFO {"event": "graph_turn_start", "session_key": "C0A:1795299499.694654", "stage": "collect", "turn": 1}',
    );
    expect(events).toHaveLength(1);
    const e = events[0] as EventRow;
    expect(e.event).toBe('graph_turn_start');
    expect(e.level).toBe('info');
    expect(e.stage).toBe('collect');
    expect(e.session_key).toBe('C0A:1795299499.694654');
    expect(e.ts).toBe(Date.UTC(2026, 10, 21, 22, 18, 19, 705) * 1000);
    expect(JSON.parse(e.raw as string)).toMatchObject({ turn: 1 });
  });

  it('reads the naive time in the zone given', () => {
    const { events } = parse('2026-03-02 09:00:00,000 WARNING {"event": "x"}', false, 'Europe/Amsterdam');
    expect(events[0]?.ts).toBe(Date.UTC(2026, 2, 2, 8, 0, 0) * 1000);
    expect(events[0]?.level).toBe('warn');
  });

  it('attaches a traceback to the record above it, blank lines included', () => {
    const { events, blank } = parse(
      [
        '2026-11-21 22:18:27,018 ERROR [uvicorn.error] Exception in ASGI application',
        'Traceback (most recent call last):',
        '  File "/app/planner/planner_agent.py", line 10, in handle',
        '    text = event["text"].strip()',
        "AttributeError: 'NoneType' object has no attribute 'strip'",
        '',
        '2026-11-21 22:18:28,000 INFO [uvicorn.access] next',
      ].join('\n'),
    );
    expect(blank).toBe(0);
    expect(events).toHaveLength(2);
    expect(events[0]?.logger).toBe('uvicorn.error');
    expect(events[0]?.level).toBe('error');
    expect(events[0]?.message?.split('\n')).toHaveLength(5);
    expect(events[0]?.message).toContain("AttributeError: 'NoneType' object has no attribute 'strip'");
    expect(events[1]?.sourceLine).toBe(7);
  });

  it('keeps plain-text lines as events with the file\'s session', () => {
    const { events } = parse('2026-03-02 09:02:35,004 INFO session resumed after restart', true);
    expect(events[0]?.message).toBe('session resumed after restart');
    expect(events[0]?.event).toBeNull();
    expect(events[0]?.session_key).toBe('C1:1.2');
  });

  it('rejects a JSON message that does not parse only when JSON is expected', () => {
    const line = '2026-03-02 09:00:00,000 INFO {"event": "cut';
    expect(parse(line, true).rejected.map(([n]) => n)).toEqual([1]);
    expect(parse(line, false).events[0]?.message).toBe('{"event": "cut');
  });

  it('starts records at a bare level (uvicorn) and at ISO times with a zone', () => {
    const { events } = parse(
      ['INFO:     127.0.0.1:5000 - "POST /agent/turn HTTP/1.1" 200 OK', '[2026-11-21T22:18:05.637Z] ERROR in app: boom'].join('\n'),
    );
    expect(events.map((e) => [e.level, e.ts === null])).toEqual([
      ['info', true],
      ['error', false],
    ]);
  });

  it('keeps a file that starts mid-traceback as one record without a time', () => {
    const { events } = parse(['Fatal Python error: Aborted', '', 'Thread 0x01 (most recent call first):', '  File "x.py", line 1 in f'].join('\n'));
    expect(events).toHaveLength(1);
    expect(events[0]?.ts).toBeNull();
    expect(events[0]?.message?.split('\n')).toHaveLength(4);
  });
});
