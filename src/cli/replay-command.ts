// `chronovisor replay FILE.trace`: re-executes the recording from the same images and checks
// every event. Exit 0 when everything matches; 1 with a divergence report otherwise. The
// guest console is reproduced on stdout.
import { parseArgs } from 'node:util';
import { reportError } from './errors.ts';
import { Progress } from './progress.ts';
import { openTrace, parseImageOverrides } from './trace-open.ts';
import { UsageError } from './run-options.ts';
import { Replayer } from '../replay/replayer.ts';
import { consoleWriter } from './console-mux.ts';

export async function replayCommand(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        image: { type: 'string', multiple: true },
        salvage: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        context: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('usage: chronovisor replay FILE.trace [--image ROLE=PATH] [--salvage] [--quiet]');
    const reader = openTrace(positionals[0], values.salvage ?? false);
    if (reader.damage) process.stderr.write(`chronovisor: ${reader.damage.message}\nchronovisor: replaying the intact part\n`);
    const progress = new Progress('replay');
    const replayer = new Replayer(reader, {
      images: parseImageOverrides(values.image),
      onConsole: values.quiet ? undefined : consoleWriter(reader),
      context: values.context ? Number(values.context) : 8,
      progress: (i, total) => progress.update(i, total),
    });
    const t0 = Date.now();
    const r = replayer.run();
    progress.done();
    const secs = (Date.now() - t0) / 1000;
    if (!r.ok) {
      process.stderr.write(`\nchronovisor: ${r.divergence.message}\n`);
      return 1;
    }
    const tail = r.endChecked
      ? 'final machine state matches the recording'
      : reader.complete
        ? 'the trace has no end marker'
        : 'the trace ends early (the recording was interrupted); everything up to its last flushed event matches';
    process.stderr.write(
      `\nchronovisor: replay verified: ${r.events} events, ${r.icount} instructions, ${secs.toFixed(1)} s; ${tail}\n`,
    );
    return 0;
  } catch (e) {
    return reportError(e);
  }
}
