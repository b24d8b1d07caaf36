// Keys that move through time: i/I, e/E, g/G, c/C, `:` and Esc, on the echo golden trace.
import { afterEach, describe, expect, test } from 'vitest';
import { KEYS, messageOf, openDebugger, statusOf, type Harness } from './harness.tsx';

let h: Harness;
afterEach(() => h?.unmount());

describe('time keys', () => {
  test('i steps one instruction forward, I one back', async () => {
    h = await openDebugger();
    expect(statusOf(h.frame())).toContain('icount 0/2387');
    await h.press('i');
    await h.until((f) => statusOf(f).includes('icount 1/2387'), 'icount 1');
    expect(statusOf(h.frame())).toContain('▶ forward');
    await h.press('i', 'i');
    await h.until((f) => statusOf(f).includes('icount 3/2387'), 'icount 3');
    await h.press('I');
    const f = await h.until((x) => statusOf(x).includes('icount 2/2387'), 'icount 2');
    expect(statusOf(f)).toContain('◀ reverse');
    expect(messageOf(f)).toContain('reverse-stepped 1 instruction');
  });

  test('e goes to the next event, E back to the previous one', async () => {
    h = await openDebugger();
    await h.press('e');
    let f = await h.until((x) => statusOf(x).includes('event #0/411'), 'event #0');
    expect(statusOf(f)).toContain('icount 41/');
    // #1 (console byte) and #2 (its mmio write) come from one store: one position, after both
    await h.press('e');
    f = await h.until((x) => statusOf(x).includes('event #2/411'), 'event #2');
    await h.press('e');
    f = await h.until((x) => statusOf(x).includes('event #3/411'), 'event #3');
    await h.press('E');
    f = await h.until((x) => statusOf(x).includes('event #2/411'), 'back to event #2');
    await h.press('E');
    f = await h.until((x) => statusOf(x).includes('event #0/411'), 'back to event #0, over the pair');
    expect(f).toContain('▶#0 @41');
  });

  test('G goes to the end, g to the start', async () => {
    h = await openDebugger();
    await h.press('G');
    const f = await h.until((x) => statusOf(x).includes('icount 2387/2387'), 'the end');
    expect(statusOf(f)).toContain('event #410/411');
    await h.press('g');
    await h.until((x) => statusOf(x).includes('icount 0/2387') && statusOf(x).includes('event #-/411'), 'the start');
  });

  test(': goes to an event (#SEQ), an icount (@N) and an address', async () => {
    h = await openDebugger();
    await h.press(':');
    await h.type('#200');
    let f = await h.until((x) => statusOf(x).includes('icount 833/'), 'event 200 at icount 833');
    expect(f).toMatch(/▶#200 @833/);
    await h.press(':');
    await h.type('@1500');
    f = await h.until((x) => statusOf(x).includes('icount 1500/'), 'icount 1500');
    await h.press(':');
    await h.type('echo_interrupt');
    f = await h.until((x) => x.includes('<echo_interrupt>:'), 'the disassembly at echo_interrupt');
    expect(messageOf(f)).toContain('disassembly at 0x80000200');
    await h.press(':');
    await h.type('#99999');
    f = await h.until((x) => messageOf(x).includes('no event #99999'), 'an error for a missing event');
  });

  test('c and C without stops explain how to set one', async () => {
    h = await openDebugger();
    await h.press('c');
    await h.until((x) => messageOf(x).includes('no breakpoint or watchpoint'), 'the hint');
  });

  test('c runs to a breakpoint (set with : b) and stops before it; C goes back to the previous hit', async () => {
    h = await openDebugger();
    await h.press(':');
    await h.type('b echo_interrupt');
    await h.until((x) => messageOf(x).includes('breakpoint #1 at 0x80000200 (echo_interrupt)'), 'the breakpoint');
    await h.press('c');
    let f = await h.until((x) => messageOf(x).includes('breakpoint #1 at echo_interrupt'), 'the first hit');
    expect(f).toMatch(/▶●80000200/);
    const first = /icount (\d+)\//.exec(statusOf(f))![1];
    await h.press('c');
    f = await h.until((x) => !statusOf(x).includes(`icount ${first}/`) && messageOf(x).includes('breakpoint #1'), 'the second hit');
    await h.press('C');
    f = await h.until((x) => statusOf(x).includes(`icount ${first}/`), 'back at the first hit');
    expect(statusOf(f)).toContain('◀ reverse');
  });

  test('Esc cancels a long reverse-continue and returns to where it started', async () => {
    h = await openDebugger({ trace: 'traces/bench-3m.trace' });
    await h.press(':');
    await h.type('w 0x10 8');
    await h.press('G');
    await h.until((x) => statusOf(x).includes('icount 3000000/3000000'), 'the end');
    await h.press('C');
    await h.until((x) => messageOf(x).includes('Esc cancels'), 'the progress bar');
    await h.press(KEYS.esc);
    const f = await h.until((x) => messageOf(x).includes('reverse-continue cancelled'), 'the cancel');
    expect(statusOf(f)).toContain('icount 3000000/3000000');
  });
});
