// `chronovisor record [run options] -o FILE.trace`: a run whose events go to a trace file.
import { ConsoleScript } from './console-script.ts';
import { buildBareMachine } from './machine-from-options.ts';
import { parseRunOptions, UsageError } from './run-options.ts';
import { ConsoleTap, describeEnd, runSession } from './session.ts';
import { reportError } from './errors.ts';
import { Recording } from '../replay/recorder.ts';
import { BareSystem } from '../replay/system.ts';
import { describeBareMachine, traceConfigFor } from '../replay/machine-config.ts';

export async function recordCommand(argv: string[]): Promise<number> {
  try {
    const o = parseRunOptions(argv, { output: true });
    if (!o.output) throw new UsageError('record needs -o FILE.trace');
    if (o.configs.length > 0) {
      const { runDomainsCommand } = await import('./domains-command.ts');
      return runDomainsCommand(o, o.output);
    }
    let recent = '';
    const tap = new ConsoleTap((s) => {
      recent = (recent + s).slice(-4096);
      if (!o.quiet) process.stdout.write(s);
    });
    const { machine, images } = buildBareMachine(o, {
      onConsole: (b) => tap.byte(b),
      // the RTC's wall clock is an external input: read here, logged, fed back on replay
      wallClockNs: () => BigInt(Date.now()) * 1_000_000n,
    });
    const roles = { bios: images.find((i) => i.role === 'bios') ?? null, kernel: images.find((i) => i.role === 'kernel') ?? null, initrd: images.find((i) => i.role === 'initrd') ?? null };
    const rec = new Recording(new BareSystem(machine), o.output, traceConfigFor(describeBareMachine(machine, roles), images));
    const script = o.script.length ? new ConsoleScript(o.script) : null;
    let end;
    try {
      end = await runSession(rec, tap, {
        script,
        maxInsns: o.maxInsns,
        timeoutS: o.timeoutS,
        timeoutInsns: o.timeoutInsns,
        interactive: !script,
        write: (s) => process.stdout.write(s),
        note: (s) => process.stderr.write(s + '\n'),
      });
    } finally {
      const summary = rec.close();
      process.stderr.write(
        `\nchronovisor: recorded ${summary.events} events, ${rec.icount} instructions to ${o.output} (${summary.bytes} bytes)\n`,
      );
    }
    const { code, message } = describeEnd(end, script, recent);
    process.stderr.write(`chronovisor: ${message}\n`);
    return code;
  } catch (e) {
    return reportError(e);
  }
}
