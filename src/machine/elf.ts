// ELF64 little-endian RISC-V reader (System V gABI "ELF-64 Object File Format" and the RISC-V
// ELF psABI). Used by the machine's loader (program headers) and by `chronovisor disasm`
// (sections, symbols, relocations). It only reads: every table is bounds-checked and a
// malformed file raises an ElfError naming the file, the byte offset and what to do.

export const EM_RISCV = 243;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;
export const SHT_RISCV_ATTRIBUTES = 0x70000003;
export const SHF_WRITE = 1n;
export const SHF_ALLOC = 2n;
export const SHF_EXECINSTR = 4n;
export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
export const ET_REL = 1;

/** A malformed or unsupported ELF file; the message says what, where and what to do. */
export class ElfError extends Error {
  override name = 'ElfError';
  constructor(
    message: string,
    readonly file: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export interface ElfSegment {
  type: number;
  /** PF_R | PF_W | PF_X */
  flags: number;
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: number;
  memsz: bigint;
  align: bigint;
  /** The filesz bytes of the file image (a view, not a copy). */
  data: Uint8Array;
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: bigint;
  entsize: number;
  /** Contents (a view); empty for SHT_NOBITS. */
  data: Uint8Array;
}

export interface ElfSymbol {
  /** Position in its symbol table (relocations refer to symbols by it). */
  index: number;
  name: string;
  value: bigint;
  size: bigint;
  type: number;
  bind: number;
  visibility: number;
  /** st_shndx: a section index, or SHN_UNDEF / SHN_ABS / SHN_COMMON. */
  sectionIndex: number;
}

export interface ElfRelocation {
  offset: bigint;
  type: number;
  /** Index into the symbol table the relocation section links to (0: none). */
  symbolIndex: number;
  addend: bigint;
}

export interface ElfFile {
  fileName: string;
  /** ET_EXEC, ET_DYN, ... */
  type: number;
  machine: number;
  entry: bigint;
  /** e_flags: RVC, float ABI, ... (psABI "File Header") */
  flags: number;
  segments: ElfSegment[];
  sections: ElfSection[];
  /** Static symbol table (.symtab); empty when stripped. */
  symbols: ElfSymbol[];
  /** Dynamic symbol table (.dynsym); empty when absent. */
  dynamicSymbols: ElfSymbol[];
  bytes: Uint8Array;
}

const TEXT = new TextDecoder('utf-8');

class Reader {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(offset: number, what: string): never {
    throw new ElfError(`${this.file}: ${what} (at byte offset 0x${offset.toString(16)})`, this.file, offset);
  }

  need(offset: number, length: number, what: string): void {
    if (offset < 0 || length < 0 || offset + length > this.bytes.length) {
      this.fail(
        offset,
        `${what} runs past the end of the file (needs ${length} bytes at 0x${offset.toString(16)}, file has ${this.bytes.length}); the file is truncated or corrupt — rebuild or re-download it`,
      );
    }
  }

  u8(o: number): number {
    return this.view.getUint8(o);
  }
  u16(o: number): number {
    return this.view.getUint16(o, true);
  }
  u32(o: number): number {
    return this.view.getUint32(o, true);
  }
  u64(o: number): bigint {
    return this.view.getBigUint64(o, true);
  }
  i64(o: number): bigint {
    return this.view.getBigInt64(o, true);
  }
  /** A 64-bit file offset or size that must fit a JS array index. */
  offset64(o: number, what: string): number {
    const v = this.u64(o);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(o, `${what} 0x${v.toString(16)} is too large`);
    return Number(v);
  }
  cstring(o: number, limit: number): string {
    let end = o;
    while (end < limit && this.bytes[end] !== 0) end++;
    return TEXT.decode(this.bytes.subarray(o, end));
  }
}

const MACHINE_NAMES: Record<number, string> = { 3: 'x86', 40: 'ARM', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V' };

/** Parses an ELF64 little-endian RISC-V file. Throws ElfError when it is not one or is malformed. */
export function parseElf(bytes: Uint8Array, fileName = '<memory>'): ElfFile {
  const r = new Reader(bytes, fileName);
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    r.fail(0, 'not an ELF file (no \\x7fELF magic); pass an ELF image such as fw_dynamic.elf, or a raw .bin where a raw image is accepted');
  }
  r.need(0, 64, 'the ELF header');
  if (r.u8(4) !== 2) r.fail(4, `is a ${r.u8(4) === 1 ? '32' : 'unknown'}-bit ELF (EI_CLASS=${r.u8(4)}); Chronovisor runs RV64 only — build for rv64`);
  if (r.u8(5) !== 1) r.fail(5, `is not little-endian (EI_DATA=${r.u8(5)}); RISC-V ELF files are little-endian`);
  const machine = r.u16(18);
  if (machine !== EM_RISCV) {
    r.fail(18, `is an ELF for ${MACHINE_NAMES[machine] ?? `machine ${machine}`}, not RISC-V (e_machine=${machine}); build it with a riscv64 toolchain`);
  }
  const type = r.u16(16);
  const entry = r.u64(24);
  const phoff = r.offset64(32, 'e_phoff');
  const shoff = r.offset64(40, 'e_shoff');
  const flags = r.u32(48);
  const phentsize = r.u16(54);
  const phnum = r.u16(56);
  const shentsize = r.u16(58);
  let shnum = r.u16(60);
  let shstrndx = r.u16(62);
  if (phnum > 0 && phentsize < 56) r.fail(54, `e_phentsize is ${phentsize}, expected 56 for ELF64`);
  if (shoff !== 0 && shentsize < 64) r.fail(58, `e_shentsize is ${shentsize}, expected 64 for ELF64`);
  // gABI: with 0xffff sections or more, the real counts live in section header 0.
  if (shoff !== 0 && shnum === 0) {
    r.need(shoff, 64, 'section header 0');
    shnum = r.offset64(shoff + 32, 'sh_size of section 0');
  }
  if (shstrndx === 0xffff && shoff !== 0) shstrndx = r.u32(shoff + 40);

  const segments: ElfSegment[] = [];
  r.need(phoff, phnum * phentsize, `the ${phnum} program headers`);
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    const offset = r.offset64(o + 8, `p_offset of program header ${i}`);
    const filesz = r.offset64(o + 32, `p_filesz of program header ${i}`);
    const memsz = r.u64(o + 40);
    r.need(offset, filesz, `the contents of program header ${i}`);
    const ptype = r.u32(o);
    // gABI: a loadable segment's file image cannot exceed its memory image
    if (ptype === PT_LOAD && BigInt(filesz) > memsz) {
      r.fail(o + 32, `program header ${i} (PT_LOAD) has p_filesz 0x${filesz.toString(16)} > p_memsz 0x${memsz.toString(16)}; the file is corrupt — rebuild it`);
    }
    segments.push({
      type: ptype,
      flags: r.u32(o + 4),
      offset,
      vaddr: r.u64(o + 16),
      paddr: r.u64(o + 24),
      filesz,
      memsz,
      align: r.u64(o + 48),
      data: bytes.subarray(offset, offset + filesz),
    });
  }

  const sections: ElfSection[] = [];
  if (shoff !== 0) r.need(shoff, shnum * shentsize, `the ${shnum} section headers`);
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    const stype = r.u32(o + 4);
    const offset = r.offset64(o + 24, `sh_offset of section ${i}`);
    const size = r.offset64(o + 32, `sh_size of section ${i}`);
    if (stype !== SHT_NOBITS && i !== 0) r.need(offset, size, `the contents of section ${i}`);
    sections.push({
      index: i,
      name: '',
      type: stype,
      flags: r.u64(o + 8),
      addr: r.u64(o + 16),
      offset,
      size,
      link: r.u32(o + 40),
      info: r.u32(o + 44),
      addralign: r.u64(o + 48),
      entsize: r.offset64(o + 56, `sh_entsize of section ${i}`),
      data: stype === SHT_NOBITS || i === 0 ? new Uint8Array(0) : bytes.subarray(offset, offset + size),
    });
  }
  if (shnum > 0) {
    if (shstrndx >= shnum) r.fail(62, `e_shstrndx ${shstrndx} is not a section (there are ${shnum})`);
    const names = sections[shstrndx];
    for (let i = 0; i < shnum; i++) {
      const nameOff = r.u32(shoff + i * shentsize);
      if (nameOff >= names.size && nameOff !== 0) r.fail(shoff + i * shentsize, `section ${i}'s name is outside the section-name table`);
      sections[i].name = r.cstring(names.offset + nameOff, names.offset + names.size);
    }
  }

  const table = (kind: number) => sections.find((s) => s.type === kind);
  const symtab = table(SHT_SYMTAB);
  const dynsym = table(SHT_DYNSYM);
  return {
    fileName,
    type,
    machine,
    entry,
    flags,
    segments,
    sections,
    symbols: symtab ? readSymbols(r, symtab, sections) : [],
    dynamicSymbols: dynsym ? readSymbols(r, dynsym, sections) : [],
    bytes,
  };
}

function readSymbols(r: Reader, table: ElfSection, sections: ElfSection[]): ElfSymbol[] {
  const entsize = table.entsize || 24;
  if (entsize < 24) r.fail(table.offset, `symbol table ${table.name} has sh_entsize ${entsize}, expected 24`);
  const strings = sections[table.link];
  if (!strings || strings.type !== SHT_STRTAB) {
    r.fail(table.offset, `symbol table ${table.name} links to section ${table.link}, which is not a string table`);
  }
  const out: ElfSymbol[] = [];
  const count = Math.floor(table.size / entsize);
  for (let i = 0; i < count; i++) {
    const o = table.offset + i * entsize;
    const nameOff = r.u32(o);
    if (nameOff >= strings.size && nameOff !== 0) r.fail(o, `symbol ${i} of ${table.name} has a name outside ${strings.name}`);
    const info = r.u8(o + 4);
    out.push({
      index: i,
      name: r.cstring(strings.offset + nameOff, strings.offset + strings.size),
      value: r.u64(o + 8),
      size: r.u64(o + 16),
      type: info & 15,
      bind: info >>> 4,
      visibility: r.u8(o + 5) & 3,
      sectionIndex: r.u16(o + 6),
    });
  }
  return out;
}

/** The entries of an SHT_RELA section (psABI "Relocations"); r_info packs symbol<<32 | type. */
export function readRelocations(elf: ElfFile, section: ElfSection): ElfRelocation[] {
  const r = new Reader(elf.bytes, elf.fileName);
  if (section.type !== SHT_RELA) r.fail(section.offset, `section ${section.name} is not SHT_RELA`);
  const entsize = section.entsize || 24;
  const out: ElfRelocation[] = [];
  for (let o = section.offset; o + 24 <= section.offset + section.size; o += entsize) {
    const info = r.u64(o + 8);
    out.push({ offset: r.u64(o), type: Number(info & 0xffffffffn), symbolIndex: Number(info >> 32n), addend: r.i64(o + 16) });
  }
  return out;
}

/** The section with this name, if any. */
export function sectionByName(elf: ElfFile, name: string): ElfSection | undefined {
  return elf.sections.find((s) => s.name === name);
}
