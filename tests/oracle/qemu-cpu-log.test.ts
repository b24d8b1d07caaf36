import { describe, expect, it } from 'vitest';
import { CpuLogParser } from './lib/qemu-cpu-log.ts';

// A dump in QEMU 7.2's riscv_cpu_dump_state layout (H extension present, no FPU).
function dump(pc: number, a0 = 0, mcause = 0): string {
  const hex = (v: number) => v.toString(16).padStart(16, '0');
  const names = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
    'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
  const lines = [
    `Trace 0: 0x7f0000001000 [0000000000000000/${hex(pc)}/00209003/ff020201] `,
    ' V      =   0',
    ` pc       ${hex(pc)}`,
    ' mhartid  0000000000000000',
    ' mstatus  0000000a00000000',
    ` mcause   ${hex(mcause)}`,
  ];
  for (let row = 0; row < 8; row++) {
    let l = '';
    for (let c = 0; c < 4; c++) {
      const i = row * 4 + c;
      l += ` ${`x${i}/${names[i]}`.padEnd(8)} ${hex(i === 10 ? a0 : i)}`;
    }
    lines.push(l);
  }
  return lines.join('\n') + '\n';
}

function parseAll(text: string, chunk = 7): ReturnType<CpuLogParser['take']>[] {
  const p = new CpuLogParser(false);
  for (let i = 0; i < text.length; i += chunk) p.push(text.slice(i, i + chunk));
  p.end();
  const out = [];
  for (let s = p.take(); s; s = p.take()) out.push(s);
  return out;
}

describe('CpuLogParser', () => {
  it('yields one state per dump with lazily parsed registers', () => {
    const states = parseAll(dump(0x1000) + dump(0x1004, 0x42));
    expect(states.map((s) => s!.pc)).toEqual([0x1000n, 0x1004n]);
    expect(states[1]!.x()[10]).toBe(0x42n);
    expect(states[1]!.x()[31]).toBe(31n);
    expect(states[1]!.csrs().get('mstatus')).toBe(0xa00000000n);
    expect(states[1]!.csrs().get('V')).toBe(0n);
    expect(states[1]!.f()).toBeNull();
  });

  it('drops the replay of a block whose first attempt was aborted', () => {
    const text =
      dump(0x1000) +
      dump(0x1004) +
      'cpu_io_recompile: rewound execution of TB to 0000000000001004\n' +
      dump(0x1004) +
      dump(0x1008) +
      'Stopped execution of TB chain before 0x7f0000002000 [0000000000001008] \n' +
      dump(0x1008);
    expect(parseAll(text).map((s) => s!.pc)).toEqual([0x1000n, 0x1004n, 0x1008n]);
  });

  it('drops the replay even when a CSR changed in between (the expiring timer set mip)', () => {
    const text =
      dump(0x1000) +
      dump(0x1004) +
      'Stopped execution of TB chain before 0x7f0000002000 [0000000000001004] \n' +
      dump(0x1004, 0, 0x80) + // mcause stands in for the mip line here
      dump(0x1008);
    expect(parseAll(text).map((s) => s!.pc)).toEqual([0x1000n, 0x1004n, 0x1008n]);
  });

  it('keeps the aborted state and attaches the interrupt taken instead', () => {
    const text =
      dump(0x80000034) +
      'Stopped execution of TB chain before 0x7f0000002000 [0000000080000034] \n' +
      'riscv_cpu_do_interrupt: hart:0, async:1, cause:0000000000000007, epc:0x0000000080000034, tval:0x0000000000000000, desc=m_timer\n' +
      dump(0x80000050, 0, 0x7);
    const states = parseAll(text);
    expect(states.map((s) => s!.pc)).toEqual([0x80000034n, 0x80000050n]);
    expect(states[1]!.traps).toEqual([{ async: true, cause: 7n, epc: 0x80000034n, tval: 0n, desc: 'm_timer' }]);
    expect(states[0]!.traps).toEqual([]);
  });

  it('does not treat a legitimately repeated state (j .) as a replay', () => {
    expect(parseAll(dump(0x2000) + dump(0x2000) + dump(0x2000)).length).toBe(3);
  });
});
