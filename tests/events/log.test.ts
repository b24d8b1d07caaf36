import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { EventLog } from '../../src/events/log.ts';
import { decodeSpan } from '../../src/events/span.ts';
import { defaultSchema, Schema } from '../../src/events/schema.ts';
import { KINDS, privilegeMode } from '../../src/events/kinds.ts';
import { appendAll, eventInitArb } from './arbitraries.ts';

const inits = fc.array(eventInitArb(), { maxLength: 120 });

describe('EventLog round trips', () => {
  test('every kind reads back as appended, across span seals', () => {
    fc.assert(fc.property(inits, fc.integer({ min: 16, max: 4096 }), (list, spanBytes) => {
      const log = new EventLog({ spanBytes });
      const want = appendAll(log, list);
      expect(log.count).toBe(list.length);
      expect(log.range(0, log.count)).toEqual(want);
      // random access in a scrambled order exercises the cursor and span search
      for (let i = want.length - 1; i >= 0; i -= 3) expect(log.get(i)).toEqual(want[i]);
    }));
  });

  test('sealed spans concatenate into one valid stream', () => {
    fc.assert(fc.property(inits, (list) => {
      const log = new EventLog({ spanBytes: 40 });
      const want = appendAll(log, list);
      log.seal();
      const decoded = log.spans.flatMap((s) => decodeSpan(s));
      expect(decoded).toEqual(want);
      // spans appended to a second log rebuild it byte for byte, without decoding
      const copy = new EventLog();
      for (const s of log.spans) copy.appendSpan(s);
      expect(copy.range(0, copy.count)).toEqual(want);
      expect(copy.state).toEqual(log.state);
    }));
  });

  test('every kind in the table has been exercised by the generator', () => {
    expect(defaultSchema.kinds.map((k) => k.name).sort()).toEqual(KINDS.map((k) => k.name).sort());
  });
});

describe('hand-written appenders', () => {
  const mmio = fc.record({
    dIcount: fc.nat(1000), domain: fc.nat(3), vcpu: fc.nat(3), dev: fc.nat(20), offset: fc.nat(0x1000), size: fc.constantFrom(1, 2, 4, 8),
    value: fc.oneof(fc.nat(0xffff_ffff), fc.bigInt(0n, (1n << 64n) - 1n)), isWrite: fc.boolean(),
  });
  test('appendMmio encodes exactly as the generic codec', () => {
    fc.assert(fc.property(fc.array(mmio, { maxLength: 50 }), (list) => {
      const fast = new EventLog();
      const generic = new EventLog();
      let icount = 0;
      for (const m of list) {
        icount += m.dIcount;
        fast.appendMmio(icount, m.domain, m.vcpu, m.dev, m.offset, m.size, m.value, m.isWrite);
        generic.append('mmio', icount, m.domain, m.vcpu, { dev: m.dev, offset: m.offset, size: m.size, value: m.value, op: m.isWrite ? 'write' : 'read' });
      }
      expect(fast.seal()?.bytes).toEqual(generic.seal()?.bytes);
    }));
  });

  const irq = fc.record({ dIcount: fc.nat(1000), domain: fc.nat(3), vcpu: fc.nat(3), cause: fc.nat(16), priv: fc.constantFrom('U', 'S', 'M', 'VU', 'VS' as const), pc: fc.bigInt(0n, (1n << 64n) - 1n) });
  test('appendInterrupt encodes exactly as the generic codec', () => {
    fc.assert(fc.property(fc.array(irq, { maxLength: 50 }), (list) => {
      const fast = new EventLog();
      const generic = new EventLog();
      let icount = 0;
      for (const m of list) {
        icount += m.dIcount;
        fast.appendInterrupt(icount, m.domain, m.vcpu, m.cause, m.priv, m.pc);
        generic.append('interrupt', icount, m.domain, m.vcpu, { cause: m.cause, priv: m.priv, pc: m.pc });
      }
      expect(fast.seal()?.bytes).toEqual(generic.seal()?.bytes);
    }));
  });

  test('typed helpers cover every built-in kind', () => {
    const log = new EventLog();
    log.appendMmio(1, 0, 0, 3, 0x10, 4, 0x41, true);
    log.appendInterrupt(2, 0, 0, 7, 'S', 0x8000_0000n);
    log.appendExit(3, 1, 0, 'guest-page-fault', [21n, 0x1000n]);
    log.appendSbi(4, 1, 0, 0x10, 0, [], 0n, 2n);
    log.appendHypercall(5, 1, 0, 2, [1n, 2n, 3n], -22n);
    log.appendInput(6, 0, 0, 0, new TextEncoder().encode('ls\n'));
    log.appendRtc(7, 0, 0, 1, 1_700_000_000_000_000_000n);
    log.appendEntropy(8, 0, 0, 2, [1, 2, 3, 4]);
    log.appendConsole(9, 0, 0, 0, [0x68, 0x69]);
    log.appendSched(10, 0, 0, 1, 0, 2, 0, 'timeslice');
    log.appendLifecycle(11, 2, 0, 'create');
    log.appendMarker(12, 0, 0, 'boot done');
    // the PV kinds go through the generic typed append (src/hypervisor/pv/log.ts)
    log.append('evtchn', 13, 1, 0, { op: 'send', port: 3, remoteDomain: 2, remotePort: 5, result: 0n });
    log.append('grant', 14, 1, 0, { op: 'map', dom: 2, ref: 8, frame: 0x80123n, flags: 2, status: 0n });
    log.append('ring', 15, 1, 0, { device: 'vbd', devid: 51712, op: 0, id: 7n, arg: 2n, status: 0n, detail: '' });
    expect(new Set(log.range(0, log.count).map((e) => e.kind))).toEqual(new Set(KINDS.map((k) => k.name)));
  });

  test('appendMmio64 takes the value as 32-bit halves', () => {
    const halves = new EventLog();
    const whole = new EventLog();
    for (const [lo, hi] of [[0, 0], [0xffff_ffff, 0], [5, 0x1f_ffff], [5, 0x20_0000], [-1, -1], [0x1234, 0x8000_0000]]) {
      halves.appendMmio64(1, 0, 0, 1, 0, 8, lo, hi, true);
      whole.appendMmio(1, 0, 0, 1, 0, 8, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0), true);
    }
    expect(halves.seal()!.bytes).toEqual(whole.seal()!.bytes);
  });

  test('privilegeMode maps (priv, V) to the enum', () => {
    expect([privilegeMode(0, false), privilegeMode(1, false), privilegeMode(3, false), privilegeMode(0, true), privilegeMode(1, true)]).toEqual(['U', 'S', 'M', 'VU', 'VS']);
    expect(() => privilegeMode(3, true)).toThrow('no privilege mode 3 with V=1');
  });

  test('the generic append is typed from the table', () => {
    const log = new EventLog();
    log.append('mmio', 1, 0, 0, { dev: 1, offset: 2, size: 4, value: 5n, op: 'write' });
    // @ts-expect-error -- 'poke' is not an mmio op
    expect(() => log.append('mmio', 1, 0, 0, { dev: 1, offset: 2, size: 4, value: 5n, op: 'poke' })).toThrow('mmio.op must be one of read|write');
    // @ts-expect-error -- rtc has no label field
    expect(() => log.append('rtc', 1, 0, 0, { dev: 0, value: 1n, label: 'x' })).toThrow('unknown field(s) "label"');
  });

  test('a schema whose mmio differs falls back to the generic path', () => {
    const kinds = KINDS.map((k) => (k.name === 'mmio' ? { ...k, id: 40 } : k));
    const log = new EventLog({ schema: new Schema(kinds) });
    log.appendMmio(1, 0, 0, 1, 2, 4, 5, false);
    expect(log.seal()!.bytes[0]).toBe(80);
  });
});

describe('events are immutable', () => {
  test('materialized events, payloads and arrays are frozen', () => {
    const log = new EventLog();
    log.appendExit(1, 0, 0, 'ecall', [1n]);
    log.appendInput(2, 0, 0, 0, [65]);
    const [exit, input] = log.range(0, 2);
    expect(Object.isFrozen(exit)).toBe(true);
    expect(Object.isFrozen(exit.payload)).toBe(true);
    expect(Object.isFrozen(exit.payload.args)).toBe(true);
    expect(() => {
      (input.payload.bytes as number[])[0] = 66;
    }).toThrow(TypeError);
    expect(log.get(1).payload.bytes).toEqual([65]);
  });

  test('bytes passed in are copied at append time', () => {
    const log = new EventLog();
    const b = Uint8Array.of(1, 2, 3);
    log.appendEntropy(1, 0, 0, 0, b);
    b[0] = 9;
    expect(log.get(0).payload.bytes).toEqual([1, 2, 3]);
  });
});

describe('validation', () => {
  const log = () => {
    const l = new EventLog();
    l.appendMarker(100, 0, 0, 'start');
    return l;
  };
  test.each([
    ['icount going backwards', (l: EventLog) => l.appendMmio(99, 0, 0, 1, 0, 4, 0, false), 'icount went backwards: 99 after 100'],
    ['a fractional icount', (l: EventLog) => l.appendMarker(100.5, 0, 0, 'x'), 'icount must be a non-negative safe integer'],
    ['a domain above 65535', (l: EventLog) => l.appendMmio(100, 65536, 0, 1, 0, 4, 0, false), 'domain and vcpu must be integers'],
    ['a bad mmio size', (l: EventLog) => l.appendMmio(100, 0, 0, 1, 0, 256, 0, false), 'mmio.size'],
    ['a negative device', (l: EventLog) => l.appendMmio(100, 0, 0, -1, 0, 4, 0, false), 'non-negative safe integer'],
    ['an unknown kind', (l: EventLog) => l.appendAny('nope', 100, 0, 0, { label: '' }), 'unknown event kind "nope"'],
    ['a missing field', (l: EventLog) => l.append('rtc', 100, 0, 0, { dev: 0 } as never), 'rtc payload lacks field "value"'],
    ['an unknown field', (l: EventLog) => l.append('rtc', 100, 0, 0, { dev: 0, value: 1n, vlaue: 2 } as never), 'unknown field(s) "vlaue"'],
    ['a bad enum value', (l: EventLog) => l.appendLifecycle(100, 0, 0, 'explode' as 'create'), 'lifecycle.action must be one of create|destroy'],
    ['too many exit args', (l: EventLog) => l.appendExit(100, 0, 0, 'wfi', [1n, 2n, 3n, 4n, 5n]), 'at most 4 values'],
    ['a lone surrogate', (l: EventLog) => l.appendMarker(100, 0, 0, 'a\ud800'), 'well-formed string'],
    ['an i64 out of range', (l: EventLog) => l.appendHypercall(100, 0, 0, 1, [], 1n << 63n), 'hypercall.result must be an i64'],
  ])('rejects %s, leaving the log unchanged', (_name, bad, message) => {
    const l = log();
    const before = l.byteLength;
    expect(() => bad(l)).toThrow(message);
    expect(l.count).toBe(1);
    expect(l.byteLength).toBe(before);
    l.appendMarker(100, 0, 0, 'still fine');
    expect(l.get(1).payload.label).toBe('still fine');
  });

  test('reading outside the log names the valid range', () => {
    expect(() => log().get(5)).toThrow('seq 5 is not in the log (0..0)');
  });
});

describe('spans and streaming', () => {
  test('onSeal receives spans in order; retain: false drops them from memory', () => {
    const seen: number[] = [];
    const l = new EventLog({ spanBytes: 64, retain: false });
    l.onSeal = (s) => seen.push(s.firstSeq, s.count);
    for (let i = 0; i < 100; i++) l.appendMmio(i, 0, 0, 1, i, 4, i, false);
    expect(l.spans).toHaveLength(0);
    let next = 0;
    for (let i = 0; i < seen.length; i += 2) {
      expect(seen[i]).toBe(next);
      next += seen[i + 1];
    }
    expect(() => l.get(0)).toThrow('not retained');
    l.appendMarker(100, 0, 0, 'open span');
    expect(l.get(100).payload.label).toBe('open span');
  });

  test('a continuation log starts from a given seq and delta state', () => {
    const a = new EventLog();
    for (let i = 0; i < 10; i++) a.appendMmio(i * 10, i % 2, 0, 1, i, 4, i, true);
    const b = new EventLog({ firstSeq: a.nextSeq, base: a.state });
    b.appendMmio(200, 1, 0, 1, 0, 4, 0, true);
    const joined = new EventLog();
    joined.appendSpan(a.seal()!);
    joined.appendSpan(b.seal()!);
    expect(joined.get(10)).toEqual({ seq: 10, icount: 200, domain: 1, vcpu: 0, kind: 'mmio', payload: { dev: 1, offset: 0, size: 4, value: 0n, op: 'write' } });
  });

  test('appendSpan refuses a span that does not continue the log', () => {
    const a = new EventLog();
    a.appendMarker(5, 0, 0, 'x');
    const span = a.seal()!;
    const b = new EventLog();
    b.appendMarker(1, 0, 0, 'y');
    expect(() => b.appendSpan(span)).toThrow('does not continue the log');
  });

  test('a payload larger than the buffer block is accepted', () => {
    const l = new EventLog();
    const big = new Uint8Array(1.5 * (1 << 20)).fill(0x5a);
    l.appendConsole(1, 0, 0, 0, big);
    l.appendMarker(2, 0, 0, 'after');
    expect((l.get(0).payload.bytes as number[]).length).toBe(big.length);
    expect(l.get(1).payload.label).toBe('after');
  });
});
