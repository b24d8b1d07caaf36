// The control plane: current ControlState plus the journal of applied events with their
// inverse patches. Everything that changes domains or scheduling goes through apply().
import type { Patch } from 'immer';
import { applyEvent, undo } from './reducer.ts';
import { EMPTY_STATE, type ControlEvent, type ControlState } from './state.ts';

export class ControlPlane {
  private current: ControlState = EMPTY_STATE;
  /** Inverse patches of recent events, newest last (bounded; checkpoints cover the rest). */
  private readonly journal: Array<{ event: ControlEvent; inverse: Patch[] }> = [];
  private readonly journalLimit = 4096;
  /** Observer of every applied event (the hypervisor logs them). */
  onApply: ((e: ControlEvent, before: ControlState, after: ControlState) => void) | null = null;

  get state(): ControlState {
    return this.current;
  }

  apply(e: ControlEvent): ControlState {
    const before = this.current;
    const { state, inverse } = applyEvent(before, e);
    this.current = state;
    this.journal.push({ event: e, inverse });
    if (this.journal.length > this.journalLimit) this.journal.shift();
    this.onApply?.(e, before, state);
    return state;
  }

  /** Steps the state back over the last event (the debugger's cheap step back). */
  stepBack(): ControlEvent | null {
    const last = this.journal.pop();
    if (!last) return null;
    this.current = undo(this.current, last.inverse);
    return last.event;
  }

  /** Checkpoints keep the (immutable) state object itself. */
  save(): ControlState {
    return this.current;
  }

  restore(s: ControlState): void {
    this.current = s;
    this.journal.length = 0;
  }
}
