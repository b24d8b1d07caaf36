// Study: when does a machine-timer interrupt armed by an mtimecmp write get taken in a free
// run (trace oracle)? Prints the number of instructions retired before the interrupt entry
// and the deadline QEMU computed. usage: run-ts study-irq-timing.ts SHIFT DELAY
import { TraceOracle } from '../lib/trace-oracle.ts';
import { buildGuest, symbol } from '../lib/build-guest.ts';

const [shift, delay] = process.argv.slice(2).map(Number);
const g = buildGuest('tests/oracle/guests/timer-irq.S', { IRQ_DELAY: delay! });
const o = await TraceOracle.start({ bios: g.bin, icountShift: shift! });
let s = await o.initial();
let retired = 0;
let armAt = -1;
for (let i = 0; i < 100000; i++) {
  const n = (await o.next())!;
  if (n.traps.some((t) => t.async)) {
    const x = n.x();
    // The state before the vector is either the interrupted one (pc == epc: the log shows
    // the pre-interrupt state) or the one whose instruction ran just before the entry (the
    // log fused that instruction with the entry).
    if (s.pc !== n.traps[0]!.epc) retired++;
    console.log(`shift=${shift} delay=${delay}: arming store retired as instruction #${armAt + 1} (ns at write = ${(armAt + 1) * 2 ** shift!}), ` +
      `mtime read before arming s4=${x[20]}; interrupt entered after ${retired} instructions (ns=${retired * 2 ** shift!}), epc=0x${n.traps[0]!.epc.toString(16)}`);
    break;
  }
  if (s.pc === symbol(g, 'arm')) armAt = retired;
  retired++;
  s = n;
}
await o.close();
