// The vCPU scheduler: deterministic round-robin over every runnable vCPU, in domain creation
// order then vCPU id. The running vCPU keeps the CPU until its quantum (virtual time, counted
// in instructions) is used up, it blocks, or its domain stops; what is left of the quantum is
// part of the hypervisor's state, so how run() calls are split never changes the schedule.
import type { ControlState } from './control/state.ts';

export const QUANTUM = 100_000;

export interface VcpuRef {
  domain: number;
  vcpu: number;
}

export interface SchedulerState {
  current: VcpuRef | null;
  quantumLeft: number;
}

function runnable(s: ControlState, r: VcpuRef): boolean {
  const d = s.domains[r.domain];
  if (!d || d.status !== 'running') return false;
  const st = d.vcpus[r.vcpu]?.status;
  return st === 'runnable' || st === 'running';
}

/** Every vCPU in scheduling order. */
export function allVcpus(s: ControlState): VcpuRef[] {
  const out: VcpuRef[] = [];
  for (const id of s.order) {
    const d = s.domains[id];
    for (let v = 0; v < d.vcpus.length; v++) out.push({ domain: id, vcpu: v });
  }
  return out;
}

/**
 * The vCPU to run next: the current one while it has quantum left and can run, otherwise the
 * next runnable one after it in round-robin order (with a fresh quantum). Null when none can.
 */
export function pickNext(s: ControlState, sched: SchedulerState): { next: VcpuRef | null; fresh: boolean } {
  if (sched.current && sched.quantumLeft > 0 && runnable(s, sched.current)) return { next: sched.current, fresh: false };
  const all = allVcpus(s);
  if (all.length === 0) return { next: null, fresh: false };
  let start = 0;
  if (sched.current) {
    const i = all.findIndex((r) => r.domain === sched.current!.domain && r.vcpu === sched.current!.vcpu);
    start = i >= 0 ? i + 1 : 0;
  }
  for (let k = 0; k < all.length; k++) {
    const r = all[(start + k) % all.length];
    if (runnable(s, r)) return { next: r, fresh: true };
  }
  return { next: null, fresh: false };
}
