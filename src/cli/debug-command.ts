// `chronovisor debug FILE.trace`: the time-travel debugger. Interactive (Ink terminal UI in
// debugger/) when stdin and stdout are terminals; `--at POS --print WHAT` prints one view
// and exits, for scripts.
import { parseArgs } from 'node:util';
import { DebugSession, runJob, type SessionOptions } from '../replay/debug/index.ts';
import { printDisasm, printEvents, printMemory, printRegisters, positionLine, type PrintTarget } from '../../debugger/print.ts';
import { registerExpectedError, reportError } from './errors.ts';
import { TimelineDivergence } from '../replay/timeline.ts';
import { UsageError } from './run-options.ts';
import { parseImageOverrides } from './trace-open.ts';

// a replay that diverges while moving through time is a finding about the trace, not a bug here
registerExpectedError(TimelineDivergence);

export const DEBUG_USAGE = `usage: chronovisor debug FILE.trace [options]
       chronovisor debug FILE.trace --at SEQ|#SEQ|@ICOUNT --print regs|disasm|events|mem ADDR LEN [options]

Opens the time-travel debugger on a trace (keys: press ? inside). With --print, moves to a
position and prints one view instead, for scripts:
  --at SEQ, --at #SEQ   right after event SEQ          --at @ICOUNT   after ICOUNT instructions
  --print regs          pc, privilege mode, x0-x31 and CSRs of the vCPU
  --print disasm        instructions around pc (--count N lines, default 16)
  --print events        events around the position (--count N each side, default 10)
  --print mem ADDR LEN  hex/ASCII dump of LEN bytes at guest virtual ADDR (0x…, a symbol or a register)
options:
  --vcpu D:V            which vCPU (domain D, vCPU V; a bare machine's hart N is 0:N); default the first
  --symbols FILE.elf    more symbols (repeatable); the trace's .elf images (or .elf next to .bin) are used anyway
  --image ROLE=PATH     where an image of the trace is now (as for replay)
  --interval N          instructions between checkpoints (default 200000)
  --salvage             open a damaged trace up to the damage
`;

function positiveInt(text: string, what: string): number {
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${what}: expected a whole number, got "${text}"`);
  return n;
}

function parseVcpu(text: string | undefined): PrintTarget | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--vcpu: expected DOMAIN:VCPU such as 1:0 (a bare machine's hart 1 is 0:1), got "${text}"`);
  return { domain: Number(m[1]), vcpu: Number(m[2]) };
}

export async function debugCommand(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        at: { type: 'string' },
        print: { type: 'string' },
        vcpu: { type: 'string' },
        count: { type: 'string' },
        symbols: { type: 'string', multiple: true },
        image: { type: 'string', multiple: true },
        interval: { type: 'string' },
        salvage: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      process.stdout.write(DEBUG_USAGE);
      return 0;
    }
    const what = values.print;
    const expected = what === 'mem' ? 3 : 1;
    if (positionals.length !== expected) {
      throw new UsageError(what === 'mem' ? `--print mem needs an address and a length: debug FILE --print mem ADDR LEN\n\n${DEBUG_USAGE}` : `expected one trace file\n\n${DEBUG_USAGE}`);
    }
    if (what !== undefined && !['regs', 'disasm', 'events', 'mem'].includes(what)) throw new UsageError(`--print: expected regs, disasm, events or mem, got "${what}"`);
    if (values.at !== undefined && what === undefined) throw new UsageError('--at goes with --print (the interactive debugger has `:` to go somewhere)');
    const opts: SessionOptions = {
      images: parseImageOverrides(values.image),
      symbols: values.symbols,
      interval: values.interval !== undefined ? Math.max(1000, positiveInt(values.interval, '--interval')) : undefined,
      salvage: values.salvage,
    };
    const target = parseVcpu(values.vcpu);
    if (what === undefined) return await interactive(positionals[0], opts, target);

    const session = DebugSession.open(positionals[0], opts);
    if (values.at !== undefined) {
      const at = values.at.trim();
      if (at.startsWith('@')) runJob(session.seekIcount(positiveInt(at.slice(1), '--at @ICOUNT')));
      else runJob(session.seekSeq(positiveInt(at.replace(/^#/, ''), '--at SEQ')));
    }
    const t = target ?? session.harts()[0] ?? { domain: 0, vcpu: 0 };
    const count = values.count !== undefined ? positiveInt(values.count, '--count') : undefined;
    let text = positionLine(session) + '\n';
    if (what === 'regs') text += printRegisters(session, t);
    else if (what === 'disasm') text += printDisasm(session, t, count ?? 16);
    else if (what === 'events') text += printEvents(session, count ?? 10);
    else {
      const address = session.parseAddress(t.domain, t.vcpu, positionals[1]);
      const length = positiveInt(positionals[2], 'LEN');
      if (length < 1 || length > 1 << 20) throw new UsageError(`LEN: expected 1 to 1048576 bytes, got ${positionals[2]}`);
      text += printMemory(session, t, address, length);
    }
    process.stdout.write(text);
    return 0;
  } catch (e) {
    if (e instanceof Error && !(e instanceof UsageError) && /is not an address|no event #/.test(e.message)) {
      process.stderr.write(`chronovisor: ${e.message}\n`);
      return 2;
    }
    return reportError(e);
  }
}

async function interactive(file: string, opts: SessionOptions, target: PrintTarget | undefined): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write(
      `chronovisor debug: the debugger needs an interactive terminal, but ${!process.stdin.isTTY ? 'stdin' : 'stdout'} is not a TTY.\n` +
        `For scripts, print one view instead: chronovisor debug ${file} --at SEQ|@ICOUNT --print regs|disasm|events|mem ADDR LEN\n`,
    );
    return 2;
  }
  // Ink draws only a final frame when it believes it runs under CI; this is a live terminal
  for (const k of ['CI', 'CONTINUOUS_INTEGRATION']) delete process.env[k];
  // React's development build profiles every commit and cannot serialize the bigint
  // addresses the panes receive; the terminal UI is a finished program, not a dev server
  process.env.NODE_ENV = 'production';
  // loading Ink and React takes as long as opening the trace: start it first
  const ui = import('../../debugger/terminal.tsx');
  ui.catch(() => {});
  const session = DebugSession.open(file, opts);
  const { runTerminalUi } = await ui;
  return runTerminalUi(session, { file, target });
}
