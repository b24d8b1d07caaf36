// Measures gdbstub single-step throughput with full register reads (docs/ORACLE.md).
import { QemuSession, OPENSBI_FW_DYNAMIC, UBOOT_SMODE } from '../lib/qemu-session.ts';
import { parseCore, parseStop } from '../lib/gdb-remote.ts';

const N = Number(process.argv[2] ?? 20000);
async function run(label: string, transport: 'tcp' | 'unix', mode: 'serial' | 'pipelined' | 'fp' | 'stepOnly') {
  const s = await QemuSession.start({ bios: OPENSBI_FW_DYNAMIC, kernel: UBOOT_SMODE, gdbTransport: transport });
  try {
    const fp = Array.from({ length: 32 }, (_, i) => `p${(33 + i).toString(16)}`);
    const t0 = process.hrtime.bigint();
    let sum = 0n;
    for (let i = 0; i < N; i++) {
      if (mode === 'serial') {
        parseStop(await s.gdb.request('s'));
        sum += parseCore(await s.gdb.request('g')).pc;
      } else if (mode === 'stepOnly') {
        parseStop(await s.gdb.request('s'));
      } else {
        const r = await s.gdb.batch(mode === 'fp' ? ['g', ...fp, 's'] : ['g', 's']);
        sum += parseCore(r[0]!).pc;
        parseStop(r[r.length - 1]!);
      }
    }
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`${label.padEnd(34)} ${transport.padEnd(4)} ${(N / secs).toFixed(0).padStart(7)} steps/s`);
  } finally {
    await s.close();
  }
}
for (const t of ['unix', 'tcp'] as const) {
  await run('step only (s)', t, 'stepOnly');
  await run('s then g, two round trips', t, 'serial');
  await run('[g,s] pipelined', t, 'pipelined');
  await run('[g,32 p,s] pipelined (with FP)', t, 'fp');
}
