// Runs an H-extension test image (tests/cpu/hyp-harness.ts) on QEMU 7.2 with the
// hypervisor extension enabled, stops at `done` through the gdbstub and returns the log.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatEntry, LOG, parseLog, type BuiltProgram, type LogEntry } from '../cpu/hyp-harness.ts';
import { QemuSession } from './lib/qemu-session.ts';

/** QEMU 7.2's rv64 with H; Sstc off so `time`/stimecmp follow the plain CLINT like ours. */
export const QEMU_HYP_CPU = 'rv64,h=true';

export interface QemuRun {
  log: LogEntry[];
  words: bigint[];
  /** Integer registers x0..x31 at `done`. */
  x: bigint[];
}

export async function runOnQemu(p: BuiltProgram, timeoutMs = 20_000): Promise<QemuRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chronovisor-hyp-'));
  const bios = path.join(dir, 'image.bin');
  writeFileSync(bios, p.image);
  const s = await QemuSession.start({ bios, cpu: QEMU_HYP_CPU, serial: 'none', icountShift: 0 });
  try {
    await s.gdb.insertBreakpoint(p.done);
    const running = s.gdb.cont();
    const stop = await Promise.race([running, new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs))]);
    if (stop === null) {
      // stop it and show how far it got: a trap loop shows as a log filling with one entry
      s.gdb.interrupt();
      await running;
      const core = await s.gdb.readCore();
      const words = await readLog(s, core.x[27]!);
      const tail = parseLog(words.slice(0, 7 * 40)).map(formatEntry).join('\n  ');
      throw new Error(`QEMU did not reach done within ${timeoutMs} ms: pc 0x${core.pc.toString(16)}; log:\n  ${tail}`);
    }
    const core = await s.gdb.readCore();
    if (core.pc !== p.done) throw new Error(`QEMU stopped at 0x${core.pc.toString(16)}, not at done`);
    const words = await readLog(s, core.x[27]!);
    return { log: parseLog(words), words, x: [...core.x] };
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function readLog(s: QemuSession, end: bigint): Promise<bigint[]> {
  // physical addresses, whatever mode the hart stopped in
  await s.gdb.request('Qqemu.PhyMemMode:1');
  const n = Math.max(0, Math.min(Number(end - LOG), 0x10000));
  const bytes = await s.gdb.readMemory(LOG, n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words: bigint[] = [];
  for (let i = 0; i + 8 <= bytes.length; i += 8) words.push(dv.getBigUint64(i, true));
  return words;
}
