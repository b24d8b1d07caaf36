// Breakpoints and watchpoints, matched against the instruction each step executed (see
// probe.ts). A breakpoint stops before its instruction executes (the position right before
// it); a watchpoint stops right after the instruction that accessed the watched range, as
// gdb does, and names that instruction.
import type { ExecutedInsn, MemoryAccess, StepFilter } from './probe.ts';

/** Where a stop applies: every hart, or one domain (and optionally one vCPU of it). */
export interface StopScope {
  domain?: number;
  vcpu?: number;
}

export interface Breakpoint extends StopScope {
  id: number;
  kind: 'break';
  /** Guest virtual pc. */
  pc: bigint;
}

export type WatchAccess = 'read' | 'write' | 'access';

export interface Watchpoint extends StopScope {
  id: number;
  kind: 'watch';
  /** Guest virtual address range [address, address + length). */
  address: bigint;
  length: number;
  access: WatchAccess;
}

export type Stop = Breakpoint | Watchpoint;

export interface StopHit {
  stop: Stop;
  insn: ExecutedInsn;
  /** The icount to stop at: before the instruction (breakpoint) or right after it (watchpoint). */
  position: number;
  /** For watchpoints: the access that hit. */
  access: MemoryAccess | null;
}

function inScope(s: StopScope, e: ExecutedInsn): boolean {
  return (s.domain === undefined || s.domain === e.domain) && (s.vcpu === undefined || s.vcpu === e.vcpu);
}

function overlaps(w: Watchpoint, a: MemoryAccess): boolean {
  const end = w.address + BigInt(w.length);
  return a.address < end && w.address < a.address + BigInt(a.size);
}

function accessMatches(w: Watchpoint, a: MemoryAccess): boolean {
  if (w.access === 'write') return a.writes;
  if (w.access === 'read') return a.reads;
  return a.reads || a.writes;
}

export class StopSet implements StepFilter {
  private readonly stops: Stop[] = [];
  private nextId = 1;
  /** Breakpoint pcs, and their low words so the per-step check is one Set lookup on an int. */
  private pcs = new Set<bigint>();
  private pcLows = new Set<number>();
  /** Watched ranges as (low word, length) windows for the per-step pre-check. */
  private windows: Array<{ lo: number; len: number }> = [];

  list(): readonly Stop[] {
    return this.stops;
  }

  get breakpoints(): Breakpoint[] {
    return this.stops.filter((s): s is Breakpoint => s.kind === 'break');
  }

  get watchpoints(): Watchpoint[] {
    return this.stops.filter((s): s is Watchpoint => s.kind === 'watch');
  }

  get hasWatchpoints(): boolean {
    return this.stops.some((s) => s.kind === 'watch');
  }

  get size(): number {
    return this.stops.length;
  }

  addBreakpoint(pc: bigint, scope: StopScope = {}): Breakpoint {
    const b: Breakpoint = { id: this.nextId++, kind: 'break', pc: BigInt.asUintN(64, pc), ...scope };
    this.stops.push(b);
    this.reindex();
    return b;
  }

  addWatchpoint(address: bigint, length: number, access: WatchAccess = 'write', scope: StopScope = {}): Watchpoint {
    if (!Number.isInteger(length) || length < 1) throw new RangeError(`a watchpoint needs a length of at least 1 byte, got ${length}`);
    const w: Watchpoint = { id: this.nextId++, kind: 'watch', address: BigInt.asUintN(64, address), length, access, ...scope };
    this.stops.push(w);
    this.reindex();
    return w;
  }

  remove(id: number): boolean {
    const i = this.stops.findIndex((s) => s.id === id);
    if (i < 0) return false;
    this.stops.splice(i, 1);
    this.reindex();
    return true;
  }

  private reindex(): void {
    this.pcs = new Set(this.breakpoints.map((b) => b.pc));
    this.pcLows = new Set(this.breakpoints.map((b) => Number(BigInt.asIntN(32, b.pc))));
    this.windows = this.watchpoints.map((w) => ({ lo: Number(BigInt.asIntN(32, w.address)), len: Math.min(w.length, 2 ** 32) }));
  }

  pcMayHit(pcLo: number): boolean {
    return this.pcLows.has(pcLo);
  }

  /** Overlap of [a, a+size) and a window, modulo 2^32: a superset of the real 64-bit overlap. */
  accessMayHit(addrLo: number, size: number): boolean {
    for (const w of this.windows) if ((addrLo - w.lo) >>> 0 < w.len || (w.lo - addrLo) >>> 0 < size) return true;
    return false;
  }

  /** Adds a breakpoint at pc, or removes the one there; returns the breakpoint now set (or null). */
  toggleBreakpoint(pc: bigint, scope: StopScope = {}): Breakpoint | null {
    const at = this.breakpoints.find((b) => b.pc === BigInt.asUintN(64, pc));
    if (at) {
      this.remove(at.id);
      return null;
    }
    return this.addBreakpoint(pc, scope);
  }

  hasBreakpointAt(pc: bigint): boolean {
    return this.pcs.has(BigInt.asUintN(64, pc));
  }

  /** Every stop the executed instruction triggers (a breakpoint and a watchpoint may both). */
  match(e: ExecutedInsn): StopHit[] {
    const hits: StopHit[] = [];
    if (this.pcs.has(e.pc)) {
      for (const s of this.stops) if (s.kind === 'break' && s.pc === e.pc && inScope(s, e)) hits.push({ stop: s, insn: e, position: e.icount, access: null });
    }
    const a = e.access;
    if (a) {
      for (const s of this.stops) {
        if (s.kind === 'watch' && overlaps(s, a) && accessMatches(s, a) && inScope(s, e)) hits.push({ stop: s, insn: e, position: e.icount + 1, access: a });
      }
    }
    return hits;
  }
}

/** One line for a stop: `#1 break 0x80000200` / `#2 watch write 0x80000560+4`. */
export function describeStop(s: Stop, name?: (addr: bigint) => string | undefined): string {
  const where = (a: bigint) => name?.(a) ?? `0x${a.toString(16)}`;
  const scope = s.domain !== undefined ? ` d${s.domain}${s.vcpu !== undefined ? `:v${s.vcpu}` : ''}` : '';
  if (s.kind === 'break') return `#${s.id} break ${where(s.pc)}${scope}`;
  return `#${s.id} watch ${s.access} ${where(s.address)} len ${s.length}${scope}`;
}
