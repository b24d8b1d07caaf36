// One function handles every exit (Firecracker's habit): it matches on the exit kind and
// says what becomes of the vCPU. Each exit is also an `exit` event; what it leads to (an SBI
// call, a device-model access, a lifecycle change) is logged by the part that handles it.
import { EXC } from '../cpu/csr-defs.ts';
import { peekTranslate } from '../cpu/mmu.ts';
import { handleSbiCall } from './sbi/dispatch.ts';
import { HsmState, hsmTransition } from './sbi/hsm.ts';
import { emulateMmio } from './dm/mmio-emulate.ts';
import type { VcpuExit } from './exits.ts';
import { exitReason } from './exits.ts';
import type { Domain } from './domain.ts';
import type { Hypervisor } from './hypervisor.ts';
import type { VcpuContext } from './types.ts';
import type { Vcpu } from './vcpu.ts';
import { injectIntoGuest } from './inject.ts';

const WFI = 0x10500073;

/** What becomes of the vCPU after its exit was handled ('yield': it gives up the rest of its quantum). */
export type ExitOutcome = 'continue' | 'blocked' | 'halted' | 'domain-stopped' | 'yield';

export function vcpuContext(hv: Hypervisor, d: Domain, v: Vcpu): VcpuContext {
  const h = v.hart;
  return {
    domain: d.id,
    vcpu: v.id,
    getX: (i) => h.getX(i),
    setX: (i, val) => h.setX(i, val),
    get pc() {
      return h.pc;
    },
    set pc(p: bigint) {
      h.setPc(p);
    },
    skipInstruction: (len) => h.setPc(h.pc + BigInt(len)),
    nowNs: () => hv.clock.nowNs(),
  };
}

/** Reads the instruction at the guest's pc (VS-stage and G-stage translated). */
function fetchGuestInsn(v: Vcpu): number | null {
  const h = v.hart;
  const read16 = (va: bigint): number | null => {
    const pa = peekTranslate(h, va);
    if (pa < 0) return null;
    const off = h.mem.ramOffset(pa, false);
    return off < 0 ? null : h.mem.dv.getUint16(off, true);
  };
  const lo = read16(h.pc);
  if (lo === null) return null;
  if ((lo & 3) !== 3) return lo;
  const hi = read16(h.pc + 2n);
  return hi === null ? null : (lo | (hi << 16)) >>> 0;
}

export function handleExit(hv: Hypervisor, d: Domain, v: Vcpu, exit: VcpuExit): ExitOutcome {
  const ev = hv.events;
  switch (exit.kind) {
    case 'budget':
    case 'yield':
    case 'debug-break': // (Hypervisor.run returns before dispatching it)
      return 'continue';

    case 'sbi': {
      ev.exit(d.id, v.id, 'ecall', [v.hart.getX(17), v.hart.getX(16)]);
      const sbi = d.sbi!;
      const o = handleSbiCall(vcpuContext(hv, d, v), sbi);
      ev.sbi(d.id, v.id, o.ext, o.fid, o.args, o.error, o.value);
      // (the ecall itself already counted as executed, as in QEMU's icount)
      switch (o.kind) {
        case 'continue':
          return 'continue';
        case 'hart-start':
          sbi.hsm[o.hart] = HsmState.START_PENDING;
          d.startVcpu(o.hart, o.startAddr, o.opaque);
          sbi.hsm[o.hart] = hsmTransition(HsmState.START_PENDING, 'started') ?? HsmState.STARTED;
          hv.setVcpuStatus(d.id, o.hart, 'runnable', 'start');
          return 'continue';
        case 'hart-stop':
          sbi.hsm[v.id] = HsmState.STOPPED;
          return 'halted';
        case 'hart-suspend':
          sbi.hsm[v.id] = HsmState.SUSPENDED;
          if (!o.retentive) v.hart.setPc(o.resumeAddr), v.hart.setX(10, BigInt(v.id)), v.hart.setX(11, o.opaque);
          return 'blocked';
        case 'system-reset':
          hv.shutdownDomain(d, o.reason === 'system-failure' ? 'crash' : o.type === 'shutdown' ? 'poweroff' : 'reboot', 0, `SBI system reset (${o.type}, ${o.reason})`);
          return 'domain-stopped';
      }
      return 'continue';
    }

    case 'guest-page-fault': {
      if (d.dm && exit.access !== 'fetch' && d.dm.deviceAt(exit.gpa)) {
        const bits = fetchGuestInsn(v);
        if (bits !== null) {
          ev.exit(d.id, v.id, 'mmio', [exit.gpa, BigInt(bits)]);
          const r = emulateMmio(vcpuContext(hv, d, v), d.dm, exit.gpa, bits);
          if (r.kind === 'done') {
            hv.retireEmulated();
            return 'continue';
          }
          hv.shutdownDomain(d, 'crash', 0, `${r.message} (pc 0x${v.pc.toString(16)})`);
          return 'domain-stopped';
        }
      }
      ev.exit(d.id, v.id, 'guest-page-fault', [exit.gpa, exit.gva, BigInt(exit.access === 'fetch' ? 0 : exit.access === 'load' ? 1 : 2)]);
      hv.shutdownDomain(
        d,
        'crash',
        0,
        `guest-page fault: ${exit.access} of guest-physical 0x${exit.gpa.toString(16)}, outside the domain's p2m and its devices (pc 0x${v.pc.toString(16)})`,
      );
      return 'domain-stopped';
    }

    case 'virtual-instruction':
      if (exit.insn === WFI) {
        ev.exit(d.id, v.id, 'wfi', []);
        v.hart.setPc(v.pc + 4n);
        hv.retireEmulated();
        return d.pending(v.id) ? 'continue' : 'blocked';
      }
      ev.exit(d.id, v.id, 'virtual-instruction', [BigInt(exit.insn)]);
      // what a guest may not do here is an illegal instruction for it (as KVM does)
      injectIntoGuest(v.hart, EXC.ILLEGAL, BigInt(exit.insn));
      return 'continue';

    case 'wfi':
      ev.exit(d.id, v.id, 'wfi', []);
      return d.pending(v.id) ? 'continue' : 'blocked';

    case 'hypercall':
      return hv.pv.hypercall(d, v);

    case 'exception':
      ev.exit(d.id, v.id, exitReason(exit), [BigInt(exit.cause), exit.tval]);
      if (d.type === 'pv') return hv.pv.exception(d, v, exit.cause, exit.tval);
      hv.shutdownDomain(d, 'crash', 0, `unhandled exception cause ${exit.cause} (tval 0x${exit.tval.toString(16)}) at pc 0x${v.pc.toString(16)}`);
      return 'domain-stopped';

    case 'interrupt':
      ev.exit(d.id, v.id, 'interrupt', [BigInt(exit.cause)]);
      return 'continue';

    case 'stuck':
      ev.exit(d.id, v.id, 'internal-error', [v.pc]);
      hv.shutdownDomain(d, 'crash', 0, `instruction fetch keeps faulting at its trap vector (pc 0x${v.pc.toString(16)})`);
      return 'domain-stopped';
  }
}
