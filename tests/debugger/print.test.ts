// `chronovisor debug FILE --at POS --print WHAT` for scripts, and the message when the
// interactive debugger has no terminal.
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';

function cv(...args: string[]) {
  const r = spawnSync('node', ['bin/chronovisor.mjs', 'debug', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('chronovisor debug --print', () => {
  test('regs after an event', () => {
    const r = cv('traces/echo.trace', '--at', '200', '--print', 'regs');
    expect(r.code).toBe(0);
    expect(r.out).toContain('position: icount 833 of 2387, after event #200');
    expect(r.out).toMatch(/^pc {7}00000000800000ee  uart_puts\+0x10$/m);
    expect(r.out).toMatch(/^priv {5}M  V=0$/m);
    expect(r.out).toMatch(/ a4 {3}0000000010000000 /);
    expect(r.out).toMatch(/^mtvec {4}00000000800001b0$/m);
  });

  test('disasm at an icount, with symbols and the pc marked', () => {
    const r = cv('traces/echo.trace', '--at', '@562', '--print', 'disasm', '--count', '6');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^=> 80000218:  34f72623  sw      a5,844\(a4\) # 80000560 <ticks>$/m);
  });

  test('events around the position', () => {
    const r = cv('traces/echo.trace', '--at', '#300', '--print', 'events', '--count', '2');
    expect(r.out.trim().split('\n')).toEqual([
      'position: icount 1209 of 2387, after event #300 (411 events)',
      '   #299 @1205 d0:v0 mmio dev=4 offset=0x0 size=1 value=0x70 op=write',
      '=> #300 @1209 d0:v0 mmio dev=4 offset=0x5 size=1 value=0x60 op=read',
      '   #301 @1212 d0:v0 console dev=4 bytes="e"',
      '   #302 @1212 d0:v0 mmio dev=4 offset=0x0 size=1 value=0x65 op=write',
    ]);
  });

  test('mem ADDR LEN by symbol', () => {
    const r = cv('traces/echo.trace', '--at', '@2387', '--print', 'mem', 'ticks', '8');
    expect(r.out).toContain('80000560  05 00 00 00 00 00 00 00  |........|');
  });

  test('bad input is explained', () => {
    expect(cv('traces/echo.trace', '--print', 'mem', 'ticks').err).toMatch(/--print mem needs an address and a length/);
    expect(cv('traces/echo.trace', '--at', '9999', '--print', 'regs').err).toMatch(/no event #9999/);
    expect(cv('traces/echo.trace', '--print', 'stack').err).toMatch(/expected regs, disasm, events or mem/);
    expect(cv('traces/echo.trace', '--at', '@5', '--print', 'mem', 'nosuchsymbol', '4').err).toMatch(/is not an address/);
  });

  test('without a terminal the interactive debugger says what to do instead, and fails', () => {
    const r = cv('traces/echo.trace');
    expect(r.code).toBe(2);
    expect(r.err).toContain('needs an interactive terminal');
    expect(r.err).toContain('--print regs|disasm|events|mem ADDR LEN');
  });
});
