// A digest of a machine's architectural state: all RAM/ROM, and per hart the registers, pc,
// privilege and the CSRs that software can observe, plus virtual time. It deliberately
// leaves out implementation details (caches, device-model internals, the shape of
// checkpoints), so refactoring Chronovisor does not invalidate recorded traces, while any
// change in what the guest computes does.
import { createHash } from 'node:crypto';
import type { Machine } from '../machine/machine.ts';
import type { PhysicalMemory } from '../machine/phys-mem.ts';
import type { VirtualClock } from '../machine/vtime.ts';
import type { Hart } from '../cpu/hart.ts';

const HART_FIELDS = [
  'pcLo', 'pcHi', 'priv', 'virt', 'mstatus', 'mstatusHi', 'medeleg', 'mideleg', 'mie', 'mipSw', 'mipHw',
  'mtvec', 'mscratch', 'mepc', 'mcause', 'mtval', 'mcounteren', 'menvcfg',
  'stvec', 'sscratch', 'sepc', 'scause', 'stval', 'scounteren', 'senvcfg', 'satp',
  'hstatus', 'hedeleg', 'hideleg', 'hgatp', 'vsstatus', 'vstvec', 'vsscratch', 'vsepc', 'vscause', 'vstval', 'vsatp', 'hvip',
] as const;

export function machineStateHash(m: Machine): string {
  return hartsStateHash(m.mem, m.clock, m.harts);
}

/** The state hash of any set of harts over one physical memory (a machine, or a hypervisor's vCPUs). */
export function hartsStateHash(mem: PhysicalMemory, clock: VirtualClock, harts: readonly Hart[]): string {
  const h = createHash('sha256');
  h.update(mem.bytes);
  const parts: string[] = [`icount=${clock.icount}`, `idleNs=${clock.idleNs}`];
  for (const hart of harts) {
    const fields = HART_FIELDS.map((k) => `${k}=${String(hart[k])}`);
    parts.push(`hart${hart.id}:${fields.join(',')}`);
    parts.push(`x:${Array.from(hart.x.subarray(0, 64)).join(',')}`);
    if (hart.fpu) parts.push(`f:${Array.from(hart.fpu.f).join(',')};fflags=${hart.fpu.fflags};frm=${hart.fpu.frm}`);
  }
  h.update(parts.join('\n'));
  return h.digest('hex');
}
