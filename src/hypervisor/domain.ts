// One domain: its RAM (host frames mapped by its p2m), vCPUs, and — by type — its device
// model and SBI (HVM family). Everything here is the data plane; status changes go through
// the hypervisor's control plane.
import type { CodeCache } from '../cpu/code-cache.ts';
import type { PhysicalMemory } from '../machine/phys-mem.ts';
import type { VirtualClock } from '../machine/vtime.ts';
import type { DomainConfig } from './config/domain-config.ts';
import { DeviceModel } from './dm/device-model.ts';
import { FileBlockBackend } from './dm/file-backend.ts';
import type { BlockBackend } from './dm/block-backend.ts';
import type { Bridge } from './dm/bridge.ts';
import type { FrameAllocator } from './frames.ts';
import { DomainMemory } from './guest-memory.ts';
import type { HvEventSink } from './hv-events.ts';
import { P2m } from './p2m.ts';
import type { DomainServices, HypervisorEvents, Timer, VirtualInterrupts } from './types.ts';
import { Vcpu } from './vcpu.ts';
import { loadDomainImages, type BootLayout } from './domain-boot.ts';
import { Vtimer } from './dm/vtimer/device.ts';
import type { DomainSbi } from './sbi-host.ts';

/** Guest RAM starts where QEMU virt's does, so unmodified virt guests find it. */
export const GUEST_RAM_BASE = 0x80000000n;

/** What the hypervisor lends a domain. */
export interface DomainHost {
  mem: PhysicalMemory;
  frames: FrameAllocator;
  code: CodeCache;
  clock: VirtualClock;
  events: HvEventSink;
  bridge(name: string): Bridge;
  /** Console output of the domain's UART / SBI console. */
  console(domain: Domain, bytes: Uint8Array): void;
  /** A vCPU's interrupt state changed: a blocked vCPU may become runnable. */
  wake(domain: number, vcpu: number): void;
}

export class Domain {
  readonly memory: DomainMemory;
  readonly p2m: P2m;
  readonly vcpus: Vcpu[];
  readonly dm: DeviceModel | null;
  readonly services: DomainServices;
  /** Guest time = host time + this (ticks), so every domain's clock starts at 0. */
  readonly timeOffsetTicks: bigint;
  readonly disks: BlockBackend[];
  boot: BootLayout | null = null;
  /** The SBI implementation (HVM family); null for PV domains. */
  sbi: DomainSbi | null = null;
  /** The supervisor timer of every vCPU (SBI TIME): the device model's, or a standalone one. */
  readonly vtimer: Vtimer;

  constructor(
    readonly id: number,
    readonly config: DomainConfig,
    private readonly host: DomainHost,
  ) {
    const bytes = config.memoryMiB * 2 ** 20;
    const hpa = host.frames.alloc(bytes / 4096, id, 512, `the RAM of domain ${config.name}`);
    this.p2m = new P2m(host.mem, host.frames, id);
    this.p2m.map(GUEST_RAM_BASE, hpa, bytes);
    this.memory = new DomainMemory(host.mem, host.code, GUEST_RAM_BASE, bytes, hpa);
    this.memory.clear();
    this.timeOffsetTicks = BigInt(Math.floor(host.clock.nowNs() / 100));
    this.vcpus = Array.from({ length: config.vcpus }, (_, i) => new Vcpu(id, i, config.type, host.mem, host.code, host.clock));
    this.p2m.onChange = () => {
      for (const v of this.vcpus) v.hart.flushTlb();
    };
    for (const v of this.vcpus) {
      v.hart.observer = (hart, cause, interrupt) => {
        if (interrupt) host.events.interrupt(id, v.id, cause, hart.priv, hart.virt, hart.pc);
      };
    }
    this.services = this.makeServices();
    this.disks = config.disks.map((d) => FileBlockBackend.open(d.target, d.access));
    this.dm =
      config.type === 'hvm'
        ? new DeviceModel(this.services, {
            uart: true,
            disks: this.disks,
            nics: config.vifs.filter((v) => v.type === 'ioemu').map((v) => ({ port: host.bridge(v.bridge).port(`${config.name}.${v.index}`), mac: macBytes(v.mac) })),
            onConsole: (b) => host.console(this, b),
            timeDeltaTicks: -this.timeOffsetTicks,
          })
        : null;
    this.vtimer = this.dm?.timer ?? new Vtimer(this.services, -this.timeOffsetTicks);
  }

  get name(): string {
    return this.config.name;
  }

  get type(): DomainConfig['type'] {
    return this.config.type;
  }

  private makeServices(): DomainServices {
    const host = this.host;
    const id = this.id;
    const vcpus = () => this.vcpus;
    const irqs: VirtualInterrupts = {
      set(vcpu, irq, level) {
        const h = vcpus()[vcpu].hart;
        const bit = 1 << irq;
        const before = h.hvip;
        h.hvip = level ? before | bit : before & ~bit;
        if (h.hvip !== before) {
          h.stop = h.stop || 2;
          if (level) host.wake(id, vcpu);
        }
      },
    };
    const events: HypervisorEvents = host.events;
    return {
      id,
      name: this.config.name,
      type: this.config.type,
      vcpuCount: this.config.vcpus,
      memory: this.memory,
      irqs,
      events,
      timer: (name: string, onExpire: () => void): Timer => host.clock.timer(`d${id}.${name}`, onExpire),
      nowNs: () => host.clock.nowNs(),
    };
  }

  /** Loads the images, builds the device tree and puts vCPU 0 at the entry point. */
  start(): void {
    this.boot = loadDomainImages(this);
    const v0 = this.vcpus[0];
    if (this.type === 'pv') throw new Error('PV domains are started by the PV builder');
    v0.enterHvm(this.boot.entry, this.p2m.hgatp, this.boot.fdtGpa, this.timeOffsetTicks);
  }

  /** Puts vCPU `i` at `entry` in VS-mode with a0 = hartid, a1 = `opaque` (SBI HSM start). */
  startVcpu(i: number, entry: bigint, opaque: bigint): void {
    this.vcpus[i].enterHvm(entry, this.p2m.hgatp, opaque, this.timeOffsetTicks);
  }

  /** Whether any interrupt the guest enabled is pending on vCPU i (wakes a blocked vCPU). */
  pending(i: number): boolean {
    return this.vcpus[i].wantsToRun;
  }

  /** Back to the state right after creation (on_reboot/on_crash = restart): RAM zeroed, devices reset. */
  restart(): void {
    this.memory.clear();
    this.dm?.reset();
    this.vtimer.reset();
    for (const v of this.vcpus) {
      v.hart.reset(0n);
      v.hart.hvip = 0;
    }
  }
}

function macBytes(mac: string): Uint8Array {
  return Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
}

