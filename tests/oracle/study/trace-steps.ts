// Study helper: single-steps a guest and prints, per step, pc, privilege and the counters
// QEMU exposes (minstret = icount, time CSR, mip), plus chosen registers.
// usage: [SSTEP=flags] run-ts trace-steps.ts GUEST.S SHIFT STEPS [DEFINE=V ...]  (Qqemu.sstep, default 5)
import { QemuSession } from '../lib/qemu-session.ts';
import { buildGuest } from '../lib/build-guest.ts';

const [src, shiftArg, stepsArg, ...defs] = process.argv.slice(2);
const defines = Object.fromEntries(defs.map((d) => d.split('=')));
const g = buildGuest(src!, defines);
const byAddr = new Map([...g.symbols].map(([k, v]) => [v, k]));
const s = await QemuSession.start({ bios: g.bin, icountShift: Number(shiftArg), singleStepFlags: Number(process.env['SSTEP'] ?? 5) });
try {
  const names = ['priv', 'minstret', 'mcycle', 'mip', 'mcause', 'mepc'];
  const nums = await Promise.all(names.map((n) => s.gdb.regnum(n)));
  nums.push(66 + 0xc01); names.push('time');
  const regs = [8, 9, 18, 19, 20, 21];
  for (let i = 0; i <= Number(stepsArg); i++) {
    const core = await s.gdb.readCore();
    const v = await s.gdb.readRegisters(nums);
    const label = byAddr.get(core.pc) ?? '';
    console.log(
      `${String(i).padStart(5)} pc=${core.pc.toString(16).padStart(8)} ${label.padEnd(14)} ` +
        names.map((n, k) => `${n}=${v[k]!.toString(16)}`).join(' ') + ' ' +
        regs.map((r) => `x${r}=${core.x[r]!.toString(16)}`).join(' '),
    );
    if (i < Number(stepsArg)) await s.gdb.step();
  }
} finally { await s.close(); }
