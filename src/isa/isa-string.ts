// ISA strings ("rv64imafdc_zicsr", "rv64i2p1_m2p0_..._h1p0") -> the set of extensions they
// name, with the implications binutils 2.40 applies (unprivileged spec, "ISA Extension
// Naming Conventions"; g = imafd + Zicsr + Zifencei). The disassembler prints an instruction
// only if the file's ISA has its extension, exactly as objdump does.

/** Extensions that imply others (binutils 2.40 riscv_implicit_subsets, for what we decode). */
const IMPLIES: Record<string, string[]> = {
  g: ['i', 'm', 'a', 'f', 'd', 'zicsr', 'zifencei'],
  m: ['zmmul'],
  q: ['d'],
  d: ['f'],
  f: ['zicsr'],
  h: ['zicsr'],
  e: ['i'],
};

/**
 * Extensions named by `isa`, lower-case, implications included. Unparseable strings give
 * an empty set. Base I before version 2.1 also implies Zicsr and Zifencei (they were split
 * out of it in 2.1).
 */
export function parseIsa(isa: string): ReadonlySet<string> {
  const key = isa.trim().toLowerCase();
  let known = PARSED.get(key);
  if (!known) PARSED.set(key, (known = parse(key)));
  return known;
}

const PARSED = new Map<string, ReadonlySet<string>>();

function parse(isa: string): ReadonlySet<string> {
  const out = new Set<string>();
  const m = /^rv(32|64|128)(.*)$/.exec(isa);
  if (!m) return out;
  const add = (ext: string) => {
    if (out.has(ext)) return;
    out.add(ext);
    for (const implied of IMPLIES[ext] ?? []) add(implied);
  };
  const [singles, ...multi] = m[2].split('_');
  for (const token of /[a-z]\d*(?:p\d+)?/g[Symbol.match](singles) ?? []) {
    const ext = token[0];
    const version = /^(\d+)(?:p(\d+))?$/.exec(token.slice(1));
    if (ext === 'i' && version && (Number(version[1]) < 2 || (Number(version[1]) === 2 && Number(version[2] ?? 0) < 1))) {
      add('zicsr');
      add('zifencei');
    }
    add(ext);
  }
  for (const token of multi) {
    const name = /^([a-z]+?)(\d+(?:p\d+)?)?$/.exec(token)?.[1];
    if (name) add(name);
  }
  return out;
}

/** Whether `isa` includes `ext` ('h', 'c', 'zicsr', ...), implications included. */
export function isaHas(isa: string, ext: string): boolean {
  return parseIsa(isa).has(ext.toLowerCase());
}

/** What objdump assumes for code without a .riscv.attributes section (raw images). */
export const DEFAULT_OBJDUMP_ISA = 'rv64gc';

/** Everything Chronovisor's hart implements: the debugger's default. */
export const CHRONOVISOR_ISA = 'rv64gch';
