// The PV control plane: the current PvState and apply(). Everything that changes PV
// bookkeeping goes through here, so the state at any point is a fold over PvEvents and a
// checkpoint keeps the (immutable) state object itself.
import { applyPvEvent, type PvEvent } from './reducer.ts';
import { EMPTY_PV_STATE, type PvDomain, type PvState } from './state.ts';

export class PvPlane {
  private current: PvState = EMPTY_PV_STATE;

  get state(): PvState {
    return this.current;
  }

  apply(e: PvEvent): PvState {
    this.current = applyPvEvent(this.current, e);
    return this.current;
  }

  domain(id: number): PvDomain | undefined {
    return this.current.domains[id];
  }

  save(): PvState {
    return this.current;
  }

  restore(s: PvState): void {
    this.current = s;
  }
}
