// `chronovisor run A.cfg [B.cfg ...]` and `chronovisor record A.cfg ... -o FILE`: domains
// from xl.cfg files on the hypervisor. Consoles are multiplexed with a [name] prefix; stdin
// and the --expect/--send script attach to one domain (--console NAME, default the first).
import { loadDomainConfigs } from '../hypervisor/config/domain-set.ts';
import { formatDiagnostic } from '../hypervisor/config/diagnostics.ts';
import { Hypervisor } from '../hypervisor/hypervisor.ts';
import { Recording } from '../replay/recorder.ts';
import { HypervisorSystem } from '../replay/system.ts';
import { traceConfigForHypervisor } from '../replay/hypervisor-config.ts';
import { ConsoleScript } from './console-script.ts';
import { ConsoleMux } from './console-mux.ts';
import type { RunOptions } from './run-options.ts';
import { UsageError } from './run-options.ts';
import { ConsoleTap, describeEnd, runSession, type Runnable } from './session.ts';
import { reportError, registerExpectedError } from './errors.ts';
import { ConfigReadError, DomainConfigError } from '../hypervisor/config/diagnostics.ts';

registerExpectedError(DomainConfigError);
registerExpectedError(ConfigReadError);

export async function runDomainsCommand(o: RunOptions, output: string | null): Promise<number> {
  try {
    if (o.bios || o.kernel) throw new UsageError('give either domain .cfg files or --bios/--kernel, not both');
    const loaded = loadDomainConfigs(o.configs);
    for (const l of loaded) for (const w of l.warnings) process.stderr.write(formatDiagnostic(w) + '\n');
    const names = loaded.map((l) => l.config.name);
    const consoleName = o.console ?? names[0];
    if (!names.includes(consoleName)) throw new UsageError(`--console ${consoleName}: no such domain (domains: ${names.join(', ')})`);

    let recent = '';
    const mux = new ConsoleMux((s) => {
      if (!o.quiet) process.stdout.write(s);
    }, loaded.length > 1);
    const tap = new ConsoleTap(() => {});
    const hv = new Hypervisor({
      domains: loaded.map((l) => l.config),
      icountShift: o.icountShift,
      consoleDomain: consoleName,
      onConsole: (d, bytes) => {
        const text = mux.output(d.name, bytes);
        if (d.name === consoleName) {
          recent = (recent + text).slice(-4096);
          for (const b of bytes) tap.byte(b);
        }
      },
      onNote: (t) => process.stderr.write(`\nchronovisor: ${t}\n`),
    });
    const system = new HypervisorSystem(hv);
    const rec = output ? new Recording(system, output, traceConfigForHypervisor(hv, consoleName)) : null;
    const runnable: Runnable = rec ?? {
      get icount() {
        return hv.icount;
      },
      run: (b) => hv.run(b),
      sendInput: (b) => hv.sendInput(b),
      requestStop: () => hv.requestStop(),
    };
    const script = o.script.length ? new ConsoleScript(o.script) : null;
    let end;
    try {
      end = await runSession(runnable, tap, {
        script,
        maxInsns: o.maxInsns,
        timeoutS: o.timeoutS,
        timeoutInsns: o.timeoutInsns,
        interactive: !script,
        write: (s) => process.stdout.write(s),
        note: (s) => process.stderr.write(s + '\n'),
      });
    } finally {
      if (rec) {
        const summary = rec.close();
        process.stderr.write(`\nchronovisor: recorded ${summary.events} events, ${rec.icount} instructions to ${output} (${summary.bytes} bytes)\n`);
      }
    }
    if (end.kind === 'finished') {
      const code = hv.exitCode();
      process.stderr.write(`chronovisor: every domain has stopped after ${end.icount} instructions${code ? ' (one crashed)' : ''}\n`);
      return script && !script.done ? 3 : code;
    }
    const { code, message } = describeEnd(end, script, recent);
    process.stderr.write(`chronovisor: ${message}\n`);
    return code;
  } catch (e) {
    return reportError(e);
  }
}
