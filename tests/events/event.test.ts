import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { EventLog } from '../../src/events/log.ts';
import { eventFromJson, eventToJson, formatEvent, isKind } from '../../src/events/event.ts';
import { diffEvents, eventsEqual, formatDiff } from '../../src/events/diff.ts';
import { defaultSchema, Schema, SchemaError } from '../../src/events/schema.ts';
import { KINDS } from '../../src/events/kinds.ts';
import { appendAll, eventInitArb } from './arbitraries.ts';

function sample(): EventLog {
  const log = new EventLog();
  log.appendMmio(1000, 0, 0, 3, 0x10, 4, 0x41, true);
  log.appendInterrupt(1003, 0, 1, 7, 'S', 0x8020_0000n);
  log.appendInput(1010, 0, 1, 0, new TextEncoder().encode('a"b\\\n\x1b'));
  log.appendEntropy(1011, 0, 1, 2, [0xde, 0xad]);
  log.appendSbi(1012, 1, 0, 0x54494d45, 0, [12345n], -2n, 0n);
  log.appendMarker(1012, 1, 0, 'reached "login"');
  return log;
}

describe('text form', () => {
  test('is stable and readable', () => {
    expect(sample().range(0, 6).map((e) => formatEvent(e))).toEqual([
      '#0 @1000 d0:v0 mmio dev=3 offset=0x10 size=4 value=0x41 op=write',
      '#1 @1003 d0:v1 interrupt cause=7 priv=S pc=0x80200000',
      '#2 @1010 d0:v1 input dev=0 bytes="a\\"b\\\\\\n\\x1b"',
      '#3 @1011 d0:v1 entropy dev=2 bytes=<dead>',
      '#4 @1012 d1:v0 sbi ext=0x54494d45 fid=0 args=[0x3039] error=-2 value=0x0',
      '#5 @1012 d1:v0 marker label="reached \\"login\\""',
    ]);
  });
});

describe('JSON form', () => {
  test('bigints are decimal strings, bytes are hex', () => {
    const [mmio, , input, , sbi] = sample().range(0, 6);
    expect(eventToJson(mmio)).toEqual({ seq: 0, icount: 1000, domain: 0, vcpu: 0, kind: 'mmio', payload: { dev: 3, offset: 16, size: 4, value: '65', op: 'write' } });
    expect(eventToJson(input).payload.bytes).toBe('6122625c0a1b');
    expect(eventToJson(sbi).payload).toEqual({ ext: 0x54494d45, fid: 0, args: ['12345'], error: '-2', value: '0' });
  });

  test('round-trips through JSON text for every kind', () => {
    fc.assert(fc.property(fc.array(eventInitArb(), { maxLength: 20 }), (list) => {
      const log = new EventLog();
      appendAll(log, list);
      for (const e of log.events()) {
        const back = eventFromJson(JSON.parse(JSON.stringify(eventToJson(e))));
        expect(back).toEqual(e);
        expect(Object.isFrozen(back.payload)).toBe(true);
      }
    }), { numRuns: 40 });
  });
});

describe('diff', () => {
  const log = new EventLog();
  log.appendMmio(10, 0, 0, 1, 0x10, 4, 0x41, true);
  log.appendMmio(10, 0, 0, 1, 0x10, 4, 0x42, true);
  log.appendExit(12, 0, 0, 'wfi', [1n]);
  log.appendExit(12, 0, 0, 'wfi', [1n]);
  const [a, b, c, d] = log.range(0, 4);

  test('reports each differing field, payload values in text form', () => {
    expect(diffEvents(a, b)).toEqual([
      { field: 'seq', expected: '0', actual: '1' },
      { field: 'payload.value', expected: '0x41', actual: '0x42' },
    ]);
    expect(diffEvents(a, b, { ignoreSeq: true })).toHaveLength(1);
  });

  test('compares arrays element by element', () => {
    expect(eventsEqual(c, d, { ignoreSeq: true })).toBe(true);
    expect(eventsEqual(c, d)).toBe(false);
  });

  test('different kinds are reported as kind plus whole payloads', () => {
    expect(diffEvents(a, c, { ignoreSeq: true })).toEqual([
      { field: 'icount', expected: '10', actual: '12' },
      { field: 'kind', expected: 'mmio', actual: 'exit' },
      { field: 'payload', expected: 'dev=1 offset=0x10 size=4 value=0x41 op=write', actual: 'reason=wfi args=[0x1]' },
    ]);
  });

  test('formatDiff gives the expected-vs-actual block for divergence reports', () => {
    expect(formatDiff(a, b, { ignoreSeq: true })).toBe([
      'expected: #0 @10 d0:v0 mmio dev=1 offset=0x10 size=4 value=0x41 op=write',
      'actual:   #1 @10 d0:v0 mmio dev=1 offset=0x10 size=4 value=0x42 op=write',
      'differs:  payload.value: 0x41 vs 0x42',
    ].join('\n'));
  });

  test('isKind narrows the payload type', () => {
    if (!isKind(a, 'mmio')) throw new Error('not mmio');
    const v: bigint = a.payload.value;
    expect(v).toBe(0x41n);
  });
});

describe('schema', () => {
  test('survives a JSON round trip and can decode itself', () => {
    const back = Schema.fromJSON(JSON.parse(JSON.stringify(defaultSchema.toJSON())));
    expect(back.toJSON()).toEqual(defaultSchema.toJSON());
    expect(back.canDecode(defaultSchema)).toBe(true);
  });

  test('a newer schema (appended enum value, new kind) decodes older files, not the reverse', () => {
    const newer = new Schema([
      ...KINDS.map((k) => (k.name === 'lifecycle' ? { ...k, fields: [{ name: 'action', type: 'enum' as const, values: [...k.fields[0].values, 'migrate'] }, k.fields[1]] } : k)),
      { id: 200, name: 'migration', doc: 'a later kind', fields: [{ name: 'ref', type: 'u32' as const }] },
    ]);
    expect(newer.canDecode(defaultSchema)).toBe(true);
    expect(defaultSchema.canDecode(newer)).toBe(false);
  });

  test.each([
    ['duplicate ids', [{ id: 1, name: 'a', doc: '', fields: [] }, { id: 1, name: 'b', doc: '', fields: [] }], 'kind id 1 is used by both'],
    ['duplicate names', [{ id: 1, name: 'a', doc: '', fields: [] }, { id: 2, name: 'a', doc: '', fields: [] }], 'defined twice'],
    ['id 0', [{ id: 0, name: 'a', doc: '', fields: [] }], 'id must be an integer in 1..65535'],
    ['unknown field type', [{ id: 1, name: 'a', doc: '', fields: [{ name: 'x', type: 'f32' }] }], 'unknown type "f32"'],
    ['empty enum', [{ id: 1, name: 'a', doc: '', fields: [{ name: 'x', type: 'enum', values: [] }] }], 'needs 1..256 distinct'],
    ['repeated field', [{ id: 1, name: 'a', doc: '', fields: [{ name: 'x', type: 'u8' }, { name: 'x', type: 'u8' }] }], 'appears twice'],
  ])('rejects %s', (_n, kinds, message) => {
    expect(() => new Schema(kinds as never)).toThrow(SchemaError);
    expect(() => new Schema(kinds as never)).toThrow(message);
  });

  test('ids of the built-in table are unique and hot kinds fit one tag byte', () => {
    expect(new Set(KINDS.map((k) => k.id)).size).toBe(KINDS.length);
    for (const name of ['mmio', 'interrupt', 'exit', 'sbi', 'hypercall']) expect(defaultSchema.require(name).id).toBeLessThan(64);
  });
});
