// The text of `riscv64-unknown-elf-objdump -d FILE` (binutils 2.40), produced from our own
// ELF reader and disassembler: file header, one block per executable section, a label line
// per symbol, instruction lines `addr:\thex-bytes\tmnemonic\toperands`, `\t...` for runs of
// zero bytes, hex+ASCII dumps for object symbols inside code, and `.word`-style lines where
// mapping symbols ($d) mark data. Layout rules (column widths, chunking of the hex bytes,
// when zeros are elided) follow objdump's observable output byte for byte.
import { decode } from '../isa/decode.ts';
import { Disassembler, instructionLength } from '../isa/disasm.ts';
import { privSpecFromAttributes } from '../isa/csr-names.ts';
import { SHF_EXECINSTR, SHT_NOBITS, type ElfFile, type ElfSection } from '../machine/elf.ts';
import { riscvAttributes } from '../machine/elf-riscv-attributes.ts';
import { DEFAULT_OBJDUMP_ISA } from '../isa/isa-string.ts';
import { isDisplayableSymbol, isMappingSymbol, ListingSymbols, sanitizeName, type ListingSymbol } from './objdump-symbols.ts';

/** objdump elides a run of at least this many zero bytes as `\t...` (objdump.c SKIP_ZEROES). */
const SKIP_ZEROES = 8;
/** ...and fewer than this many zero bytes that end a block (SKIP_ZEROES_AT_END). */
const SKIP_ZEROES_AT_END = 3;

/** One line's worth of disassembly: an instruction or a data unit. */
interface Unit {
  text: string;
  length: number;
  /** Bytes per line of the hex column for this kind of line (riscv-dis: 8, or 6 for .byte). */
  bytesPerLine: number;
}

/** Reads a little-endian unsigned value of `n` bytes. */
function readLE(data: Uint8Array, at: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[at + i]);
  return v;
}

function hex16(v: bigint): string {
  return v.toString(16).padStart(16, '0');
}

export class ObjdumpListing {
  private readonly out: string[] = [];
  private readonly symbols: ListingSymbols;
  private readonly dis: Disassembler;
  private section!: ElfSection;
  private skipAddrChars = 0;
  /** objdump's bytes_per_chunk: left over from the last instruction, reused by object dumps. */
  private bytesPerChunk = 0;
  // riscv-dis.c mapping-symbol search state, kept across calls like objdump's statics
  private lastMapSymbol = -1;
  private lastStopOffset = -1;
  private symtabPos = -1;
  private stopOffset = 0;

  constructor(
    private readonly elf: ElfFile,
    private readonly displayName: string,
  ) {
    this.symbols = new ListingSymbols(elf);
    const attrs = riscvAttributes(elf);
    const gp = [...this.symbols.sorted].reverse().find((s) => s.name === '__global_pointer$');
    this.dis = new Disassembler({
      // objdump decodes only the extensions the file's arch string names (raw code: rv64gc)
      isa: attrs?.arch ?? DEFAULT_OBJDUMP_ISA,
      privSpec: privSpecFromAttributes(attrs?.privSpec ?? 0, attrs?.privSpecMinor ?? 0, attrs?.privSpecRevision ?? 0),
      gp: gp?.value,
      symbols: this.symbols.count > 0 ? (addr) => this.symbols.nameFor(addr, this.section) : undefined,
    });
  }

  /** The whole listing as objdump prints it. */
  render(): string {
    this.out.push(`\n${this.displayName}:     file format elf64-littleriscv\n\n`);
    for (const sec of this.elf.sections) {
      if ((sec.flags & SHF_EXECINSTR) === 0n || sec.type === SHT_NOBITS || sec.size === 0) continue;
      this.disassembleSection(sec);
    }
    return this.out.join('');
  }

  private disassembleSection(sec: ElfSection): void {
    this.section = sec;
    this.out.push(`\nDisassembly of section ${sanitizeName(sec.name)}:\n`);
    // Leading zeros of addresses are dropped in groups of four, keeping at least one.
    const end = hex16(sec.addr + BigInt(sec.size));
    let skip = end.length - end.replace(/^0+/, '').length;
    if (skip === end.length && sec.addr !== 0n) skip = 0;
    this.skipAddrChars = skip !== 0 ? (skip - 1) & ~3 : 0;

    const syms = this.symbols.sorted;
    const first = this.symbols.find(sec.addr, sec, true);
    let sym: ListingSymbol | undefined = first?.symbol;
    let place = first?.place ?? 0;
    let offset = 0;
    while (offset < sec.size) {
      const addr = sec.addr + BigInt(offset);
      this.symtabPos = sym && sym.value <= addr ? place : -1;
      this.out.push(`\n${hex16(addr)} <${this.symbols.label(addr, sec, sym)}>:\n`);

      let next: ListingSymbol | undefined;
      if (sym && sym.value > addr) next = sym;
      else if (sym) {
        const current = sym;
        const validNext = (s: ListingSymbol) => s.section === sec.name && s.value > current.value && isDisplayableSymbol(s);
        while (place < syms.length && !validNext(syms[place])) place++;
        next = place < syms.length ? syms[place] : undefined;
      }
      let stop: number;
      if (sym && sym.value > addr) stop = Number(sym.value - sec.addr);
      else if (!next) stop = sec.size;
      else stop = Number(next.value - sec.addr);
      if (stop > sec.size || stop <= offset) stop = sec.size;

      // Objects (not functions) inside code are dumped as bytes, not disassembled.
      const compiled = sym !== undefined && (sym.name.includes('gnu_compiled') || sym.name.includes('gcc2_compiled'));
      const insns = !sym || sym.section !== sec.name || sym.value > addr || (!sym.isObject && !compiled) || sym.isFunction;
      this.disassembleBytes(insns, offset, stop);
      offset = stop;
      sym = next;
    }
  }

  private addressColumn(addr: bigint): string {
    const tail = hex16(addr).slice(this.skipAddrChars);
    const trimmed = tail.replace(/^0+/, '');
    return (trimmed === '' ? ' '.repeat(tail.length - 1) + '0' : ' '.repeat(tail.length - trimmed.length) + trimmed) + ':\t';
  }

  private chunk(at: number, bpc: number): string {
    return readLE(this.section.data, at, bpc).toString(16).padStart(bpc * 2, '0');
  }

  private disassembleBytes(insns: boolean, start: number, stop: number): void {
    const data = this.section.data;
    let octetsPerLine = insns ? 4 : 16;
    let offset = start;
    while (offset < stop) {
      let z = offset;
      while (z < stop && data[z] === 0) z++;
      if (z - offset >= SKIP_ZEROES || (z === stop && z - offset < SKIP_ZEROES_AT_END)) {
        // Skip whole words only, unless the zeros run to the end of the block.
        if (z !== stop) z = offset + ((z - offset) & ~3);
        this.out.push('\t...\n');
        offset = z;
        continue;
      }
      let line = this.addressColumn(this.section.addr + BigInt(offset));
      let octets: number;
      let body: string;
      if (insns) {
        const d = this.instruction(offset, stop);
        if (typeof d === 'string') {
          this.out.push(line + d + '\n\n');
          return; // objdump abandons the rest of the block
        }
        octets = d.length;
        octetsPerLine = d.bytesPerLine;
        body = d.text;
      } else {
        octets = Math.min(octetsPerLine, stop - offset);
        body = '';
        for (let j = offset; j < offset + octets; j++) body += data[j] >= 0x20 && data[j] < 0x7f ? String.fromCharCode(data[j]) : '.';
      }
      const bpc = this.bytesPerChunk || 1;
      let pb = Math.min(octets, octetsPerLine);
      for (let j = offset; j < offset + pb; j += bpc) line += (j + bpc <= stop ? this.chunk(j, bpc) : '') + ' ';
      for (; pb < octetsPerLine; pb += bpc) line += '  '.repeat(bpc) + ' ';
      line += (insns ? '\t' : '    ') + body;
      while (pb < octets) {
        let j = offset + pb;
        line += '\n' + this.addressColumn(this.section.addr + BigInt(j));
        pb = Math.min(pb + octetsPerLine, octets);
        for (; j < offset + pb; j += bpc) line += (j + bpc <= stop ? this.chunk(j, bpc) : '') + ' ';
      }
      this.out.push(line + '\n');
      offset += octets;
    }
  }

  /** One instruction or data unit at `offset`, or objdump's error text when it would cross `stop`. */
  private instruction(offset: number, stop: number): Unit | string {
    const data = this.section.data;
    const vma = this.section.addr + BigInt(offset);
    const outOfBounds = `Address 0x${hex16(vma)} is out of bounds.\n`;
    this.stopOffset = stop;
    this.bytesPerChunk = 0;
    if (this.mappingState(vma) === 'data') {
      const size = this.dataLength(vma);
      this.bytesPerChunk = size;
      if (offset + size > stop) return outOfBounds;
      const value = readLE(data, offset, size).toString(16).padStart(size * 2, '0');
      const directive = size === 1 ? '.byte' : size === 2 ? '.short' : size === 4 ? '.word' : '.dword';
      return { text: `${directive}\t0x${value}`, length: size, bytesPerLine: size === 1 ? 6 : 8 };
    }
    if (offset + 2 > stop) return outOfBounds;
    const lo16 = data[offset] | (data[offset + 1] << 8);
    const length = instructionLength(lo16);
    if (offset + length > stop) return outOfBounds;
    this.bytesPerChunk = length % 4 === 0 ? 4 : 2;
    let text: string;
    if (length === 4 || (length === 2 && (lo16 & 3) !== 3)) {
      const word = length === 4 ? Number(readLE(data, offset, 4)) : lo16;
      text = this.dis.format(decode(word), vma);
    } else if (length === 2 || length === 8) {
      text = `.${length}byte\t0x${readLE(data, offset, length).toString(16)}`;
    } else {
      const bytes = Array.from(data.subarray(offset, offset + length), (b) => '0x' + b.toString(16).padStart(2, '0'));
      text = `.byte\t${bytes.join(', ')}`;
    }
    return { text, length, bytesPerLine: 8 };
  }

  private isMapping(n: number): boolean {
    const s = this.symbols.sorted[n];
    return s.section === this.section.name && isMappingSymbol(s.name);
  }

  /** riscv-dis.c: whether $x/$d mapping symbols mark `vma` as code or data (default: code). */
  private mappingState(vma: bigint): 'code' | 'data' {
    const syms = this.symbols.sorted;
    let state: 'code' | 'data' = 'code';
    if (syms.length === 0) return state;
    if (vma <= 0n) this.lastMapSymbol = -1;
    const fromLast = this.lastMapSymbol >= 0 && this.stopOffset === this.lastStopOffset;
    let found = -1;
    for (let n = fromLast ? this.lastMapSymbol : this.symtabPos + 1; n < syms.length; n++) {
      if (syms[n].value > vma) break;
      if (this.isMapping(n)) found = n; // the last of several at one address wins
    }
    if (found < 0) {
      for (let n = fromLast ? this.lastMapSymbol : this.symtabPos; n >= 0; n--) {
        if (syms[n].value < this.section.addr) break;
        if (this.isMapping(n)) {
          found = n;
          break;
        }
      }
    }
    if (found >= 0) state = syms[found].name === '$d' ? 'data' : 'code';
    this.lastMapSymbol = found;
    this.lastStopOffset = this.stopOffset;
    return state;
  }

  /** riscv-dis.c: a data unit is 4 bytes, cut short by the next mapping symbol or section end. */
  private dataLength(vma: bigint): number {
    const syms = this.symbols.sorted;
    let length = 4n;
    let found = false;
    if (this.lastMapSymbol >= 0) {
      for (let n = this.lastMapSymbol + 1; n < syms.length; n++) {
        if (syms[n].value > vma && this.isMapping(n)) {
          if (syms[n].value - vma < length) length = syms[n].value - vma;
          found = true;
          break;
        }
      }
    }
    if (!found) {
      const left = this.section.addr + BigInt(this.section.size) - vma;
      if (left < length) length = left;
    }
    return length === 3n ? 2 : Number(length);
  }
}

/** `objdump -d`-compatible listing of an ELF file; `displayName` is the path as the user gave it. */
export function objdumpListing(elf: ElfFile, displayName: string): string {
  return new ObjdumpListing(elf, displayName).render();
}
