// Disassembly around an address of one hart, as objdump would print it (same disassembler),
// with symbol+offset labels. Going backwards from pc is ambiguous with compressed
// instructions, so the listing starts at the enclosing symbol when it is close, and otherwise
// at the farthest earlier half-word from which decoding lands exactly on pc.
import type { Hart } from '../../cpu/hart.ts';
import { decode } from '../../isa/decode.ts';
import { Disassembler } from '../../isa/disasm.ts';
import type { PhysicalMemory } from '../../machine/phys-mem.ts';
import { fetchInstruction } from './memory.ts';
import type { SymbolTable } from './symbols.ts';

export interface DisasmLine {
  address: bigint;
  /** Instruction bits (16 for compressed), or -1 where nothing can be fetched. */
  raw: number;
  len: 2 | 4;
  /** `addi\tsp,sp,-16` (objdump's text), or `<unmapped>`. */
  text: string;
  /** `name+0x1c`, when a symbol covers the address. */
  where?: string;
  /** Set on the first instruction of a symbol: its name. */
  label?: string;
}

function lengthAt(mem: PhysicalMemory, h: Hart, a: bigint): number {
  const raw = fetchInstruction(mem, h, a);
  return raw < 0 ? 2 : (raw & 3) === 3 ? 4 : 2;
}

/** The address `before` instructions ahead of `center` along a decoding that reaches it. */
function startBefore(mem: PhysicalMemory, h: Hart, center: bigint, before: number, symbols?: SymbolTable): bigint {
  const span = BigInt(4 * before);
  const sym = symbols?.symbolAt(center);
  const candidates: bigint[] = [];
  if (sym && sym.address <= center && center - sym.address <= span * 4n) candidates.push(sym.address);
  for (let back = span; back > 0n; back -= 2n) if (center >= back) candidates.push(center - back);
  for (const s of candidates) {
    const seen: bigint[] = [];
    let a = s;
    while (a < center) {
      seen.push(a);
      a += BigInt(lengthAt(mem, h, a));
    }
    if (a === center) return seen.length > before ? seen[seen.length - before] : s;
  }
  return center;
}

export function disassembleAround(
  mem: PhysicalMemory,
  h: Hart,
  center: bigint,
  before: number,
  after: number,
  symbols?: SymbolTable,
): DisasmLine[] {
  const start = startBefore(mem, h, center, before, symbols);
  const dis = new Disassembler({ symbols: symbols ? (a) => symbols.describe(a) : undefined });
  const lines: DisasmLine[] = [];
  let a = start;
  let afterCenter = 0;
  while ((a <= center || afterCenter < after) && lines.length < before + after + 64) {
    const at = a;
    const raw = fetchInstruction(mem, h, a);
    const sym = symbols?.symbolAt(a);
    const where = symbols?.describe(a);
    const label = sym && sym.address === a ? sym.name : undefined;
    if (raw < 0) {
      lines.push({ address: a, raw: -1, len: 2, text: '<unmapped>', where, label });
      a += 2n;
    } else {
      const d = decode(raw);
      lines.push({ address: a, raw: d.len === 2 ? raw & 0xffff : raw, len: d.len, text: dis.format(d, a), where, label });
      a += BigInt(d.len);
    }
    if (at > center) afterCenter++;
  }
  return lines;
}
