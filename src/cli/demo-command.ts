// `npm start` / `chronovisor demo`: records a demo with our own guest kernel — a PV domain and
// an HVM domain side by side — into traces/demo.trace, verifies it by replaying it, prints the
// inspect summary and the command that opens it in the debugger. Needs no firmware: every
// image is our own and committed.
import { existsSync } from 'node:fs';
import { parseRunOptions } from './run-options.ts';
import { runDomainsCommand } from './domains-command.ts';
import { reportError } from './errors.ts';

/** The demo's domains (committed configs and images of guests/kernel). */
export const DEMO_CONFIGS = ['guests/pv-demo.cfg', 'guests/hvm-demo.cfg'];
export const DEMO_TRACE = 'traces/demo.trace';

export async function demoCommand(argv: string[]): Promise<number> {
  try {
    const missing = DEMO_CONFIGS.filter((c) => !existsSync(c));
    if (missing.length) {
      process.stderr.write(`chronovisor demo: missing ${missing.join(', ')} (run from the repository root)\n`);
      return 1;
    }
    process.stderr.write(`chronovisor demo: recording ${DEMO_CONFIGS.join(' + ')} into ${DEMO_TRACE}\n\n`);
    const o = parseRunOptions([...DEMO_CONFIGS, '--timeout-s', '600', ...argv], { output: true });
    const code = await runDomainsCommand({ ...o, output: DEMO_TRACE }, DEMO_TRACE);
    if (code !== 0) {
      process.stderr.write(`chronovisor demo: the recording did not finish cleanly (status ${code})\n`);
      return code;
    }
    process.stderr.write('\n');
    const { replayCommand } = await import('./replay-command.ts');
    const replayed = await replayCommand([DEMO_TRACE, '--quiet']);
    if (replayed !== 0) return replayed;
    process.stderr.write('\n');
    const { inspectCommand } = await import('./inspect-command.ts');
    await inspectCommand([DEMO_TRACE, '--stats']);
    process.stdout.write(
      `\nOpen it in the time-travel debugger:\n\n    npx chronovisor debug ${DEMO_TRACE}\n\n` +
        `or replay it:  npx chronovisor replay ${DEMO_TRACE}\n`,
    );
    return 0;
  } catch (e) {
    return reportError(e);
  }
}
