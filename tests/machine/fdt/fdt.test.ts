import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFdt } from '../../../src/machine/fdt/writer.ts';
import { readFdt, readFdtHeader } from '../../../src/machine/fdt/reader.ts';
import { formatDts } from '../../../src/machine/fdt/dts.ts';
import { FdtError } from '../../../src/machine/fdt/format.ts';
import {
  fdt,
  findByPhandle,
  findNode,
  getProp,
  node,
  prop,
  propCells,
  propStrings,
  type Fdt,
} from '../../../src/machine/fdt/tree.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));

function sample(): Fdt {
  return fdt(
    node(
      '',
      [prop.u32('#address-cells', 2), prop.u32('#size-cells', 2), prop.str('model', 'test,board')],
      [
        node('chosen', [prop.str('bootargs', 'console=ttyS0'), prop.bytes('rng-seed', Uint8Array.of(1, 2, 3))]),
        node('intc', [prop.u32('phandle', 1), prop.empty('interrupt-controller'), prop.u32('#interrupt-cells', 1)]),
        node('soc', [prop.strs('compatible', ['vendor,soc', 'simple-bus']), prop.empty('ranges')], [
          node('uart@1000', [prop.u64('reg', 0x1000, 0x100), prop.u32('interrupt-parent', 1), prop.u32('interrupts', 10)]),
        ]),
      ],
    ),
    [{ address: 0x80000000n, size: 0x200000n }],
    3,
  );
}

describe('FDT writer and reader', () => {
  it('round-trips nodes, property order, values, reservations and boot cpu', () => {
    const t = sample();
    const back = readFdt(writeFdt(t));
    expect(back).toEqual(t);
  });

  it('writes the canonical v17 layout: header, reservations at 0x28, structure, strings', () => {
    const blob = writeFdt(sample());
    const h = readFdtHeader(blob);
    expect(h).toMatchObject({ version: 17, lastCompVersion: 16, offMemRsvmap: 0x28, bootCpuId: 3 });
    expect(h.offDtStruct).toBe(0x28 + 2 * 16);
    expect(h.offDtStrings).toBe(h.offDtStruct + h.sizeDtStruct);
    expect(h.totalSize).toBe(blob.length);
    expect(h.offDtStrings + h.sizeDtStrings).toBe(blob.length);
  });

  it('is deterministic', () => {
    expect(writeFdt(sample())).toEqual(writeFdt(sample()));
  });

  it('shares a property name that is a suffix of an earlier one, as dtc and libfdt do', () => {
    const blob = writeFdt(node('', [prop.u32('#size-cells', 1), prop.u32('size-cells', 2), prop.u32('cells', 3)]));
    const h = readFdtHeader(blob);
    const strings = new TextDecoder().decode(blob.subarray(h.offDtStrings, h.offDtStrings + h.sizeDtStrings));
    expect(strings).toBe('#size-cells\0');
    expect(readFdt(blob).root.props.map((p) => p.name)).toEqual(['#size-cells', 'size-cells', 'cells']);
  });

  it('skips FDT_NOP tokens when reading', () => {
    const blob = writeFdt(node('', [prop.u32('a', 1)], [node('b', [])]));
    const h = readFdtHeader(blob);
    // Overwrite the root's property (12-byte header + 4-byte value) with four NOPs.
    const dv = new DataView(blob.buffer);
    const propAt = h.offDtStruct + 8; // after BEGIN_NODE and the padded empty name
    for (let i = 0; i < 4; i++) dv.setUint32(propAt + i * 4, 4);
    const t = readFdt(blob);
    expect(t.root.props).toEqual([]);
    expect(t.root.children.map((c) => c.name)).toEqual(['b']);
  });

  it('reads QEMU blobs and rewrites them to the same tree', () => {
    for (const f of ['qemu-7.2-virt-256M-smp1.dtb', 'qemu-7.2-virt-1G-smp4.dtb']) {
      const t = readFdt(fixture(f));
      expect(readFdt(writeFdt(t))).toEqual(t);
    }
  });
});

describe('FDT errors name the problem and where', () => {
  it('rejects a bad magic, a short blob and a truncated structure', () => {
    expect(() => readFdt(new Uint8Array(64))).toThrow(/bad FDT magic 0x0 at offset 0/);
    expect(() => readFdt(new Uint8Array(8))).toThrow(/shorter than an FDT header/);
    const blob = writeFdt(sample());
    expect(() => readFdt(blob.subarray(0, 100))).toThrow(FdtError);
  });

  it('rejects an unknown token with its offset', () => {
    const blob = writeFdt(node('', []));
    const h = readFdtHeader(blob);
    new DataView(blob.buffer).setUint32(h.offDtStruct + 8, 0x77);
    expect(() => readFdt(blob)).toThrow(`unknown structure token 0x77 at offset ${h.offDtStruct + 8}`);
  });

  it('refuses to write invalid or duplicate names', () => {
    expect(() => writeFdt(node('', [], [node('bad name', [])]))).toThrow(/invalid node name "bad name"/);
    expect(() => writeFdt(node('', [prop.u32('x', 1), prop.u32('x', 2)]))).toThrow(/duplicate property "x"/);
    expect(() => writeFdt(node('', [], [node('a', []), node('a', [])]))).toThrow(/duplicate child node "a"/);
    expect(() => writeFdt(node('root', []))).toThrow(/empty name/);
    expect(() => prop.u32('x', 2 ** 32)).toThrow(/not a 32-bit integer/);
  });
});

describe('tree helpers', () => {
  it('find nodes by path and phandle, decode cells and string lists', () => {
    const t = sample();
    const uart = findNode(t.root, '/soc/uart@1000')!;
    expect(propCells(getProp(uart, 'reg')!)).toEqual([0, 0x1000, 0, 0x100]);
    const parent = propCells(getProp(uart, 'interrupt-parent')!)[0]!;
    expect(findByPhandle(t.root, parent)?.name).toBe('intc');
    expect(propStrings(getProp(findNode(t.root, '/soc')!, 'compatible')!)).toEqual(['vendor,soc', 'simple-bus']);
    expect(findNode(t.root, '/nope')).toBeUndefined();
    expect(findNode(t.root, '/')).toBe(t.root);
  });

  it('prints dtc-style source', () => {
    const text = formatDts(sample());
    expect(text).toContain('/memreserve/ 0x0000000080000000 0x0000000000200000;');
    expect(text).toContain('\t\tcompatible = "vendor,soc", "simple-bus";');
    expect(text).toContain('\tinterrupt-controller;');
    expect(text).toContain('\t\trng-seed = [01 02 03];');
    expect(text).toContain('\t\t\treg = <0x00 0x1000 0x00 0x100>;');
  });
});

const hasDtc = spawnSync('dtc', ['--version']).status === 0;

describe.skipIf(!hasDtc)('agreement with dtc (device-tree-compiler)', () => {
  const dtc = (args: string[], input: Uint8Array | string): Uint8Array => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chronovisor-dtc-'));
    try {
      const inFile = path.join(dir, 'in');
      const outFile = path.join(dir, 'out.dtb');
      writeFileSync(inFile, input);
      const r = spawnSync('dtc', ['-q', ...args, '-O', 'dtb', '-o', outFile, inFile], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      return new Uint8Array(readFileSync(outFile));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('dtc re-flattens our blobs to identical bytes', () => {
    for (const blob of [writeFdt(sample()), writeFdt(readFdt(fixture('qemu-7.2-virt-256M-smp2-initrd.dtb')))]) {
      expect(dtc(['-I', 'dtb'], blob)).toEqual(blob);
    }
  });

  it('compiling our dts text gives the bytes our writer gives', () => {
    const t = sample();
    // dts text has no boot_cpuid_phys; dtc takes it from -b.
    expect(dtc(['-I', 'dts', '-b', String(t.bootCpuId)], formatDts(t))).toEqual(writeFdt(t));
  });
});
