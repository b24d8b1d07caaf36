// Fakes for the SBI tests: a VcpuContext over a plain register array, and an SbiHost over a
// small RAM that records every effect (interrupt lines, timers, fences, console bytes).
import type { DomainServices, GuestMemory, VcpuContext } from '../../src/hypervisor/types.ts';
import type { RemoteFence, SbiHost } from '../../src/hypervisor/sbi/host.ts';
import { HsmState, hsmBootStates } from '../../src/hypervisor/sbi/hsm.ts';
import { handleSbiCall, type SbiOutcome } from '../../src/hypervisor/sbi/dispatch.ts';

export const RAM_BASE = 0x8000_0000n;
export const RAM_BYTES = 0x10000;
export const U64 = (1n << 64n) - 1n;
/** -1 as an unsigned register value (hart_mask_base "all", size 2^XLEN-1). */
export const MINUS_1 = U64;
export const START_PC = 0x8020_0000n;

/** Every register starts at a recognizable value so preservation is checkable. */
export const sentinel = (i: number): bigint => 0x5a5a_0000_0000_0000n | BigInt(i);

export class FakeVcpu implements VcpuContext {
  readonly x: bigint[] = Array.from({ length: 32 }, (_, i) => (i === 0 ? 0n : sentinel(i)));
  pc = START_PC;
  constructor(readonly domain: number, readonly vcpu: number) {}
  getX(i: number): bigint {
    return this.x[i];
  }
  setX(i: number, v: bigint): void {
    if (v < 0n || v > U64) throw new RangeError(`x${i} = ${v} is not an unsigned 64-bit value`);
    if (i !== 0) this.x[i] = v;
  }
  skipInstruction(len: number): void {
    this.pc += BigInt(len);
  }
  nowNs(): number {
    return 0;
  }
}

export interface HostLog {
  irqs: { vcpu: number; irq: number; level: boolean }[];
  timers: { hart: number; stime: bigint }[];
  fences: RemoteFence[];
  /** Console output so far, as text. */
  out: string;
  /** Pending console input. */
  input: number[];
  /** Order of effects, for the "clear VSTIP before arming" rule. */
  order: string[];
}

export interface Fake {
  host: SbiHost;
  log: HostLog;
  ram: Uint8Array;
  states: HsmState[];
}

function fakeMemory(ram: Uint8Array): GuestMemory {
  const inRam = (gpa: bigint, n: number) => gpa >= RAM_BASE && gpa + BigInt(n) <= RAM_BASE + BigInt(ram.length);
  return {
    ramBase: RAM_BASE,
    ramBytes: ram.length,
    read(gpa, out) {
      if (!inRam(gpa, out.length)) return false;
      out.set(ram.subarray(Number(gpa - RAM_BASE), Number(gpa - RAM_BASE) + out.length));
      return true;
    },
    write(gpa, data) {
      if (!inRam(gpa, data.length)) return false;
      ram.set(data, Number(gpa - RAM_BASE));
      return true;
    },
  };
}

const forbidden = (what: string) => () => {
  throw new Error(`SBI code must not call ${what}: the core logs events and owns timers`);
};

export function fakeHost(opts: { vcpus?: number; input?: string; states?: HsmState[] } = {}): Fake {
  const vcpus = opts.vcpus ?? 4;
  const ram = new Uint8Array(RAM_BYTES);
  const states = opts.states ?? hsmBootStates(vcpus);
  const log: HostLog = { irqs: [], timers: [], fences: [], out: '', input: [...Buffer.from(opts.input ?? '', 'latin1')], order: [] };
  const domain: DomainServices = {
    id: 1,
    name: 'guest',
    type: 'hvm',
    vcpuCount: vcpus,
    memory: fakeMemory(ram),
    irqs: {
      set(vcpu, irq, level) {
        if (vcpu < 0 || vcpu >= vcpus) throw new RangeError(`no vCPU ${vcpu}`);
        log.irqs.push({ vcpu, irq, level });
        log.order.push(`irq ${vcpu} ${irq} ${level}`);
      },
    },
    events: { sbi: forbidden('events.sbi'), mmio: forbidden('events.mmio'), console: forbidden('events.console'), lifecycle: forbidden('events.lifecycle') },
    timer: forbidden('timer'),
    nowNs: () => 0,
  };
  const host: SbiHost = {
    domain,
    machineIds: { mvendorid: 0n, marchid: 0n, mimpid: 0n },
    hartState: (hart) => {
      if (hart < 0 || hart >= vcpus) throw new RangeError(`hartState(${hart}) outside the domain`);
      return states[hart];
    },
    setTimer(hart, stime) {
      log.timers.push({ hart, stime });
      log.order.push(`timer ${hart}`);
    },
    remoteFence(fence) {
      log.fences.push(fence);
    },
    console: {
      write(bytes) {
        log.out += Buffer.from(bytes).toString('latin1');
      },
      read(max) {
        if (max < 1) throw new RangeError('read(max) with max < 1');
        return Uint8Array.from(log.input.splice(0, max));
      },
    },
  };
  return { host, log, ram, states };
}

export interface CallResult {
  outcome: SbiOutcome;
  a0: bigint;
  a1: bigint;
  /** a0 read as a signed sbiret.error. */
  error: bigint;
  vcpu: FakeVcpu;
}

/** Makes the call (eid, fid, args...) from vCPU `hart` of `fake` and returns registers and outcome. */
export function call(fake: Fake, eid: number | bigint, fid: number | bigint, args: readonly bigint[] = [], hart = 0): CallResult {
  const vcpu = new FakeVcpu(1, hart);
  vcpu.x[17] = BigInt(eid) & U64;
  vcpu.x[16] = BigInt(fid) & U64;
  args.forEach((a, i) => (vcpu.x[10 + i] = a & U64));
  const outcome = handleSbiCall(vcpu, fake.host);
  return { outcome, a0: vcpu.x[10], a1: vcpu.x[11], error: BigInt.asIntN(64, vcpu.x[10]), vcpu };
}
