// Entry point of the `chronovisor` command: dispatches to one module per subcommand.
const USAGE = `usage: chronovisor <command> [options]

commands:
  run       run a machine or domains:   run --bios FILE --kernel FILE [options] | run A.cfg [B.cfg ...]
  demo      record the demo (a PV and an HVM domain of our own kernel) into traces/demo.trace
  record    run and record a trace:     record [run options] -o FILE.trace
  replay    re-execute a trace and verify every event:   replay FILE.trace
  inspect   summarize or list a trace:  inspect FILE.trace [--stats] [--json] [--kind K] [--from SEQ] [--to SEQ] [--salvage]
  disasm    disassemble an ELF file like objdump -d:   disasm FILE.elf
  debug     time-travel debugger:       debug FILE.trace | debug FILE.trace --at SEQ|@ICOUNT --print regs|disasm|events|mem ADDR LEN
  help      show this help
`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run-command.ts')).runCommand,
  demo: async () => (await import('./demo-command.ts')).demoCommand,
  record: async () => (await import('./record-command.ts')).recordCommand,
  replay: async () => (await import('./replay-command.ts')).replayCommand,
  inspect: async () => (await import('./inspect-command.ts')).inspectCommand,
  disasm: async () => (await import('./disasm-command.ts')).disasmCommand,
  debug: async () => (await import('./debug-command.ts')).debugCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`chronovisor: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return (await load())(rest);
}
