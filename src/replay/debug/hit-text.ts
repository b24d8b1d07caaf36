// What a stop looks like in words, for the status line and for scripts: which stop, which
// instruction, and where the debugger stopped relative to it.
import type { ContinueResult } from './scan.ts';
import type { StopHit } from './stops.ts';

export type AddressNamer = (domain: number, addr: bigint) => string | undefined;
/** The disassembled instruction a hit is about (`sw\ta5,0(a4)`), when it can be fetched. */
export type InsnText = (h: StopHit) => string | undefined;

function hex(v: bigint): string {
  return '0x' + v.toString(16);
}

function at(name: AddressNamer, domain: number, addr: bigint): string {
  const n = name(domain, addr);
  return n ? `${n} (${hex(addr)})` : hex(addr);
}

/** Little-endian bytes as one hex number: what a store of that size wrote. */
export function littleEndianHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = bytes.length - 1; i >= 0; i--) s += bytes[i].toString(16).padStart(2, '0');
  return '0x' + s;
}

export function describeHit(h: StopHit, name: AddressNamer, valueAfter?: Uint8Array | null, insn?: string): string {
  const e = h.insn;
  const who = `d${e.domain}:v${e.vcpu}`;
  const trap = e.viaTrap ? `, via ${e.viaTrap.interrupt ? 'interrupt' : 'exception'} ${e.viaTrap.cause} from ${hex(e.viaTrap.from)}` : '';
  if (h.stop.kind === 'break') {
    return `breakpoint #${h.stop.id} at ${at(name, e.domain, e.pc)}, ${who}${trap} — stopped before it`;
  }
  const a = h.access!;
  const what = insn ? insn.replace(/\t/, ' ') : a.kind;
  const verb = a.kind === 'amo' ? 'updated' : a.writes ? 'wrote' : 'read';
  const value = valueAfter ? ` ${littleEndianHex(valueAfter)}` : '';
  const target = name(e.domain, a.address) ?? hex(a.address);
  return `watchpoint #${h.stop.id}: ${what} at ${name(e.domain, e.pc) ?? hex(e.pc)} ${verb} ${target}${value} (${a.size} bytes, ${who}${trap}) — stopped after it`;
}

export function describeContinue(
  r: ContinueResult,
  dir: 'forward' | 'reverse',
  name: AddressNamer,
  value?: (h: StopHit) => Uint8Array | null,
  insn?: InsnText,
): string {
  if (r.kind === 'boundary') return dir === 'forward' ? `no stop before the end of the recording (icount ${r.position})` : 'no stop before the start of the recording';
  return r.hits.map((h) => describeHit(h, name, value?.(h), insn?.(h))).join('; ');
}
