// Drives the debugger's App through ink-testing-library: keys as a terminal sends them, and
// waiting until the screen shows something (motions run as sliced jobs, so frames arrive later).
import { render } from 'ink-testing-library';
import chalk from 'chalk';
import { App } from '../../debugger/app.tsx';
import { DebugSession, type SessionOptions } from '../../src/replay/debug/index.ts';

export const KEYS = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  pageDown: '\x1b[6~',
  enter: '\r',
  esc: '\x1b',
  tab: '\t',
} as const;

export interface Harness {
  session: DebugSession;
  frame(): string;
  press(...keys: string[]): Promise<void>;
  /** Types text into a prompt and presses Enter. */
  type(text: string): Promise<void>;
  until(pred: (frame: string) => boolean, what: string, ms?: number): Promise<string>;
  quitCalls: number;
  unmount(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function openDebugger(opts: { trace?: string; width?: number; height?: number; session?: SessionOptions; colors?: boolean } = {}): Promise<Harness> {
  // colors on when a test looks at highlighting (inverse titles, changed registers)
  chalk.level = opts.colors ? 1 : 0;
  const trace = opts.trace ?? 'traces/echo.trace';
  const width = opts.width ?? 80;
  const height = opts.height ?? 24;
  const session = DebugSession.open(trace, opts.session);
  const h: Harness = {
    session,
    quitCalls: 0,
    frame: () => r.lastFrame() ?? '',
    async press(...keys) {
      for (const k of keys) {
        r.stdin.write(k);
        await sleep(k === KEYS.esc ? 60 : 15);
      }
      await sleep(20);
    },
    async type(text) {
      for (const ch of text) r.stdin.write(ch);
      await sleep(15);
      r.stdin.write(KEYS.enter);
      await sleep(30);
    },
    async until(pred, what, ms = 20_000) {
      const end = Date.now() + ms;
      for (;;) {
        const f = h.frame();
        if (pred(f)) return f;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${f}`);
        await sleep(20);
      }
    },
    unmount: () => r.unmount(),
  };
  const el = <App session={session} traceName={trace.split('/').pop()!} width={width} height={height} onQuit={() => h.quitCalls++} sliceMs={10} />;
  const r = render(el);
  // ink-testing-library's stdout is 100 columns: wider layouts need a wider terminal
  if (width > 100) {
    Object.defineProperty(r.stdout, 'columns', { get: () => width });
    r.rerender(el);
  }
  await h.until((f) => f.includes('icount'), 'the first frame');
  return h;
}

/** The status line (first row). */
export function statusOf(frame: string): string {
  return frame.split('\n')[0];
}

/** The message line (the last row; a long message takes the row above as well). */
export function messageOf(frame: string): string {
  const rows = frame.split('\n').map((r) => r.trimEnd());
  return rows.slice(-2).join(' ').replace(/\s+\? help\s+q quit$/, '');
}
