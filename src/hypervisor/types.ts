// The interfaces between the hypervisor core and its parts (SBI, device models, PV ABI,
// backends). Handlers see a vCPU, its domain's memory and an interrupt injector; they never
// touch the host machine directly, and everything they change that matters is an event.

/** Domain types, as xl.cfg's `type =` (plus FV for fully virtualized firmware). */
export type DomainType = 'hvm' | 'pvh' | 'pv';

/** Domain ids: 0 is the hypervisor itself (the dom0 role: backends, xenstore); guests from 1. */
export type DomId = number;

/** What an exit handler may do to the vCPU that exited. */
export interface VcpuContext {
  readonly domain: DomId;
  readonly vcpu: number;
  /** Integer register i (x0..x31) as an unsigned 64-bit value. */
  getX(i: number): bigint;
  setX(i: number, v: bigint): void;
  pc: bigint;
  /** Moves pc past the trapping instruction (len 2 or 4). */
  skipInstruction(len: number): void;
  /** Virtual time now, in ns (the SBI TIME extension and timers use it). */
  nowNs(): number;
}

/** Guest-physical memory of one domain, through its p2m. */
export interface GuestMemory {
  /** Size of guest RAM in bytes, and where it starts in guest-physical space. */
  readonly ramBase: bigint;
  readonly ramBytes: number;
  /** Copies bytes out of / into guest RAM; false when any byte is outside guest RAM. */
  read(gpa: bigint, out: Uint8Array): boolean;
  write(gpa: bigint, data: Uint8Array): boolean;
}

/** VS-level interrupt lines of a vCPU (hvip bits), driven by device models and timers. */
export interface VirtualInterrupts {
  /** irq: 2 = VSSIP (software), 6 = VSTIP (timer), 10 = VSEIP (external). */
  set(vcpu: number, irq: 2 | 6 | 10, level: boolean): void;
}

/** The event log as the hypervisor's parts see it: stamped with the current icount. */
export interface HypervisorEvents {
  sbi(domain: DomId, vcpu: number, ext: number, fid: number, args: readonly bigint[], error: bigint, value: bigint): void;
  mmio(domain: DomId, vcpu: number, dev: number, offset: number, size: number, value: bigint, write: boolean): void;
  console(domain: DomId, dev: number, bytes: Uint8Array): void;
  lifecycle(domain: DomId, action: 'create' | 'destroy' | 'pause' | 'unpause' | 'reset' | 'poweroff' | 'fail', code: number): void;
}

/** A one-shot timer in virtual time (the machine's VirtualTimer). */
export interface Timer {
  mod(deadlineNs: number): void;
  del(): void;
}

/** What a domain offers its parts: identity, memory, interrupts, timers. */
export interface DomainServices {
  readonly id: DomId;
  readonly name: string;
  readonly type: DomainType;
  readonly vcpuCount: number;
  readonly memory: GuestMemory;
  readonly irqs: VirtualInterrupts;
  readonly events: HypervisorEvents;
  /** Creates a named timer on the global virtual clock (names must be unique per domain). */
  timer(name: string, onExpire: () => void): Timer;
  nowNs(): number;
}
