// Study: does stopping at a breakpoint (VM stopped by the gdbstub) while a timer is armed
// move virtual time? Free run to `done` with and without an intermediate breakpoint.
// (A breakpoint on wfi2 also works as a demonstration, but then never reaches `done`: the
// jump fires the timer early, the handler disables it, and wfi2 sleeps forever.)
import { QemuSession } from '../lib/qemu-session.ts';
import { buildGuest, symbol } from '../lib/build-guest.ts';

const g = buildGuest('tests/oracle/guests/wfi.S', { WFI_DELAY: 50 });
for (const stops of [[], ['wfi1'], ['after_wfi1']]) {
  const s = await QemuSession.start({ bios: g.bin, icountShift: 0 });
  const mi = await s.gdb.regnum('minstret');
  const seen: string[] = [];
  for (const label of [...stops, 'done']) {
    await s.gdb.insertBreakpoint(symbol(g, label));
    await s.gdb.cont();
    await s.gdb.removeBreakpoint(symbol(g, label));
    seen.push(`${label}@${await s.gdb.readRegister(mi)}`);
  }
  const x = (await s.gdb.readCore()).x;
  console.log(`stops at [${seen.join(', ')}]: s5=${x[21]} s6=${x[22]} s7=${x[23]!.toString(16)} s8=${x[24]}`);
  await s.close();
}
