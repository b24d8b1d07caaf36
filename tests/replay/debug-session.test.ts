// The debugger-facing API (src/replay/debug/session.ts): positions, addresses typed by a
// person, memory and registers, disassembly with symbols, the console as of a moment.
import { describe, expect, test } from 'vitest';
import { DebugSession, runJob } from '../../src/replay/debug/index.ts';

const s = DebugSession.open('traces/echo.trace');

describe('debug session', () => {
  test('finds symbols through the .elf beside the .bin image', () => {
    expect(s.symbols.get(0)?.sources[0]).toMatch(/guests\/echo\/echo\.elf$/);
    expect(s.describeAddress(0, 0x80000218n)).toBe('echo_interrupt+0x18');
  });

  test('addresses as people type them: hex, decimal, symbols with offsets, registers', () => {
    runJob(s.seekIcount(1500));
    const sp = s.registers(0, 0)!.x[2];
    expect(s.parseAddress(0, 0, '0x80000560')).toBe(0x80000560n);
    expect(s.parseAddress(0, 0, 'ticks')).toBe(0x80000560n);
    expect(s.parseAddress(0, 0, 'guest_main+0x10')).toBe(0x8000026en);
    expect(s.parseAddress(0, 0, 'sp')).toBe(sp);
    expect(s.parseAddress(0, 0, '$sp-16')).toBe(sp - 16n);
    expect(s.parseAddress(0, 0, 'pc')).toBe(s.registers(0, 0)!.pc);
    expect(() => s.parseAddress(0, 0, 'nonsense')).toThrow(/not an address/);
  });

  test('the console as of a moment: only what was printed so far', () => {
    runJob(s.seekIcount(400));
    expect(s.consoleLines(10).join('\n')).toBe('echo guest: hello from Chronovisor\n');
    runJob(s.end());
    const all = s.consoleLines(10);
    expect(all).toContain('you typed: HELLO WORLD');
    expect(all).toContain('bye');
  });

  test('end is after the last event; start before the first', () => {
    runJob(s.end());
    expect(s.seq).toBe(s.nextSeq);
    expect(s.icount).toBe(2387);
    runJob(s.start());
    expect(s.icount).toBe(0);
    expect(s.lastEvent).toBeNull();
  });

  test('after an interrupt event: the interrupt taken, at the vector, before its first instruction', () => {
    runJob(s.seekSeq(107));
    expect(s.reader.get(107).kind).toBe('interrupt');
    expect(s.seq).toBe(108);
    expect(s.icount).toBe(307);
    expect(s.registers(0, 0)!.pc).toBe(0x800001b0n);
    expect(s.describeAddress(0, 0x800001b0n)).toBe('echo_trap');
    runJob(s.prevEvent());
    expect(s.seq).toBe(107);
    runJob(s.nextEvent());
    expect(s.seq).toBe(108);
  });

  test('a bookmark position comes back exactly (icount and event)', () => {
    runJob(s.seekSeq(107));
    const at = { icount: s.icount, seq: s.seq, hash: s.timeline.system.stateHash() };
    runJob(s.start());
    runJob(s.seekPosition(at.icount, at.seq));
    expect([s.icount, s.seq, s.timeline.system.stateHash()]).toEqual([at.icount, at.seq, at.hash]);
  });

  test('data address of a load/store with the registers of now; instruction text', () => {
    runJob(s.seekIcount(562));
    const pc = s.registers(0, 0)!.pc;
    expect(s.instructionText(0, 0, pc)).toBe('sw\ta5,844(a4)');
    expect(s.dataAddressAt(0, 0, pc)).toEqual({ address: 0x80000560n, size: 4 });
    expect(s.dataAddressAt(0, 0, pc + 4n)).toBeNull();
  });

  test('memory reads follow the hart’s translation; MMIO and holes read as invalid', () => {
    runJob(s.end());
    const m = s.readMemory(0, 0, 0x80000560n, 4)!;
    expect(Array.from(m.bytes)).toEqual([5, 0, 0, 0]);
    const io = s.readMemory(0, 0, 0x10000000n, 4)!;
    expect(io.valid.some(Boolean)).toBe(false);
  });

  test('one forward step names the hart that ran it', () => {
    runJob(s.start());
    const r = runJob(s.step(1));
    expect(r.ran).toEqual({ domain: 0, vcpu: 0 });
    expect(s.icount).toBe(1);
  });
});
