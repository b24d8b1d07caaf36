// The device model of one HVM domain: the role QEMU plays for a Xen HVM guest. It owns the
// domain's emulated devices — PLIC, ns16550a console UART, cvblk disks, cvnet NICs, and the
// per-vCPU timer — placed on a private bus at QEMU virt's addresses (layout.ts).
//
// How it is reached (docs/DEVICE-MODEL.md, "Exit to emulation"): the p2m maps only guest RAM,
// so a load/store to a device address is a guest-page-fault exit; the core decodes the
// faulting instruction (mmio-decode.ts) and calls `access()`, or lets `emulateMmio()`
// (mmio-emulate.ts) do all of it. Every access is logged as an `mmio` event.
//
// Interrupts: the UART and the cv* devices drive PLIC sources; the PLIC's S-mode context of
// vCPU v (context 2v+1, as on virt) drives that vCPU's VSEIP through VirtualInterrupts. The
// M-mode contexts exist only so context numbers match virt's device tree; nothing drives
// anything from them, since a VS-mode guest has no M-mode.

import { Bus } from '../../machine/bus.ts';
import { MIP_SEIP, type HartInterruptPins, type MmioDevice } from '../../machine/device.ts';
import type { VirtualClock } from '../../machine/vtime.ts';
import { Plic } from '../../machine/devices/plic/device.ts';
import { Ns16550a } from '../../machine/devices/ns16550a/device.ts';
import type { DomainServices } from '../types.ts';
import type { BlockBackend, BlockOverlayState } from './block-backend.ts';
import type { NetPort } from './net-port.ts';
import { Cvblk } from './cvblk/device.ts';
import { Cvnet } from './cvnet/device.ts';
import { Vtimer, type VtimerState } from './vtimer/device.ts';
import * as L from './layout.ts';
import { describeDevices, type DmDeviceInfo } from './fdt-info.ts';

/** A NIC: its network port and, optionally, its MAC (default: layout.defaultMac). */
export interface NicConfig {
  port: NetPort;
  mac?: Uint8Array;
}

export interface DeviceModelConfig {
  /** An emulated ns16550a console at 0x10000000 (IRQ 10). */
  uart: boolean;
  /** cvblk disks, in slot order from 0x10001000 (IRQ 1, 2, ...). */
  disks: readonly BlockBackend[];
  /** cvnet NICs, in the slots after the disks. */
  nics: ReadonlyArray<NetPort | NicConfig>;
  /** Receives console output (one call per byte the UART transmits). */
  onConsole?: (bytes: Uint8Array) => void;
  /** htimedelta of the domain's vCPUs, so the timer agrees with the guest's `time` CSR. */
  timeDeltaTicks?: bigint;
}

/** A configuration the device model cannot build; the message says what to change. */
export class DeviceModelError extends Error {
  override name = 'DeviceModelError';
}

/** Checkpoint state of the whole device model (plain data). */
export interface DeviceModelState {
  /** Device names in bus order, so a checkpoint from a different configuration is refused. */
  names: string[];
  devices: unknown[];
  vseip: boolean[];
  timer: VtimerState;
  /** Disk contents written since the image, per disk (null: the backend cannot roll back). */
  disks: Array<BlockOverlayState | null>;
}

const VSEIP = 10;

/** One vCPU's PLIC outputs: SEIP (the S-mode context) becomes VSEIP; MEIP goes nowhere. */
class VcpuPins implements HartInterruptPins {
  level = false;
  constructor(
    private readonly services: DomainServices,
    private readonly vcpu: number,
  ) {}
  setPending(bit: number, level: boolean): void {
    // The PLIC re-evaluates every context on each change; pass on only real transitions.
    if (bit !== MIP_SEIP || level === this.level) return;
    this.level = level;
    this.services.irqs.set(this.vcpu, VSEIP, level);
  }
}

export class DeviceModel {
  readonly domain: number;
  readonly plic: Plic;
  readonly uart: Ns16550a | null;
  readonly disks: readonly Cvblk[];
  readonly nics: readonly Cvnet[];
  readonly timer: Vtimer;
  private readonly services: DomainServices;
  private readonly bus = new Bus();
  private readonly pins: VcpuPins[];
  private readonly backends: readonly BlockBackend[];
  private readonly readBuf = new Int32Array(2);

  constructor(services: DomainServices, config: DeviceModelConfig) {
    const slots = config.disks.length + config.nics.length;
    if (slots > L.DM_SLOT_COUNT) {
      throw new DeviceModelError(
        `domain ${services.name}: ${config.disks.length} disks and ${config.nics.length} NICs need ${slots} device slots; ` +
          `an HVM domain has ${L.DM_SLOT_COUNT} (remove some disk = / vif = entries)`,
      );
    }
    this.services = services;
    this.domain = services.id;
    this.backends = [...config.disks];
    this.pins = Array.from({ length: services.vcpuCount }, (_, v) => new VcpuPins(services, v));
    // one S-mode context per vCPU (QEMU's hart-config "S", as for KVM guests): the domain's
    // device tree numbers PLIC contexts that way (domain-fdt.ts)
    this.plic = new Plic({ harts: this.pins, numSources: L.DM_PLIC_SOURCES, numPriorities: L.DM_PLIC_PRIORITIES, hartConfig: 'S' });
    this.bus.add(L.DM_PLIC.base, this.plic);

    this.uart = null;
    if (config.uart) {
      const onConsole = config.onConsole;
      const uartIndex = this.bus.mappings.length; // the index add() gives it below
      const uart = new Ns16550a({
        irq: this.plic.irqLine(L.DM_UART_IRQ),
        clock: domainClock(services),
        onTransmit: (b) => {
          const bytes = Uint8Array.of(b);
          services.events.console(services.id, uartIndex, bytes);
          onConsole?.(bytes);
        },
      });
      this.bus.add(L.DM_UART.base, uart);
      this.uart = uart;
    }

    let slot = 0;
    const mem = services.memory;
    this.disks = config.disks.map((backend, i) => {
      const s = slot++;
      const d = new Cvblk({ name: `cvblk${i}`, backend, memory: mem, irq: this.plic.irqLine(L.slotIrq(s)), size: L.DM_SLOT_SIZE });
      this.bus.add(L.slotBase(s), d);
      return d;
    });
    this.nics = config.nics.map((nic, i) => {
      const s = slot++;
      const c: NicConfig = 'port' in nic ? nic : { port: nic };
      const mac = c.mac ?? L.defaultMac(services.id, i);
      const n = new Cvnet({ name: `cvnet${i}`, port: c.port, mac, memory: mem, irq: this.plic.irqLine(L.slotIrq(s)), size: L.DM_SLOT_SIZE });
      this.bus.add(L.slotBase(s), n);
      return n;
    });
    this.timer = new Vtimer(services, config.timeDeltaTicks ?? 0n);
  }

  /**
   * Performs one guest access of `size` bytes at guest-physical `gpa` (for a write, `value`
   * holds the bytes, zero-extended). Returns the value read (zero-extended; writes give 0n),
   * or null when no device accepts the access: nothing mapped there, an access size the
   * device does not allow, misalignment, or an access running past the device's window.
   * Nothing is logged for a refused access; the core reports it as a guest error.
   */
  access(gpa: bigint, size: 1 | 2 | 4 | 8, write: boolean, value: bigint, vcpu = 0): { value: bigint } | null {
    if (gpa < 0n || gpa > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    const pa = Number(gpa);
    const m = this.bus.find(pa);
    if (!m) return null;
    const off = pa - m.base;
    if (write) {
      const v = BigInt.asUintN(size * 8, value);
      if (!this.bus.write(pa, size, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0)) return null;
      this.services.events.mmio(this.domain, vcpu, m.index, off, size, v, true);
      return { value: 0n };
    }
    const out = this.readBuf;
    if (!this.bus.read(pa, size, out)) return null;
    const lo = BigInt(out[0]! >>> 0);
    const v = size === 8 ? (BigInt(out[1]! >>> 0) << 32n) | lo : BigInt.asUintN(size * 8, lo);
    this.services.events.mmio(this.domain, vcpu, m.index, off, size, v, false);
    return { value: v };
  }

  /** The device whose window holds `gpa` (for error messages), or null. */
  deviceAt(gpa: bigint): { index: number; name: string; offset: number } | null {
    if (gpa < 0n || gpa > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    const m = this.bus.find(Number(gpa));
    return m ? { index: m.index, name: m.device.name, offset: Number(gpa) - m.base } : null;
  }

  /** Devices in event-index order (the `dev` field of mmio events). */
  get devices(): readonly MmioDevice[] {
    return this.bus.mappings.map((m) => m.device);
  }

  /**
   * Console input for the UART (bytes the user typed). They enter the receiver as fast as
   * its FIFO allows; the rest wait inside the UART. The core records these bytes as an
   * external-input event at the point it calls this and replays them at the same point.
   */
  consoleInput(bytes: Uint8Array): void {
    if (!this.uart) throw new DeviceModelError(`domain ${this.services.name} has no emulated console (uart is off)`);
    this.uart.pushInput(bytes);
  }

  /** What the domain's device tree must describe: exactly the devices on this bus. */
  devicesForFdt(): DmDeviceInfo[] {
    return describeDevices(this.bus.mappings, this.services.vcpuCount);
  }

  /** True when save()/restore() capture everything the guest can observe (no 'rw' disks). */
  get checkpointable(): boolean {
    return this.backends.every((b) => b.save !== undefined);
  }

  /** Domain reset (reboot): every device back to its power-on state; disks keep their data. */
  reset(): void {
    // The PLIC first, so lines the other devices lower afterwards land on a clean controller.
    this.plic.reset();
    this.uart?.reset();
    for (const d of this.disks) d.reset();
    for (const n of this.nics) n.reset();
    this.timer.reset();
  }

  save(): DeviceModelState {
    return {
      names: this.bus.mappings.map((m) => m.device.name),
      devices: this.bus.mappings.map((m) => m.device.save()),
      vseip: this.pins.map((p) => p.level),
      timer: this.timer.save(),
      disks: this.backends.map((b) => b.save?.() ?? null),
    };
  }

  /**
   * Restores device registers, queues and disk overlays. Interrupt levels are restored as
   * the device model last drove them; the vCPUs' hvip bits come back with the vCPUs' own
   * state, so nothing is re-driven here (a restore must not produce events).
   */
  restore(state: DeviceModelState): void {
    const names = this.bus.mappings.map((m) => m.device.name);
    if (state.names.join(',') !== names.join(',') || state.vseip.length !== this.pins.length) {
      throw new DeviceModelError(
        `checkpoint of domain ${this.services.name} has devices [${state.names.join(', ')}] and ${state.vseip.length} vCPUs; ` +
          `this domain has [${names.join(', ')}] and ${this.pins.length}`,
      );
    }
    this.bus.mappings.forEach((m, i) => m.device.restore(state.devices[i]));
    this.pins.forEach((p, v) => (p.level = state.vseip[v]!));
    this.timer.restore(state.timer);
    this.backends.forEach((b, i) => {
      const d = state.disks[i];
      if (d && b.restore) b.restore(d);
    });
  }
}

/**
 * The UART wants the machine's VirtualClock for its FIFO-timeout timer; it uses only
 * `nowNs()` and `timer(name, cb)` with `mod`/`del`, which DomainServices provides on the
 * same global clock. The cast bridges the class type (it has private fields).
 */
function domainClock(services: DomainServices): VirtualClock {
  const clock = {
    nowNs: () => services.nowNs(),
    timer: (name: string, onExpire: () => void) => services.timer(name, onExpire),
  };
  return clock as unknown as VirtualClock;
}
