// Traps, callbacks and upcalls (docs/PV-ABI.md §6, §5.2). The guest kernel runs in U-mode
// like its programs, so the hypervisor does what the hart's trap entry would do for an
// S-mode kernel: it saves the interrupted context in the vCPU's trap frame, switches to the
// kernel root (and kernel stack) when the trap came from user mode, masks upcalls and jumps
// to the registered callback. iret undoes it.
import type { Domain } from '../domain.ts';
import type { ExitOutcome } from '../dispatch.ts';
import type { Vcpu } from '../vcpu.ts';
import { CALLBACKOP_register, CALLBACKTYPE, E, EVENT_UPCALL, KERNEL_BASE, PAGE, SH, TF } from './abi.ts';
import type { Call, HcReturn } from './call.ts';
import type { PvHost } from './pv-host.ts';

/** Virtual address of vCPU v's trap frame: shared_info + 4096 * (1 + v), as mapped by the kernel root. */
export function trapFrameVa(pv: PvHost, dom: number, vcpu: number): bigint {
  return KERNEL_BASE + BigInt((pv.dom(dom).boot.sharedInfoPfn + 1 + vcpu) * PAGE);
}

function vcpuInfo(pv: PvHost, dom: number, vcpu: number): number {
  return pv.dom(dom).boot.sharedInfo * PAGE + vcpu * SH.VCPU_INFO_SIZE;
}

/** Whether an upcall can be delivered to the vCPU now (§5.2). */
export function upcallDeliverable(pv: PvHost, dom: number, vcpu: number): boolean {
  const vi = vcpuInfo(pv, dom, vcpu);
  return pv.hm.u8(vi + SH.upcall_pending) !== 0 && pv.hm.u8(vi + SH.upcall_mask) === 0;
}

export function setUpcallMask(pv: PvHost, dom: number, vcpu: number, mask: number): void {
  pv.hm.setU8(vcpuInfo(pv, dom, vcpu) + SH.upcall_mask, mask);
}

/** shared_info.system_time = virtual time now, in ns. */
export function updateSystemTime(pv: PvHost, dom: number): void {
  pv.hm.setU64(pv.dom(dom).boot.sharedInfo * PAGE + SH.system_time, BigInt(pv.hv.clock.nowNs()));
}

/**
 * Delivers a trap (an exception, a system call, or an upcall when cause = EVENT_UPCALL) to the
 * guest kernel. Without a registered callback the domain crashes (§6.2); so does a fault at
 * the callback's own first instruction, which could never make progress.
 */
export function bounce(pv: PvHost, d: Domain, v: Vcpu, cause: bigint, tval: bigint): ExitOutcome {
  const st = pv.vcpu(d.id, v.id);
  const upcall = cause === EVENT_UPCALL;
  const target = upcall ? st.eventCallback : st.trapCallback;
  const h = v.hart;
  if (target === 0n) {
    pv.hv.shutdownDomain(d, 'crash', 0, `${describe(cause, tval)} at pc 0x${h.pc.toString(16)} but no ${upcall ? 'event' : 'trap'} callback is registered (set_callbacks)`);
    return 'domain-stopped';
  }
  if (!upcall && h.pc === target) {
    pv.hv.shutdownDomain(d, 'crash', 0, `${describe(cause, tval)} at the trap callback 0x${target.toString(16)} itself: the kernel cannot handle its own traps`);
    return 'domain-stopped';
  }
  const frame = new Uint8Array(TF.SIZE);
  const dv = new DataView(frame.buffer);
  for (let i = 1; i < 32; i++) dv.setBigUint64(TF.regs + 8 * i, h.getX(i), true);
  dv.setBigUint64(TF.pc, h.pc, true);
  dv.setBigUint64(TF.cause, cause, true);
  dv.setBigUint64(TF.tval, BigInt.asUintN(64, tval), true);
  dv.setBigUint64(TF.mode, st.mode === 'user' ? 1n : 0n, true);
  const vi = vcpuInfo(pv, d.id, v.id);
  dv.setBigUint64(TF.upcall_mask, BigInt(pv.hm.u8(vi + SH.upcall_mask) & 1), true);
  pv.hm.write(pv.dom(d.id).boot.trapFrames[v.id] * PAGE, frame);
  pv.hm.setU8(vi + SH.upcall_mask, 1);
  updateSystemTime(pv, d.id);
  if (st.mode === 'user') {
    pv.setVcpu(d.id, v.id, { mode: 'kernel' });
    pv.loadRoot(v, st.kernelRoot);
    h.setX(2, st.kernelSp);
  }
  h.setX(10, trapFrameVa(pv, d.id, v.id));
  h.setPc(target);
  return 'continue';
}

function describe(cause: bigint, tval: bigint): string {
  if (cause === EVENT_UPCALL) return 'an upcall is pending';
  return `exception cause ${cause} (tval 0x${BigInt.asUintN(64, tval).toString(16)})`;
}

/** iret(frame) — nr 23: back to the context in the frame (§6.3). */
export function iret(c: Call): HcReturn {
  if (c.nested) return -E.EINVAL;
  const r = c.va.readView(c.a(0), TF.SIZE);
  if (!r) return -E.EFAULT;
  const mode = r.getBigUint64(TF.mode, true);
  if (mode > 1n) return -E.EINVAL;
  const pv = c.pv;
  const h = c.v.hart;
  for (let i = 1; i < 32; i++) h.setX(i, r.getBigUint64(TF.regs + 8 * i, true));
  h.setPc(r.getBigUint64(TF.pc, true));
  setUpcallMask(pv, c.id, c.v.id, Number(r.getBigUint64(TF.upcall_mask, true) & 1n));
  if (mode === 1n) {
    pv.setVcpu(c.id, c.v.id, { mode: 'user' });
    pv.loadRoot(c.v, c.vcpu.userRoot || pv.emptyRoot);
  }
  return { result: 0, noReturn: true };
}

/** set_callbacks(event_address, trap_address, flags) — nr 4. */
export function setCallbacks(c: Call): HcReturn {
  c.pv.setVcpu(c.id, c.v.id, { eventCallback: c.a(0), trapCallback: c.a(1) });
  return 0;
}

/** callback_op(CALLBACKOP_register, { u32 type; u32 flags; u64 address; }) — nr 30. */
export function callbackOp(c: Call): HcReturn {
  if (c.u32(0) !== CALLBACKOP_register) return -E.ENOSYS;
  const r = c.va.readView(c.a(1), 16);
  if (!r) return -E.EFAULT;
  const type = r.getUint32(0, true);
  const address = r.getBigUint64(8, true);
  if (type === CALLBACKTYPE.event) c.pv.setVcpu(c.id, c.v.id, { eventCallback: address });
  else if (type === CALLBACKTYPE.trap) c.pv.setVcpu(c.id, c.v.id, { trapCallback: address });
  else return -E.EINVAL;
  return 0;
}

/** stack_switch(sp) — nr 3: the kernel stack for traps from user mode. */
export function stackSwitch(c: Call): HcReturn {
  c.pv.setVcpu(c.id, c.v.id, { kernelSp: c.a(0) });
  return 0;
}
