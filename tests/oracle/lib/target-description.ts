// Register numbering from the stub's target description (gdb manual, "Target Descriptions").
// QEMU builds riscv's description at run time (the CSR feature depends on the -cpu options),
// so numbers such as "which 'p' register is mstatus" must be read from the stub, never
// hard-coded: they change when an extension is switched on.

export interface RegisterInfo {
  name: string;
  /** The number used in 'p'/'P' packets. */
  regnum: number;
  bitsize: number;
  type: string;
  /** The feature that declared it, e.g. "org.gnu.gdb.riscv.fpu". */
  feature: string;
}

export interface TargetDescription {
  architecture: string;
  registers: RegisterInfo[];
  byName: Map<string, RegisterInfo>;
}

/** Fetches one annex through qXfer:features:read, following the 'm'/'l' continuation. */
export type AnnexReader = (annex: string) => Promise<string>;

const INCLUDE_RE = /<xi:include\s+href="([^"]+)"\s*\/>/g;
const FEATURE_RE = /<feature\s+name="([^"]+)"\s*>([\s\S]*?)<\/feature>/g;
const REG_RE = /<reg\s+([^>]*?)\/?>/g;
const ATTR_RE = /([\w-]+)="([^"]*)"/g;

/**
 * Reads target.xml and every file it includes, then numbers the registers the way gdb
 * does: an explicit `regnum` wins, otherwise one more than the previous register.
 */
export async function readTargetDescription(read: AnnexReader): Promise<TargetDescription> {
  const top = await read('target.xml');
  const architecture = /<architecture>([^<]*)<\/architecture>/.exec(top)?.[1] ?? 'unknown';
  // Expand includes in document order so implicit numbering follows the same order as gdb's.
  let doc = top;
  for (const m of [...top.matchAll(INCLUDE_RE)]) {
    doc = doc.replace(m[0], await read(m[1]!));
  }
  const registers: RegisterInfo[] = [];
  let next = 0;
  for (const f of doc.matchAll(FEATURE_RE)) {
    const feature = f[1]!;
    for (const r of f[2]!.matchAll(REG_RE)) {
      const attrs = new Map<string, string>();
      for (const a of r[1]!.matchAll(ATTR_RE)) attrs.set(a[1]!, a[2]!);
      const regnum = attrs.has('regnum') ? Number(attrs.get('regnum')) : next;
      next = regnum + 1;
      registers.push({
        name: attrs.get('name') ?? `r${regnum}`,
        regnum,
        bitsize: Number(attrs.get('bitsize') ?? 64),
        type: attrs.get('type') ?? 'int',
        feature,
      });
    }
  }
  return { architecture, registers, byName: new Map(registers.map((r) => [r.name, r])) };
}

/** Looks a register up by name with an error that lists what the stub does offer. */
export function requireRegister(td: TargetDescription, name: string): RegisterInfo {
  const r = td.byName.get(name);
  if (!r) {
    const sample = td.registers.slice(0, 80).map((x) => x.name).join(' ');
    throw new Error(`the gdbstub's target description has no register "${name}" (it has: ${sample} ...)`);
  }
  return r;
}
