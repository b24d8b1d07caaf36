// The .riscv.attributes section (RISC-V ELF psABI, "RISC-V specific attributes"): which ISA
// extensions and privileged-spec version a file was built for. objdump uses these to decide
// which instructions exist (H-extension words print as `.4byte` unless the arch has 'h') and
// which CSR names to print, so the disassembler reads them the same way (see isa/isa-string.ts).
import { ElfError, SHT_RISCV_ATTRIBUTES, type ElfFile } from './elf.ts';

export interface RiscvAttributes {
  /** Tag_RISCV_arch, e.g. "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0". */
  arch?: string;
  stackAlign?: number;
  unalignedAccess?: number;
  privSpec?: number;
  privSpecMinor?: number;
  privSpecRevision?: number;
}

const TAG_FILE = 1;
const TAG_STACK_ALIGN = 4;
const TAG_ARCH = 5;
const TAG_UNALIGNED_ACCESS = 6;
const TAG_PRIV_SPEC = 8;
const TAG_PRIV_SPEC_MINOR = 10;
const TAG_PRIV_SPEC_REVISION = 12;

/** Parses the file's RISC-V attributes; undefined when the file has no such section. */
export function riscvAttributes(elf: ElfFile): RiscvAttributes | undefined {
  const section = elf.sections.find((s) => s.type === SHT_RISCV_ATTRIBUTES);
  if (!section) return undefined;
  const b = section.data;
  const fail = (at: number, what: string): never => {
    const offset = section.offset + at;
    throw new ElfError(`${elf.fileName}: .riscv.attributes ${what} (at byte offset 0x${offset.toString(16)}); the file is corrupt — rebuild it`, elf.fileName, offset);
  };
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length === 0 || b[0] !== 0x41) fail(0, "does not start with format version 'A'");
  const out: RiscvAttributes = {};
  let p = 1;
  const uleb = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (p >= b.length) fail(p, 'has a truncated number');
      const byte = b[p++];
      v += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return v;
      shift += 7;
    }
  };
  while (p + 4 <= b.length) {
    const start = p;
    const length = view.getUint32(p, true);
    if (length < 4 || start + length > b.length) fail(p, `subsection length ${length} is out of range`);
    const end = start + length;
    p += 4;
    let vendorEnd = p;
    while (vendorEnd < end && b[vendorEnd] !== 0) vendorEnd++;
    const vendor = new TextDecoder().decode(b.subarray(p, vendorEnd));
    p = vendorEnd + 1;
    if (vendor !== 'riscv') {
      p = end;
      continue;
    }
    while (p < end) {
      const subStart = p;
      const tag = uleb();
      if (p + 4 > end) fail(p, 'has a truncated sub-subsection');
      const size = view.getUint32(p, true);
      p += 4;
      const subEnd = subStart + size;
      if (subEnd > end || size < 5) fail(subStart, `sub-subsection size ${size} is out of range`);
      if (tag !== TAG_FILE) {
        p = subEnd; // section/symbol-scoped attributes are not used by the tools
        continue;
      }
      while (p < subEnd) {
        const attr = uleb();
        if (attr % 2 === 1) {
          // odd tags carry NUL-terminated strings (psABI: "tag % 2 == 1")
          let e = p;
          while (e < subEnd && b[e] !== 0) e++;
          const text = new TextDecoder().decode(b.subarray(p, e));
          p = e + 1;
          if (attr === TAG_ARCH) out.arch = text;
        } else {
          const value = uleb();
          if (attr === TAG_STACK_ALIGN) out.stackAlign = value;
          else if (attr === TAG_UNALIGNED_ACCESS) out.unalignedAccess = value;
          else if (attr === TAG_PRIV_SPEC) out.privSpec = value;
          else if (attr === TAG_PRIV_SPEC_MINOR) out.privSpecMinor = value;
          else if (attr === TAG_PRIV_SPEC_REVISION) out.privSpecRevision = value;
        }
      }
      p = subEnd;
    }
    p = end;
  }
  return out;
}
