// Keys for stops, marks and search: b, w, m / ', / n N, f — on the echo golden trace.
import { afterEach, describe, expect, test } from 'vitest';
import { KEYS, messageOf, openDebugger, statusOf, type Harness } from './harness.tsx';

let h: Harness;
afterEach(() => h?.unmount());

describe('stop and mark keys', () => {
  test('b toggles a breakpoint at the disassembly cursor; the domains pane lists it', async () => {
    h = await openDebugger();
    await h.press(':');
    await h.type('@300');
    await h.until((x) => statusOf(x).includes('icount 300/'), 'icount 300');
    await h.press('1', KEYS.down, KEYS.down);
    await h.press('b');
    let f = await h.until((x) => messageOf(x).includes('breakpoint #1 at 0x800002b0'), 'the breakpoint two lines below pc');
    expect(f).toMatch(/ ●800002b0/);
    await h.press('6');
    f = await h.until((x) => x.includes('#1 break guest_main+0x52'), 'the stop listed');
    await h.press('1', 'b');
    f = await h.until((x) => messageOf(x).includes('removed'), 'the breakpoint removed');
    expect(f).not.toMatch(/●800002b0/);
  });

  test('w watches the memory word under the cursor; C finds who last wrote it', async () => {
    h = await openDebugger();
    await h.press(':');
    await h.type('mem ticks');
    await h.until((x) => x.includes('follow 0x80000560') || x.includes('follow ticks'), 'memory at ticks');
    await h.press('3', 'w');
    await h.until((x) => messageOf(x).includes('watchpoint #1: write of 8 bytes at 0x80000560 (ticks)'), 'the watchpoint');
    await h.press('G');
    await h.until((x) => statusOf(x).includes('icount 2387/'), 'the end');
    await h.press('C');
    const f = await h.until((x) => messageOf(x).includes('watchpoint #1: sw a5,844(a4) at echo_interrupt+0x18 wrote ticks 0x00000005'), 'the last write');
    // stopped right after the store: 563 instructions retired, the last one the store
    expect(statusOf(f)).toContain('icount 563/');
    // the timeline bar marks where it stopped
    await h.press('g');
    const g = await h.until((x) => statusOf(x).includes('icount 0/'), 'the start');
    expect(g.split('\n')[1]).toContain('◆');
  });

  test('w on a register watches the address it holds; on a store, its data address', async () => {
    h = await openDebugger();
    await h.press(':');
    await h.type('@562');
    await h.until((x) => statusOf(x).includes('icount 562/'), 'right before the store to ticks');
    // pc is at `sw a5,844(a4)`: w in the disassembly watches 0x80000560, 4 bytes
    await h.press('1', 'w');
    await h.until((x) => messageOf(x).includes('watchpoint #1: write of 4 bytes at 0x80000560 (ticks)'), 'the store target');
    // the register cursor starts on sp
    await h.press('2', 'w');
    await h.until((x) => messageOf(x).includes('watchpoint #2: write of 8 bytes at 0x800044'), 'the address in sp');
  });

  test("m a bookmarks the moment, ' a comes back; the timeline bar shows it", async () => {
    h = await openDebugger();
    await h.press(':');
    await h.type('@1200');
    await h.until((x) => statusOf(x).includes('icount 1200/'), 'icount 1200');
    await h.press('m', 'a');
    let f = await h.until((x) => messageOf(x).includes("bookmark 'a at icount 1200"), 'the bookmark');
    await h.press('g');
    f = await h.until((x) => statusOf(x).includes('icount 0/'), 'the start');
    expect(f.split('\n')[1]).toMatch(/─a─/);
    await h.press("'", 'a');
    f = await h.until((x) => statusOf(x).includes('icount 1200/'), 'back at the bookmark');
    await h.press("'", 'z');
    await h.until((x) => messageOf(x).includes("no bookmark 'z"), 'a missing bookmark');
  });

  test('/ searches the events, n and N find the next and previous match, Enter goes there', async () => {
    h = await openDebugger();
    await h.press('/');
    await h.type('interrupt');
    let f = await h.until((x) => messageOf(x).includes('event #107 matches "interrupt"'), 'the first interrupt');
    await h.press('n');
    f = await h.until((x) => messageOf(x).includes('event #110 matches'), 'the next one');
    await h.press('N');
    f = await h.until((x) => messageOf(x).includes('event #107 matches'), 'the previous one');
    await h.press(KEYS.enter);
    // an interrupt happens at a boundary: right after it, the hart is at the vector
    f = await h.until((x) => statusOf(x).includes('event #107/'), 'at the event');
    expect(f).toContain('▶#107 @307 d0:v0 interrupt');
    expect(statusOf(f)).toContain('icount 307/');
  });

  test('f filters the events by kind (and clears with an empty filter)', async () => {
    h = await openDebugger();
    await h.press('f');
    await h.type('interrupt,lifecycle');
    let f = await h.until((x) => x.includes('filter interrupt,lifecycle'), 'the filter');
    const rows = f.split('\n').filter((r) => /#\d+ @\d+/.test(r));
    expect(rows.length).toBe(6);
    expect(rows.every((r) => /interrupt|lifecycle/.test(r))).toBe(true);
    await h.press('f');
    // the prompt starts with the current filter: erase it
    await h.press(...Array.from({ length: 20 }, () => '\x7f'));
    await h.press(KEYS.enter);
    f = await h.until((x) => messageOf(x).includes('event filter cleared'), 'cleared');
    expect(f).toContain('console dev=4');
  });
});
