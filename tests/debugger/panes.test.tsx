// Each pane on its own, with fixed data: what it shows, what it marks, how it fits its size.
import { render } from 'ink-testing-library';
import chalk from 'chalk';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { DisasmLine, HartInfo, RegisterSnapshot } from '../../src/replay/debug/index.ts';
import { ConsolePane } from '../../debugger/panes/console-pane.tsx';
import { DisasmPane } from '../../debugger/panes/disasm-pane.tsx';
import { DomainsPane } from '../../debugger/panes/domains-pane.tsx';
import { EventsPane } from '../../debugger/panes/events-pane.tsx';
import { HelpScreen } from '../../debugger/panes/help-screen.tsx';
import { MemoryPane } from '../../debugger/panes/memory-pane.tsx';
import { MessageLine } from '../../debugger/panes/message-line.tsx';
import { RegistersPane } from '../../debugger/panes/registers-pane.tsx';
import { StatusLine } from '../../debugger/panes/status-line.tsx';
import { TimelineBar } from '../../debugger/panes/timeline-bar.tsx';

beforeEach(() => {
  chalk.level = 1;
});
afterEach(() => {
  chalk.level = 0;
});

// eslint-disable-next-line no-control-regex
const plain = (s: string | undefined) => (s ?? '').replace(/\x1b\[[0-9;]*m/g, '');
const rows = (s: string | undefined) => plain(s).split('\n');

function regs(over: Partial<RegisterSnapshot> = {}): RegisterSnapshot {
  const x = Array.from({ length: 32 }, (_, i) => BigInt(i * 0x10));
  return { pc: 0x80000010n, priv: 'M', virt: false, waiting: false, retired: 16, x, f: null, csrs: [{ name: 'mstatus', value: 0xa00000000n }, { name: 'mepc', value: 0n }], ...over };
}

describe('status line', () => {
  const base = { trace: 'echo.trace', seq: 106, events: 411, icount: 300, endIcount: 2387, vcpu: 'hart0', priv: 'VS', virt: true, direction: 'reverse' as const };
  test('shows event seq / total, icount, vCPU, privilege with V and the direction', () => {
    const f = plain(render(<StatusLine {...base} width={100} />).lastFrame());
    for (const s of ['◀ reverse', 'event #106/411', 'icount 300/2387', 'hart0 VS V=1', 'echo.trace', '? help']) expect(f).toContain(s);
  });
  test('fits 80 columns and keeps the help hint at the right edge', () => {
    const f = plain(render(<StatusLine {...base} icount={2_999_999} endIcount={3_000_000} trace="a-rather-long-trace-name.trace" width={80} />).lastFrame());
    expect(f.length).toBeLessThanOrEqual(80);
    expect(f.trimEnd().endsWith('? help')).toBe(true);
    expect(f).not.toContain('a-rather-long');
  });
  test('before the first event', () => {
    expect(plain(render(<StatusLine {...base} seq={-1} direction={null} width={100} />).lastFrame())).toContain('■ stopped  event #-/411');
  });
});

describe('timeline bar', () => {
  test('marks the position, where stops hit and bookmarks', () => {
    // 40 cells for 0..100: cell = floor(icount / 100 * 39)
    const f = plain(render(<TimelineBar icount={50} endIcount={100} hits={[0, 100]} bookmarks={[['a', 25]]} width={42} />).lastFrame());
    expect(f).toHaveLength(42);
    expect(f[0]).toBe('[');
    expect(f[41]).toBe(']');
    expect(f[1]).toBe('◆');
    expect(f[40]).toBe('◆');
    expect(f.indexOf('█')).toBe(1 + 19);
    expect(f.indexOf('a')).toBe(1 + 9);
  });
});

describe('disassembly pane', () => {
  const lines: DisasmLine[] = [
    { address: 0x80000000n, raw: 0x1141, len: 2, text: 'add\tsp,sp,-16', label: 'main' },
    { address: 0x80000002n, raw: 0xe406, len: 2, text: 'sd\tra,8(sp)' },
    { address: 0x80000004n, raw: 0x00000513, len: 4, text: 'li\ta0,0' },
    { address: 0x80000008n, raw: -1, len: 2, text: '<unmapped>' },
  ];
  test('labels symbols, marks pc with ▶ and breakpoints with ●', () => {
    const f = rows(render(<DisasmPane lines={lines} pc={0x80000002n} cursor={0x80000002n} breakpoints={new Set([0x80000004n])} where="main+0x2" width={50} height={8} focused />).lastFrame());
    expect(f[0]).toContain('1 Disassembly');
    expect(f[0]).toContain('main+0x2');
    expect(f.some((r) => r.trim() === '<main>:')).toBe(true);
    expect(f.find((r) => r.includes('80000002'))).toMatch(/^▶ 80000002  sd      ra,8\(sp\)/);
    expect(f.find((r) => r.includes('80000004'))).toMatch(/^ ●80000004  li      a0,0/);
    expect(f.find((r) => r.includes('80000008'))).toContain('<unmapped>');
    expect(f).toHaveLength(8);
  });
});

describe('registers pane', () => {
  test('two registers to a row, pc with privilege mode and V, CSRs below', () => {
    const f = rows(render(<RegistersPane regs={regs()} prev={null} cursor={2} label="hart0" width={41} height={24} focused={false} />).lastFrame());
    expect(f[1]).toMatch(/^pc  0000000080000010  M V=0/);
    expect(f[2]).toBe('x0  0000000000000000 ra  0000000000000010');
    expect(f.some((r) => r.startsWith('t5  00000000000001e0 t6  00000000000001f0'))).toBe(true);
    expect(f.some((r) => r.startsWith('mstatus  0000000a00000000'))).toBe(true);
  });
  test('highlights values that changed since the previous position', () => {
    const prev = regs();
    const now = regs({ x: prev.x.map((v, i) => (i === 10 ? 0x1234n : v)) });
    const f = render(<RegistersPane regs={now} prev={prev} cursor={2} label="hart0" width={41} height={24} focused={false} />).lastFrame()!;
    // a0 in bold yellow, a1 (unchanged) plain
    expect(f).toMatch(/a0 \x1b\[[0-9;]*m?[^\n]*\x1b\[33m\x1b\[1m0000000000001234|a0 [^\n]*\x1b\[1m\x1b\[33m0000000000001234/);
    expect(f).not.toMatch(/\x1b\[33m(\x1b\[1m)?00000000000000b0/);
  });
  test('says so when the vCPU does not exist at this point', () => {
    expect(plain(render(<RegistersPane regs={null} prev={null} cursor={0} label="d2:v0" width={41} height={5} focused={false} />).lastFrame())).toContain('d2:v0 does not exist at this point');
  });
});

describe('memory pane', () => {
  test('hex and ASCII, unreadable bytes as --, watched bytes coloured', () => {
    const bytes = new Uint8Array(32).map((_, i) => 0x41 + i);
    const valid = Array.from({ length: 32 }, (_, i) => i < 24);
    const el = <MemoryPane address={0x80000000n} bytes={bytes} valid={valid} bytesPerRow={16} cursor={0x80000004n} watched={[[0x80000004n, 0x80000008n]]} follow="sp" width={78} height={3} focused />;
    const out = render(el).lastFrame()!;
    const f = rows(out);
    expect(f[0]).toContain('follow sp');
    expect(f[1]).toBe('80000000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|');
    expect(f[2]).toBe('80000010  51 52 53 54 55 56 57 58  -- -- -- -- -- -- -- --  |QRSTUVWX        |');
    expect(out).toMatch(/\x1b\[35m[^\n]*46/); // watched bytes in magenta
  });
});

describe('events pane', () => {
  test('marks the current event, dims the future, shows filter and search', () => {
    const evs = [
      { seq: 4, text: '#4 @51 d0:v0 console dev=4 bytes="c"' },
      { seq: 5, text: '#5 @51 d0:v0 mmio dev=4 offset=0x0 size=1 value=0x63 op=write' },
      { seq: 6, text: '#6 @55 d0:v0 mmio dev=4 offset=0x5 size=1 value=0x60 op=read' },
    ];
    const out = render(<EventsPane rows={evs} current={5} cursor={5} filter="console,mmio" search="read" width={80} height={5} focused={false} />).lastFrame()!;
    const f = rows(out);
    expect(f[0]).toContain('4 Events');
    expect(f[0]).toContain('filter console,mmio  /read');
    expect(f[2]).toMatch(/^▶#5 @51/);
    expect(f[1]).toMatch(/^ #4 @51/);
    expect(out).toMatch(/\x1b\[2m[^\n]*#6 @55/); // not yet happened: dim
  });
  test('says when nothing matches the filter', () => {
    expect(plain(render(<EventsPane rows={[]} current={-1} cursor={0} filter="hypercall" search={null} width={60} height={3} focused />).lastFrame())).toContain('(no event matches the filter)');
  });
});

describe('console pane', () => {
  const lines = Array.from({ length: 10 }, (_, i) => `line ${i}`);
  test('shows the newest lines, or scrolled back', () => {
    let f = rows(render(<ConsolePane lines={lines} scroll={0} label="all output" width={40} height={4} focused={false} />).lastFrame());
    expect(f.slice(1).map((r) => r.trim())).toEqual(['line 7', 'line 8', 'line 9']);
    f = rows(render(<ConsolePane lines={lines} scroll={5} label="all output" width={40} height={4} focused={false} />).lastFrame());
    expect(f.slice(1).map((r) => r.trim())).toEqual(['line 2', 'line 3', 'line 4']);
    expect(f[0]).toContain('5 lines back');
  });
});

describe('domains pane', () => {
  test('groups vCPUs by domain, marks the shown one, lists stops and bookmarks', () => {
    const harts: HartInfo[] = [
      { domain: 1, vcpu: 0, label: 'd1:v0', domainName: 'a (hvm)', pc: 0x80200000n, priv: 'VS', waiting: false, retired: 10 },
      { domain: 2, vcpu: 0, label: 'd2:v0', domainName: 'b (pv)', pc: 0x80201000n, priv: 'VU', waiting: true, retired: 5 },
    ];
    const f = plain(render(<DomainsPane harts={harts} selected={{ domain: 2, vcpu: 0 }} cursor={0} stops={['#1 break main', '#2 watch write ticks len 4']} bookmarks={[['a', 1200]]} width={40} height={12} focused />).lastFrame());
    expect(f).toContain('a (hvm)');
    expect(f).toMatch(/▶ d2:v0 VU 80201000 wfi/);
    expect(f).toMatch(/ {2}d1:v0 VS 80200000/);
    expect(f).toContain('#2 watch write ticks len 4');
    expect(f).toContain("'a  @1200");
  });
});

describe('message line and help', () => {
  test('a long stop report takes two rows; a prompt shows what is typed; progress shows a bar', () => {
    const long = 'watchpoint #1: sw a5,844(a4) at echo_interrupt+0x18 wrote ticks 0x00000005 (4 bytes, d0:v0) — stopped after it';
    let f = rows(render(<MessageLine message={long} kind="stop" prompt={null} busy={null} width={80} />).lastFrame());
    expect(f).toHaveLength(2);
    expect(f.join(' ')).toContain('wrote ticks 0x00000005');
    expect(f[1]).toContain('? help');
    f = rows(render(<MessageLine message="" kind="info" prompt={{ label: ':', text: '#12' }} busy={null} width={80} />).lastFrame());
    expect(f[0]).toMatch(/^:#12█/);
    f = rows(render(<MessageLine message="" kind="info" prompt={null} busy={{ label: 'reverse-continue', done: 1, total: 4 }} width={80} />).lastFrame());
    expect(f[0]).toContain('reverse-continue █████░');
    expect(f[0]).toContain('25%  Esc cancels');
  });
  test('the help screen lists every key group within 80x21', () => {
    const f = rows(render(<HelpScreen width={80} height={21} />).lastFrame());
    expect(f).toHaveLength(21);
    expect(f.filter((r) => /^(Time|Stops and marks|Views)/.test(r))).toHaveLength(3);
    expect(f.every((r) => r.length <= 80)).toBe(true);
    expect(f.join('\n')).toContain('?  q');
  });
});
