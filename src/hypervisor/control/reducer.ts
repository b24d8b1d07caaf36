// Reducers: ControlState × ControlEvent → ControlState, pure (immer drafts). The control
// plane applies them with produceWithPatches so every change also has its inverse patch.
import { applyPatches, enablePatches, produceWithPatches, type Draft, type Patch } from 'immer';
import type { ControlEvent, ControlState, DomainState } from './state.ts';

enablePatches();

export class ControlError extends Error {}

function domain(d: Draft<ControlState>, id: number): Draft<DomainState> {
  const dom = d.domains[id];
  if (!dom) throw new ControlError(`no domain ${id}`);
  return dom;
}

/** Applies one event to a draft (pure with respect to everything but the draft). */
export function reduce(d: Draft<ControlState>, e: ControlEvent): void {
  switch (e.kind) {
    case 'create':
      if (d.domains[e.id]) throw new ControlError(`domain ${e.id} already exists`);
      d.domains[e.id] = {
        id: e.id,
        name: e.name,
        type: e.type,
        status: 'running',
        shutdownReason: null,
        shutdownCode: 0,
        ram: { ...e.ram },
        vcpus: Array.from({ length: e.vcpus }, (_, i) => ({ status: i === 0 ? 'runnable' : 'halted', beforePause: null })),
        generation: 0,
      };
      d.order.push(e.id);
      return;
    case 'vcpu': {
      const v = domain(d, e.domain).vcpus[e.vcpu];
      if (!v) throw new ControlError(`domain ${e.domain} has no vCPU ${e.vcpu}`);
      v.status = e.status;
      return;
    }
    case 'pause': {
      const dom = domain(d, e.domain);
      if (dom.status !== 'running') return;
      dom.status = 'paused';
      for (const v of dom.vcpus) {
        v.beforePause = v.status === 'running' ? 'runnable' : v.status;
        if (v.status !== 'halted') v.status = 'paused';
      }
      return;
    }
    case 'unpause': {
      const dom = domain(d, e.domain);
      if (dom.status !== 'paused') return;
      dom.status = 'running';
      for (const v of dom.vcpus) {
        if (v.status === 'paused') v.status = v.beforePause ?? 'runnable';
        v.beforePause = null;
      }
      return;
    }
    case 'shutdown': {
      const dom = domain(d, e.domain);
      dom.status = e.reason === 'crash' ? 'crashed' : 'shutdown';
      dom.shutdownReason = e.reason;
      dom.shutdownCode = e.code;
      for (const v of dom.vcpus) v.status = 'halted';
      return;
    }
    case 'restart': {
      const dom = domain(d, e.domain);
      dom.status = 'running';
      dom.shutdownReason = null;
      dom.shutdownCode = 0;
      dom.generation++;
      dom.vcpus.forEach((v, i) => {
        v.status = i === 0 ? 'runnable' : 'halted';
        v.beforePause = null;
      });
      return;
    }
    case 'destroy': {
      const dom = domain(d, e.domain);
      dom.status = 'destroyed';
      for (const v of dom.vcpus) v.status = 'halted';
      return;
    }
    case 'schedule':
      d.current = { domain: e.domain, vcpu: e.vcpu };
      return;
    case 'idle':
      d.current = null;
      return;
  }
}

export interface Applied {
  state: ControlState;
  patches: Patch[];
  inverse: Patch[];
}

export function applyEvent(state: ControlState, e: ControlEvent): Applied {
  const [next, patches, inverse] = produceWithPatches(state, (d) => reduce(d, e));
  return { state: next, patches, inverse };
}

/** Undoes one applied event with its inverse patches (stepping back without a re-fold). */
export function undo(state: ControlState, inverse: Patch[]): ControlState {
  return applyPatches(state, inverse);
}
