import { describe, expect, it } from 'vitest';
import { applyLoad, decodeMmioAccess, faultingGpa, mmioDecodeFailure, storeValue } from '../../src/hypervisor/dm/mmio-decode.ts';
import { decode } from '../../src/isa/decode.ts';
import { disassemble } from '../../src/isa/disasm.ts';

// Encodings written out from the base formats (unprivileged spec 2.3), independent of src/isa/encode.ts.
const iType = (f3: number, rd: number, rs1: number, imm: number, opcode = 0x03): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode) >>> 0;
const sType = (f3: number, rs1: number, rs2: number, imm: number, opcode = 0x23): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | opcode) >>> 0;

const text = (bits: number): string => disassemble(decode(bits), 0n);

describe('decodeMmioAccess: 32-bit loads and stores', () => {
  it.each([
    ['lb', 0, 1, true],
    ['lh', 1, 2, true],
    ['lw', 2, 4, true],
    ['ld', 3, 8, false],
    ['lbu', 4, 1, false],
    ['lhu', 5, 2, false],
    ['lwu', 6, 4, false],
  ] as const)('%s: size %i, signed %s, reg = rd', (name, f3, size, signed) => {
    const bits = iType(f3, 10, 11, -8); // name a0,-8(a1)
    expect(text(bits)).toBe(`${name}\ta0,-8(a1)`);
    expect(decodeMmioAccess(bits)).toEqual({ write: false, size, signed, reg: 10, len: 4 });
  });

  it.each([
    ['sb', 0, 1],
    ['sh', 1, 2],
    ['sw', 2, 4],
    ['sd', 3, 8],
  ] as const)('%s: size %i, reg = rs2', (name, f3, size) => {
    const bits = sType(f3, 11, 12, 40); // name a2,40(a1)
    expect(text(bits)).toBe(`${name}\ta2,40(a1)`);
    expect(decodeMmioAccess(bits)).toEqual({ write: true, size, signed: false, reg: 12, len: 4 });
  });

  it('a load into x0 still decodes (the access happens, nothing is written back)', () => {
    expect(decodeMmioAccess(iType(2, 0, 5, 0))).toEqual({ write: false, size: 4, signed: true, reg: 0, len: 4 });
  });
});

describe('decodeMmioAccess: compressed forms', () => {
  it.each([
    // [encoding, objdump text, expected]
    [0x4188, 'lw\ta0,0(a1)', { write: false, size: 4, signed: true, reg: 10 }], // C.LW
    [0x41c8, 'lw\ta0,4(a1)', { write: false, size: 4, signed: true, reg: 10 }], // C.LW uimm[2]
    [0x6588, 'ld\ta0,8(a1)', { write: false, size: 8, signed: false, reg: 10 }], // C.LD
    [0xc188, 'sw\ta0,0(a1)', { write: true, size: 4, signed: false, reg: 10 }], // C.SW
    [0xe588, 'sd\ta0,8(a1)', { write: true, size: 8, signed: false, reg: 10 }], // C.SD
    [0x4532, 'lw\ta0,12(sp)', { write: false, size: 4, signed: true, reg: 10 }], // C.LWSP
    [0x6522, 'ld\ta0,8(sp)', { write: false, size: 8, signed: false, reg: 10 }], // C.LDSP
    [0xc62a, 'sw\ta0,12(sp)', { write: true, size: 4, signed: false, reg: 10 }], // C.SWSP
    [0xe42a, 'sd\ta0,8(sp)', { write: true, size: 8, signed: false, reg: 10 }], // C.SDSP
  ] as const)('0x%s decodes as %s with len 2', (bits, asm, expected) => {
    expect(text(bits)).toBe(asm);
    expect(decodeMmioAccess(bits)).toEqual({ ...expected, len: 2 });
  });

  it('a compressed instruction followed by other bits in the upper half decodes from the low 16 bits', () => {
    expect(decodeMmioAccess(0x12344188)).toEqual({ write: false, size: 4, signed: true, reg: 10, len: 2 });
  });
});

describe('decodeMmioAccess: not emulated', () => {
  it.each([
    ['flw', iType(2, 10, 11, 0, 0x07)],
    ['fld', iType(3, 10, 11, 0, 0x07)],
    ['fsw', sType(2, 11, 10, 0, 0x27)],
    ['fsd', sType(3, 11, 10, 0, 0x27)],
    ['c.fld', 0x2188],
    ['c.fsd', 0xa188],
    ['c.fldsp', 0x2522],
    ['c.fsdsp', 0xa42a],
  ])('%s (FP) is null', (name, bits) => {
    expect(decodeMmioAccess(bits)).toBeNull();
    expect(mmioDecodeFailure(bits)).toMatch(/FP loads\/stores to MMIO are not emulated/);
    void name;
  });

  it.each([
    ['amoadd.w', 0x00b5202f],
    ['amoswap.d', 0x08b5302f],
    ['lr.w', 0x1005a52f],
    ['sc.d', 0x18b5352f],
  ])('%s (atomic) is null', (name, bits) => {
    expect(text(bits).startsWith(name)).toBe(true);
    expect(decodeMmioAccess(bits)).toBeNull();
    expect(mmioDecodeFailure(bits)).toMatch(/atomic memory operations on MMIO are not emulated/);
  });

  it('non-memory instructions and illegal encodings are null', () => {
    expect(decodeMmioAccess(0x00000013)).toBeNull(); // nop
    expect(decodeMmioAccess(0x00000000)).toBeNull(); // illegal
    expect(mmioDecodeFailure(0x00000013)).toMatch(/not a load or store/);
    expect(mmioDecodeFailure(0xffffffff)).toMatch(/instruction 0xffffffff/);
  });
});

describe('applyLoad and storeValue', () => {
  it.each([
    [0x80n, 1, true, 0xffffffffffffff80n],
    [0x80n, 1, false, 0x80n],
    [0x7fn, 1, true, 0x7fn],
    [0x8000n, 2, true, 0xffffffffffff8000n],
    [0x8000n, 2, false, 0x8000n],
    [0x80000000n, 4, true, 0xffffffff80000000n],
    [0x80000000n, 4, false, 0x80000000n],
    [0x7fffffffn, 4, true, 0x7fffffffn],
    [0x8000000000000000n, 8, false, 0x8000000000000000n],
    [0x8000000000000000n, 8, true, 0x8000000000000000n],
    [0x1ffn, 1, false, 0xffn], // bits above the access size never leak in
  ] as const)('applyLoad(%s, %i, %s) = %s', (v, size, signed, want) => {
    expect(applyLoad(v, size, signed)).toBe(want);
  });

  it('storeValue keeps the low size bytes of rs2', () => {
    expect(storeValue(0xffffffffffffff80n, 1)).toBe(0x80n);
    expect(storeValue(0x1234567890abcdefn, 2)).toBe(0xcdefn);
    expect(storeValue(0x1234567890abcdefn, 4)).toBe(0x90abcdefn);
    expect(storeValue(0x1234567890abcdefn, 8)).toBe(0x1234567890abcdefn);
  });

  it('faultingGpa joins htval (gpa >> 2) with the low bits of tval', () => {
    expect(faultingGpa(0x10000000n >> 2n, 0xffffffc010000003n)).toBe(0x10000003n);
    expect(faultingGpa(0x0c200004n >> 2n, 0x4n)).toBe(0x0c200004n);
  });
});
