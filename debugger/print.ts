// `chronovisor debug FILE --at POS --print WHAT`: the debugger's views as plain text for
// scripts, from the same session API and formatting as the terminal UI.
import type { DebugSession } from '../src/replay/debug/index.ts';
import { cell, dumpRow, hex64, hexAddr, insnText } from './text.ts';

export interface PrintTarget {
  domain: number;
  vcpu: number;
}

const X_NAMES = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];

export function positionLine(s: DebugSession): string {
  const last = s.lastEvent;
  return `position: icount ${s.icount} of ${s.endIcount}, ${last ? `after event #${last.seq}` : 'before the first event'} (${s.nextSeq - s.firstSeq} events)`;
}

export function printRegisters(s: DebugSession, t: PrintTarget): string {
  const r = s.registers(t.domain, t.vcpu);
  if (!r) return `no vCPU d${t.domain}:v${t.vcpu} at this point\n`;
  const out = [`pc       ${hex64(r.pc)}  ${s.describeAddress(t.domain, r.pc) ?? ''}`.trimEnd(), `priv     ${r.priv}  V=${r.virt ? 1 : 0}${r.waiting ? '  (waiting in wfi)' : ''}`];
  for (let i = 0; i < 32; i += 4) {
    out.push([0, 1, 2, 3].map((k) => `${cell(X_NAMES[i + k], 4)} ${hex64(r.x[i + k])}`).join('  '));
  }
  for (const c of r.csrs) out.push(`${cell(c.name, 8)} ${hex64(c.value)}`);
  return out.join('\n') + '\n';
}

export function printDisasm(s: DebugSession, t: PrintTarget, count: number): string {
  const r = s.registers(t.domain, t.vcpu);
  if (!r) return `no vCPU d${t.domain}:v${t.vcpu} at this point\n`;
  const half = Math.max(1, Math.floor(count / 2));
  const out: string[] = [];
  for (const l of s.disassemble(t.domain, t.vcpu, r.pc, half, count - half)) {
    if (l.label) out.push(`${hexAddr(l.address)} <${l.label}>:`);
    const mark = l.address === r.pc ? '=>' : '  ';
    const bp = s.stops.breakpoints.some((b) => b.pc === l.address) ? '*' : ' ';
    const bytes = l.raw < 0 ? '' : l.raw.toString(16).padStart(l.len * 2, '0');
    out.push(`${mark}${bp}${hexAddr(l.address)}:  ${bytes.padEnd(8)}  ${insnText(l.text)}`);
  }
  return out.join('\n') + '\n';
}

export function printMemory(s: DebugSession, t: PrintTarget, address: bigint, length: number): string {
  const m = s.readMemory(t.domain, t.vcpu, address, length);
  if (!m) return `no vCPU d${t.domain}:v${t.vcpu} at this point\n`;
  const out: string[] = [];
  for (let i = 0; i < length; i += 16) out.push(dumpRow(address, m.bytes, m.valid, i, Math.min(16, length - i)));
  return out.join('\n') + '\n';
}

/** Events around the position: `count` before (the last one produced is marked) and after. */
export function printEvents(s: DebugSession, count: number): string {
  const from = Math.max(s.firstSeq, s.seq - count);
  const to = Math.min(s.nextSeq, s.seq + count);
  const out: string[] = [];
  for (const e of s.events(from, to)) out.push(`${e.seq === s.seq - 1 ? '=>' : '  '} ${s.formatEvent(e)}`);
  if (s.seq === s.firstSeq) out.unshift('=> (start: no event yet)');
  return out.join('\n') + '\n';
}
