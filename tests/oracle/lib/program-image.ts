// Lays out a generated Program (program-gen.ts) as a raw -bios image at 0x80000000:
//   prologue  gp = data pointer, mtvec = handler, FS = Initial, PMP entry 0 = all memory RWX
//             (lower-privilege code needs one; M-mode ignores it), frm, f0..f31 and x1..x31
//   snippets  in order; `@label` made unique per snippet, `@rvc(...)` and `@encode(...)` expanded
//   epilogue  0x5555 to the sifive,test finisher: QEMU exits, our machine finishes
//   handler   records mcause and mtval in t5/t6 (so every trap is visible in the compared
//             registers), resumes after the faulting instruction (2 or 4 bytes, read from
//             memory), at ra after a failed fetch, or at the interrupted instruction after
//             masking all of mie; an ecall from U/S (the end of a round trip) returns to
//             M-mode, everything else to the privilege it came from
//   data      4 KiB page: handler save slots, FP constants, random scratch
import { Assembler } from '../../../src/isa/asm.ts';
import { X_NAMES } from '../../../src/isa/registers.ts';
import { DATA, FINISHER, GP_BIAS, RAM_BASE, X_POOL } from './program-layout.ts';
import type { Program } from './program-gen.ts';

export interface ProgramImage {
  bytes: Uint8Array;
  /** Snippet index → address and text, for failure reports. */
  listing: string;
  symbols: Map<string, bigint>;
}

const HANDLER = `
trap:
  sd t5,${DATA.save}(gp)
  sd t6,${DATA.save + 8}(gp)
  csrr t5,mcause
  csrr t6,mtval
  bltz t5,trap_irq
  sltiu t6,t5,2
  bnez t6,trap_fetch
  csrr t6,mepc
  lhu t5,0(t6)
  andi t5,t5,3
  addi t6,t6,2
  addi t5,t5,-3
  bnez t5,trap_resume
  addi t6,t6,2
trap_resume:
  csrw mepc,t6
  j trap_out
trap_fetch:
  csrw mepc,ra
  j trap_out
trap_irq:
  csrw mie,zero
trap_out:
  csrr t5,mcause
  addi t5,t5,-8
  sltiu t5,t5,2
  beqz t5,trap_return
  li t5,0x1800
  csrs mstatus,t5
trap_return:
  ld t5,${DATA.save}(gp)
  ld t6,${DATA.save + 8}(gp)
  mret
`;

/** xorshift32: the scratch area's initial bytes from one seed (keeps counterexamples small). */
function scratchBytes(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

/** One 32-bit encoding, for `@encode(insn)`. */
function encodeOne(text: string): string {
  const a = new Assembler();
  a.asm(text);
  const b = a.assemble().bytes;
  if (b.length !== 4) throw new Error(`@encode(${text}) is not one 32-bit instruction`);
  return `0x${((b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0).toString(16)}`;
}

function localize(line: string, prefix: string): string {
  return line
    .replace(/@encode\(([^)]*)\)/g, (_, insn: string) => encodeOne(insn))
    .replace(/@([A-Za-z_]\w*)/g, (_, name: string) => `${prefix}${name}`);
}

export function buildProgramImage(p: Program): ProgramImage {
  const a = new Assembler({ base: RAM_BASE });
  const listing: string[] = [];
  const text = (t: string) => a.asm(t);

  text('la gp,data_mid\nla t0,trap\ncsrw mtvec,t0\nli t0,0x2000\ncsrs mstatus,t0');
  text('li t0,-1\ncsrw pmpaddr0,t0\nli t0,0x1f\ncsrw pmpcfg0,t0');
  text(`csrwi frm,${p.frm}`);
  for (let i = 0; i < 32; i++) text(`fld f${i},${DATA.fpPool + 8 * i}(gp)`);
  X_POOL.forEach((r) => text(`li ${r},0x${p.xInit[X_NAMES.indexOf(r)]!.toString(16)}`));

  p.snippets.forEach((s, i) => {
    const prefix = `s${i}_`;
    listing.push(`#${i} ${s.kind} @0x${a.pc.toString(16)}`);
    for (const raw of s.lines) {
      listing.push(`    ${raw}`);
      const rvc = /^@rvc\((.*)\)$/.exec(raw);
      if (rvc) {
        // compressed encodings wherever one exists; labels are local to this block
        const sub = new Assembler({ base: a.pc, compress: true });
        for (const l of rvc[1]!.split(';')) sub.asm(localize(l, prefix));
        a.bytes(sub.assemble().bytes);
      } else {
        text(localize(raw, prefix));
      }
    }
  });

  listing.push(`#end @0x${a.pc.toString(16)}`);
  text(`li t0,0x${FINISHER.toString(16)}\nli t1,0x5555\nsw t1,0(t0)\nfinished:\nj finished`);
  a.align(4);
  text(HANDLER);

  // offsets below are from the start of the page; gp points GP_BIAS into it
  const abs = (gpRelative: number) => gpRelative + GP_BIAS;
  a.align(4096);
  a.label('data');
  a.space(abs(DATA.fpPool) - abs(DATA.save)); // handler save slots
  a.dword(...p.fpPool);
  a.space(abs(DATA.scratchLo) - (abs(DATA.fpPool) + 8 * p.fpPool.length));
  const scratch = scratchBytes(p.scratchSeed, DATA.size);
  a.bytes(scratch.subarray(abs(DATA.scratchLo), GP_BIAS));
  a.label('data_mid');
  a.bytes(scratch.subarray(GP_BIAS, DATA.size));
  const out = a.assemble();
  return { bytes: out.bytes, listing: listing.join('\n'), symbols: out.symbols };
}
