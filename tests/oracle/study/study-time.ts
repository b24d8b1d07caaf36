// Study (b): time/minstret/mcycle/mtime as a function of instructions retired, single-step
// vs free-run, for several icount shifts. usage: run-ts study-time.ts [shift...]
import { QemuSession } from '../lib/qemu-session.ts';
import { buildGuest, symbol } from '../lib/build-guest.ts';
import { SSTEP } from '../lib/gdb-remote.ts';

const ITER = 256;
const SAMPLES = 0x80100000n;
const g = buildGuest('tests/oracle/guests/time-read.S', { ITER, SAMPLES: '0x80100000' });
const loops = ['loop_time', 'loop_minstret', 'loop_mcycle', 'loop_mtime'];
const loopAddr = loops.map((l) => symbol(g, l));

async function readSamples(s: QemuSession): Promise<bigint[][]> {
  const bytes = Buffer.from(await s.gdb.readMemory(SAMPLES, loops.length * ITER * 8));
  return loops.map((_, b) => Array.from({ length: ITER }, (_, j) => bytes.readBigUInt64LE((b * ITER + j) * 8)));
}

async function run(shift: number, mode: 'free' | 'step', flags: number) {
  const s = await QemuSession.start({ bios: g.bin, icountShift: shift, singleStepFlags: flags });
  try {
    const readAt: number[][] = loops.map(() => []);
    if (mode === 'free') {
      await s.gdb.insertBreakpoint(symbol(g, 'done'));
      await s.gdb.cont();
    } else {
      for (let n = 0; ; n++) {
        const pc = (await s.gdb.readCore()).pc;
        if (pc === symbol(g, 'done')) break;
        const k = loopAddr.indexOf(pc);
        if (k >= 0) readAt[k]!.push(n);
        await s.gdb.step();
      }
    }
    return { samples: await readSamples(s), readAt };
  } finally {
    await s.close();
  }
}

function describe(values: bigint[], at: number[], shift: number, name: string): string {
  // Which offset d makes value == f(n + d) for every sample?
  const fits: string[] = [];
  for (const d of [-1, 0, 1, 2]) {
    const ok = (f: (ns: bigint) => bigint) => values.every((v, j) => v === f(BigInt(at[j]! + d) << BigInt(shift)));
    if (ok((ns) => ns / 100n)) fits.push(`floor((n${d >= 0 ? '+' : ''}${d})*2^${shift}/100)`);
    if (ok((ns) => ns)) fits.push(`(n${d >= 0 ? '+' : ''}${d})*2^${shift}`);
  }
  return `${name.padEnd(14)} first n=${at[0]} v=${values[0]} last n=${at[at.length - 1]} v=${values[values.length - 1]}  fits: ${fits.join(' | ') || 'NONE'}`;
}

for (const shift of process.argv.slice(2).map(Number)) {
  const stepped = await run(shift, 'step', SSTEP.ENABLE);
  const free = await run(shift, 'free', SSTEP.ENABLE);
  const notimer = await run(shift, 'step', SSTEP.ENABLE | SSTEP.NOTIMER);
  console.log(`shift=${shift}`);
  loops.forEach((name, b) => {
    console.log('  step     ' + describe(stepped.samples[b]!, stepped.readAt[b]!, shift, name));
    console.log('  step+NT  ' + describe(notimer.samples[b]!, stepped.readAt[b]!, shift, name));
    console.log('  free     ' + describe(free.samples[b]!, stepped.readAt[b]!, shift, name));
  });
}
