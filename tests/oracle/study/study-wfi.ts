// Study (a)/(c): wfi under icount sleep=off, free-run vs single-step.
// usage: [SSTEP=flags] run-ts study-wfi.ts SHIFT DELAY  (Qqemu.sstep for the stepped run, default 1:
// shows the clock jumps of finding (f); with 5 the step into the sleeping wfi never returns)
import { QemuSession } from '../lib/qemu-session.ts';
import { buildGuest, symbol } from '../lib/build-guest.ts';

const [shift, delay] = process.argv.slice(2).map(Number);
const g = buildGuest('tests/oracle/guests/wfi.S', { WFI_DELAY: delay! });
const names = new Map([...g.symbols].map(([k, v]) => [v, k]));
const show = (x: bigint[]) => `s2=${x[18]} s3=${x[19]} s4=${x[20]} s5=${x[21]} s6=${x[22]} s7=${x[23]!.toString(16)} s8=${x[24]}`;
{
  const s = await QemuSession.start({ bios: g.bin, icountShift: shift });
  await s.gdb.insertBreakpoint(symbol(g, 'done'));
  const stop = await s.gdb.cont();
  const c = await s.gdb.readCore();
  console.log(`free run  : stop=${stop.raw} pc=${c.pc.toString(16)} ${show(c.x)} minstret=${await s.gdb.readRegister(await s.gdb.regnum('minstret'))}`);
  await s.close();
}
{
  const s = await QemuSession.start({ bios: g.bin, icountShift: shift, singleStepFlags: Number(process.env['SSTEP'] ?? 1) });
  const mi = await s.gdb.regnum('minstret');
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) {
    const c = await s.gdb.readCore();
    const m = await s.gdb.readRegister(mi);
    const name = names.get(c.pc) ?? '';
    if (name || i > 0) lines.push(`  step ${String(i).padStart(3)} pc=${c.pc.toString(16)} ${name.padEnd(12)} minstret=${m} ${show(c.x)}`);
    if (c.pc === symbol(g, 'done')) break;
    const t0 = Date.now();
    const stop = await Promise.race([s.gdb.step(), new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
    if (!stop) { lines.push(`  step ${i + 1}: no stop reply within 3 s (hart halted in wfi?)`); s.gdb.interrupt(); break; }
    if (Date.now() - t0 > 500) lines.push(`  (step took ${Date.now() - t0} ms)`);
  }
  console.log('single-step:\n' + lines.join('\n'));
  await s.close();
}
