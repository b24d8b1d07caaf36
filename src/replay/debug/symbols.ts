// ELF symbols for the debugger: address → `name+0xoff` for disassembly and reports, and
// name → address for the `:` prompt and watch commands. Symbols come from the trace's images
// (an .elf image itself, or the .elf beside a raw .bin, as the guests' Makefiles leave them)
// and from files the user names with --symbols.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseElf, SHN_UNDEF, STT_FILE, STT_SECTION } from '../../machine/elf.ts';
import type { TraceConfig } from '../../trace/header.ts';

export interface SymbolEntry {
  name: string;
  address: bigint;
  size: bigint;
}

export class SymbolTable {
  /** Sorted by address. */
  private readonly entries: SymbolEntry[] = [];
  private readonly byName = new Map<string, SymbolEntry>();
  /** Files symbols were read from, for the status display. */
  readonly sources: string[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** Adds the symbols of an ELF file (labels of code and data; no file, section or mapping symbols). */
  addElf(file: string): void {
    const elf = parseElf(new Uint8Array(readFileSync(file)), file);
    for (const s of elf.symbols.length ? elf.symbols : elf.dynamicSymbols) {
      if (!s.name || s.sectionIndex === SHN_UNDEF || s.type === STT_FILE || s.type === STT_SECTION) continue;
      // psABI mapping symbols ($x, $d) and assembler-local labels are not names people use
      if (s.name.startsWith('$') || s.name.startsWith('.L')) continue;
      this.add({ name: s.name, address: s.value, size: s.size });
    }
    this.entries.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : Number(b.size - a.size)));
    this.sources.push(file);
  }

  add(e: SymbolEntry): void {
    this.entries.push(e);
    if (!this.byName.has(e.name)) this.byName.set(e.name, e);
  }

  lookupName(name: string): SymbolEntry | undefined {
    return this.byName.get(name);
  }

  /** The symbol an address belongs to: the last one at or below it, if the address is inside it (or it has no size). */
  symbolAt(addr: bigint): SymbolEntry | undefined {
    const es = this.entries;
    let lo = 0, hi = es.length - 1, at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (es[mid].address <= addr) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // prefer a sized symbol that contains addr among those at the same or lower addresses
    for (let i = at; i >= 0 && i > at - 8; i--) {
      const e = es[i];
      if (e.size > 0n && addr < e.address + e.size) return e;
    }
    if (at < 0) return undefined;
    const e = es[at];
    if (e.size === 0n && addr - e.address < 0x10000n) return e;
    return undefined;
  }

  /** `name` or `name+0x1c`, or undefined outside every symbol. */
  describe(addr: bigint): string | undefined {
    const e = this.symbolAt(addr);
    if (!e) return undefined;
    const off = addr - e.address;
    return off === 0n ? e.name : `${e.name}+0x${off.toString(16)}`;
  }
}

/** The .elf file with symbols for an image path: itself when it is an ELF, else a sibling .elf. */
export function elfFor(image: string): string | undefined {
  if (!existsSync(image)) return undefined;
  const head = readFileSync(image).subarray(0, 4);
  if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return image;
  const sibling = image.replace(/\.[^./]*$/, '') + '.elf';
  return sibling !== image && existsSync(sibling) ? sibling : undefined;
}

/** Image paths of a trace by domain (0 for a bare machine), resolved like replay resolves them. */
export function imagesOfTrace(config: TraceConfig, traceFile: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const dir = path.dirname(traceFile);
  const resolve = (...candidates: Array<string | undefined>): string | undefined =>
    candidates.filter((p): p is string => !!p).find((p) => existsSync(p));
  const m = config.machine as { kind?: string; images?: Record<string, { path: string; absolute: string } | null>; domains?: Array<{ firmware?: string; kernel?: string }> };
  if (m?.kind === 'hypervisor') {
    (m.domains ?? []).forEach((d, i) => {
      const files = [d.firmware, d.kernel].map((f) => f && resolve(f, path.join(dir, path.basename(f)))).filter((f): f is string => !!f);
      out.set(i + 1, files);
    });
  } else {
    const files = Object.values(m?.images ?? {})
      .map((r) => r && resolve(r.path, r.absolute, path.join(dir, r.path)))
      .filter((f): f is string => !!f);
    out.set(0, files);
  }
  return out;
}

/** Symbol tables per domain from a trace's images plus extra files (which apply to every domain). */
export function symbolsForTrace(config: TraceConfig, traceFile: string, extra: string[] = []): Map<number, SymbolTable> {
  const tables = new Map<number, SymbolTable>();
  for (const [domain, images] of imagesOfTrace(config, traceFile)) {
    const t = new SymbolTable();
    for (const img of images) {
      const elf = elfFor(img);
      if (elf) {
        try {
          t.addElf(elf);
        } catch {
          // an image we cannot parse just has no symbols; the debugger still works
        }
      }
    }
    for (const f of extra) t.addElf(f);
    tables.set(domain, t);
  }
  return tables;
}
