// Assembler: labels and forward references, pseudo-instructions (li for any 64-bit value, la,
// call), data directives, compressed emission, errors, and text round trips through the
// disassembler (objdump-style text assembles back to the same instruction).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Assembler, AsmError } from '../../src/isa/asm.ts';
import { liSequence } from '../../src/isa/asm-li.ts';
import { decode, type Decoded } from '../../src/isa/decode.ts';
import { disassemble } from '../../src/isa/disasm.ts';
import type { Fields } from '../../src/isa/encode.ts';
import { OP } from '../../src/isa/opcodes.ts';

const BASE = 0x80000000n;
const M64 = (1n << 64n) - 1n;

/** Decodes an image into instructions with their addresses. */
function decodeAll(bytes: Uint8Array, base = BASE): { pc: bigint; d: Decoded }[] {
  const out: { pc: bigint; d: Decoded }[] = [];
  for (let off = 0; off < bytes.length; ) {
    const d = decode(bytes[off] | (bytes[off + 1] << 8) | ((bytes[off + 2] ?? 0) << 16) | ((bytes[off + 3] ?? 0) << 24));
    out.push({ pc: base + BigInt(off), d });
    off += d.len;
  }
  return out;
}

/** Runs a straight-line integer sequence (the ops li/la emit) on a register file. */
function run(seq: Fields[], regs = new Array<bigint>(32).fill(0n), pc = BASE): bigint[] {
  for (const f of seq) {
    const rs1 = regs[f.rs1 ?? 0];
    const imm = BigInt(f.imm ?? 0);
    let v: bigint;
    switch (f.op) {
      case OP.LUI: v = imm; break;
      case OP.AUIPC: v = pc + imm; break;
      case OP.ADDI: v = rs1 + imm; break;
      case OP.ADDIW: v = BigInt.asIntN(32, rs1 + imm); break;
      case OP.SLLI: v = rs1 << imm; break;
      default: throw new Error(`unexpected op ${f.op}`);
    }
    if (f.rd) regs[f.rd] = BigInt.asIntN(64, v);
    pc += 4n;
  }
  return regs;
}

const fields = (d: Decoded): Fields => ({ op: d.op, rd: d.rd, rs1: d.rs1, rs2: d.rs2, rs3: d.rs3, imm: d.imm, rm: d.rm });

describe('li', () => {
  it.each([0n, 1n, -1n, 2047n, -2048n, 2048n, 0x7ffff800n, 0x7fffffffn, -0x80000000n, 0x80000000n, 0xffffffffn, 0x123456789abcdef0n, -(2n ** 63n), 2n ** 63n - 1n, 0x8000000000000800n])(
    'loads %s',
    (v) => {
      const seq = liSequence(10, v);
      expect(run(seq)[10]).toBe(BigInt.asIntN(64, v));
      expect(seq.length).toBeLessThanOrEqual(8);
    },
  );

  it('loads any 64-bit constant in at most 8 instructions', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        const seq = liSequence(5, v);
        expect(seq.length).toBeLessThanOrEqual(8);
        expect(run(seq)[5]).toBe(v);
      }),
      { numRuns: 5000 },
    );
  });

  it('assembles to instructions that compute the value', () => {
    const { bytes } = new Assembler().li('a0', 0xdeadbeefcafef00dn).assemble();
    const seq = decodeAll(bytes).map(({ d }) => fields(d));
    expect(run(seq)[10] & M64).toBe(0xdeadbeefcafef00dn);
  });
});

describe('Assembler', () => {
  it('resolves labels, including forward references', () => {
    const a = new Assembler({ base: BASE });
    a.label('start').li('a0', 3).label('loop').addi('a0', 'a0', -1).bnez('a0', 'loop').j('done').nop().label('done').ret();
    const { bytes, symbols } = a.assemble();
    expect(symbols.get('start')).toBe(BASE);
    expect(symbols.get('loop')).toBe(BASE + 4n);
    expect(symbols.get('done')).toBe(BASE + 20n);
    const text = decodeAll(bytes).map(({ pc, d }) => disassemble(d, pc));
    expect(text).toEqual(['li\ta0,3', 'add\ta0,a0,-1', 'bnez\ta0,0x80000004', 'j\t0x80000014', 'nop', 'ret']);
  });

  it('builds la and call from auipc pairs that reach the label', () => {
    const a = new Assembler({ base: BASE });
    a.la('a1', 'msg').call('func').tail('func').space(0x3000).label('func').ret().label('msg').asciz('hi');
    const { bytes, symbols } = a.assemble();
    const ins = decodeAll(bytes.subarray(0, 24)).map(({ d }) => fields(d));
    const regs = run([ins[0], ins[1]]);
    expect(regs[11]).toBe(symbols.get('msg'));
    // call: auipc ra, hi; jalr ra, lo(ra) -> ra + lo is func
    expect(ins[2]).toMatchObject({ op: OP.AUIPC, rd: 1 });
    expect(ins[3]).toMatchObject({ op: OP.JALR, rd: 1, rs1: 1 });
    expect(BASE + 8n + BigInt(ins[2].imm!) + BigInt(ins[3].imm!)).toBe(symbols.get('func'));
    expect(ins[4]).toMatchObject({ op: OP.AUIPC, rd: 6 });
    expect(ins[5]).toMatchObject({ op: OP.JALR, rd: 0, rs1: 6 });
  });

  it('emits data with alignment and label addresses', () => {
    const a = new Assembler({ base: 0x1000n });
    a.byte(1, 2, 3).align(8).label('table').dword('table', 0x1122334455667788n).word(0xdeadbeef).half(0x1234).string('ok');
    const { bytes } = a.assemble();
    expect(Array.from(bytes.subarray(0, 8))).toEqual([1, 2, 3, 0, 0, 0, 0, 0]);
    expect(new DataView(bytes.buffer).getBigUint64(8, true)).toBe(0x1008n);
    expect(new DataView(bytes.buffer).getBigUint64(16, true)).toBe(0x1122334455667788n);
    expect(new DataView(bytes.buffer).getUint32(24, true)).toBe(0xdeadbeef);
    expect(new DataView(bytes.buffer).getUint16(28, true)).toBe(0x1234);
    expect(String.fromCharCode(bytes[30], bytes[31])).toBe('ok');
  });

  it('uses compressed encodings when asked', () => {
    const a = new Assembler({ compress: true });
    a.addi('sp', 'sp', -16).sd('ra', 8, 'sp').li('a0', 1).mv('s0', 'a0').ld('ra', 8, 'sp').addi('sp', 'sp', 16).ret();
    const { bytes } = a.assemble();
    expect(bytes.length).toBe(14);
    expect(decodeAll(bytes).map(({ pc, d }) => disassemble(d, pc))).toEqual(['add\tsp,sp,-16', 'sd\tra,8(sp)', 'li\ta0,1', 'mv\ts0,a0', 'ld\tra,8(sp)', 'add\tsp,sp,16', 'ret']);
  });

  it('accepts every op by mnemonic, with CSR names, rounding modes and AMO suffixes', () => {
    const a = new Assembler();
    a.inst('fadd.d', 'fa0', 'fa1', 'fa2', 'rtz').inst('fmadd.s', 'ft0', 'ft1', 'ft2', 'ft3').inst('amoswap.w.aqrl', 'a0', 'a1', 'a2');
    a.inst('csrrs', 'a0', 'mstatus', 'zero').inst('hlv.d', 'a0', 'a1').inst('fence', 'rw', 'w').inst('fcvt.d.w', 'fa0', 'a0');
    const text = decodeAll(a.assemble().bytes).map(({ pc, d }) => disassemble(d, pc));
    expect(text).toEqual([
      'fadd.d\tfa0,fa1,fa2,rtz',
      'fmadd.s\tft0,ft1,ft2,ft3',
      'amoswap.w.aqrl\ta0,a1,(a2)',
      'csrr\ta0,mstatus',
      'hlv.d\ta0,(a1)',
      'fence\trw,w',
      'fcvt.d.w\tfa0,a0',
    ]);
  });

  it('assembles text with labels, pseudo-instructions and directives', () => {
    const { bytes, symbols } = new Assembler({ base: BASE })
      .asm(
        `
        _start:  la   a0, msg        # comment
                 csrw mtvec, t0
                 ld   a1, 8(sp)
                 amoadd.d.aq a2, a3, (a4)
        loop:    addi a0, a0, 1
                 blt  a0, a1, loop
                 call _start
                 .align 3
        msg:     .asciz "hi\\n"
                 .dword msg
        `,
      )
      .assemble();
    expect(symbols.get('msg')).toBe(BASE + 40n);
    const text = decodeAll(bytes.subarray(0, 36)).map(({ pc, d }) => disassemble(d, pc));
    expect(text.slice(2)).toEqual(['csrw\tmtvec,t0', 'ld\ta1,8(sp)', 'amoadd.d.aq\ta2,a3,(a4)', 'add\ta0,a0,1', 'blt\ta0,a1,0x80000014', 'auipc\tra,0x0', 'jalr\t-28(ra)']);
    expect(String.fromCharCode(...bytes.subarray(40, 43))).toBe('hi\n');
    expect(new DataView(bytes.buffer).getBigUint64(44, true)).toBe(BASE + 40n);
  });

  it('explains what is wrong', () => {
    expect(() => new Assembler().j('nowhere').assemble()).toThrow(/label "nowhere" is used but never defined/);
    expect(() => new Assembler().label('x').label('x')).toThrow(/defined twice/);
    expect(() => new Assembler().addi('a0', 'a9', 1)).toThrow(/"a9" is not an integer register/);
    expect(() => new Assembler().addi('a0', 'a0', 5000)).toThrow(/does not fit 12 signed bits/);
    expect(() => new Assembler().csrr('a0', 'mstatis')).toThrow(/unknown CSR "mstatis"/);
    expect(() => new Assembler().beqz('a0', 'far').space(8192).label('far').assemble()).toThrow(/out of range.*use j\/call/);
    expect(() => new Assembler().asm('frobnicate a0')).toThrow(/line 1 "frobnicate a0": unknown instruction/);
    expect(() => new Assembler().inst('add', 'a0', 'a1')).toThrow(AsmError);
  });
});

describe('disassembly text assembles back', () => {
  // objdump spellings that are not instructions the assembler should take back
  const skip = (text: string) => /unknown|^c\.|^\.2byte|^(uret|dret|hret|sfence\.vm)\b/.test(text);

  it('for 32-bit instructions: same word', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (w) => {
        const word = (w | 3) >>> 0;
        if ((word & 0x1f) === 0x1f) return;
        const d = decode(word);
        const text = disassemble(d, BASE);
        if (skip(text)) return;
        const { bytes } = new Assembler({ base: BASE }).asm(text).assemble();
        expect(bytes.length, text).toBe(4);
        expect(new DataView(bytes.buffer).getUint32(0, true).toString(16), text).toBe(word.toString(16));
      }),
      { numRuns: 30_000 },
    );
  });

  it('for every compressed instruction: same fields when compressing', () => {
    for (let w = 1; w < 0x10000; w++) {
      if ((w & 3) === 3) continue;
      const d = decode(w);
      if (d.op === OP.ILLEGAL) continue;
      const text = disassemble(d, BASE);
      if (skip(text)) continue;
      const bytes = new Assembler({ base: BASE, compress: true }).asm(text).assemble().bytes;
      const got = decode(bytes[0] | (bytes[1] << 8) | ((bytes[2] ?? 0) << 16) | ((bytes[3] ?? 0) << 24));
      if (got.len !== 2 || JSON.stringify(fields(got)) !== JSON.stringify(fields(d))) {
        expect({ text, got: fields(got), len: got.len }).toEqual({ text, got: fields(d), len: 2 });
      }
    }
  });
});
