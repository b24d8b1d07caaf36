// The exit union: why a vCPU left guest context (like KVM's kvm_run.exit_reason). The hart
// stops with the trap HS-mode would have taken; classify() turns it into one of these.
import { EXC } from '../cpu/csr-defs.ts';
import type { TrapExit } from '../cpu/hart.ts';

export type VcpuExit =
  /** The slice's instruction budget ran out (or the scheduler's quantum). */
  | { kind: 'budget' }
  /** An instruction changed state the scheduler must look at (nothing to handle). */
  | { kind: 'yield' }
  /** Right before an armed debugger breakpoint (cpu/exec-breaks.ts): the run returns to the debugger. */
  | { kind: 'debug-break' }
  /** ecall from VS-mode: an SBI call (HVM family). */
  | { kind: 'sbi' }
  /** ecall from the PV guest's U-mode kernel: a hypercall. */
  | { kind: 'hypercall' }
  /** Guest-page fault: an access to guest-physical `gpa` the p2m does not map. */
  | { kind: 'guest-page-fault'; access: 'fetch' | 'load' | 'store'; gpa: bigint; gva: bigint }
  /** Virtual-instruction exception (WFI with VTW, hypervisor CSRs from VS...). */
  | { kind: 'virtual-instruction'; insn: number }
  /** An exception the guest did not handle itself (not delegated): cause and tval. */
  | { kind: 'exception'; cause: number; tval: bigint }
  /** An interrupt for HS-level software (none are expected while a guest runs). */
  | { kind: 'interrupt'; cause: number }
  /** The hart waits in WFI (executed natively, VTW clear). */
  | { kind: 'wfi' }
  /** Instruction fetch keeps faulting: the guest cannot make progress. */
  | { kind: 'stuck' };

export type ExitKind = VcpuExit['kind'];

/** Maps the trap the hart took to an exit. `pv` selects the PV meaning of U-mode ecalls. */
export function classify(t: TrapExit, pv: boolean): VcpuExit {
  if (t.interrupt) return { kind: 'interrupt', cause: t.cause };
  switch (t.cause) {
    case EXC.ECALL_VS:
      return { kind: 'sbi' };
    case EXC.ECALL_U:
      return pv && !t.virt ? { kind: 'hypercall' } : { kind: 'exception', cause: t.cause, tval: t.tval };
    case EXC.INSN_GUEST_PAGE:
    case EXC.LOAD_GUEST_PAGE:
    case EXC.STORE_GUEST_PAGE: {
      // htval holds GPA >> 2; the low two bits come from the faulting virtual address (spec 9.4.4)
      const gpa = (t.gpa << 2n) | (t.tval & 3n);
      const access = t.cause === EXC.INSN_GUEST_PAGE ? 'fetch' : t.cause === EXC.LOAD_GUEST_PAGE ? 'load' : 'store';
      return { kind: 'guest-page-fault', access, gpa, gva: t.tval };
    }
    case EXC.VIRTUAL_INSN:
      return { kind: 'virtual-instruction', insn: Number(t.tval & 0xffffffffn) };
    default:
      return { kind: 'exception', cause: t.cause, tval: t.tval };
  }
}

/** The exit reasons recorded in `exit` events (src/events/kinds.ts EXIT_REASONS). */
export function exitReason(e: VcpuExit): 'ecall' | 'mmio' | 'wfi' | 'virtual-instruction' | 'guest-page-fault' | 'page-fault' | 'illegal-instruction' | 'interrupt' | 'halt' | 'internal-error' {
  switch (e.kind) {
    case 'sbi':
    case 'hypercall':
      return 'ecall';
    case 'guest-page-fault':
      return 'guest-page-fault';
    case 'virtual-instruction':
      return 'virtual-instruction';
    case 'wfi':
      return 'wfi';
    case 'interrupt':
      return 'interrupt';
    case 'exception':
      return e.cause === EXC.ILLEGAL ? 'illegal-instruction' : 'page-fault';
    case 'stuck':
      return 'internal-error';
    default:
      return 'halt';
  }
}
