import { describe, expect, it } from 'vitest';
import { BUILTIN_FORMATS } from '../../../src/formats/builtin.js';
import { formatSchema } from '../../../src/formats/definition.js';
import { FormatSet, withDefaults } from '../../../src/formats/formats.js';
import { checkSamples, readSample } from '../../../src/formats/samples.js';

const defs = BUILTIN_FORMATS.map((f) => formatSchema.parse(f));

describe('built-in formats', () => {
  it('are valid definitions with unique names', () => {
    expect(new Set(defs.map((d) => d.name)).size).toBe(defs.length);
  });

  it.each(BUILTIN_FORMATS.map((f) => [f.name, f] as const))('%s: the defaults obs fills in at start are the schema\'s', (_name, f) => {
    expect(withDefaults(f)).toStrictEqual(formatSchema.parse(f));
  });

  it.each(defs.filter((d) => d.name !== 'json').map((d) => [d.name, d] as const))('%s ships samples', (_name, def) => {
    expect(def.samples.length).toBeGreaterThan(0);
  });

  it.each(defs.map((d) => [d.name, d] as const))('%s reads its own samples, and no other format claims them first', (_name, def) => {
    expect(checkSamples([def], FormatSet.create())).toEqual([]);
  });

  it('a sample that another format claims first is reported', () => {
    const mine = formatSchema.parse({
      name: 'too_general',
      type: 'regex',
      pattern: '^(?<message>.*)$',
      samples: [{ line: '2026-11-21 22:18:30,766 WARNING [planner.llm.client] rate limited' }],
    });
    // Read with the built-in formats only: python_logging claims the line.
    expect(checkSamples([mine], FormatSet.create())[0]?.reason).toBe('format "python_logging" claimed the line first');
    // Given as a config format, it is tried first and claims it.
    expect(checkSamples([mine])).toEqual([]);
  });

  it('a sample whose expected field differs names the field and both values', () => {
    const mine = formatSchema.parse({
      name: 'mine',
      type: 'regex',
      pattern: '^(?<level>[A-Z]+) (?<message>.*)$',
      samples: [{ line: 'WARN disk full', expect: { level: 'error' } }],
    });
    expect(checkSamples([mine])[0]?.reason).toBe('level: expected "error", read "warn"');
  });

  it('a JSON record goes to the format with the most requirements met, the generic one otherwise', () => {
    const formats = FormatSet.create();
    const read = readSample(
      [
        '{"level":30,"time":1795299496333,"pid":7825,"hostname":"vm","msg":"x"}',
        '{"name":"gw","hostname":"vm","pid":1,"level":30,"msg":"x","time":"2026-11-21T22:18:16.333Z","v":0}',
        '{"t": "2026-11-21T22:18:16Z", "what": "else"}',
      ].join('\n'),
      formats,
    );
    expect(read.map((r) => r.format)).toEqual(['pino', 'bunyan', 'json']);
  });
});
