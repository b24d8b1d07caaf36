// ELF reader (src/machine/elf.ts), RISC-V attributes, and the `chronovisor disasm` command:
// what a linked program looks like through the parser, and that every malformed input gives
// an ElfError that names the file, the byte offset and what to do.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElfError, parseElf, PF_R, PF_X, PT_LOAD, readRelocations, SHF_ALLOC, SHF_EXECINSTR, STB_GLOBAL, STT_FUNC, STT_OBJECT } from '../../src/machine/elf.ts';
import { riscvAttributes } from '../../src/machine/elf-riscv-attributes.ts';
import { isaHas } from '../../src/isa/isa-string.ts';
import { buildElf, objdumpFile, requireObjdump, scratchDir, removeScratchDirs } from './objdump-oracle.ts';

const SOURCE = `
    .attribute arch, "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0"
    .attribute priv_spec, 1
    .attribute priv_spec_minor, 11
    .text
    .globl _start
    .type _start, @function
_start:
    la a0, value
    ld a0, 0(a0)
    ret
    .size _start, .-_start
    .data
    .globl value
    .type value, @object
    .size value, 8
value:
    .dword 0x1122334455667788
`;

afterAll(() => removeScratchDirs());

describe('parseElf', () => {
  requireObjdump();
  const file = buildElf(SOURCE);
  const elf = parseElf(new Uint8Array(readFileSync(file)), file);

  it('reads the header, loadable segments and sections', () => {
    expect(elf.entry).toBe(0x80000000n);
    const text = elf.sections.find((s) => s.name === '.text')!;
    expect(text.addr).toBe(0x80000000n);
    expect(text.flags & (SHF_ALLOC | SHF_EXECINSTR)).toBe(SHF_ALLOC | SHF_EXECINSTR);
    expect(text.size).toBe(12); // auipc, addi (4 bytes each), c.ld, c.ret (2 each)
    const code = elf.segments.find((p) => p.type === PT_LOAD && (p.flags & PF_X) !== 0)!;
    // ld maps the ELF header into the first page of the code segment, so .text sits inside it
    const at = Number(0x80000000n - code.vaddr);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(code.paddr).toBe(code.vaddr);
    expect(code.flags & PF_R).toBe(PF_R);
    expect(BigInt(code.filesz)).toBeLessThanOrEqual(code.memsz);
    expect(Array.from(code.data.subarray(at, at + 12))).toEqual(Array.from(text.data));
    const data = elf.sections.find((s) => s.name === '.data')!;
    expect(new DataView(data.data.buffer, data.data.byteOffset).getBigUint64(0, true)).toBe(0x1122334455667788n);
  });

  it('reads symbols with type, binding, size and section', () => {
    const start = elf.symbols.find((s) => s.name === '_start')!;
    expect(start).toMatchObject({ value: 0x80000000n, size: 12n, type: STT_FUNC, bind: STB_GLOBAL });
    expect(elf.sections[start.sectionIndex].name).toBe('.text');
    const value = elf.symbols.find((s) => s.name === 'value')!;
    expect(value).toMatchObject({ size: 8n, type: STT_OBJECT });
    expect(elf.sections[value.sectionIndex].name).toBe('.data');
    expect(elf.dynamicSymbols).toEqual([]);
  });

  it('reads the RISC-V attributes', () => {
    const attrs = riscvAttributes(elf)!;
    expect(attrs.arch).toBe('rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0_zmmul1p0');
    expect([attrs.privSpec, attrs.privSpecMinor]).toEqual([1, 11]);
    expect(isaHas(attrs.arch!, 'c')).toBe(true);
    expect(isaHas(attrs.arch!, 'h')).toBe(false);
    expect(isaHas(attrs.arch!, 'zicsr')).toBe(true);
    expect(isaHas('rv64gch', 'zifencei')).toBe(true);
    expect(isaHas('rv64imac_h1p0_zicsr', 'h')).toBe(true);
  });

  it('reads relocations of a relocatable object', () => {
    const obj = buildElf(SOURCE, { relocatable: true });
    const o = parseElf(new Uint8Array(readFileSync(obj)), obj);
    const rela = o.sections.find((s) => s.name === '.rela.text')!;
    const relocs = readRelocations(o, rela);
    expect(relocs.length).toBeGreaterThan(0);
    expect(relocs[0]).toMatchObject({ offset: 0n, type: 23 }); // R_RISCV_PCREL_HI20 on the auipc
  });

  const corrupt = (mutate: (b: Uint8Array) => Uint8Array) => {
    try {
      parseElf(mutate(new Uint8Array(readFileSync(file))), 'bad.elf');
    } catch (e) {
      expect(e).toBeInstanceOf(ElfError);
      const err = e as ElfError;
      expect(err.file).toBe('bad.elf');
      expect(err.message).toContain('bad.elf');
      expect(err.message).toMatch(/byte offset 0x[0-9a-f]+/);
      return err;
    }
    throw new Error('expected an ElfError');
  };

  it.each([
    ['not an ELF', (b: Uint8Array) => new TextEncoder().encode('#!/bin/sh\necho hi\n'), /not an ELF file/],
    ['a truncated header', (b: Uint8Array) => b.subarray(0, 20), /ELF header runs past the end/],
    ['32-bit', (b: Uint8Array) => ((b[4] = 1), b), /32-bit ELF.*RV64/],
    ['big-endian', (b: Uint8Array) => ((b[5] = 2), b), /not little-endian/],
    ['another machine', (b: Uint8Array) => ((b[18] = 62), (b[19] = 0), b), /ELF for x86-64, not RISC-V/],
    ['truncated section headers', (b: Uint8Array) => b.subarray(0, b.length - 10), /section headers runs past the end.*truncated or corrupt/],
  ])('rejects %s with a useful message', (_what, mutate, message) => {
    expect(corrupt(mutate).message).toMatch(message);
  });
});

describe('chronovisor disasm', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/chronovisor.mjs', 'disasm', ...args], { encoding: 'utf8' });

  it('prints exactly what objdump -d prints', () => {
    const file = buildElf(SOURCE);
    const run = cli(file);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(objdumpFile(file));
  });

  it('fails clearly on a missing file, a non-ELF file and bad usage', () => {
    const missing = cli('/nonexistent/fw.elf');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read \/nonexistent\/fw\.elf: no such file/);

    const text = join(scratchDir(), 'notes.txt');
    writeFileSync(text, 'hello\n');
    const notElf = cli(text);
    expect(notElf.status).toBe(1);
    expect(notElf.stderr).toMatch(/notes\.txt: not an ELF file/);

    const usage = cli();
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/usage: chronovisor disasm FILE\.elf/);
  });

  it('stops quietly when its reader goes away', () => {
    const out = execFileSync('sh', ['-c', `node bin/chronovisor.mjs disasm ${buildElf(SOURCE)} | head -3`], { encoding: 'utf8' });
    expect(out.split('\n').length).toBe(4);
  });
});
