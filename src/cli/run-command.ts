// `chronovisor run`: run a bare machine (--bios/--kernel) with the console on stdout.
import { ConsoleScript } from './console-script.ts';
import { buildBareMachine } from './machine-from-options.ts';
import { parseRunOptions } from './run-options.ts';
import { ConsoleTap, describeEnd, runSession } from './session.ts';
import { reportError } from './errors.ts';

export async function runCommand(argv: string[]): Promise<number> {
  try {
    const o = parseRunOptions(argv);
    if (o.configs.length > 0) {
      const { runDomainsCommand } = await import('./domains-command.ts');
      return runDomainsCommand(o, null);
    }
    let recent = '';
    const tap = new ConsoleTap((s) => {
      recent = (recent + s).slice(-4096);
      if (!o.quiet) process.stdout.write(s);
    });
    const { machine } = buildBareMachine(o, {
      onConsole: (b) => tap.byte(b),
      wallClockNs: () => BigInt(Date.now()) * 1_000_000n,
    });
    const script = o.script.length ? new ConsoleScript(o.script) : null;
    const end = await runSession(machine, tap, {
      script,
      maxInsns: o.maxInsns,
      timeoutS: o.timeoutS,
      timeoutInsns: o.timeoutInsns,
      interactive: !script,
      write: (s) => process.stdout.write(s),
      note: (s) => process.stderr.write(s + '\n'),
    });
    const { code, message } = describeEnd(end, script, recent);
    process.stderr.write(`\nchronovisor: ${message}\n`);
    return code;
  } catch (e) {
    return reportError(e);
  }
}
