// Drives a machine from the command line: runs it in chunks, shows console output, feeds
// the scripted console and (when stdin is a TTY) the keyboard, and enforces the limits.
// Host time is used here only for --timeout-s, never inside the machine.
import { ConsoleScript } from './console-script.ts';
import type { RunStop } from '../machine/machine.ts';

/** What the session needs from whatever it runs (a bare machine or a set of domains). */
export interface Runnable {
  readonly icount: number;
  run(budget: number): RunStop;
  sendInput(bytes: Uint8Array | string): void;
  /** Return from run() at the next slice boundary. */
  requestStop(): void;
}

export interface SessionOptions {
  script: ConsoleScript | null;
  maxInsns?: number;
  timeoutS?: number;
  timeoutInsns?: number;
  /** Forward stdin to the guest (only when it is a TTY). */
  interactive: boolean;
  /** Console output sink (stdout by default). */
  write: (text: string) => void;
  /** Messages for the user (stderr). */
  note: (text: string) => void;
  /** Instructions per chunk between host-side checks. */
  chunk?: number;
}

export type SessionEnd =
  | { kind: 'script-done'; icount: number }
  | { kind: 'finished'; stop: Extract<RunStop, { kind: 'finished' }>; icount: number }
  | { kind: 'max-insns'; icount: number }
  | { kind: 'timeout'; reason: string; icount: number }
  | { kind: 'idle'; icount: number }
  | { kind: 'stuck'; stop: Extract<RunStop, { kind: 'stuck' }>; icount: number }
  | { kind: 'quit'; icount: number };

/** Collects console output so the script can look at it after each chunk. */
export class ConsoleTap {
  private pending = '';
  private readonly decoder = new TextDecoder();
  /** Called after each output byte (the session uses it to stop the machine for the script). */
  onOutput: (() => void) | null = null;

  constructor(private readonly echo: (text: string) => void) {}

  byte(b: number): void {
    const s = this.decoder.decode(Uint8Array.of(b), { stream: true });
    this.pending += s;
    this.echo(s);
    this.onOutput?.();
  }

  take(): string {
    const s = this.pending;
    this.pending = '';
    return s;
  }
}

export async function runSession(m: Runnable, tap: ConsoleTap, o: SessionOptions): Promise<SessionEnd> {
  const chunk = o.chunk ?? 2_000_000;
  const start = Date.now();
  let lastYield = start;
  if (o.script) tap.onOutput = () => m.requestStop();
  const startIcount = m.icount;
  let quit = false;
  let stdinCleanup: (() => void) | null = null;
  if (o.interactive && process.stdin.isTTY) {
    stdinCleanup = attachTty(m, () => {
      quit = true;
    });
  }
  try {
    if (o.script) {
      const first = o.script.start();
      if (first) m.sendInput(first);
    }
    for (;;) {
      let budget = chunk;
      if (o.maxInsns !== undefined) budget = Math.min(budget, startIcount + o.maxInsns - m.icount);
      if (o.timeoutInsns !== undefined) budget = Math.min(budget, startIcount + o.timeoutInsns - m.icount);
      if (budget <= 0) {
        if (o.timeoutInsns !== undefined && m.icount - startIcount >= o.timeoutInsns) {
          return { kind: 'timeout', reason: `--timeout-insns ${o.timeoutInsns} reached`, icount: m.icount };
        }
        return { kind: 'max-insns', icount: m.icount };
      }
      const stop = m.run(budget);
      if (o.script) {
        const sends = o.script.feed(tap.take());
        if (sends) m.sendInput(sends);
        if (o.script.done && !o.script.endsWithSend) return { kind: 'script-done', icount: m.icount };
      } else {
        tap.take();
      }
      if (stop.kind === 'finished') return { kind: 'finished', stop, icount: m.icount };
      if (stop.kind === 'stuck') return { kind: 'stuck', stop, icount: m.icount };
      if (stop.kind === 'idle' && !stdinCleanup) return { kind: 'idle', icount: m.icount };
      if (quit) return { kind: 'quit', icount: m.icount };
      if (o.timeoutS !== undefined && Date.now() - start > o.timeoutS * 1000) {
        return { kind: 'timeout', reason: `--timeout-s ${o.timeoutS} reached`, icount: m.icount };
      }
      // let stdin and signals through now and then; an idle machine waits for input instead of spinning
      const now = Date.now();
      if (stop.kind === 'idle' || now - lastYield > 30) {
        await new Promise((r) => setTimeout(r, stop.kind === 'idle' ? 10 : 0));
        lastYield = Date.now();
      }
    }
  } finally {
    stdinCleanup?.();
  }
}

/** Raw-mode stdin forwarding; Ctrl-A then x quits, like QEMU's -nographic console. */
function attachTty(m: Runnable, onQuit: () => void): () => void {
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  let ctrlA = false;
  const onData = (buf: Buffer) => {
    for (const b of buf) {
      if (ctrlA) {
        ctrlA = false;
        if (b === 0x78 /* x */) {
          onQuit();
          return;
        }
        if (b !== 0x01) m.sendInput(Uint8Array.of(0x01));
      } else if (b === 0x01) {
        ctrlA = true;
        continue;
      }
      m.sendInput(Uint8Array.of(b));
    }
  };
  stdin.on('data', onData);
  return () => {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}

/** Exit status and a closing message for a finished session. */
export function describeEnd(end: SessionEnd, script: ConsoleScript | null, lastOutput: string): { code: number; message: string } {
  switch (end.kind) {
    case 'script-done':
      return { code: 0, message: `console script complete after ${end.icount} instructions` };
    case 'finished': {
      const f = end.stop.finish;
      if (script && !script.done) {
        return { code: 3, message: `the guest stopped (${f.kind}, code ${f.code}) after ${end.icount} instructions while the console script was waiting for ${script.describeWaiting()}` };
      }
      if (f.kind === 'poweroff') return { code: 0, message: `guest powered off after ${end.icount} instructions` };
      return { code: f.code === 0 ? 1 : f.code & 0xff || 1, message: `guest reported failure (test finisher code ${f.code}) after ${end.icount} instructions` };
    }
    case 'max-insns':
      return script && !script.done
        ? { code: 3, message: `stopped at --max-insns (${end.icount} instructions) while the console script was still waiting for ${script.describeWaiting()}` }
        : { code: 0, message: `stopped after --max-insns: ${end.icount} instructions` };
    case 'timeout': {
      const tail = lastOutput.slice(-200).replace(/\r/g, '');
      return {
        code: 124,
        message:
          `timeout: ${end.reason} after ${end.icount} instructions` +
          (script ? `; the console script was waiting for ${script.describeWaiting()}` : '') +
          `\nlast console output:\n${tail}`,
      };
    }
    case 'idle':
      return script && !script.done
        ? { code: 3, message: `the machine went idle (all harts in WFI, no timer armed) at ${end.icount} instructions while the console script was waiting for ${script.describeWaiting()}` }
        : { code: 0, message: `the machine went idle (all harts in WFI, no timer armed) after ${end.icount} instructions` };
    case 'stuck':
      return {
        code: 4,
        message: `hart ${end.stop.hart} is stuck: instruction fetch at its trap vector keeps faulting (pc 0x${end.stop.pc.toString(16)}) after ${end.icount} instructions`,
      };
    case 'quit':
      return { code: 0, message: `quit by the user after ${end.icount} instructions` };
  }
}
