// Breakpoints and watchpoints above the hart (src/replay/debug): continue and reverse-continue
// stop at the exact instruction. The property: from any position, reverse-continue to a
// watchpoint lands on the same last write as a forward scan from the start finds, and a
// single-step oracle that compares the watched bytes before and after every instruction
// never sees a change the scan missed.
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { TraceReader } from '../../src/trace/reader.ts';
import { Timeline } from '../../src/replay/timeline.ts';
import { StopSet, type WatchAccess } from '../../src/replay/debug/stops.ts';
import { ForwardContinue, ReverseContinue } from '../../src/replay/debug/scan.ts';
import { runJob, unitBudget } from '../../src/replay/debug/job.ts';
import { readVirtual } from '../../src/replay/debug/memory.ts';
import { SymbolTable } from '../../src/replay/debug/symbols.ts';

const reader = TraceReader.open('traces/echo.trace');
const syms = new SymbolTable();
syms.addElf('guests/echo/echo.elf');
const TICKS = syms.lookupName('ticks')!.address;
const STACK_TOP = syms.lookupName('__stack_top')!.address;
const END = reader.lastIcount;

/** Every stop position a forward scan from the start finds, in order. */
function forwardHits(tl: Timeline, stops: StopSet): number[] {
  tl.seekIcount(0);
  const out: number[] = [];
  for (;;) {
    const r = runJob(new ForwardContinue(tl, stops));
    if (r.kind !== 'hit') return out;
    out.push(r.position);
  }
}

function watch(address: bigint, length: number, access: WatchAccess = 'write'): StopSet {
  const s = new StopSet();
  s.addWatchpoint(address, length, access);
  return s;
}

describe('continue / reverse-continue', () => {
  // small checkpoint interval: reverse scans cross several checkpoints even on a short trace
  let tl: Timeline;
  beforeAll(() => {
    tl = new Timeline(reader, { interval: 300 });
    tl.seekIcount(END);
  });

  test('a write watchpoint on ticks stops right after each of the six stores (bss clear + five interrupts)', () => {
    const hits = forwardHits(tl, watch(TICKS, 4));
    expect(hits).toHaveLength(6);
    // the value counts the interrupts: stopped right after the store, the new value is visible
    tl.seekIcount(hits[3]);
    const m = readVirtual(tl.system.mem, tl.system.hart(0, 0)!, TICKS, 4);
    expect(Array.from(m.bytes)).toEqual([3, 0, 0, 0]);
  });

  test('a breakpoint stops before its instruction, also when a trap enters it', () => {
    const stops = new StopSet();
    const vector = syms.lookupName('echo_trap')!.address;
    stops.addBreakpoint(vector);
    const hits = forwardHits(tl, stops);
    expect(hits).toHaveLength(5);
    tl.seekIcount(hits[0]);
    const r = runJob(new ForwardContinue(tl, stops));
    expect(r.kind).toBe('hit');
    // reached through the timer interrupt: one step later the handler's first instruction has run
    if (r.kind === 'hit') expect(r.hits[0].insn.viaTrap).toMatchObject({ cause: 7, interrupt: true });
    tl.seekIcount(hits[0] + 1);
    // echo_trap starts with a compressed addi sp,sp,-128
    expect(tl.system.hart(0, 0)!.pc).toBe(vector + 2n);
  });

  test('property: reverse-continue finds the last hit before any position that a forward scan finds', () => {
    const ranges = fc.oneof(
      fc.record({ address: fc.constant(TICKS), length: fc.constantFrom(1, 4, 8) }),
      fc.record({ address: fc.integer({ min: 1, max: 200 }).map((k) => STACK_TOP - BigInt(8 * k)), length: fc.constantFrom(1, 2, 8, 16) }),
    );
    const kinds = fc.constantFrom<WatchAccess>('write', 'read', 'access');
    const cache = new Map<string, number[]>();
    fc.assert(
      fc.property(ranges, kinds, fc.integer({ min: 0, max: END }), ({ address, length }, access, t) => {
        const stops = watch(address, length, access);
        const key = `${address}:${length}:${access}`;
        if (!cache.has(key)) cache.set(key, forwardHits(tl, stops));
        const fwd = cache.get(key)!;
        const expected = fwd.filter((p) => p < t).pop();
        tl.seekIcount(t);
        const r = runJob(new ReverseContinue(tl, stops));
        if (expected === undefined) {
          expect(r.kind).toBe('boundary');
          expect(tl.icount).toBe(0);
        } else {
          expect(r.kind === 'hit' && r.position).toBe(expected);
          expect(tl.icount).toBe(expected);
        }
      }),
      { seed: 0x5eed, numRuns: 40 },
    );
  });

  test('oracle: every instruction that changes watched bytes is a forward write hit', () => {
    const lo = STACK_TOP - 0x200n;
    const stops = watch(lo, 0x200, 'write');
    const hits = new Set(forwardHits(tl, stops));
    tl.seekIcount(0);
    const h = () => tl.system.hart(0, 0)!;
    let before = readVirtual(tl.system.mem, h(), lo, 0x200).bytes;
    let changes = 0;
    while (tl.icount < END) {
      tl.step(1);
      const now = readVirtual(tl.system.mem, h(), lo, 0x200).bytes;
      if (now.some((b, i) => b !== before[i])) {
        changes++;
        expect(hits.has(tl.icount), `bytes changed by the step to icount ${tl.icount}`).toBe(true);
      }
      before = now;
    }
    expect(changes).toBeGreaterThan(10);
  });

  test('continue with a hit behind the start stops at the next one; reverse-continue from a hit finds the one before', () => {
    const stops = watch(TICKS, 4);
    const fwd = forwardHits(tl, stops);
    tl.seekIcount(fwd[2]);
    expect(runJob(new ForwardContinue(tl, stops))).toMatchObject({ kind: 'hit', position: fwd[3] });
    expect(runJob(new ReverseContinue(tl, stops))).toMatchObject({ kind: 'hit', position: fwd[2] });
    expect(runJob(new ReverseContinue(tl, stops))).toMatchObject({ kind: 'hit', position: fwd[1] });
  });

  test('a cancelled reverse-continue goes back to where it started', () => {
    tl.seekIcount(2000);
    const job = new ReverseContinue(tl, watch(0x10n, 1));
    job.run(unitBudget(0));
    job.cancel();
    expect(job.run(unitBudget(10)).status).toBe('cancelled');
    expect(tl.icount).toBe(2000);
  });
});
