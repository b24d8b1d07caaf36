// SiFive PLIC as QEMU 7.2 (Debian 7.2.22) configures it for virt: 96 sources, priorities
// 0..7, contexts "MS" per hart (2h = M-mode -> mip.MEIP, 2h+1 = S-mode -> mip.SEIP).
//
// Behaviour follows hw/intc/sifive_plic.c of that release, including its quirks:
// - A source's pending bit is set whenever its line is driven high and is NOT cleared when
//   the line goes low (stable backport in 7.2.15); only a claim clears it.
// - Priority and threshold are WARL: the written value modulo 8.
// - Completion clears the claimed bit of any source number below 96, enabled or not.
// - A claim returns the highest-priority pending, enabled, unclaimed source whose priority
//   exceeds the threshold; ties go to the lowest source number; 0 means none.

import type { AccessSize, HartInterruptPins, IrqLine, MmioDevice } from '../../device.ts';
import { MIP_MEIP, MIP_SEIP } from '../../device.ts';
import { PLIC_NUM_PRIORITIES, PLIC_NUM_SOURCES, VIRT_PLIC } from '../../memory-map.ts';
import type { AccessRule, HasAccessRule } from '../access.ts';
import * as R from './registers.ts';

export interface PlicOptions {
  /** Device name for events ("plic"). */
  name?: string;
  /** One entry per hart; each hart gets an M-mode and an S-mode context. */
  harts: readonly HartInterruptPins[];
  /** Sources including source 0 (QEMU virt: 96). */
  numSources?: number;
  /** Highest priority (QEMU virt: 7). */
  numPriorities?: number;
  /**
   * Contexts per hart, as QEMU's hart-config: "MS" (virt without KVM: 2h = M, 2h+1 = S) or
   * "S" (virt under KVM, and our HVM domains: context h = hart h's S-mode).
   */
  hartConfig?: 'MS' | 'S';
}

/** Checkpoint state (all 32-bit words as numbers). */
export interface PlicState {
  priority: number[];
  threshold: number[];
  pending: number[];
  claimed: number[];
  enable: number[];
}

/** sifive_plic_ops.valid: only aligned 32-bit accesses. */
const PLIC_ACCESS: AccessRule = Object.freeze({ minSize: 4, maxSize: 4 });

export class Plic implements MmioDevice, HasAccessRule {
  readonly name: string;
  readonly size = VIRT_PLIC.size;
  readonly numSources: number;
  readonly numPriorities: number;
  /** Number of contexts (QEMU "addrs"): 2 per hart ("MS") or 1 ("S"). */
  readonly numContexts: number;
  private readonly sOnly: boolean;

  private readonly pins: readonly HartInterruptPins[];
  private readonly words: number;
  private s: PlicState;

  constructor(opts: PlicOptions) {
    this.name = opts.name ?? 'plic';
    this.pins = opts.harts;
    this.numSources = opts.numSources ?? PLIC_NUM_SOURCES;
    this.numPriorities = opts.numPriorities ?? PLIC_NUM_PRIORITIES;
    if (!Number.isInteger(this.numSources) || this.numSources < 2 || this.numSources > 1024) {
      throw new RangeError(`PLIC needs 2..1024 sources (including source 0), got ${this.numSources}`);
    }
    this.sOnly = opts.hartConfig === 'S';
    this.numContexts = opts.harts.length * (this.sOnly ? 1 : R.CONTEXTS_PER_HART);
    this.words = (this.numSources + 31) >> 5;
    this.s = this.emptyState();
    this.reset();
  }

  /** The interrupt line of `source` (1..numSources-1), for a device to drive. */
  irqLine(source: number): IrqLine {
    if (!Number.isInteger(source) || source < 1 || source >= this.numSources) {
      throw new RangeError(`PLIC source must be 1..${this.numSources - 1}, got ${source}`);
    }
    return { set: (level: boolean) => this.setIrq(source, level) };
  }

  /** QEMU sifive_plic_irq_request: a high level latches pending; a low level does nothing. */
  setIrq(source: number, level: boolean): void {
    if (!level) return;
    this.s.pending[source >> 5]! |= 1 << (source & 31);
    this.update();
  }

  /** Device reset: everything cleared, every external interrupt pin lowered. */
  reset(): void {
    this.s = this.emptyState();
    for (const p of this.pins) {
      p.setPending(MIP_MEIP, false);
      p.setPending(MIP_SEIP, false);
    }
  }

  accessRule(_offset: number): AccessRule {
    return PLIC_ACCESS;
  }

  read(offset: number, size: AccessSize): number {
    if (size !== 4 || offset % 4 !== 0) return 0;
    const s = this.s;
    if (this.inPriority(offset)) return s.priority[((offset - R.PRIORITY_BASE) >> 2) + 1]!;
    if (this.inPending(offset)) return s.pending[(offset - R.PENDING_BASE) >> 2]! >>> 0;
    if (this.inEnable(offset)) {
      const ctx = Math.floor((offset - R.ENABLE_BASE) / R.ENABLE_STRIDE);
      const word = (offset & (R.ENABLE_STRIDE - 1)) >> 2;
      return word < this.words ? s.enable[ctx * this.words + word]! >>> 0 : 0;
    }
    if (this.inContext(offset)) {
      const ctx = Math.floor((offset - R.CONTEXT_BASE) / R.CONTEXT_STRIDE);
      const reg = offset & (R.CONTEXT_STRIDE - 1);
      if (reg === R.CONTEXT_THRESHOLD) return s.threshold[ctx]!;
      if (reg === R.CONTEXT_CLAIM) return this.claim(ctx);
    }
    return 0;
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4 || offset % 4 !== 0) return;
    const v = value >>> 0;
    const s = this.s;
    if (this.inPriority(offset)) {
      const src = ((offset - R.PRIORITY_BASE) >> 2) + 1;
      s.priority[src] = this.legalPriority(v, s.priority[src]!);
      this.update();
    } else if (this.inPending(offset)) {
      // Pending bits are read-only.
    } else if (this.inEnable(offset)) {
      const ctx = Math.floor((offset - R.ENABLE_BASE) / R.ENABLE_STRIDE);
      const word = (offset & (R.ENABLE_STRIDE - 1)) >> 2;
      // QEMU stores the word without re-evaluating the outputs; the next update does.
      if (word < this.words) s.enable[ctx * this.words + word] = v | 0;
    } else if (this.inContext(offset)) {
      const ctx = Math.floor((offset - R.CONTEXT_BASE) / R.CONTEXT_STRIDE);
      const reg = offset & (R.CONTEXT_STRIDE - 1);
      if (reg === R.CONTEXT_THRESHOLD) {
        s.threshold[ctx] = this.legalPriority(v, s.threshold[ctx]!);
        this.update();
      } else if (reg === R.CONTEXT_CLAIM && v < this.numSources) {
        s.claimed[v >> 5]! &= ~(1 << (v & 31));
        this.update();
      }
    }
  }

  save(): PlicState {
    const s = this.s;
    return {
      priority: [...s.priority],
      threshold: [...s.threshold],
      pending: [...s.pending],
      claimed: [...s.claimed],
      enable: [...s.enable],
    };
  }

  /** Restores register state only; the harts' checkpoints carry their mip bits. */
  restore(state: unknown): void {
    const st = state as PlicState;
    if (st.threshold.length !== this.numContexts || st.pending.length !== this.words) {
      throw new Error(
        `checkpoint PLIC has ${st.threshold.length} contexts and ${st.pending.length * 32} sources; ` +
          `this machine has ${this.numContexts} and ${this.words * 32}`,
      );
    }
    this.s = {
      priority: [...st.priority],
      threshold: [...st.threshold],
      pending: [...st.pending],
      claimed: [...st.claimed],
      enable: [...st.enable],
    };
  }

  /** Highest-priority deliverable source for `ctx`, or 0 (QEMU sifive_plic_claimed). */
  bestSource(ctx: number): number {
    const s = this.s;
    let best = 0;
    let bestPrio = s.threshold[ctx]!;
    for (let w = 0; w < this.words; w++) {
      const live = s.pending[w]! & ~s.claimed[w]! & s.enable[ctx * this.words + w]!;
      if (live === 0) continue;
      for (let b = 0; b < 32; b++) {
        if (!(live & (1 << b))) continue;
        const src = w * 32 + b;
        const prio = s.priority[src] ?? 0;
        if (prio > bestPrio) {
          best = src;
          bestPrio = prio;
        }
      }
    }
    return best;
  }

  private claim(ctx: number): number {
    const src = this.bestSource(ctx);
    if (src !== 0) {
      this.s.pending[src >> 5]! &= ~(1 << (src & 31));
      this.s.claimed[src >> 5]! |= 1 << (src & 31);
    }
    this.update();
    return src;
  }

  /** Drives MEIP/SEIP of every hart from its two contexts (QEMU sifive_plic_update). */
  private update(): void {
    for (let ctx = 0; ctx < this.numContexts; ctx++) {
      if (this.sOnly) {
        this.pins[ctx]!.setPending(MIP_SEIP, this.bestSource(ctx) !== 0);
        continue;
      }
      const pins = this.pins[ctx >> 1]!;
      pins.setPending(ctx & 1 ? MIP_SEIP : MIP_MEIP, this.bestSource(ctx) !== 0);
    }
  }

  /**
   * WARL priority: when numPriorities + 1 is a power of two the value is taken modulo it;
   * otherwise out-of-range writes are ignored and `old` stays.
   */
  private legalPriority(v: number, old: number): number {
    const n = this.numPriorities;
    if (((n + 1) & n) === 0) return v % (n + 1);
    return v <= n ? v : old;
  }

  private inPriority(off: number): boolean {
    return off >= R.PRIORITY_BASE && off - R.PRIORITY_BASE < this.numSources * 4;
  }

  private inPending(off: number): boolean {
    return off >= R.PENDING_BASE && off - R.PENDING_BASE < this.numSources >> 3;
  }

  private inEnable(off: number): boolean {
    return off >= R.ENABLE_BASE && off - R.ENABLE_BASE < this.numContexts * R.ENABLE_STRIDE;
  }

  private inContext(off: number): boolean {
    return off >= R.CONTEXT_BASE && off - R.CONTEXT_BASE < this.numContexts * R.CONTEXT_STRIDE;
  }

  private emptyState(): PlicState {
    return {
      // One extra slot: QEMU's priority window reaches one register past its array.
      priority: new Array<number>(this.numSources + 1).fill(0),
      threshold: new Array<number>(this.numContexts).fill(0),
      pending: new Array<number>(this.words).fill(0),
      claimed: new Array<number>(this.words).fill(0),
      enable: new Array<number>(this.numContexts * this.words).fill(0),
    };
  }
}
