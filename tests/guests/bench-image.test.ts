// The committed benchmark image: present, shaped as the machine expects, and
// reproducible bit for bit from the sources by `make -C guests check`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BENCH_BIN, BENCH_ELF, BENCH_LOAD_ADDRESS } from '../../guests/bench/image.ts';

const GUESTS_DIR = fileURLToPath(new URL('../../guests/', import.meta.url));

const EM_RISCV = 243;
const ET_EXEC = 2;
const PT_LOAD = 1;
// ELF psABI for RISC-V: e_flags bit 0 = RVC, bits 2:1 = float ABI (2 = double).
const EF_RISCV_RVC = 0x1;
const EF_RISCV_FLOAT_ABI_DOUBLE = 0x4;

interface LoadSegment {
  offset: number;
  paddr: number;
  filesz: number;
}

/** Just enough ELF64 header parsing for these checks (ELF spec, "ELF Header" and "Program Header"). */
function parseElf64(bytes: Buffer) {
  const phoff = Number(bytes.readBigUInt64LE(0x20));
  const phentsize = bytes.readUInt16LE(0x36);
  const phnum = bytes.readUInt16LE(0x38);
  const loads: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (bytes.readUInt32LE(ph) !== PT_LOAD) continue;
    loads.push({
      offset: Number(bytes.readBigUInt64LE(ph + 0x08)),
      paddr: Number(bytes.readBigUInt64LE(ph + 0x18)),
      filesz: Number(bytes.readBigUInt64LE(ph + 0x20)),
    });
  }
  return {
    magic: bytes.subarray(0, 4).toString('latin1'),
    elfClass: bytes[4],
    dataEncoding: bytes[5],
    type: bytes.readUInt16LE(0x10),
    machine: bytes.readUInt16LE(0x12),
    entry: Number(bytes.readBigUInt64LE(0x18)),
    flags: bytes.readUInt32LE(0x30),
    loads,
  };
}

describe('guests/bench committed image', () => {
  it('exists and stays small', () => {
    expect(existsSync(BENCH_ELF), `${BENCH_ELF} missing: run make -C guests`).toBe(true);
    expect(existsSync(BENCH_BIN), `${BENCH_BIN} missing: run make -C guests`).toBe(true);
    expect(readFileSync(BENCH_BIN).length).toBeLessThan(64 * 1024);
    expect(readFileSync(BENCH_ELF).length).toBeLessThan(64 * 1024);
  });

  it('is a little-endian RV64GC lp64d executable entered at RAM base', () => {
    const elf = parseElf64(readFileSync(BENCH_ELF));
    expect(elf.magic).toBe('\x7fELF');
    expect(elf.elfClass).toBe(2); // ELFCLASS64
    expect(elf.dataEncoding).toBe(1); // ELFDATA2LSB
    expect(elf.type).toBe(ET_EXEC);
    expect(elf.machine).toBe(EM_RISCV);
    expect(elf.flags).toBe(EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE);
    expect(elf.entry).toBe(BENCH_LOAD_ADDRESS);
  });

  it('has a raw .bin equal to the ELF loaded at 0x80000000', () => {
    const elfBytes = readFileSync(BENCH_ELF);
    const bin = readFileSync(BENCH_BIN);
    const loads = parseElf64(elfBytes).loads.filter((segment) => segment.filesz > 0);
    expect(loads.length).toBeGreaterThan(0);
    expect(Math.min(...loads.map((segment) => segment.paddr))).toBe(BENCH_LOAD_ADDRESS);
    const end = Math.max(...loads.map((segment) => segment.paddr + segment.filesz));
    expect(bin.length).toBe(end - BENCH_LOAD_ADDRESS);
    for (const segment of loads) {
      const at = segment.paddr - BENCH_LOAD_ADDRESS;
      const expected = elfBytes.subarray(segment.offset, segment.offset + segment.filesz).toString('hex');
      expect(bin.subarray(at, at + segment.filesz).toString('hex')).toBe(expected);
    }
  });

  it('is reproduced bit-identically by `make -C guests check`', () => {
    const gcc = spawnSync('riscv64-unknown-elf-gcc', ['--version'], { encoding: 'utf8' });
    expect(gcc.status, 'riscv64-unknown-elf-gcc not found: apt-get install gcc-riscv64-unknown-elf').toBe(0);
    const check = spawnSync('make', ['-s', '-C', GUESTS_DIR, 'check'], { encoding: 'utf8' });
    const output = `${check.stdout}${check.stderr}`;
    expect(check.status, output).toBe(0);
    expect(output).toContain('bench/bench.elf reproduced bit-identically');
    expect(output).toContain('bench/bench.bin reproduced bit-identically');
  });
});
