// Study: what single-stepping does right after OpenSBI writes mtimecmp = -1 (which arms
// QEMU's CLINT timer at INT64_MAX ns). A write watchpoint on mtimecmp stops QEMU just
// before the store (no timer is armed yet, so that stop is harmless); then the store is
// single-stepped with Qqemu.sstep=1 (timers live) and =5 (NOTIMER), and minstret (virtual
// ns under icount) is checked for the next 1000 steps.
import { QemuSession, OPENSBI_FW_DYNAMIC, UBOOT_SMODE } from '../lib/qemu-session.ts';

for (const flags of [1, 5]) {
  const s = await QemuSession.start({ bios: OPENSBI_FW_DYNAMIC, kernel: UBOOT_SMODE, singleStepFlags: flags });
  const mi = await s.gdb.regnum('minstret');
  await s.gdb.request('Z2,2004000,8');
  const stop = await s.gdb.cont();
  await s.gdb.request('z2,2004000,8');
  const c = await s.gdb.readCore();
  const before = await s.gdb.readRegister(mi);
  let line = `sstep=${flags}: watch hit ${stop.raw} at pc=0x${c.pc.toString(16)} storing 0x${c.x[15]!.toString(16)} (a5), minstret=${before}; `;
  let prev = before;
  for (let k = 1; k <= 1000; k++) {
    const r = await Promise.race([s.gdb.step(), new Promise<null>((res) => setTimeout(() => res(null), 5000))]);
    if (!r) { line += `step ${k} never returned`; break; }
    const m = await s.gdb.readRegister(mi);
    if (m !== prev + 1n) { line += `step ${k}: minstret ${prev} -> ${m}; `; if (k > 3) break; }
    prev = m;
    if (k === 1000) line += `after 1000 steps minstret=${m} (${m - before} more)`;
  }
  console.log(line);
  await s.close();
}
