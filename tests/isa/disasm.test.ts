// disassemble() as the debugger uses it: pseudo-instructions as objdump 2.40 spells them,
// symbolic branch targets, address comments, and the register/CSR name tables behind them.
import { describe, expect, it } from 'vitest';
import { Assembler } from '../../src/isa/asm.ts';
import { decode } from '../../src/isa/decode.ts';
import { disassemble, Disassembler, instructionLength } from '../../src/isa/disasm.ts';
import { F_NAMES, freg, X_NAMES, xreg } from '../../src/isa/registers.ts';
import { csrName, csrNumber, csrText, privSpecFromAttributes } from '../../src/isa/csr-names.ts';

const BASE = 0x80000000n;
const one = (build: (a: Assembler) => unknown, compress = false) => {
  const a = new Assembler({ base: BASE, compress });
  build(a);
  const b = a.assemble().bytes;
  return disassemble(decode(b[0] | (b[1] << 8) | ((b[2] ?? 0) << 16) | ((b[3] ?? 0) << 24)), BASE);
};

describe('pseudo-instructions as objdump 2.40 prints them', () => {
  it.each([
    ['nop', 'nop'],
    ['li a0, -5', 'li\ta0,-5'],
    ['mv a0, a1', 'mv\ta0,a1'],
    ['not a0, a1', 'not\ta0,a1'],
    ['neg a0, a1', 'neg\ta0,a1'],
    ['negw a0, a1', 'negw\ta0,a1'],
    ['sext.w a0, a1', 'sext.w\ta0,a1'],
    ['seqz a0, a1', 'seqz\ta0,a1'],
    ['snez a0, a1', 'snez\ta0,a1'],
    ['sltz a0, a1', 'sltz\ta0,a1'],
    ['sgtz a0, a1', 'sgtz\ta0,a1'],
    ['ret', 'ret'],
    ['jr a5', 'jr\ta5'],
    ['jalr a5', 'jalr\ta5'],
    ['j 0x80000010', 'j\t0x80000010'],
    ['jal 0x80000010', 'jal\t0x80000010'],
    ['jal t0, 0x80000010', 'jal\tt0,0x80000010'],
    ['beqz a0, 0x80000010', 'beqz\ta0,0x80000010'],
    ['bnez a0, 0x80000010', 'bnez\ta0,0x80000010'],
    ['blez a0, 0x80000010', 'blez\ta0,0x80000010'],
    ['bgez a0, 0x80000010', 'bgez\ta0,0x80000010'],
    ['bltz a0, 0x80000010', 'bltz\ta0,0x80000010'],
    ['bgtz a0, 0x80000010', 'bgtz\ta0,0x80000010'],
    // objdump lists bge/blt before these aliases, so it prints the operands swapped instead
    ['bgt a0, a1, 0x80000010', 'blt\ta1,a0,0x80000010'],
    ['ble a0, a1, 0x80000010', 'bge\ta1,a0,0x80000010'],
    ['bgtu a0, a1, 0x80000010', 'bltu\ta1,a0,0x80000010'],
    ['bleu a0, a1, 0x80000010', 'bgeu\ta1,a0,0x80000010'],
    ['csrr a0, mstatus', 'csrr\ta0,mstatus'],
    ['csrw mtvec, t0', 'csrw\tmtvec,t0'],
    ['csrs mie, a0', 'csrs\tmie,a0'],
    ['csrc mip, a0', 'csrc\tmip,a0'],
    // binutils 2.40 prints the immediate CSR forms without the `i`
    ['csrwi mstatus, 8', 'csrw\tmstatus,8'],
    ['csrsi mstatus, 8', 'csrs\tmstatus,8'],
    ['csrci mstatus, 8', 'csrc\tmstatus,8'],
    ['frcsr a0', 'frcsr\ta0'],
    ['fscsr a0', 'fscsr\ta0'],
    ['frrm a0', 'frrm\ta0'],
    ['fsrm a0', 'fsrm\ta0'],
    ['frflags a0', 'frflags\ta0'],
    ['fsflags a0', 'fsflags\ta0'],
    ['rdtime a0', 'rdtime\ta0'],
    ['rdcycle a0', 'rdcycle\ta0'],
    ['rdinstret a0', 'rdinstret\ta0'],
    ['fmv.s fa0, fa1', 'fmv.s\tfa0,fa1'],
    ['fneg.s fa0, fa1', 'fneg.s\tfa0,fa1'],
    ['fabs.s fa0, fa1', 'fabs.s\tfa0,fa1'],
    ['fmv.d fa0, fa1', 'fmv.d\tfa0,fa1'],
    ['fneg.d fa0, fa1', 'fneg.d\tfa0,fa1'],
    ['fabs.d fa0, fa1', 'fabs.d\tfa0,fa1'],
    ['fence', 'fence'],
    ['fence rw, w', 'fence\trw,w'],
    ['fence.tso', 'fence.tso'],
    ['fence.i', 'fence.i'],
    ['unimp', 'unimp'],
    ['zext.b a0, a1', 'zext.b\ta0,a1'],
    // 2.40 quirk: the immediate forms print under the register-register name
    ['addi a0, a1, 5', 'add\ta0,a1,5'],
    ['slli a0, a1, 3', 'sll\ta0,a1,0x3'],
    ['addiw a0, a1, 5', 'addw\ta0,a1,5'],
    ['fadd.s fa0, fa1, fa2', 'fadd.s\tfa0,fa1,fa2'],
    ['fadd.s fa0, fa1, fa2, rne', 'fadd.s\tfa0,fa1,fa2,rne'],
    ['fcvt.w.d a0, fa0, rtz', 'fcvt.w.d\ta0,fa0,rtz'],
  ])('%s', (source, text) => {
    expect(one((a) => a.asm(source))).toBe(text);
  });

  it.each([
    ['c.unimp', [0x00, 0x00], 'unimp'],
    ['c.nop with an immediate (hint)', [0x05, 0x00], 'c.nop\t1'],
    ['c.li zero (hint)', [0x05, 0x40], 'c.li\tzero,1'],
    ['c.slli64 (hint)', [0x02, 0x05], 'c.slli64\ta0'],
    ['c.mv zero (hint)', [0x2e, 0x80], 'c.mv\tzero,a1'],
  ])('compressed %s', (_what, bytes, text) => {
    expect(disassemble(decode(bytes[0] | (bytes[1] << 8)), BASE)).toBe(text);
  });
});

describe('addresses', () => {
  it('prints targets with symbols when given a lookup', () => {
    const d = decode(0x554000ef); // jal 0x554
    expect(disassemble(d, BASE)).toBe('jal\t0x80000554');
    expect(disassemble(d, BASE, (a) => `main+0x${(a - BASE).toString(16)}`)).toBe('jal\t80000554 <main+0x554>');
  });

  it('pairs auipc/lui with the instruction that completes the address', () => {
    const dis = new Disassembler({ symbols: () => undefined, gp: 0x80001800n });
    expect(dis.format(decode(0x00019817), 0x8000002an)).toBe('auipc\ta6,0x19');
    expect(dis.format(decode(0xfde80813), 0x8000002en)).toBe('add\ta6,a6,-34 # 80019008');
    expect(dis.format(decode(0x0081b683), 0x80000032n)).toBe('ld\ta3,8(gp) # 80001808');
    expect(dis.format(decode(0x01023503), 0x80000036n)).toBe('ld\ta0,16(tp) # 10');
  });

  it('knows instruction lengths from the first halfword', () => {
    expect([0x4501, 0x0513, 0x001f, 0x003f, 0x107f, 0x707f].map(instructionLength)).toEqual([2, 4, 6, 8, 12, 2]);
  });
});

describe('register and CSR names', () => {
  it('uses the psABI register names', () => {
    expect(X_NAMES.slice(0, 11)).toEqual(['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0']);
    expect(F_NAMES[8]).toBe('fs0');
    expect([xreg('a0'), xreg('x31'), xreg('fp'), xreg(5), freg('fa0'), freg('f31')]).toEqual([10, 31, 8, 5, 10, 31]);
    expect(() => freg('a0')).toThrow(/"a0" is not a floating-point register/);
  });

  it('names CSRs per privileged-spec version', () => {
    expect(csrName(0x300)).toBe('mstatus');
    expect(csrName(0x30a, '1.12')).toBe('menvcfg');
    expect(csrName(0x30a, '1.11')).toBeUndefined();
    expect(csrText(0x30a, '1.11')).toBe('0x30a');
    expect(csrName(0x143, '1.9.1')).toBe('sbadaddr');
    expect(csrName(0x143, '1.10')).toBe('stval');
    expect(csrName(0x600)).toBe('hstatus');
    expect(csrName(0x7b0)).toBe('dcsr');
    expect(csrName(0x3a0)).toBe('pmpcfg0');
    expect(csrName(0x001)).toBe('fflags');
    expect(csrName(0xc00)).toBe('cycle');
    expect([csrNumber('satp'), csrNumber('sptbr'), csrNumber('nonsense')]).toEqual([0x180, 0x180, undefined]);
    expect([privSpecFromAttributes(1, 11, 0), privSpecFromAttributes(0, 0, 0)]).toEqual(['1.11', '1.12']);
  });
});
