// The hypervisor's control-plane state: domains, their vCPUs' scheduling status, and what
// the scheduler runs. It is immutable (immer): it changes only by applying control events
// through the reducer in reducer.ts, so the state at any event is a fold over the log and
// checkpoints of it are free (keep the reference). Bulk data (guest RAM, page tables,
// register files) lives in the host machine's typed arrays, not here.
import type { DomainType } from '../types.ts';
import type { VcpuStatus } from '../vcpu.ts';

export type DomainStatus = 'running' | 'paused' | 'shutdown' | 'crashed' | 'destroyed';
export type ShutdownReason = 'poweroff' | 'reboot' | 'crash';

export interface VcpuState {
  readonly status: VcpuStatus;
  /** Status to return to when the domain is unpaused. */
  readonly beforePause: VcpuStatus | null;
}

export interface DomainState {
  readonly id: number;
  readonly name: string;
  readonly type: DomainType;
  readonly status: DomainStatus;
  readonly shutdownReason: ShutdownReason | null;
  readonly shutdownCode: number;
  /** Host physical frames of guest RAM (first address, bytes). */
  readonly ram: { readonly hpa: number; readonly bytes: number };
  readonly vcpus: readonly VcpuState[];
  /** Times the domain was (re)started, for on_reboot = restart. */
  readonly generation: number;
}

export interface ControlState {
  /** Domains by id, plus their creation order (iteration is always by `order`). */
  readonly domains: { readonly [id: number]: DomainState };
  readonly order: readonly number[];
  /** What the scheduler is running, or null. */
  readonly current: { readonly domain: number; readonly vcpu: number } | null;
}

export const EMPTY_STATE: ControlState = Object.freeze({ domains: Object.freeze({}), order: Object.freeze([]), current: null });

/** Control events: the only way ControlState changes. Each one is also logged. */
export type ControlEvent =
  | { kind: 'create'; id: number; name: string; type: DomainType; ram: { hpa: number; bytes: number }; vcpus: number }
  | { kind: 'vcpu'; domain: number; vcpu: number; status: VcpuStatus }
  | { kind: 'pause'; domain: number }
  | { kind: 'unpause'; domain: number }
  | { kind: 'shutdown'; domain: number; reason: ShutdownReason; code: number }
  | { kind: 'restart'; domain: number }
  | { kind: 'destroy'; domain: number }
  | { kind: 'schedule'; domain: number; vcpu: number }
  | { kind: 'idle' };
