// Entry point of the `chronovisor` command: dispatches to one module per subcommand.
const USAGE = `usage: chronovisor <command> [options]

commands:
  run       run a machine or domains:   run --bios FILE --kernel FILE [options] | run A.cfg [B.cfg ...]
  disasm    disassemble an ELF file like objdump -d:   disasm FILE.elf
  help      show this help
`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run-command.ts')).runCommand,
  disasm: async () => (await import('./disasm-command.ts')).disasmCommand,
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
