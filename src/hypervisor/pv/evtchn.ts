// Event channels, 2-level (docs/PV-ABI.md §5): per-domain ports with their bindings in the
// PV state, pending/mask bitmaps and vcpu_info selectors in the guest's shared_info page.
// Ports bound to the hypervisor (remoteDom 0) reach a backend: sending on them kicks it, and
// the backend notifies back through notifyFrontend().
import { DOM0, E, EVTCHNOP, EVTCHNSTAT, NR_EVENT_CHANNELS, NR_VIRQS, PAGE, SH, VIRQ_CONSOLE, VIRQ_TIMER } from './abi.ts';
import { resolveDom, type Call, type HcReturn } from './call.ts';
import type { PvHost } from './pv-host.ts';
import type { PortBinding } from './state.ts';

const BIT = (p: number): bigint => 1n << BigInt(p & 63);

function unbound(vcpu: number, remoteDom: number): PortBinding {
  return { state: 'unbound', vcpu, remoteDom, remotePort: 0, virq: -1, backend: '' };
}

/** Lowest free port of a domain, or -1 (ports 1..4095; 0 is never valid). */
export function freePort(pv: PvHost, dom: number): number {
  const ports = pv.dom(dom).ports;
  for (let p = 1; p < NR_EVENT_CHANNELS; p++) if (!ports[p]) return p;
  return -1;
}

/**
 * Marks `port` of `dom` pending (§5.2): on a 0 → 1 transition of an unmasked port, sets the
 * selector bit in the bound vCPU's vcpu_info and, if that was 0 → 1 too, upcall_pending.
 * Wakes a vCPU blocked for upcalls or polling this port.
 */
export function markPending(pv: PvHost, dom: number, port: number): void {
  const pd = pv.state.domains[dom];
  const b = pd?.ports[port];
  if (!pd || !b) return;
  const si = pd.boot.sharedInfo * PAGE;
  const word = port >> 6;
  const pend = si + SH.evtchn_pending + word * 8;
  const old = pv.hm.u64(pend);
  if (old & BIT(port)) return;
  pv.hm.setU64(pend, old | BIT(port));
  pv.pollWake(dom, port);
  if (pv.hm.u64(si + SH.evtchn_mask + word * 8) & BIT(port)) return;
  raiseSelector(pv, dom, b.vcpu, word);
}

function raiseSelector(pv: PvHost, dom: number, vcpu: number, word: number): void {
  const vi = pv.dom(dom).boot.sharedInfo * PAGE + vcpu * SH.VCPU_INFO_SIZE;
  const sel = pv.hm.u64(vi + SH.pending_sel);
  if (sel & BIT(word)) return;
  pv.hm.setU64(vi + SH.pending_sel, sel | BIT(word));
  if (pv.hm.u8(vi + SH.upcall_pending) === 0) pv.hm.setU8(vi + SH.upcall_pending, 1);
  pv.upcallWake(dom, vcpu);
}

/** A send on `port` of `dom` (the guest's EVTCHNOP_send, or a timer/console VIRQ). */
export function send(pv: PvHost, dom: number, port: number): number {
  const b = pv.state.domains[dom]?.ports[port];
  if (!b) return -E.EINVAL;
  switch (b.state) {
    case 'interdomain':
      if (b.remoteDom === DOM0) pv.kickBackend(dom, b.backend);
      else markPending(pv, b.remoteDom, b.remotePort);
      return 0;
    case 'ipi':
    case 'virq':
      markPending(pv, dom, port);
      return 0;
    case 'unbound':
      return 0; // nobody listens yet; Xen drops it too
  }
}

/** A backend in the hypervisor notifies its frontend's port. */
export function notifyFrontend(pv: PvHost, dom: number, port: number): void {
  const b = pv.state.domains[dom]?.ports[port];
  if (!b || b.state !== 'interdomain' || b.remoteDom !== DOM0) return;
  pv.log.evtchn(DOM0, 0, 'notify', 0, dom, port, 0);
  markPending(pv, dom, port);
}

/** Fires a VIRQ on a vCPU if the guest bound it (timer, console). */
export function raiseVirq(pv: PvHost, dom: number, vcpu: number, virq: number): void {
  const pd = pv.state.domains[dom];
  if (!pd) return;
  for (const [p, b] of Object.entries(pd.ports)) {
    if (b.state === 'virq' && b.virq === virq && b.vcpu === vcpu) {
      pv.log.evtchn(dom, vcpu, 'virq', Number(p), dom, virq, 0);
      markPending(pv, dom, Number(p));
      return;
    }
  }
}

/** event_channel_op(cmd, arg) — nr 32. */
export function eventChannelOp(c: Call): HcReturn {
  const cmd = c.u32(0);
  const arg = c.a(1);
  const pv = c.pv;
  const log = (op: Parameters<PvHost['log']['evtchn']>[2], port: number, rd: number, rp: number, rc: number): number => {
    pv.log.evtchn(c.id, c.v.id, op, port, rd, rp, rc);
    return rc;
  };
  switch (cmd) {
    case EVTCHNOP.alloc_unbound: {
      const r = c.va.readView(arg, 8);
      if (!r || !c.va.check(arg + 4n, 4, true)) return -E.EFAULT;
      const d = r.getUint16(0, true);
      const remote = resolveDom(c, r.getUint16(2, true));
      if (!c.isSelf(d)) return log('alloc-unbound', 0, remote, 0, -E.EPERM);
      if (remote !== DOM0 && !pv.state.domains[remote]) return log('alloc-unbound', 0, remote, 0, -E.ESRCH);
      const port = freePort(pv, c.id);
      if (port < 0) return log('alloc-unbound', 0, remote, 0, -E.ENOSPC);
      pv.plane.apply({ kind: 'port', dom: c.id, port, binding: unbound(0, remote) });
      c.va.writeU32(arg + 4n, port);
      return log('alloc-unbound', port, remote, 0, 0);
    }
    case EVTCHNOP.bind_interdomain: {
      const r = c.va.readView(arg, 12);
      if (!r || !c.va.check(arg + 8n, 4, true)) return -E.EFAULT;
      const rd = resolveDom(c, r.getUint16(0, true));
      const rp = r.getUint32(4, true);
      const peer = pv.state.domains[rd];
      const pb = peer?.ports[rp];
      // the remote port must be unbound and allocated for this domain (§5.3)
      if (!peer || rd === DOM0 || !pb || pb.state !== 'unbound' || pb.remoteDom !== c.id) return log('bind-interdomain', 0, rd, rp, -E.EINVAL);
      const port = freePort(pv, c.id);
      if (port < 0) return log('bind-interdomain', 0, rd, rp, -E.ENOSPC);
      pv.plane.apply({ kind: 'port', dom: c.id, port, binding: { state: 'interdomain', vcpu: 0, remoteDom: rd, remotePort: rp, virq: -1, backend: '' } });
      pv.plane.apply({ kind: 'port', dom: rd, port: rp, binding: { ...pb, state: 'interdomain', remoteDom: c.id, remotePort: port } });
      c.va.writeU32(arg + 8n, port);
      return log('bind-interdomain', port, rd, rp, 0);
    }
    case EVTCHNOP.bind_virq: {
      const r = c.va.readView(arg, 12);
      if (!r || !c.va.check(arg + 8n, 4, true)) return -E.EFAULT;
      const virq = r.getUint32(0, true);
      const vcpu = r.getUint32(4, true);
      if (virq >= NR_VIRQS || (virq !== VIRQ_TIMER && virq !== VIRQ_CONSOLE) || vcpu >= c.d.vcpus.length) return log('bind-virq', 0, c.id, virq, -E.EINVAL);
      if (Object.values(c.dom.ports).some((b) => b.state === 'virq' && b.virq === virq && b.vcpu === vcpu)) return log('bind-virq', 0, c.id, virq, -E.EEXIST);
      const port = freePort(pv, c.id);
      if (port < 0) return log('bind-virq', 0, c.id, virq, -E.ENOSPC);
      pv.plane.apply({ kind: 'port', dom: c.id, port, binding: { state: 'virq', vcpu, remoteDom: 0, remotePort: 0, virq, backend: '' } });
      c.va.writeU32(arg + 8n, port);
      return log('bind-virq', port, c.id, virq, 0);
    }
    case EVTCHNOP.bind_ipi: {
      const r = c.va.readView(arg, 8);
      if (!r || !c.va.check(arg + 4n, 4, true)) return -E.EFAULT;
      const vcpu = r.getUint32(0, true);
      if (vcpu >= c.d.vcpus.length) return log('bind-ipi', 0, c.id, 0, -E.ENOENT);
      const port = freePort(pv, c.id);
      if (port < 0) return log('bind-ipi', 0, c.id, 0, -E.ENOSPC);
      pv.plane.apply({ kind: 'port', dom: c.id, port, binding: { state: 'ipi', vcpu, remoteDom: 0, remotePort: 0, virq: -1, backend: '' } });
      c.va.writeU32(arg + 4n, port);
      return log('bind-ipi', port, c.id, 0, 0);
    }
    case EVTCHNOP.close:
    case EVTCHNOP.send:
    case EVTCHNOP.unmask: {
      const r = c.va.readView(arg, 4);
      if (!r) return -E.EFAULT;
      const port = r.getUint32(0, true);
      const b = c.dom.ports[port];
      const op = cmd === EVTCHNOP.close ? 'close' : cmd === EVTCHNOP.send ? 'send' : 'unmask';
      if (!b) return log(op, port, 0, 0, -E.EINVAL);
      if (cmd === EVTCHNOP.close) {
        closePort(pv, c.id, port);
        return log('close', port, b.remoteDom, b.remotePort, 0);
      }
      if (cmd === EVTCHNOP.send) return log('send', port, b.state === 'interdomain' ? b.remoteDom : c.id, b.state === 'interdomain' ? b.remotePort : port, send(pv, c.id, port));
      unmask(pv, c.id, port);
      return log('unmask', port, c.id, port, 0);
    }
    case EVTCHNOP.status: {
      const r = c.va.readView(arg, 8);
      if (!r || !c.va.check(arg + 8n, 16, true)) return -E.EFAULT;
      if (!c.isSelf(r.getUint16(0, true))) return -E.EPERM;
      const port = r.getUint32(4, true);
      if (port === 0 || port >= NR_EVENT_CHANNELS) return -E.EINVAL;
      const b = c.dom.ports[port];
      const out = new Uint8Array(16);
      const dv = new DataView(out.buffer);
      if (b) {
        dv.setUint32(0, EVTCHNSTAT[b.state], true);
        dv.setUint32(4, b.vcpu, true);
        if (b.state === 'unbound') dv.setUint32(8, b.remoteDom, true);
        if (b.state === 'interdomain') dv.setUint32(8, b.remoteDom, true), dv.setUint32(12, b.remotePort, true);
        if (b.state === 'virq') dv.setUint32(8, b.virq, true);
      }
      c.va.write(arg + 8n, out);
      return 0;
    }
    default:
      return -E.ENOSYS;
  }
}

/** EVTCHNOP_unmask (Xen's evtchn_unmask): clears the mask and re-raises a pending port. */
export function unmask(pv: PvHost, dom: number, port: number): void {
  const pd = pv.dom(dom);
  const b = pd.ports[port];
  const si = pd.boot.sharedInfo * PAGE;
  const word = port >> 6;
  const maskAt = si + SH.evtchn_mask + word * 8;
  const m = pv.hm.u64(maskAt);
  if (!(m & BIT(port))) return;
  pv.hm.setU64(maskAt, m & ~BIT(port));
  if (b && pv.hm.u64(si + SH.evtchn_pending + word * 8) & BIT(port)) raiseSelector(pv, dom, b.vcpu, word);
}

/** Closes a port; an interdomain peer goes back to unbound for this domain (Xen's __evtchn_close). */
export function closePort(pv: PvHost, dom: number, port: number): void {
  const b = pv.state.domains[dom]?.ports[port];
  if (!b) return;
  if (b.state === 'interdomain' && b.remoteDom !== DOM0) {
    const peer = pv.state.domains[b.remoteDom]?.ports[b.remotePort];
    if (peer && peer.state === 'interdomain' && peer.remoteDom === dom && peer.remotePort === port) {
      pv.plane.apply({ kind: 'port', dom: b.remoteDom, port: b.remotePort, binding: unbound(peer.vcpu, dom) });
    }
  }
  if (b.state === 'interdomain' && b.remoteDom === DOM0) pv.backendPortClosed(dom, b.backend);
  pv.plane.apply({ kind: 'port', dom, port, binding: null });
}

