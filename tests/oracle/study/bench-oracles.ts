// Throughput of the two oracles on the OpenSBI + U-Boot boot, every state fully parsed
// (what a lockstep comparison costs on the QEMU side). usage: run-ts bench-oracles.ts [N]
import { GdbOracle } from '../lib/gdb-oracle.ts';
import { TraceOracle } from '../lib/trace-oracle.ts';
import type { Oracle } from '../lib/oracle.ts';
import { OPENSBI_FW_DYNAMIC, UBOOT_SMODE } from '../lib/qemu-session.ts';

const N = Number(process.argv[2] ?? 20000);
const BOOT = { bios: OPENSBI_FW_DYNAMIC, kernel: UBOOT_SMODE };
const runs: Array<[string, () => Promise<Oracle>, number]> = [
  ['gdb oracle, pc+x (g + s per step)', () => GdbOracle.start(BOOT), N],
  ['gdb oracle, pc+x+f (g + 32 p + s)', () => GdbOracle.start({ ...BOOT, fpu: true }), N / 2],
  ['gdb oracle over TCP, pc+x', () => GdbOracle.start({ ...BOOT, gdbTransport: 'tcp' }), N],
  ['trace oracle, pc+x', () => TraceOracle.start(BOOT), N * 20],
  ['trace oracle, pc+x+f', () => TraceOracle.start({ ...BOOT, fpu: true }), N * 10],
];
for (const [label, start, n] of runs) {
  const o = await start();
  try {
    await o.initial();
    const t0 = process.hrtime.bigint();
    let sum = 0n;
    for (let i = 0; i < n; i++) {
      const s = (await o.next())!;
      sum += s.x()[2]!;
      const f = s.f();
      if (f) sum += f[0]!;
    }
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`${label.padEnd(36)} ${String(Math.round(n / secs)).padStart(7)} steps/s  (${n} steps)`);
  } finally {
    await o.close();
  }
}
