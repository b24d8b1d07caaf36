// A QEMU-virt-compatible machine: harts, RAM at 0x80000000, the mask ROM with QEMU's reset
// vector, the virt devices, a generated device tree, and a deterministic scheduler.
//
// Scheduling rule (documented in docs/ARCHITECTURE.md): harts run round-robin in slices of
// at most QUANTUM instructions; a slice also ends at the next timer deadline, after any MMIO
// access or state change that may raise an interrupt, and at WFI. Interrupts are checked
// before every slice. When every hart waits in WFI, virtual time jumps to the next deadline.
import { CodeCache } from '../cpu/code-cache.ts';
import { Hart, STOP_DEBUG, STOP_STUCK } from '../cpu/hart.ts';
import { runSlice } from '../cpu/interp.ts';
import { enterTrap, pendingInterrupt, wfiWakes } from '../cpu/trap.ts';
import { buildMrom, fdtLoadAddress, initrdStartAddress, kernelStartAddress } from './boot-rom.ts';
import { createVirtPlatform, type VirtPlatform } from './devices/virt-platform.ts';
import { timeCsrReader } from './devices/clint/device.ts';
import type { FinishEvent } from './devices/sifive-test/device.ts';
import { placeImage, type GuestImage, type PlacedImage } from './image.ts';
import { VIRT_DRAM_BASE, VIRT_MROM } from './memory-map.ts';
import { PhysicalMemory } from './phys-mem.ts';
import { buildVirtFdtBlob } from './virt-fdt.ts';
import { VirtualClock } from './vtime.ts';
import { attachFpu } from './fpu-attach.ts';
import type { MachineEventSink } from './machine-events.ts';
import { restoreHart, saveHart, type HartState } from '../cpu/hart-state.ts';
import type { VirtualClock as Clock } from './vtime.ts';

/** Instructions a hart may run before the scheduler moves to the next one. */
export const QUANTUM = 100_000;
/** Default icount shift: 1 instruction = 2^6 = 64 ns of virtual time (see docs/ARCHITECTURE.md). */
export const DEFAULT_ICOUNT_SHIFT = 6;
/** The ISA string our harts implement, as advertised in the device tree. */
export const HART_ISA = 'rv64imafdc_zicsr_zifencei';

export interface MachineConfig {
  memBytes: number;
  harts: number;
  icountShift?: number;
  bios: GuestImage | null;
  kernel: GuestImage | null;
  initrd?: GuestImage | null;
  bootargs?: string;
  /** Wall-clock source for the RTC: an external input (recorded, replayed). */
  wallClockNs: () => bigint;
  /** Console output bytes. */
  onConsole?: (byte: number) => void;
  /**
   * 32 bytes for /chosen/rng-seed (absent by default). Lockstep tests pass the bytes QEMU
   * writes for `-seed 1`, so both machines hand the firmware byte-identical device trees.
   */
  rngSeed?: Uint8Array;
}

export type RunStop =
  | { kind: 'budget' }
  | { kind: 'finished'; finish: FinishEvent }
  | { kind: 'idle' } // every hart waits for an interrupt and no timer is armed
  | { kind: 'stuck'; hart: number; pc: bigint }
  /** A hart is right before an armed debugger breakpoint (cpu/exec-breaks.ts); only while the debugger arms them. */
  | { kind: 'breakpoint' };

export class Machine {
  readonly mem: PhysicalMemory;
  readonly clock: VirtualClock;
  readonly code: CodeCache;
  readonly harts: Hart[];
  readonly platform: VirtPlatform;
  readonly fdt: Uint8Array;
  readonly fdtAddr: number;
  /** Everything copied into memory at reset (QEMU re-copies its ROM blobs on every reset). */
  private readonly blobs: Array<{ address: number; data: Uint8Array; zeroFill: number; what: string }> = [];
  private finish: FinishEvent | null = null;
  private uartIndex = -1;
  private rtcIndex = -1;
  private resetPending = false;
  /** The hart the scheduler is running and what is left of its quantum (part of the state). */
  private current = 0;
  private quantumLeft = 0;
  /** Console input waiting to be handed to the UART. */
  private inputQueue: number[] = [];
  private stopRequested = false;
  /** Observer of everything the machine does (recorder, replayer); null when nobody listens. */
  events: MachineEventSink | null = null;

  constructor(readonly config: MachineConfig) {
    this.clock = new VirtualClock(config.icountShift ?? DEFAULT_ICOUNT_SHIFT);
    this.mem = new PhysicalMemory([
      { name: 'mrom', base: VIRT_MROM.base, size: VIRT_MROM.size, readonly: true },
      { name: 'ram', base: VIRT_DRAM_BASE, size: config.memBytes },
    ]);
    this.code = new CodeCache(this.mem.pageFlags);
    // harts first: QEMU creates the CPUs before the devices, whose reset drives their pins
    let readClintTime: () => bigint = () => 0n;
    const harts: Hart[] = [];
    for (let i = 0; i < config.harts; i++) {
      const h = new Hart({ hartId: i, mem: this.mem, code: this.code, clock: this.clock, readTime: () => readClintTime() });
      attachFpu(h);
      harts.push(h);
    }
    this.platform = createVirtPlatform({
      clock: this.clock,
      harts,
      onTransmit: (b) => {
        this.events?.console(this.clock.icount, this.uartIndex, b);
        this.config.onConsole?.(b);
      },
      onFinish: (ev) => this.onFinish(ev),
      wallClockNs: () => {
        const ns = this.config.wallClockNs();
        this.events?.rtc(this.clock.icount, this.rtcIndex, ns);
        return ns;
      },
    });
    readClintTime = timeCsrReader(this.platform.clint);
    this.harts = harts;
    for (const m of this.platform.mappings) this.mem.bus.add(m.base, m.device);
    const indexOf = (d: unknown) => this.mem.bus.mappings.findIndex((m) => m.device === d);
    this.uartIndex = indexOf(this.platform.uart);
    this.rtcIndex = indexOf(this.platform.rtc);
    this.mem.bus.observer = (m, off, size, lo, hi, write) =>
      this.events?.mmio(this.clock.icount, this.current, m.index, off, size, lo, hi, write);
    for (const h of harts) {
      h.observer = (hart, cause, interrupt) => {
        if (interrupt) this.events?.interrupt(this.clock.icount, hart.id, cause, hart.priv, hart.virt, hart.pc);
      };
    }

    const layout = this.placeImages();
    this.fdt = buildVirtFdtBlob({
      memBytes: config.memBytes,
      harts: config.harts,
      isa: HART_ISA,
      mmuType: 'riscv,sv39',
      bootargs: config.bootargs,
      initrd: layout.initrd ? { start: layout.initrd.start, end: layout.initrd.end } : undefined,
      rngSeed: config.rngSeed,
    });
    this.fdtAddr = fdtLoadAddress(config.memBytes);
    this.blobs.push({ address: this.fdtAddr, data: this.fdt, zeroFill: 0, what: 'device tree' });
    const mrom = buildMrom({ startAddr: layout.start, fdtAddr: this.fdtAddr, kernelEntry: layout.kernelEntry });
    this.blobs.push({ address: VIRT_MROM.base, data: mrom, zeroFill: 0, what: 'reset vector' });
    this.reset();
  }

  /** QEMU's image placement: firmware at DRAM base, kernel 2 MiB-aligned after it, initrd above. */
  private placeImages(): { start: number; kernelEntry: number; initrd: PlacedImage | null } {
    const { bios, kernel, initrd } = this.config;
    let start = VIRT_DRAM_BASE;
    let firmwareEnd = VIRT_DRAM_BASE;
    if (bios) {
      const p = placeImage(bios, VIRT_DRAM_BASE);
      this.addBlobs(p, bios);
      start = p.entry;
      firmwareEnd = p.end;
    }
    let kernelEntry = 0;
    if (kernel) {
      const p = placeImage(kernel, bios ? kernelStartAddress(firmwareEnd) : VIRT_DRAM_BASE);
      this.addBlobs(p, kernel);
      kernelEntry = kernel.elf ? p.start : p.entry;
      if (!bios) start = p.entry;
    }
    let initrdPlaced: PlacedImage | null = null;
    if (initrd) {
      if (!kernel) throw new Error('an initrd needs a kernel');
      initrdPlaced = placeImage({ ...initrd, elf: null }, initrdStartAddress(kernelEntry, this.config.memBytes));
      this.addBlobs(initrdPlaced, initrd);
    }
    return { start, kernelEntry, initrd: initrdPlaced };
  }

  private addBlobs(p: PlacedImage, img: GuestImage): void {
    for (const piece of p.pieces) this.blobs.push({ ...piece, what: `${img.role} image ${img.path}` });
  }

  /** System reset: devices, harts at the reset vector, images re-copied (QEMU rom_reset). */
  reset(): void {
    for (const b of this.blobs) {
      this.mem.load(b.address, b.data, b.what);
      if (b.zeroFill > 0) this.mem.load(b.address + b.data.length, new Uint8Array(b.zeroFill), b.what);
    }
    this.code.invalidateAll();
    for (const h of this.harts) h.reset(BigInt(VIRT_MROM.base));
    // QEMU resets the CPUs before the devices, so the CLINT's power-on MTIP is visible
    this.platform.reset();
    this.finish = null;
    this.resetPending = false;
    this.current = 0;
    this.quantumLeft = 0;
  }

  private onFinish(ev: FinishEvent): void {
    if (ev.kind === 'reset') this.resetPending = true;
    else {
      this.finish = ev;
      this.events?.lifecycle(this.clock.icount, ev.kind, ev.code);
    }
  }

  /**
   * Makes run() return at the next slice boundary (e.g. console output a script must look at).
   * Slices end right after device accesses, so the stop point is deterministic.
   */
  requestStop(): void {
    this.stopRequested = true;
  }

  get icount(): number {
    return this.clock.icount;
  }

  /** Queues console input; it reaches the UART at the next slice boundary, as space allows. */
  sendInput(bytes: Uint8Array | string): void {
    const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    for (const x of b) this.inputQueue.push(x);
  }

  get pendingInput(): number {
    return this.inputQueue.length;
  }

  private deliverInput(): void {
    const uart = this.platform.uart;
    if (!uart || this.inputQueue.length === 0) return;
    const bytes = Uint8Array.from(this.inputQueue);
    this.inputQueue = [];
    this.events?.input(this.clock.icount, this.uartIndex, bytes);
    uart.pushInput(bytes);
  }

  /**
   * Runs until `budget` instructions have retired (all harts together) or the machine stops.
   * Deterministic: the same state and inputs give the same stop at the same icount.
   */
  run(budget: number): RunStop {
    const clock = this.clock;
    const end = clock.icount + budget;
    this.stopRequested = false;
    // input queued between run() calls reaches the UART first thing, at this exact icount
    this.deliverInput();
    while (clock.icount < end) {
      if (this.finish) return { kind: 'finished', finish: this.finish };
      if (this.stopRequested) {
        this.stopRequested = false;
        return { kind: 'budget' };
      }
      if (this.resetPending) {
        this.events?.lifecycle(clock.icount, 'reset', 0);
        this.reset();
      }
      clock.runExpired();
      // keep the current hart until its quantum is used up or it waits; then round-robin.
      // The choice depends only on machine state, never on how run() calls are split.
      const h = this.pickHart();
      if (!h) {
        // every hart is in WFI: warp to the next deadline (QEMU icount sleep=off)
        if (!clock.warpToNextDeadline()) return { kind: 'idle' };
        continue;
      }
      const irq = pendingInterrupt(h);
      if (irq >= 0) {
        enterTrap(h, irq, true, 0n);
        // the interrupt event asked for a stop (replay seeking to it): stop before the slice
        if (this.stopRequested) continue;
      }
      const slice = clock.insnsUntilDeadline(Math.min(QUANTUM, end - clock.icount));
      if (slice === 0) continue; // a deadline is due: fire it first
      h.icountBase = clock.icount;
      const n = runSlice(h, slice);
      clock.icount = h.icountBase + n;
      if (h.stop === STOP_STUCK) return { kind: 'stuck', hart: h.id, pc: h.pc };
      if (h.stop === STOP_DEBUG) return { kind: 'breakpoint' };
    }
    if (this.finish) return { kind: 'finished', finish: this.finish };
    return { kind: 'budget' };
  }

  /**
   * One step with the granularity of a QEMU single-step (docs/ORACLE.md §1): either enters the
   * interrupt that is pending and enabled before the next instruction (pc = vector, nothing
   * retired), or executes exactly one instruction, which may trap and stop on the vector.
   * Timers, idle warps, resets and console input get the same bookkeeping as in run(), so a
   * sequence of steps reaches the same states at the same icount as run() does; run() only
   * differs in checking interrupts at slice boundaries (which instructions that change
   * interrupt state end). The lockstep oracle (tests/oracle) drives the machine with this.
   */
  stepOnce(): StepResult {
    const clock = this.clock;
    this.deliverInput();
    for (;;) {
      if (this.finish) return { kind: 'finished', finish: this.finish };
      if (this.resetPending) {
        this.events?.lifecycle(clock.icount, 'reset', 0);
        this.reset();
      }
      clock.runExpired();
      const h = this.pickHart();
      if (!h) {
        if (!clock.warpToNextDeadline()) return { kind: 'idle' };
        continue;
      }
      const irq = pendingInterrupt(h);
      if (irq >= 0) {
        enterTrap(h, irq, true, 0n);
        return { kind: 'interrupt', hart: h.id, cause: irq };
      }
      if (clock.insnsUntilDeadline(1) === 0) continue; // a deadline is due: fire it first
      h.icountBase = clock.icount;
      const n = runSlice(h, 1);
      clock.icount = h.icountBase + n;
      if (h.stop === STOP_STUCK) return { kind: 'stuck', hart: h.id, pc: h.pc };
      return { kind: 'instruction', hart: h.id, retired: n };
    }
  }

  private pickHart(): Hart | null {
    const harts = this.harts;
    const cur = harts[this.current];
    if (cur.waiting && wfiWakes(cur)) cur.waiting = false;
    if (!cur.waiting && this.quantumLeft > 0) return cur;
    for (let k = 1; k <= harts.length; k++) {
      const c = harts[(this.current + k) % harts.length];
      if (c.waiting && wfiWakes(c)) c.waiting = false;
      if (!c.waiting) {
        this.current = c.id;
        this.quantumLeft = QUANTUM;
        return c;
      }
    }
    return null;
  }

  /** Everything but memory, as plain data (checkpoints add memory pages separately). */
  save(): MachineState {
    return {
      clock: this.clock.save(),
      harts: this.harts.map(saveHart),
      devices: this.mem.bus.mappings.map((m) => m.device.save()),
      inputQueue: [...this.inputQueue],
      finish: this.finish ? { ...this.finish } : null,
      resetPending: this.resetPending,
      current: this.current,
      quantumLeft: this.quantumLeft,
    };
  }

  restore(s: MachineState): void {
    this.clock.restore(s.clock);
    this.harts.forEach((h, i) => restoreHart(h, s.harts[i]));
    this.mem.bus.mappings.forEach((m, i) => m.device.restore(s.devices[i]));
    this.inputQueue = [...s.inputQueue];
    this.finish = s.finish ? { ...s.finish } : null;
    this.resetPending = s.resetPending;
    this.current = s.current;
    this.quantumLeft = s.quantumLeft;
    this.stopRequested = false;
  }

  /** Guest-physical memory for tools (no MMIO side effects). */
  peek(pa: number, len: number): Uint8Array | null {
    return this.mem.peek(pa, len);
  }
}

/** What one stepOnce() did. */
export type StepResult =
  | { kind: 'interrupt'; hart: number; cause: number }
  /** An instruction ran; retired is 0 when it trapped without counting (memory/CSR faults). */
  | { kind: 'instruction'; hart: number; retired: number }
  | Exclude<RunStop, { kind: 'budget' }>;

export interface MachineState {
  clock: ReturnType<Clock['save']>;
  harts: HartState[];
  devices: unknown[];
  inputQueue: number[];
  finish: FinishEvent | null;
  resetPending: boolean;
  current: number;
  quantumLeft: number;
}
