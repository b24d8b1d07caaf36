// End to end in a real terminal: `chronovisor debug` under tmux on the echo golden trace. Keys
// go in with send-keys, the screen comes back with capture-pane, and the assertions are on
// what a user sees: 5 instructions forward and back to the same screen, reverse-continue to
// the last write of a watched variable, a jump to an event, and the terminal given back on q.
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const session = `cv-e2e-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

const screen = () => tmux('capture-pane', '-p', '-t', session);
const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
const text = (t: string) => tmux('send-keys', '-t', session, '-l', t);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(pred: (s: string) => boolean, what: string, ms = 30_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const s = screen();
    if (pred(s)) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the screen:\n${s}`);
    await sleep(100);
  }
}

/** One key at a time, as a person types: each waits for the status line to change. */
async function pressEach(k: string, n: number, status: (i: number) => string): Promise<string> {
  let s = '';
  for (let i = 1; i <= n; i++) {
    keys(k);
    s = await until((x) => x.split('\n')[0].includes(status(i)), status(i));
  }
  return s;
}

/** The screen without the status and message lines (direction and messages differ by design). */
const panes = (s: string) => s.split('\n').slice(1, -2).join('\n');

describe.skipIf(!hasTmux)('chronovisor debug in tmux', () => {
  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
  });

  test('step, reverse-step, reverse-continue to a watchpoint, jump to an event, quit', async () => {
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', 'node bin/chronovisor.mjs debug traces/echo.trace; echo "exit status $?"; sleep 60');
    const first = await until((s) => s.includes('icount 0/2387'), 'the debugger to open');
    expect(first).toContain('1 Disassembly');
    expect(first).toContain('6 Domains & stops');
    expect(first).toMatch(/▶ 00001000 {2}auipc {3}t0,0x0/);

    // five instructions forward: the reset vector's code, pc moving on
    const fwd = await pressEach('i', 5, (i) => `icount ${i}/2387`);
    expect(fwd.split('\n')[0]).toContain('▶ forward');
    // QEMU's reset vector: five instructions load the firmware's address and reach `jr t0`
    expect(fwd).toMatch(/▶ 00001014 {2}jr {6}t0/);
    expect(fwd).toMatch(/t0  0000000080000000/);
    // and five back: the same screen as at the start
    const back = await pressEach('I', 5, (i) => `icount ${5 - i}/2387`);
    expect(back.split('\n')[0]).toContain('◀ reverse');
    expect(panes(back)).toBe(panes(first));

    // who last wrote `ticks`? a watchpoint, the end of the recording, reverse-continue
    keys(':');
    text('w ticks 4');
    keys('Enter');
    await until((s) => s.includes('watchpoint #1: write of 4 bytes at 0x80000560 (ticks)'), 'the watchpoint');
    keys('G');
    await until((s) => s.split('\n')[0].includes('icount 2387/2387'), 'the end');
    keys('C');
    const hit = await until((s) => s.includes('wrote ticks 0x00000005'), 'reverse-continue to the last write');
    expect(hit).toContain('watchpoint #1: sw a5,844(a4) at echo_interrupt+0x18 wrote ticks 0x00000005');
    expect(hit.split('\n')[0]).toContain('icount 563/2387');
    expect(hit).toMatch(/▶ 8000021c {2}lui/); // stopped right after the store
    expect(hit).toContain('#1 watch write ticks len 4');

    // jump to an event
    keys(':');
    text('#300');
    keys('Enter');
    const ev = await until((s) => s.split('\n')[0].includes('event #300/411'), 'event 300');
    expect(ev).toContain('▶#300 @1209 d0:v0 mmio dev=4 offset=0x5 size=1 value=0x60 op=read');
    expect(ev).toContain('echo guest: hello from Chronovisor'); // the console as of then

    // q gives the terminal back
    keys('q');
    const after = await until((s) => s.includes('exit status 0'), 'the debugger to exit');
    expect(after).not.toContain('1 Disassembly');
  }, 120_000);
});
