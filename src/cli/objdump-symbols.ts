// Symbol lookup the way GNU objdump 2.40 does it for `-d`, so `chronovisor disasm` names the
// same symbol in `<sym+0xoff>` as objdump. objdump uses the static symbol table, or the
// dynamic one when the file is stripped, drops symbols that cannot label code (section and
// file symbols, undefined and common ones), sorts the rest by address with tie-breaks, and
// then searches that array. The search rules below mirror objdump's observable behaviour.
import {
  readRelocations,
  SHN_ABS,
  SHN_COMMON,
  SHN_UNDEF,
  ET_REL,
  SHT_DYNSYM,
  SHT_RELA,
  STB_GLOBAL,
  STB_LOCAL,
  STT_FILE,
  STT_FUNC,
  STT_OBJECT,
  STT_SECTION,
  type ElfFile,
  type ElfSection,
} from '../machine/elf.ts';

export interface ListingSymbol {
  name: string;
  /** Absolute address (st_value). */
  value: bigint;
  size: bigint;
  /** Name of the section the symbol belongs to; '*ABS*' for absolute symbols. */
  section: string;
  /** Address of that section (objdump compares its section-relative value in one place). */
  sectionAddr: bigint;
  isFunction: boolean;
  isObject: boolean;
  isLocal: boolean;
  isGlobal: boolean;
  isUndefined: boolean;
}

/** Mapping symbols mark code/data regions (psABI "Mapping Symbol"); never shown as labels. */
export function isMappingSymbol(name: string): boolean {
  return name === '$x' || name === '$d' || name.startsWith('$xrv');
}

/** objdump shows control characters in names in caret notation (gas's local labels contain ^B). */
export function sanitizeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\x00-\x1f]/g, (c) => '^' + String.fromCharCode(c.charCodeAt(0) + 0x40));
}

/** gas's fake label for relaxation; objdump hides it like mapping symbols. */
const FAKE_LABEL = '.L0 ';

export function isDisplayableSymbol(sym: ListingSymbol): boolean {
  return sym.name !== FAKE_LABEL && !isMappingSymbol(sym.name);
}

function toListingSymbol(elf: ElfFile, s: ElfFile['symbols'][number]): ListingSymbol {
  const sec = s.sectionIndex !== SHN_ABS && s.sectionIndex < elf.sections.length ? elf.sections[s.sectionIndex] : undefined;
  return {
    name: s.name,
    value: s.value,
    size: s.size,
    section: sec ? sec.name : s.sectionIndex === SHN_UNDEF ? '*UND*' : '*ABS*',
    sectionAddr: sec ? sec.addr : 0n,
    isFunction: s.type === STT_FUNC,
    isObject: s.type === STT_OBJECT,
    isLocal: s.bind === STB_LOCAL,
    // bfd marks an undefined or common global as neither global nor local
    isGlobal: s.bind === STB_GLOBAL && s.sectionIndex !== SHN_UNDEF && s.sectionIndex !== SHN_COMMON,
    isUndefined: s.sectionIndex === SHN_UNDEF,
  };
}

function isFileName(sym: ListingSymbol): boolean {
  const n = sym.name;
  return n.length > 2 && n[n.length - 2] === '.' && (n.endsWith('o') || n.endsWith('a'));
}

/** objdump's tie-break among symbols at the same address: the most useful label first. */
function compareSymbols(a: ListingSymbol, b: ListingSymbol): number {
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  const compiled = (s: ListingSymbol) => s.name.includes('gnu_compiled') || s.name.includes('gcc2_compiled');
  const rank = (x: boolean, y: boolean) => (x === y ? 0 : x ? 1 : -1);
  return (
    rank(compiled(a), compiled(b)) ||
    rank(isFileName(a), isFileName(b)) ||
    rank(!a.isFunction, !b.isFunction) ||
    rank(!a.isObject, !b.isObject) ||
    rank(a.isLocal, b.isLocal) ||
    rank(!a.isGlobal, !b.isGlobal) ||
    (a.size !== b.size ? (a.size > b.size ? -1 : 1) : 0) ||
    rank(a.name.startsWith('.'), b.name.startsWith('.')) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

interface DynamicReloc {
  address: bigint;
  symbol: ListingSymbol | undefined;
}

/** The sorted symbol array plus objdump's address-to-symbol search. */
export class ListingSymbols {
  readonly sorted: ListingSymbol[];
  private readonly relocs: DynamicReloc[];
  readonly isRelocatable: boolean;

  constructor(private readonly elf: ElfFile) {
    const useStatic = elf.symbols.length > 1;
    const raw = (useStatic ? elf.symbols : elf.dynamicSymbols).slice(1);
    this.sorted = raw
      .filter((s) => s.name !== '' && s.type !== STT_SECTION && s.type !== STT_FILE)
      .filter((s) => s.sectionIndex !== SHN_UNDEF && s.sectionIndex !== SHN_COMMON)
      .map((s) => toListingSymbol(elf, s))
      .sort(compareSymbols);
    this.isRelocatable = elf.type === ET_REL;
    this.relocs = this.loadDynamicRelocs();
  }

  /** Dynamic relocations sorted by address; objdump names a relocated word after its symbol. */
  private loadDynamicRelocs(): DynamicReloc[] {
    const dynsym = this.elf.sections.findIndex((s) => s.type === SHT_DYNSYM);
    if (dynsym < 0) return [];
    const out: DynamicReloc[] = [];
    for (const sec of this.elf.sections) {
      if (sec.link !== dynsym || sec.type !== SHT_RELA) continue; // RISC-V uses RELA only (psABI)
      for (const r of readRelocations(this.elf, sec)) {
        const s = r.symbolIndex !== 0 ? this.elf.dynamicSymbols[r.symbolIndex] : undefined;
        out.push({ address: r.offset, symbol: s && s.sectionIndex !== SHN_ABS ? toListingSymbol(this.elf, s) : undefined });
      }
    }
    return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  get count(): number {
    return this.sorted.length;
  }

  private ok(i: number, wantSection: boolean, section: ElfSection): boolean {
    const s = this.sorted[i];
    if (wantSection && s.section !== section.name) return false;
    return isDisplayableSymbol(s);
  }

  /**
   * objdump's find_symbol_for_address: the symbol to name `vma` by, preferring one in
   * `section` among equal addresses; `requireSection` restricts the answer to `section`.
   */
  find(vma: bigint, section: ElfSection, requireSection: boolean): { symbol: ListingSymbol; place: number } | undefined {
    const syms = this.sorted;
    if (syms.length === 0) return undefined;
    let min = 0;
    let max = syms.length;
    while (min + 1 < max) {
      const mid = (min + max) >> 1;
      const v = syms[mid].value;
      if (v > vma) max = mid;
      else if (v < vma) min = mid;
      else {
        min = mid;
        break;
      }
    }
    let place = min;
    while (place > 0 && syms[place].value === syms[place - 1].value) place--;
    for (let i = place; i < max && syms[i].value === syms[place].value; i++) {
      if (this.ok(i, true, section)) return { symbol: syms[i], place: i };
    }
    min = place;
    while (min < max && syms[min].value === syms[place].value) min++;
    const wantSection =
      requireSection || (this.isRelocatable && vma >= section.addr && vma < section.addr + BigInt(section.size));
    if (!this.ok(place, wantSection, section)) {
      let found = -1;
      for (let i = min - 1; i >= 0; i--) {
        if (!this.ok(i, wantSection, section)) continue;
        if (found >= 0 && syms[i].value !== syms[found].value) break;
        found = i;
      }
      if (found >= 0) place = found;
      else {
        for (let i = place + 1; i < syms.length; i++) {
          if (this.ok(i, wantSection, section)) {
            place = i;
            break;
          }
        }
      }
      if (!this.ok(place, wantSection, section)) return undefined;
    }
    const viaReloc = wantSection ? undefined : this.relocSymbol(vma, syms[place]);
    return { symbol: viaReloc ?? syms[place], place };
  }

  /** A non-absolute dynamic relocation at exactly `vma` names the word better than a nearby label. */
  private relocSymbol(vma: bigint, near: ListingSymbol): ListingSymbol | undefined {
    const rel = this.relocs;
    // objdump compares the symbol's section-relative value with the address here
    if (rel.length === 0 || near.value - near.sectionAddr === vma) return undefined;
    if (rel[0].address > vma || rel[rel.length - 1].address < vma) return undefined;
    let lo = 0;
    let hi = rel.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rel[mid].address < vma) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < rel.length && rel[i].address === vma; i++) {
      if (rel[i].symbol) return rel[i].symbol;
    }
    return undefined;
  }

  /** `<sym+0x10>` text (without the brackets) naming `vma`, as objdump prints it. */
  label(vma: bigint, section: ElfSection, symbol: ListingSymbol | undefined): string {
    return sanitizeName(this.rawLabel(vma, section, symbol));
  }

  private rawLabel(vma: bigint, section: ElfSection, symbol: ListingSymbol | undefined): string {
    if (!symbol) {
      if (vma < section.addr) return `${section.name}-0x${(section.addr - vma).toString(16)}`;
      if (vma > section.addr) return `${section.name}+0x${(vma - section.addr).toString(16)}`;
      return section.name;
    }
    if (symbol.value === vma || (symbol.isUndefined && !this.isRelocatable)) return symbol.name;
    if (symbol.value > vma) return `${symbol.name}-0x${(symbol.value - vma).toString(16)}`;
    return `${symbol.name}+0x${(vma - symbol.value).toString(16)}`;
  }

  /** What objdump prints inside `<...>` for an address operand while disassembling `section`. */
  nameFor(vma: bigint, section: ElfSection): string {
    return this.label(vma, section, this.find(vma, section, false)?.symbol);
  }
}
