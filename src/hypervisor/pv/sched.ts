// Scheduling and vCPU hypercalls (docs/PV-ABI.md §5.4, §11): sched_op (yield, block,
// shutdown, poll), set_timer_op on the global virtual clock, vcpu_op, and xen_version.
import type { ShutdownReason } from '../control/state.ts';
import { CHRONOVISOR_PV_ABI, E, EXTRAVERSION, PAGE, POLL_MAX_PORTS, SH, SCHEDOP, SHUTDOWN, VCPUOP, XENVER } from './abi.ts';
import type { Call, HcReturn } from './call.ts';
import { frameInfo } from './state.ts';
import { setUpcallMask, upcallDeliverable } from './traps.ts';

function pending(c: Call, port: number): boolean {
  const si = c.dom.boot.sharedInfo * PAGE;
  return (c.pv.hm.u64(si + SH.evtchn_pending + (port >> 6) * 8) & (1n << BigInt(port & 63))) !== 0n;
}

const REASONS: Record<number, ShutdownReason> = { [SHUTDOWN.poweroff]: 'poweroff', [SHUTDOWN.reboot]: 'reboot', [SHUTDOWN.crash]: 'crash' };

/** sched_op(cmd, arg) — nr 29. */
export function schedOp(c: Call): HcReturn {
  const cmd = c.u32(0);
  const arg = c.a(1);
  switch (cmd) {
    case SCHEDOP.yield:
      return { result: 0, outcome: 'yield' };
    case SCHEDOP.block: {
      if (c.nested) return -E.EINVAL;
      const vi = c.dom.boot.sharedInfo * PAGE + c.v.id * SH.VCPU_INFO_SIZE;
      // upcalls masked, or one already deliverable: return at once (§11)
      if (c.pv.hm.u8(vi + SH.upcall_mask) !== 0 || upcallDeliverable(c.pv, c.id, c.v.id)) return 0;
      return { result: 0, outcome: 'blocked' };
    }
    case SCHEDOP.shutdown: {
      const r = c.va.readView(arg, 4);
      if (!r) return -E.EFAULT;
      const code = r.getUint32(0, true);
      const reason = REASONS[code];
      if (!reason) return -E.EINVAL;
      const d = c.d;
      return {
        result: 0,
        then: () => {
          c.pv.hv.shutdownDomain(d, reason, 0, `SCHEDOP_shutdown(${reason})`);
          return 'domain-stopped';
        },
      };
    }
    case SCHEDOP.poll: {
      if (c.nested) return -E.EINVAL;
      const r = c.va.readView(arg, 24);
      if (!r) return -E.EFAULT;
      const list = r.getBigUint64(0, true);
      const n = r.getUint32(8, true);
      const timeout = r.getBigUint64(16, true);
      if (n > POLL_MAX_PORTS) return -E.EINVAL;
      const lv = c.va.readView(list, n * 4);
      if (!lv) return -E.EFAULT;
      const ports: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = lv.getUint32(i * 4, true);
        if (!c.dom.ports[p]) return -E.EINVAL;
        ports.push(p);
      }
      if (ports.some((p) => pending(c, p))) return 0;
      const now = c.pv.hv.clock.nowNs();
      if (timeout !== 0n && timeout <= BigInt(now)) return 0;
      c.pv.setVcpu(c.id, c.v.id, { poll: ports });
      if (timeout !== 0n) c.pv.pollTimer(c.id, c.v.id).mod(Number(timeout > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : timeout));
      return { result: 0, outcome: 'blocked' };
    }
    default:
      return -E.ENOSYS;
  }
}

/** set_timer_op(deadline) — nr 15: VIRQ_TIMER at an absolute virtual time in ns; 0 cancels. */
export function setTimerOp(c: Call): HcReturn {
  const deadline = c.a(0);
  const t = c.pv.timer(c.id, c.v.id);
  if (deadline === 0n) {
    t.del();
    c.pv.setVcpu(c.id, c.v.id, { timerNs: -1 });
    return 0;
  }
  const ns = deadline > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(deadline);
  c.pv.setVcpu(c.id, c.v.id, { timerNs: ns });
  t.mod(ns); // a deadline in the past fires at the next instruction boundary
  return 0;
}

/** vcpu_op(cmd, vcpu, arg) — nr 24. */
export function vcpuOp(c: Call): HcReturn {
  const cmd = c.u32(0);
  const target = c.u32(1);
  const pv = c.pv;
  if (target >= c.d.vcpus.length) return -E.ENOENT;
  const st = c.dom.vcpus[target];
  switch (cmd) {
    case VCPUOP.initialise: {
      const r = c.va.readView(c.a(2), 32);
      if (!r) return -E.EFAULT;
      if (st.initialised) return -E.EEXIST;
      const root = Number(r.getBigUint64(24, true) & 0xfffffffffffn);
      const f = frameInfo(pv.state, root);
      if (pv.hm.owner(root) !== c.id || !f.pinned || f.type !== 'l3') return -E.EINVAL;
      const me = c.vcpu;
      // the new vCPU starts with the caller's callbacks and kernel stack (it may change them)
      pv.setVcpu(c.id, target, { initialised: true, mode: 'kernel', kernelRoot: root, userRoot: 0, eventCallback: me.eventCallback, trapCallback: me.trapCallback, kernelSp: me.kernelSp });
      const v = c.d.vcpus[target];
      v.enterPv(r.getBigUint64(0, true), (8n << 60n) | BigInt(root), r.getBigUint64(16, true), BigInt(target));
      v.hart.setX(2, r.getBigUint64(8, true));
      setUpcallMask(pv, c.id, target, 1);
      return 0;
    }
    case VCPUOP.up:
      if (!st.initialised) return -E.EINVAL;
      if (st.up) return 0;
      pv.setVcpu(c.id, target, { up: true });
      pv.hv.setVcpuStatus(c.id, target, 'runnable', 'start');
      return 0;
    case VCPUOP.down:
      if (!st.up) return 0;
      pv.setVcpu(c.id, target, { up: false });
      if (target === c.v.id) return { result: 0, outcome: 'halted' };
      pv.hv.setVcpuStatus(c.id, target, 'halted', 'stop');
      return 0;
    case VCPUOP.is_up:
      return st.up ? 1 : 0;
    default:
      return -E.ENOSYS;
  }
}

/** xen_version(cmd, arg) — nr 17. */
export function xenVersion(c: Call): HcReturn {
  switch (c.u32(0)) {
    case XENVER.version:
      return CHRONOVISOR_PV_ABI;
    case XENVER.extraversion: {
      const b = new Uint8Array(16);
      b.set(new TextEncoder().encode(EXTRAVERSION));
      return c.va.write(c.a(1), b) ? 0 : -E.EFAULT;
    }
    default:
      return -E.ENOSYS;
  }
}
