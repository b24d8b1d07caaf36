// Generated guest programs for replay and time-travel properties: a list of blocks (straight
// encoder-generated arithmetic and memory operations, console output, console input polling,
// clock reads, timers with WFI or interrupts, traps, loops) assembled for one of two
// platforms:
//   bare — M-mode on the bare virt machine: ns16550a UART, goldfish RTC, CLINT timer, the
//          sifive test finisher to power off;
//   hvm  — VS-mode kernel of an HVM domain: the emulated UART (MMIO exits into the device
//          model), SBI console/timer/shutdown calls, WFI exits, traps the guest handles itself.
// Every program terminates (loops are bounded, waits are for armed timers) and ends by
// powering off. Register use: s0 = UART, s1 = scratch data, t0 = block temporary, t5/t6 = the
// trap handler's; generated instructions write only GEN_RD, so they never break the frame.
import fc from 'fast-check';
import { Assembler } from '../../src/isa/asm.ts';
import type { Fields } from '../../src/isa/encode.ts';
import { OP } from '../../src/isa/opcodes.ts';

export type Platform = 'bare' | 'hvm';

/** Registers generated instructions may write: t1-t2, a0-a7, s2-s9, t3-t4. */
export const GEN_RD = [6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 28, 29];
const GEN_RS = [0, 8, 9, ...GEN_RD];

const R_OPS = [OP.ADD, OP.SUB, OP.SLL, OP.SLT, OP.SLTU, OP.XOR, OP.SRL, OP.SRA, OP.OR, OP.AND, OP.ADDW, OP.SUBW, OP.SLLW, OP.SRLW, OP.SRAW, OP.MUL, OP.MULH, OP.MULHU, OP.MULHSU, OP.DIV, OP.DIVU, OP.REM, OP.REMU, OP.MULW, OP.DIVW, OP.REMW];
const I_OPS = [OP.ADDI, OP.SLTI, OP.SLTIU, OP.XORI, OP.ORI, OP.ANDI, OP.ADDIW];
const SH_OPS = [OP.SLLI, OP.SRLI, OP.SRAI];
const LOADS = [OP.LB, OP.LH, OP.LW, OP.LD, OP.LBU, OP.LHU, OP.LWU];
const STORES = [OP.SB, OP.SH, OP.SW, OP.SD];

/** One straight-line instruction (no control flow); memory operands are relative to s1. */
export const straightInsn: fc.Arbitrary<Fields> = fc.oneof(
  fc.record({ op: fc.constantFrom(...R_OPS), rd: fc.constantFrom(...GEN_RD), rs1: fc.constantFrom(...GEN_RS), rs2: fc.constantFrom(...GEN_RS) }),
  fc.record({ op: fc.constantFrom(...I_OPS), rd: fc.constantFrom(...GEN_RD), rs1: fc.constantFrom(...GEN_RS), imm: fc.integer({ min: -2048, max: 2047 }) }),
  fc.record({ op: fc.constantFrom(...SH_OPS), rd: fc.constantFrom(...GEN_RD), rs1: fc.constantFrom(...GEN_RS), imm: fc.nat(63) }),
  fc.record({ op: fc.constant(OP.LUI), rd: fc.constantFrom(...GEN_RD), imm: fc.integer({ min: -524288, max: 524287 }).map((v) => v * 4096) }),
  // mostly aligned, sometimes misaligned (a trap or a split access, either way deterministic)
  fc.record({ op: fc.constantFrom(...LOADS), rd: fc.constantFrom(...GEN_RD), rs1: fc.constant(9), imm: fc.oneof(fc.nat(255).map((v) => v * 8), fc.integer({ min: -2048, max: 2047 })) }),
  fc.record({ op: fc.constantFrom(...STORES), rs1: fc.constant(9), rs2: fc.constantFrom(...GEN_RS), imm: fc.oneof(fc.nat(255).map((v) => v * 8), fc.integer({ min: -2048, max: 2047 })) }),
);

export type Block =
  | { k: 'insns'; insns: Fields[] }
  | { k: 'out'; bytes: number[] }
  | { k: 'in'; polls: number }
  | { k: 'clock' }
  /** wfi: wait with the interrupt enabled but not taken; spin: busy-wait past it; irq: spin with it taken. */
  | { k: 'timer'; ticks: number; wait: 'wfi' | 'spin' | 'irq' }
  | { k: 'trap'; kind: 'ecall' | 'illegal' | 'ebreak' | 'fault' }
  | { k: 'loop'; n: number; body: Fields[] };

export const blockArb: fc.Arbitrary<Block> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('insns' as const), insns: fc.array(straightInsn, { minLength: 1, maxLength: 12 }) }), weight: 4 },
  { arbitrary: fc.record({ k: fc.constant('out' as const), bytes: fc.array(fc.integer({ min: 0x20, max: 0x7e }), { minLength: 1, maxLength: 6 }) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('in' as const), polls: fc.integer({ min: 1, max: 30 }) }), weight: 2 },
  { arbitrary: fc.constant({ k: 'clock' as const }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('timer' as const), ticks: fc.integer({ min: 1, max: 3000 }), wait: fc.constantFrom('wfi' as const, 'spin' as const, 'irq' as const) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('trap' as const), kind: fc.constantFrom('ecall' as const, 'illegal' as const, 'ebreak' as const, 'fault' as const) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('loop' as const), n: fc.integer({ min: 1, max: 2000 }), body: fc.array(straightInsn, { minLength: 0, maxLength: 4 }) }), weight: 1 },
);

export const programArb = fc.array(blockArb, { minLength: 1, maxLength: 14 });

/** Where programs are linked: the bare machine runs from DRAM base, an HVM kernel at RAM + 2 MiB. */
export const LOAD_ADDRESS: Record<Platform, bigint> = { bare: 0x80000000n, hvm: 0x80200000n };
/** Scratch data (s1): 1 MiB past the code, inside RAM on both platforms. */
const SCRATCH: Record<Platform, bigint> = { bare: 0x80100800n, hvm: 0x80300800n };

const SBI_CALL = (eid: number, fid = 0) => `li a7, ${eid}\nli a6, ${fid}\necall`;
const SBI_TIME = 0x54494d45;
const SBI_SRST = 0x53525354;

/** Platform pieces: the prologue, trap handler, timer programming and power-off. */
interface PlatformText {
  prologue: string;
  handler: string;
  /** Arms the timer `ticks` from now (t1 may be used). */
  arm(ticks: number): string;
  /** Disarms it and clears the pending timer interrupt. */
  disarm: string;
  enableTimerIrq: string;
  disableTimerIrq: string;
  globalIrqOn: string;
  globalIrqOff: string;
  clock: string;
  /** An access fault the guest handles itself (an unmapped guest-physical address would crash a domain instead). */
  fault: string;
  poweroff: string;
}

const BARE: PlatformText = {
  prologue: `la t0, trap_handler\ncsrw mtvec, t0\nli s0, 0x10000000\nli s1, ${SCRATCH.bare}`,
  handler: `
trap_handler:
  csrr t6, mcause
  bltz t6, trap_irq
  csrr t5, mepc
  addi t5, t5, 4
  csrw mepc, t5
  mret
trap_irq:
  li t5, 0x2004000
  li t6, -1
  sd t6, 0(t5)
  mret`,
  arm: (ticks) => `li t0, 0x200bff8\nld t1, 0(t0)\nli t2, ${ticks}\nadd t1, t1, t2\nli t0, 0x2004000\nsd t1, 0(t0)`,
  disarm: `li t0, 0x2004000\nli t1, -1\nsd t1, 0(t0)`,
  enableTimerIrq: `li t0, 0x80\ncsrs mie, t0`,
  disableTimerIrq: `li t0, 0x80\ncsrc mie, t0`,
  globalIrqOn: `csrsi mstatus, 8`,
  globalIrqOff: `csrci mstatus, 8`,
  clock: `li t0, 0x101000\nlw t1, 0(t0)\nlw t2, 4(t0)\nrdtime t3`,
  fault: `li t0, 0x3000000\nlw t1, 0(t0)`, // PCIe port I/O: not decoded, a load access fault
  poweroff: `li t0, 0x100000\nli t1, 0x5555\nsw t1, 0(t0)`,
};

const HVM: PlatformText = {
  prologue: `la t0, trap_handler\ncsrw stvec, t0\nli s0, 0x10000000\nli s1, ${SCRATCH.hvm}`,
  handler: `
trap_handler:
  csrr t6, scause
  bltz t6, trap_irq
  csrr t5, sepc
  addi t5, t5, 4
  csrw sepc, t5
  sret
trap_irq:
  li t5, 0x20
  csrc sie, t5
  sret`,
  // sbi_set_timer takes an absolute time; a0/a6/a7 are generated registers, so save a0..a1
  arm: (ticks) => `mv t3, a0\nmv t4, a1\nrdtime a0\nli t2, ${ticks}\nadd a0, a0, t2\n${SBI_CALL(SBI_TIME)}\nmv a0, t3\nmv a1, t4`,
  disarm: `mv t3, a0\nmv t4, a1\nli a0, -1\n${SBI_CALL(SBI_TIME)}\nmv a0, t3\nmv a1, t4`,
  enableTimerIrq: `li t0, 0x20\ncsrs sie, t0`,
  disableTimerIrq: `li t0, 0x20\ncsrc sie, t0`,
  globalIrqOn: `csrsi sstatus, 2`,
  globalIrqOff: `csrci sstatus, 2`,
  clock: `rdtime t1\nrdcycle t2\nrdinstret t3`,
  fault: `addi t0, s1, 1\namoadd.w t1, t1, (t0)`, // misaligned AMO: cause 6, delegated to the guest
  poweroff: `li a0, 0\nli a1, 0\n${SBI_CALL(SBI_SRST)}`,
};

function blockText(p: PlatformText, b: Block, i: number, emit: (f: Fields) => string, platform: Platform): string {
  switch (b.k) {
    case 'insns':
      return b.insns.map(emit).join('\n');
    case 'out':
      return b.bytes.map((x) => `li t1, ${x}\nsb t1, 0(s0)`).join('\n');
    case 'in':
      // poll the line status register; echo whatever arrived (bounded: never waits forever)
      return `li t0, ${b.polls}
poll_${i}:
  lbu t1, 5(s0)
  andi t1, t1, 1
  beqz t1, next_${i}
  lbu t2, 0(s0)
  sb t2, 0(s0)
next_${i}:
  addi t0, t0, -1
  bnez t0, poll_${i}`;
    case 'clock':
      return p.clock;
    case 'timer': {
      // a spin of 2 instructions per iteration outlasts `ticks` (one tick = 100 ns, one
      // instruction = 64 ns). WFI only with the interrupt not taken: a handler that took it
      // first would leave WFI nothing to wake it.
      const spin = `li t0, ${b.ticks * 2}\nspin_${i}:\naddi t0, t0, -1\nbnez t0, spin_${i}`;
      const irq = b.wait === 'irq';
      return [p.arm(b.ticks), p.enableTimerIrq, irq ? p.globalIrqOn : '', b.wait === 'wfi' ? 'wfi' : spin, irq ? p.globalIrqOff : '', p.disableTimerIrq, p.disarm].filter(Boolean).join('\n');
    }
    case 'trap':
      if (b.kind === 'ecall') return platform === 'bare' ? 'ecall' : `${SBI_CALL(0x10, 0)}`; // M-mode ecall traps; in a domain an ecall is an SBI call (get_spec_version)
      if (b.kind === 'illegal') return '.word 0';
      if (b.kind === 'ebreak') return 'ebreak';
      return p.fault;
    case 'loop':
      return `li t0, ${b.n}\nloop_${i}:\n${b.body.map(emit).join('\n')}\naddi t0, t0, -1\nbnez t0, loop_${i}`;
  }
}

/**
 * Assembles a program for a platform: prologue, the blocks in order, power-off (or, with
 * `ending: 'crash'` on hvm, a load from a guest-physical address outside the domain, which
 * ends it by a guest-page fault), the trap handler.
 */
export function assembleProgram(blocks: readonly Block[], platform: Platform, ending: 'poweroff' | 'crash' = 'poweroff'): Uint8Array {
  const p = platform === 'bare' ? BARE : HVM;
  const a = new Assembler({ base: LOAD_ADDRESS[platform] });
  a.asm(p.prologue);
  blocks.forEach((b, i) => {
    // generated fields go through the encoder directly; the text around them through asm()
    const pending: Fields[] = [];
    const text = blockText(p, b, i, (f) => {
      pending.push(f);
      return `__emit__`;
    }, platform);
    for (const line of text.split('\n')) {
      if (line.trim() === '__emit__') a.emit(pending.shift()!);
      else if (line.trim()) a.asm(line);
    }
  });
  a.asm(`${ending === 'crash' ? 'li t0, 0x40000000\nld t1, 0(t0)' : p.poweroff}\nhang:\nj hang`);
  a.asm(p.handler);
  return a.assemble().bytes;
}

/** Console input: bytes delivered `after` instructions past the previous delivery. */
export interface InputStep {
  after: number;
  bytes: number[];
}

export const scheduleArb = fc.array(
  fc.record({ after: fc.integer({ min: 1, max: 20_000 }), bytes: fc.array(fc.integer({ min: 0x20, max: 0x7e }), { minLength: 1, maxLength: 4 }) }),
  { maxLength: 5 },
);
