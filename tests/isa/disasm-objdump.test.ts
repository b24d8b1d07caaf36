// The disassembler against GNU objdump 2.40, the oracle: every 16-bit encoding and a large
// deterministic sample of 32-bit ones as a raw binary (`objdump -D -b binary`), then whole ELF
// listings (`objdump -d`) of programs built with gas — symbols, data and mapping symbols,
// objects inside code, H instructions, CSR names per privileged-spec version, gp-relative
// comments — and of Debian's OpenSBI and U-Boot when installed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { decode } from '../../src/isa/decode.ts';
import { Disassembler } from '../../src/isa/disasm.ts';
import { DEFAULT_OBJDUMP_ISA } from '../../src/isa/isa-string.ts';
import { parseElf } from '../../src/machine/elf.ts';
import { objdumpListing } from '../../src/cli/objdump-listing.ts';
import { buildElf, objdumpFile, objdumpRaw, requireObjdump, removeScratchDirs } from './objdump-oracle.ts';

const VMA = 0x80000000n;

/** Little-endian image of `words` (16-bit ones where the low bits say compressed). */
function image(words: number[]): Uint8Array {
  const bytes: number[] = [];
  for (const w of words) {
    bytes.push(w & 0xff, (w >>> 8) & 0xff);
    if ((w & 3) === 3) bytes.push((w >>> 16) & 0xff, w >>> 24);
  }
  return Uint8Array.from(bytes);
}

/** Compares our text for `words`, disassembled in order, with objdump's; returns the mismatches. */
function mismatches(words: number[]): string[] {
  const theirs = objdumpRaw(image(words), VMA);
  const dis = new Disassembler({ isa: DEFAULT_OBJDUMP_ISA }); // what objdump assumes for raw input
  const bad: string[] = [];
  let pc = VMA;
  for (const w of words) {
    const d = decode(w);
    const ours = dis.format(d, pc);
    if (ours !== theirs.get(pc)) bad.push(`${pc.toString(16)} ${w.toString(16)}: objdump "${theirs.get(pc)}" ours "${ours}"`);
    pc += BigInt(d.len);
  }
  return bad;
}

/** xorshift32: a fixed sequence, so failures reproduce. */
function* randomWords(seed: number, count: number): Generator<number> {
  let s = seed >>> 0 || 1;
  for (let n = 0; n < count; ) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const w = (s | 3) >>> 0;
    if ((w & 0x1f) === 0x1f) continue; // 48-bit and longer forms are the listing's business
    n++;
    yield w;
  }
}

beforeAll(() => requireObjdump());
afterAll(() => removeScratchDirs());

describe('disassembly of raw code matches objdump', () => {
  it('every 16-bit encoding', () => {
    const words: number[] = [];
    for (let w = 1; w < 0x10000; w++) if ((w & 3) !== 3) words.push(w);
    expect(mismatches(words).slice(0, 20)).toEqual([]);
  });

  it('200k pseudo-random 32-bit words', () => {
    expect(mismatches([...randomWords(0xc0ffee, 200_000)]).slice(0, 20)).toEqual([]);
  });

  it('SYSTEM and MISC-MEM words with sparse fields (CSRs, fences, privileged, H)', () => {
    const words: number[] = [];
    for (const w of randomWords(42, 100_000)) {
      const sys = w & 1 ? 0x73 : 0x0f;
      // clear fields at random so rd/rs1/rs2/funct3 = 0 cases are common
      words.push(((w & ~0x7f) | sys) & ~(w & 0x10 ? 0xf8000 : 0) & ~(w & 0x20 ? 0xf80 : 0) & ~(w & 0x40 ? 0x1f00000 : 0));
    }
    for (let csr = 0; csr < 4096; csr++) words.push((csr << 20) | (11 << 15) | (2 << 12) | (10 << 7) | 0x73);
    expect(mismatches(words).slice(0, 20)).toEqual([]);
  });
});

describe('ELF listings match objdump -d byte for byte', () => {
  const compare = (file: string) => {
    const ours = objdumpListing(parseElf(new Uint8Array(readFileSync(file)), file), file).split('\n');
    const theirs = objdumpFile(file).split('\n');
    const diff: string[] = [];
    for (let i = 0; i < Math.max(ours.length, theirs.length) && diff.length < 20; i++) {
      if (ours[i] !== theirs[i]) diff.push(`line ${i + 1}: objdump ${JSON.stringify(theirs[i])} ours ${JSON.stringify(ours[i])}`);
    }
    expect(diff).toEqual([]);
  };

  const program = (arch: string, priv: [number, number]) => `
    .attribute arch, "${arch}"
    .attribute priv_spec, ${priv[0]}
    .attribute priv_spec_minor, ${priv[1]}
    .text
    .globl _start
_start:
    la      a0, table
    lui     a1, 0x80012
    ld      a2, -8(a1)
    lui     a4, 0x12345
    addiw   a4, a4, 0x678
    ld      a3, 8(gp)
    call    helper
    csrr    t0, menvcfg
    csrw    pmpaddr20, t0
    csrrs   a0, mstatus, a1
    fadd.d  fa0, fa1, fa2, rtz
    .insn   0x6c05c573          # hlv.d a0,(a1): raw, since the arch attribute decides
    .insn   0x62b50073          # hfence.gvma a0,a1
    beqz    a0, 1f
    .word   0x12345678
    .half   0x1234
    .byte   1, 2, 3
    .align  2
1:  j       _start
    .zero   16
    .insn   0x0000001f          # start of a 48-bit instruction
    .half   0
    .8byte  0x123456789abcdeff
helper:
    addi    sp, sp, -16
    sd      ra, 8(sp)
    ret
    .type   table_in_text, @object
    .size   table_in_text, 24
table_in_text:
    .ascii  "objects in code are dumped as bytes"
    .data
table:
    .dword  1, 2
`;

  it('a program with symbols, data, mapping symbols and an object in .text (no H, priv 1.11)', () => {
    compare(buildElf(program('rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0', [1, 11])));
  });

  it('the same program for an arch with H and priv 1.12', () => {
    compare(buildElf(program('rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_h1p0_zicsr2p0_zifencei2p0', [1, 12])));
  });

  it('a relocatable object', () => {
    compare(buildElf(program('rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0', [1, 11]), { relocatable: true }));
  });

  it.each([
    [1, 9, 1],
    [1, 10, 0],
    [1, 11, 0],
    [1, 12, 0],
  ])('CSR names of all 4096 CSRs under privileged spec %i.%i.%i', (major, minor, revision) => {
    const words = Array.from({ length: 4096 }, (_, csr) => `    .insn 0x${(((csr << 20) | (11 << 15) | (2 << 12) | (10 << 7) | 0x73) >>> 0).toString(16)}`);
    const source = `    .attribute priv_spec, ${major}\n    .attribute priv_spec_minor, ${minor}\n    .attribute priv_spec_revision, ${revision}\n    .text\n_start:\n${words.join('\n')}\n`;
    compare(buildElf(source));
  });

  const firmware = [
    process.env.FW_SBI_ELF ?? '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.elf',
    process.env.FW_UBOOT_ELF ?? '/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf',
  ];
  it.each(firmware)('Debian firmware %s', (file) => {
    if (!existsSync(file)) throw new Error(`${file} is missing: apt-get install opensbi u-boot-qemu (or set FW_SBI_ELF / FW_UBOOT_ELF)`);
    compare(file);
  });
});
