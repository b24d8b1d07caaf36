// Keys for the views: 1-6 and Tab focus, arrows, Enter, { } to switch vCPU, ? help, q quit.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { KEYS, messageOf, openDebugger, statusOf, type Harness } from './harness.tsx';

let h: Harness;
afterEach(() => h?.unmount());

describe('view keys', () => {
  test('1-6 focus a pane; in 80x24 the lower slot shows the focused one; Tab cycles', async () => {
    h = await openDebugger({ colors: true });
    const inverseTitle = (f: string, title: string) => new RegExp(`\\x1b\\[7m[^\\n]*${title}`).test(f);
    expect(inverseTitle(h.frame(), '1 Disassembly')).toBe(true);
    await h.press('3');
    await h.until((x) => x.includes('3 Memory') && inverseTitle(x, '3 Memory'), 'memory below, focused');
    await h.press('5');
    await h.until((x) => x.includes('5 Console') && !x.includes('3 Memory'), 'console below');
    await h.press('6');
    await h.until((x) => x.includes('6 Domains & stops'), 'domains below');
    await h.press('2');
    await h.until((x) => inverseTitle(x, '2 Registers'), 'registers focused');
    await h.press(KEYS.tab);
    await h.until((x) => inverseTitle(x, '3 Memory'), 'Tab to memory');
    await h.press(KEYS.tab);
    await h.until((x) => inverseTitle(x, '4 Events'), 'Tab to events');
  });

  test('arrows move the event cursor and Enter goes to that event', async () => {
    h = await openDebugger();
    await h.press(':');
    await h.type('#50');
    await h.until((x) => statusOf(x).includes('event #50/'), 'event 50');
    await h.press('4', KEYS.down, KEYS.down, KEYS.down, KEYS.enter);
    await h.until((x) => statusOf(x).includes('event #53/'), 'event 53');
    // #52 (console) and #53 (mmio) are one store: going to either lands after both
    await h.until((x) => statusOf(x).includes('icount 163/'), 'after the store');
    await h.press(KEYS.up, KEYS.up, KEYS.enter);
    await h.until((x) => statusOf(x).includes('event #51/'), 'back at 51');
  });

  test('Enter on a register makes memory follow it; arrows move the memory cursor', async () => {
    h = await openDebugger();
    await h.press(':');
    await h.type('@1500');
    await h.until((x) => statusOf(x).includes('icount 1500/'), 'icount 1500');
    // x0 ra / sp gp / tp t0 / t1 t2 / s0 s1 / a0 — the cursor starts on sp
    await h.press('2', KEYS.down, KEYS.down, KEYS.down, KEYS.down, KEYS.enter);
    await h.press('3');
    const f = await h.until((x) => x.includes('follow a0'), 'memory follows a0');
    expect(f).toMatch(/80000540 .*\|/);
  });

  test('? shows every key; any key closes it; q quits', async () => {
    h = await openDebugger({ width: 120, height: 40 });
    await h.press('?');
    const f = await h.until((x) => x.includes('any key closes this help'), 'the help');
    for (const k of ['i / I', 'e / E', 'c / C', 'g / G', "m x / ' x", '1-6 / Tab', '{ / }', '/  n  N', 'Esc', 'f']) expect(f).toContain(k);
    await h.press('x');
    await h.until((x) => x.includes('1 Disassembly'), 'the panes again');
    await h.press('q');
    expect(h.quitCalls).toBe(1);
  });

  test('120x40 shows all six panes at once', async () => {
    h = await openDebugger({ width: 120, height: 40 });
    const f = h.frame();
    for (const t of ['1 Disassembly', '2 Registers', '3 Memory', '4 Events', '5 Console', '6 Domains & stops']) expect(f).toContain(t);
    expect(f.split('\n').length).toBe(40);
    expect(Math.max(...f.split('\n').map((r) => r.length))).toBeLessThanOrEqual(120);
  });

  describe('two harts', () => {
    let trace = '';
    beforeAll(() => {
      trace = path.join(mkdtempSync(path.join(tmpdir(), 'cv-dbg-')), 'echo-smp2.trace');
      execFileSync('node', ['bin/chronovisor.mjs', 'record', '--bios', 'guests/echo/echo.bin', '--smp', '2', '--max-insns', '3000', '--quiet', '-o', trace], { stdio: 'ignore' });
    });

    test('{ and } switch between vCPUs; the domains pane marks the shown one', async () => {
      h = await openDebugger({ trace, width: 120, height: 40 });
      expect(statusOf(h.frame())).toContain('hart0');
      await h.press('}');
      let f = await h.until((x) => statusOf(x).includes('hart1'), 'hart1');
      expect(f).toMatch(/▶ hart1/);
      expect(messageOf(f)).toContain('showing hart1');
      await h.press('{');
      f = await h.until((x) => statusOf(x).includes('hart0'), 'hart0 again');
    });
  });
});
