// Study (e): QEMU 7.2's reset vector (the ROM at 0x1000) and the boot registers it passes.
import { QemuSession, OPENSBI_FW_DYNAMIC, UBOOT_SMODE } from '../lib/qemu-session.ts';
import { parseCore } from '../lib/gdb-remote.ts';

for (const memory of ['256M', '128M', '1G']) {
  const s = await QemuSession.start({ bios: OPENSBI_FW_DYNAMIC, kernel: UBOOT_SMODE, memory });
  const rom = Buffer.from(await s.gdb.readMemory(0x1000n, 0x48));
  const words = Array.from({ length: rom.length / 4 }, (_, i) => rom.readUInt32LE(i * 4).toString(16).padStart(8, '0'));
  console.log(`-m ${memory}: ROM 0x1000..: ${words.join(' ')}`);
  for (let i = 0; i <= 7; i++) {
    const [g] = await s.gdb.batch(['g']);
    const c = parseCore(g!);
    console.log(`  step ${i}: pc=0x${c.pc.toString(16)} t0=0x${c.x[5]!.toString(16)} a0=0x${c.x[10]!.toString(16)} a1=0x${c.x[11]!.toString(16)} a2=0x${c.x[12]!.toString(16)}`);
    await s.gdb.step();
  }
  const fdt = Buffer.from(await s.gdb.readMemory((parseCore((await s.gdb.batch(['g']))[0]!).x[11]!), 8));
  console.log(`  FDT magic ${fdt.readUInt32BE(0).toString(16)} size ${fdt.readUInt32BE(4)}`);
  await s.close();
}
