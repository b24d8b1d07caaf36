// The hypervisor: the HS/M-mode software of a host machine, in TypeScript. It owns host
// memory, builds domains from xl.cfg configurations, schedules their vCPUs deterministically
// in virtual time, and handles every exit. Control-plane changes (domain lifecycle, vCPU
// status, scheduling) go through the immutable control plane and are logged as events.
import { CodeCache } from '../cpu/code-cache.ts';
import { PhysicalMemory } from '../machine/phys-mem.ts';
import { VirtualClock } from '../machine/vtime.ts';
import { DEFAULT_ICOUNT_SHIFT, type RunStop } from '../machine/machine.ts';
import type { DomainConfig } from './config/domain-config.ts';
import { ControlPlane } from './control/control-plane.ts';
import type { ShutdownReason } from './control/state.ts';
import { Bridge } from './dm/bridge.ts';
import { handleExit, type ExitOutcome } from './dispatch.ts';
import { Domain } from './domain.ts';
import { FrameAllocator } from './frames.ts';
import { HvEventSink, type SchedReason } from './hv-events.ts';
import { DomainSbi } from './sbi-host.ts';
import { pickNext, QUANTUM, type SchedulerState } from './scheduler.ts';
import type { VcpuStatus } from './vcpu.ts';
import type { PvPlatform } from './pv-platform.ts';
import { PvHost } from './pv/pv-host.ts';
import { PV_CONSOLE_DEV } from './pv/abi.ts';
import { restoreHart, saveHart, type HartState } from '../cpu/hart-state.ts';
import type { ControlState } from './control/state.ts';
import type { DeviceModelState } from './dm/device-model.ts';

/** Host physical address of host RAM (as on the virt machine). */
export const HOST_RAM_BASE = 0x80000000;
/** Host memory beyond the domains' RAM: p2m tables and hypervisor pages. */
const HOST_OVERHEAD = 16 * 2 ** 20;

export interface HypervisorOptions {
  domains: readonly DomainConfig[];
  icountShift?: number;
  /** Console output of a domain (the CLI prefixes it with the domain's name). */
  onConsole?: (domain: Domain, bytes: Uint8Array) => void;
  /** Messages for the user (a domain crashed and why, lifecycle actions taken). */
  onNote?: (text: string) => void;
  /** Domain that receives console input (default: the first). */
  consoleDomain?: string;
}

export class Hypervisor {
  readonly mem: PhysicalMemory;
  readonly clock: VirtualClock;
  readonly code: CodeCache;
  readonly frames: FrameAllocator;
  readonly control = new ControlPlane();
  readonly events: HvEventSink;
  readonly domains: Domain[] = [];
  readonly bridges = new Map<string, Bridge>();
  /** The PV platform (src/hypervisor/pv): PV domains' builder, hypercalls, upcalls, backends. */
  pv: PvPlatform;
  private sched: SchedulerState = { current: null, quantumLeft: 0 };
  /** The running vCPU gave up its quantum (SCHEDOP_yield): the next switch is logged as a yield. */
  private yielded = false;
  private stopRequested = false;
  private consoleTarget: Domain | null = null;
  /** Console input from the host per domain, waiting for the next slice boundary. */
  private pendingInput = new Map<number, number[]>();

  constructor(readonly opts: HypervisorOptions) {
    this.clock = new VirtualClock(opts.icountShift ?? DEFAULT_ICOUNT_SHIFT);
    const ramBytes = opts.domains.reduce((n, d) => n + d.memoryMiB * 2 ** 20, 0) + HOST_OVERHEAD;
    this.mem = new PhysicalMemory([{ name: 'host-ram', base: HOST_RAM_BASE, size: ramBytes }]);
    this.code = new CodeCache(this.mem.pageFlags);
    this.frames = new FrameAllocator(HOST_RAM_BASE, ramBytes / 4096);
    this.events = new HvEventSink(this.clock);
    opts.domains.forEach((cfg) => this.buildDomain(cfg));
    this.pv = new PvHost(this);
    this.consoleTarget = (opts.consoleDomain ? this.domains.find((d) => d.name === opts.consoleDomain) : this.domains[0]) ?? null;
  }

  private booted = false;

  /**
   * Creates the domains in the control plane and starts them. Runs at the first run(), after
   * a recorder or replayer attached the event log, so domain creation is in the log too.
   */
  private boot(): void {
    this.booted = true;
    for (const d of this.domains) this.startDomain(d);
  }

  /** Builds a domain's memory, p2m, vCPUs and devices (no events yet). */
  private buildDomain(cfg: DomainConfig): Domain {
    const id = this.domains.length + 1;
    const hv = this;
    const d = new Domain(id, cfg, {
      mem: this.mem,
      frames: this.frames,
      code: this.code,
      clock: this.clock,
      events: this.events,
      bridge: (name) => {
        let b = this.bridges.get(name);
        if (!b) this.bridges.set(name, (b = new Bridge()));
        return b;
      },
      console: (dom, bytes) => this.opts.onConsole?.(dom, bytes),
      wake: (domain, vcpu) => hv.wake(domain, vcpu),
    });
    this.domains.push(d);
    return d;
  }

  /** Control event `create`, lifecycle event `create`, then the domain's boot. */
  private startDomain(d: Domain): void {
    const cfg = d.config;
    this.control.apply({ kind: 'create', id: d.id, name: cfg.name, type: cfg.type, ram: { hpa: d.memory.hostBase, bytes: d.memory.ramBytes }, vcpus: cfg.vcpus });
    this.events.lifecycle(d.id, 'create', 0);
    if (cfg.type === 'pv') this.pv.build(d);
    else {
      d.sbi = new DomainSbi(d, (b) => this.opts.onConsole?.(d, b));
      d.start();
    }
  }

  domain(id: number): Domain {
    const d = this.domains[id - 1];
    if (!d) throw new Error(`no domain ${id}`);
    return d;
  }

  get icount(): number {
    return this.clock.icount;
  }

  requestStop(): void {
    this.stopRequested = true;
  }

  private readonly stopCheck = (): boolean => this.stopRequested;

  /**
   * Console input for a domain (default: the console domain, --console NAME); it reaches the
   * guest at the next slice boundary, where it is logged as an input event.
   */
  sendInput(bytes: Uint8Array | string, domain = this.consoleTarget?.id ?? 0): void {
    const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    let q = this.pendingInput.get(domain);
    if (!q) this.pendingInput.set(domain, (q = []));
    for (const x of b) q.push(x);
  }

  private deliverInput(): void {
    for (const d of this.domains) {
      const q = this.pendingInput.get(d.id);
      if (!q || q.length === 0) continue;
      const bytes = Uint8Array.from(q);
      this.pendingInput.delete(d.id);
      if (this.control.state.domains[d.id]?.status !== 'running') continue;
      this.events.input(d.id, d.dm ? 1 : d.type === 'pv' ? PV_CONSOLE_DEV : 0xff, bytes);
      if (d.dm) d.dm.consoleInput(bytes);
      else if (d.type === 'pv') this.pv.consoleInput(d, bytes);
      else d.sbi?.inputBuffer.push(...bytes);
    }
  }

  /** Everything but memory pages, for checkpoints (the control state is immutable: kept by reference). */
  save(): HypervisorState {
    return {
      booted: this.booted,
      clock: this.clock.save(),
      control: this.control.save(),
      sched: { current: this.sched.current ? { ...this.sched.current } : null, quantumLeft: this.sched.quantumLeft },
      yielded: this.yielded,
      pendingInput: [...this.pendingInput].map(([k, v]) => [k, [...v]]),
      frames: this.frames.save(),
      bridges: [...this.bridges].map(([k, b]) => [k, b.save()]),
      pv: this.pv.save(),
      domains: this.domains.map((d) => ({
        harts: d.vcpus.map((v) => saveHart(v.hart)),
        dm: d.dm ? d.dm.save() : null,
        vtimer: d.dm ? null : d.vtimer.save(),
        hsm: d.sbi ? [...d.sbi.hsm] : null,
        sbiInput: d.sbi ? [...d.sbi.inputBuffer] : null,
      })),
    };
  }

  restore(s: HypervisorState): void {
    this.booted = s.booted;
    this.clock.restore(s.clock);
    this.control.restore(s.control);
    this.sched = { current: s.sched.current ? { ...s.sched.current } : null, quantumLeft: s.sched.quantumLeft };
    this.yielded = s.yielded;
    this.pendingInput = new Map(s.pendingInput.map(([k, v]) => [k, [...v]]));
    this.frames.restore(s.frames);
    for (const [k, b] of s.bridges) this.bridges.get(k)?.restore(b);
    this.pv.restore(s.pv);
    this.domains.forEach((d, i) => {
      const ds = s.domains[i];
      d.vcpus.forEach((v, j) => restoreHart(v.hart, ds.harts[j]));
      if (d.dm && ds.dm) d.dm.restore(ds.dm);
      if (!d.dm && ds.vtimer) d.vtimer.restore(ds.vtimer);
      if (d.sbi && ds.hsm) d.sbi.hsm = [...ds.hsm] as typeof d.sbi.hsm;
      if (d.sbi && ds.sbiInput) d.sbi.inputBuffer = [...ds.sbiInput];
    });
    this.stopRequested = false;
  }

  setVcpuStatus(domain: number, vcpu: number, status: VcpuStatus, reason: SchedReason): void {
    const cur = this.control.state.domains[domain]?.vcpus[vcpu]?.status;
    if (cur === status) return;
    this.control.apply({ kind: 'vcpu', domain, vcpu, status });
    this.events.sched({ domain, vcpu }, { domain, vcpu }, reason);
  }

  /** An interrupt line of a vCPU went up: a blocked vCPU that wants it becomes runnable. */
  wake(domain: number, vcpu: number): void {
    const st = this.control.state.domains[domain]?.vcpus[vcpu]?.status;
    if (st === 'blocked' && this.domain(domain).pending(vcpu)) this.setVcpuStatus(domain, vcpu, 'runnable', 'wake');
  }

  /** A domain stops (poweroff, reboot or crash); its xl.cfg on_* action decides what follows. */
  shutdownDomain(d: Domain, reason: ShutdownReason, code: number, why: string): void {
    this.control.apply({ kind: 'shutdown', domain: d.id, reason, code });
    if (d.type === 'pv') this.pv.shutdown(d);
    this.events.lifecycle(d.id, reason === 'crash' ? 'fail' : reason === 'poweroff' ? 'poweroff' : 'reset', code);
    const action = reason === 'poweroff' ? d.config.onPoweroff : reason === 'reboot' ? d.config.onReboot : d.config.onCrash;
    const setting = reason === 'poweroff' ? 'on_poweroff' : reason === 'reboot' ? 'on_reboot' : 'on_crash';
    this.opts.onNote?.(`domain ${d.name} ${reason === 'crash' ? 'crashed' : reason === 'poweroff' ? 'powered off' : 'rebooted'}: ${why}; ${setting} = ${action}`);
    if (action === 'destroy') {
      this.control.apply({ kind: 'destroy', domain: d.id });
      this.events.lifecycle(d.id, 'destroy', 0);
    } else if (action === 'restart') {
      // a PV domain's frames may have changed hands (memory_op): its builder resets what it owns
      if (d.type === 'pv') this.pv.build(d);
      else {
        d.restart();
        d.sbi = new DomainSbi(d, (b) => this.opts.onConsole?.(d, b));
        d.start();
      }
      this.control.apply({ kind: 'restart', domain: d.id });
    }
    // preserve: the domain stays shut down, its memory and vCPU state kept for inspection
  }

  /** Whether any domain can still run. */
  private get anyAlive(): boolean {
    const s = this.control.state;
    return s.order.some((id) => s.domains[id].status === 'running' || s.domains[id].status === 'paused');
  }

  /**
   * Runs until `budget` instructions have retired (all vCPUs together) or nothing can run.
   * Deterministic: same configuration and inputs at the same icounts, same execution.
   */
  run(budget: number): RunStop {
    const clock = this.clock;
    const end = clock.icount + budget;
    this.stopRequested = false;
    if (!this.booted) this.boot();
    this.deliverInput();
    while (clock.icount < end) {
      if (this.stopRequested) {
        this.stopRequested = false;
        return { kind: 'budget' };
      }
      if (!this.anyAlive) return { kind: 'finished', finish: { kind: 'poweroff', code: this.exitCode() } };
      clock.runExpired();
      for (const b of this.bridges.values()) b.deliver();
      this.pv.boundary();
      // A stop requested by an event produced above (or by the sched event or an upcall or
      // interrupt entry below) is honoured before the next slice, so a replay can stop right
      // after that event. The work done so far is not repeated when run() resumes here.
      if (this.stopRequested) continue;
      const { next, fresh } = pickNext(this.control.state, this.sched);
      if (!next) {
        if (clock.warpToNextDeadline()) continue;
        return { kind: 'idle' };
      }
      if (fresh) {
        const from = this.sched.current;
        if (!from || from.domain !== next.domain || from.vcpu !== next.vcpu) {
          this.control.apply({ kind: 'schedule', domain: next.domain, vcpu: next.vcpu });
          this.events.sched(from, next, !from ? 'start' : this.yielded ? 'yield' : 'timeslice');
        }
        this.sched = { current: next, quantumLeft: QUANTUM };
        this.yielded = false;
        if (this.stopRequested) continue;
      }
      const d = this.domain(next.domain);
      const v = d.vcpus[next.vcpu];
      const slice = clock.insnsUntilDeadline(Math.min(this.sched.quantumLeft, end - clock.icount));
      if (slice === 0) continue;
      if (d.type === 'pv') {
        this.pv.beforeRun(d, v);
        if (this.stopRequested) continue;
      }
      const r = v.run(slice, this.stopCheck);
      this.sched.quantumLeft -= r.retired;
      // the debugger re-seeks to this position before looking at it (replay/timeline.ts)
      if (r.exit.kind === 'debug-break') return { kind: 'breakpoint' };
      const outcome: ExitOutcome = handleExit(this, d, v, r.exit);
      if (outcome === 'blocked') this.setVcpuStatus(d.id, v.id, 'blocked', 'block');
      else if (outcome === 'halted') this.setVcpuStatus(d.id, v.id, 'halted', 'stop');
      else if (outcome === 'yield') {
        // SCHEDOP_yield: the rest of the quantum goes to the next runnable vCPU
        this.sched.quantumLeft = 0;
        this.yielded = true;
      }
    }
    return { kind: 'budget' };
  }

  /**
   * The instruction that exited was completed by the hypervisor (emulated MMIO access, trapped
   * WFI; an ecall is already counted by the hart): from the guest's view it retired, so it takes one instruction of
   * virtual time. This also keeps every event at an instruction count a run budget can
   * reach, which replay relies on. The trap only happens with budget left, so this never
   * overshoots a slice.
   */
  retireEmulated(): void {
    this.clock.icount++;
    this.sched.quantumLeft--;
  }

  /** 0 when every domain powered off cleanly, 1 when one crashed. */
  exitCode(): number {
    const s = this.control.state;
    return s.order.some((id) => s.domains[id].shutdownReason === 'crash') ? 1 : 0;
  }
}

export interface HypervisorState {
  booted: boolean;
  clock: ReturnType<VirtualClock['save']>;
  control: ControlState;
  sched: SchedulerState;
  yielded: boolean;
  pendingInput: Array<[number, number[]]>;
  frames: Int32Array;
  bridges: Array<[string, ReturnType<Bridge['save']>]>;
  /** PV state (immutable, by reference) and PV disks' overlays. */
  pv: unknown;
  domains: Array<{
    harts: HartState[];
    dm: DeviceModelState | null;
    vtimer: ReturnType<Domain['vtimer']['save']> | null;
    hsm: number[] | null;
    sbiInput: number[] | null;
  }>;
}
