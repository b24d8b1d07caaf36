// The debugger in a real terminal: alternate screen on start; the terminal put back on every
// way out (q, Ctrl-C, SIGTERM, a crash); resizes followed.
import React, { useEffect, useState } from 'react';
import { render, useStdout, type Instance } from 'ink';
import type { DebugSession } from '../src/replay/debug/index.ts';
import { App } from './app.tsx';

const ENTER_ALT = '\x1b[?1049h\x1b[H';
const LEAVE_ALT = '\x1b[?25h\x1b[?1049l';

function Sized(props: { session: DebugSession; traceName: string; target?: { domain: number; vcpu: number }; onQuit: () => void }): React.JSX.Element {
  const { stdout } = useStdout();
  const size = () => ({ width: stdout.columns || 80, height: stdout.rows || 24 });
  const [dims, setDims] = useState(size);
  useEffect(() => {
    const onResize = () => setDims(size());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return <App {...props} width={dims.width} height={dims.height} />;
}

export async function runTerminalUi(session: DebugSession, opts: { file: string; target?: { domain: number; vcpu: number } }): Promise<number> {
  let instance: Instance | null = null;
  let restored = false;
  // Ink first (it writes its last frame on unmount: into the alternate screen), then the screen
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      instance?.unmount();
    } catch {
      // already unmounted or broken: the terminal still has to be put back
    }
    process.stdout.write(LEAVE_ALT);
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
  };
  const crash = (e: unknown) => {
    restore();
    process.stderr.write(`chronovisor debug: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(70);
  };
  process.on('exit', restore);
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  for (const [sig, code] of [['SIGTERM', 143], ['SIGHUP', 129], ['SIGINT', 130]] as const) {
    process.on(sig, () => {
      restore();
      process.exit(code);
    });
  }
  process.stdout.write(ENTER_ALT);
  const name = opts.file.split('/').pop() ?? opts.file;
  instance = render(<Sized session={session} traceName={name} target={opts.target} onQuit={() => instance?.unmount()} />, { exitOnCtrlC: true, patchConsole: false });
  try {
    await instance.waitUntilExit();
  } catch (e) {
    restore();
    process.stderr.write(`chronovisor debug: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 70;
  }
  restore();
  return 0;
}
