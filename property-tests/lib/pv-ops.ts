// The PV hypercalls the property tests make, each as a guest kernel would make it: argument
// structures laid out per docs/PV-ABI.md in the kernel's scratch page, then the ecall
// (pv-world.ts hypercall). Results are returned as the guest sees them.
import type { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { DOMID_SELF, EVTCHNOP, GNTCOPY, GNTMAP, GNTTABOP, HC, MMUEXT, XENMEM } from '../../src/hypervisor/pv/abi.ts';
import { hypercall, readScratch, scratch, Struct } from './pv-world.ts';

/** mmu_update with one MMU_NORMAL_PT_UPDATE request: the PTE at machine address `slot` := val. */
export function mmuUpdate(hv: Hypervisor, dom: number, slot: number, val: bigint): number {
  const req = scratch(hv, dom, new Struct(16).u64(0, slot).u64(8, val).bytes);
  return Number(hypercall(hv, dom, HC.mmu_update, [req, 1, 0, DOMID_SELF]));
}

export function mmuext(hv: Hypervisor, dom: number, cmd: number, arg1: bigint | number): number {
  const op = scratch(hv, dom, new Struct(24).u32(0, cmd).u64(8, arg1).bytes);
  return Number(hypercall(hv, dom, HC.mmuext_op, [op, 1, 0, DOMID_SELF]));
}

export const pinL1 = (hv: Hypervisor, dom: number, mfn: number) => mmuext(hv, dom, MMUEXT.PIN_L1_TABLE, mfn);
export const unpin = (hv: Hypervisor, dom: number, mfn: number) => mmuext(hv, dom, MMUEXT.UNPIN_TABLE, mfn);

/** XENMEM_increase/decrease_reservation of single frames; returns the result and the MFNs written back. */
export function reservation(hv: Hypervisor, dom: number, increase: boolean, mfns: readonly number[], count = mfns.length): { rc: number; mfns: number[] } {
  const list = new Struct(8 * Math.max(count, 1));
  mfns.forEach((m, i) => list.u64(i * 8, m));
  const listVa = scratch(hv, dom, list.bytes, 256);
  const res = scratch(hv, dom, new Struct(26).u64(0, listVa).u64(8, count).u32(16, 0).u32(20, 0).u16(24, DOMID_SELF).bytes);
  const rc = Number(hypercall(hv, dom, HC.memory_op, [increase ? XENMEM.increase_reservation : XENMEM.decrease_reservation, res]));
  const back = readScratch(hv, dom, 256, 8 * Math.max(count, 1));
  return { rc, mfns: increase ? Array.from({ length: Math.max(rc, 0) }, (_, i) => Number(back.getBigUint64(i * 8, true))) : [] };
}

/** GNTTABOP_setup_table for this domain: `vas` are the kernel VAs to map the table frames at. */
export function setupTable(hv: Hypervisor, dom: number, vas: readonly bigint[]): number {
  const list = new Struct(8 * vas.length);
  vas.forEach((v, i) => list.u64(i * 8, v));
  const listVa = scratch(hv, dom, list.bytes, 512);
  const args = scratch(hv, dom, new Struct(24).u16(0, DOMID_SELF).u32(4, vas.length).u64(16, listVa).bytes);
  const rc = Number(hypercall(hv, dom, HC.grant_table_op, [GNTTABOP.setup_table, args, 1]));
  if (rc !== 0) return rc;
  return readScratch(hv, dom, 8, 2).getInt16(0, true);
}

/** GNTTABOP_map_grant_ref: status and handle. */
export function mapGrant(hv: Hypervisor, dom: number, granter: number, ref: number, hostAddr: bigint, readonly: boolean): { status: number; handle: number } {
  const args = scratch(hv, dom, new Struct(40).u64(0, hostAddr).u32(8, GNTMAP.host_map | (readonly ? GNTMAP.readonly : 0)).u32(12, ref).u16(16, granter).bytes);
  const rc = Number(hypercall(hv, dom, HC.grant_table_op, [GNTTABOP.map_grant_ref, args, 1]));
  if (rc !== 0) throw new Error(`map_grant_ref returned ${rc}`);
  const out = readScratch(hv, dom, 0, 40);
  return { status: out.getInt16(20, true), handle: out.getUint32(24, true) };
}

export function unmapGrant(hv: Hypervisor, dom: number, handle: number, hostAddr = 0n): number {
  const args = scratch(hv, dom, new Struct(24).u64(0, hostAddr).u32(16, handle).bytes);
  const rc = Number(hypercall(hv, dom, HC.grant_table_op, [GNTTABOP.unmap_grant_ref, args, 1]));
  if (rc !== 0) throw new Error(`unmap_grant_ref returned ${rc}`);
  return readScratch(hv, dom, 20, 2).getInt16(0, true);
}

export interface CopySide {
  /** A grant ref of `dom` (gref) or an MFN of the caller. */
  u: number;
  dom: number;
  offset: number;
  gref: boolean;
}

/** GNTTABOP_copy: status. */
export function grantCopy(hv: Hypervisor, dom: number, src: CopySide, dst: CopySide, len: number): number {
  const flags = (src.gref ? GNTCOPY.source_gref : 0) | (dst.gref ? GNTCOPY.dest_gref : 0);
  const s = new Struct(40).u64(0, src.u).u16(8, src.dom).u32(12, src.offset).u64(16, dst.u).u16(24, dst.dom).u32(28, dst.offset).u16(32, len).u16(34, flags);
  const args = scratch(hv, dom, s.bytes);
  const rc = Number(hypercall(hv, dom, HC.grant_table_op, [GNTTABOP.copy, args, 1]));
  if (rc !== 0) throw new Error(`grant copy returned ${rc}`);
  return readScratch(hv, dom, 36, 2).getInt16(0, true);
}

/** event_channel_op: the result and the port written back (for the allocating ops). */
export function evtchn(hv: Hypervisor, dom: number, cmd: number, s: Struct, outOffset = -1): { rc: number; port: number } {
  const arg = scratch(hv, dom, s.bytes);
  const rc = Number(hypercall(hv, dom, HC.event_channel_op, [cmd, arg]));
  return { rc, port: outOffset >= 0 ? readScratch(hv, dom, outOffset, 4).getUint32(0, true) : 0 };
}

export const allocUnbound = (hv: Hypervisor, dom: number, remote: number) => evtchn(hv, dom, EVTCHNOP.alloc_unbound, new Struct(8).u16(0, DOMID_SELF).u16(2, remote), 4);
export const bindInterdomain = (hv: Hypervisor, dom: number, remoteDom: number, remotePort: number) =>
  evtchn(hv, dom, EVTCHNOP.bind_interdomain, new Struct(12).u16(0, remoteDom).u32(4, remotePort), 8);
export const evtchnSend = (hv: Hypervisor, dom: number, port: number) => evtchn(hv, dom, EVTCHNOP.send, new Struct(4).u32(0, port)).rc;
export const evtchnClose = (hv: Hypervisor, dom: number, port: number) => evtchn(hv, dom, EVTCHNOP.close, new Struct(4).u32(0, port)).rc;
