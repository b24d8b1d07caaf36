// Study (d), exact: the number of instructions QEMU retires up to and including the store of
// the final ' ' of U-Boot's first "=> " prompt. gdb stops cannot be used past OpenSBI's
// `mtimecmp = -1` (docs/ORACLE.md), so QEMU runs free with a lightweight per-instruction log
// (-singlestep -d int,exec,nochain: one "Trace" line per attempted instruction) and the
// instructions are counted the way icount counts them:
//   - an attempt followed by "Stopped execution" or "cpu_io_recompile: rewound" did not run;
//   - a synchronous trap retires nothing, except ecall, ebreak and an encoding the decoder
//     rejects (finding (a)); a CSR access that faults (SYSTEM opcode, funct3 != 0) and
//     memory faults do not count.
// U-Boot's UART stores are recognised by the pc of its putc store (found once with a write
// watchpoint on THR, with the same page offset after U-Boot relocates itself). The last such
// store before QEMU is killed is the prompt's final byte, since U-Boot then waits for input.
// Validated against gdb's minstret at OpenSBI's 321st UART store (before any timer is armed).
// usage: run-ts study-prompt-exact.ts SHIFT
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { QemuSession, OPENSBI_FW_DYNAMIC, UBOOT_SMODE } from '../lib/qemu-session.ts';

const shift = Number(process.argv[2] ?? 6);
const OPENSBI_STORE = 0x8000b308n;

// 1. U-Boot's THR store pc. Free-run until U-Boot has started printing, stop with ^C (an
// interruption from outside does not warp the clock; a watchpoint stop would, and QEMU then
// wedges once OpenSBI has armed mtimecmp = -1), then let one watched store stop QEMU: its pc
// is all we need from this instance.
const finder = await QemuSession.start({ bios: OPENSBI_FW_DYNAMIC, kernel: UBOOT_SMODE, icountShift: shift });
const running = finder.gdb.cont();
await finder.waitForSerial('U-Boot 20', 120_000);
finder.gdb.interrupt();
await running;
await finder.gdb.request('Z2,10000000,1');
await finder.gdb.cont();
const ubootStore = (await finder.gdb.readCore()).pc;
await finder.close();
console.log(`U-Boot's UART store: pc=0x${ubootStore.toString(16)} (page offset 0x${(ubootStore & 0xfffn).toString(16)})`);

// 2. The free run with the exec log.
const dir = mkdtempSync(path.join(os.tmpdir(), 'prompt-exact-'));
const fifo = path.join(dir, 'exec.log');
const serial = path.join(dir, 'serial.txt');
execFileSync('mkfifo', [fifo]);
const log = createReadStream(fifo, { encoding: 'latin1', highWaterMark: 1 << 20 });
const qemu = spawn('setpriv', ['--pdeathsig', 'KILL', 'qemu-system-riscv64', '-M', 'virt', '-nographic', '-monitor', 'none',
  '-bios', OPENSBI_FW_DYNAMIC, '-kernel', UBOOT_SMODE, '-m', '256M', '-icount', `shift=${shift},sleep=off`,
  '-serial', `file:${serial}`, '-singlestep', '-d', 'int,exec,nochain', '-D', fifo], { stdio: 'ignore' });
const watcher = setInterval(() => {
  if (existsSync(serial) && readFileSync(serial, 'latin1').includes('=> ')) {
    clearInterval(watcher);
    setTimeout(() => qemu.kill('SIGKILL'), 300);
  }
}, 50);

let count = 0; // instructions retired so far (icount)
let pendingStore: { pc: bigint; count: number } | null = null;
let lastUbootStoreCount = -1;
let opensbiStores = 0;
let opensbi321 = -1;
let partial = '';
const t0 = Date.now();
const countedIllegal = (tval: bigint) => !((tval & 0x7fn) === 0x73n && ((tval >> 12n) & 7n) !== 0n);
for await (const chunk of log as AsyncIterable<string>) {
  const text = partial + chunk;
  let at = 0;
  for (;;) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) break;
    const line = text.slice(at, nl);
    at = nl + 1;
    if (line.startsWith('Trace ')) {
      if (pendingStore) {
        if (pendingStore.pc === OPENSBI_STORE) { if (++opensbiStores === 321) opensbi321 = pendingStore.count; }
        else lastUbootStoreCount = pendingStore.count;
        pendingStore = null;
      }
      count++;
      const pc = BigInt('0x' + line.slice(line.lastIndexOf('/', line.lastIndexOf('/', line.lastIndexOf('/') - 1) - 1) + 1, line.lastIndexOf('/', line.lastIndexOf('/') - 1)));
      if (pc === OPENSBI_STORE || (pc >= 0x80200000n && (pc & 0xfffn) === (ubootStore & 0xfffn))) pendingStore = { pc, count };
    } else if (line.startsWith('Stopped execution') || line.startsWith('cpu_io_recompile')) {
      count--;
      pendingStore = null;
    } else if (line.startsWith('riscv_cpu_do_interrupt')) {
      const m = /async:(\d), cause:([0-9a-f]+), epc:0x[0-9a-f]+, tval:0x([0-9a-f]+)/.exec(line)!;
      if (m[1] === '0') {
        const cause = BigInt('0x' + m[2]);
        const counted = cause === 8n || cause === 9n || cause === 11n || cause === 3n || (cause === 2n && countedIllegal(BigInt('0x' + m[3])));
        if (!counted) count--;
        pendingStore = null;
      }
    }
  }
  partial = text.slice(at);
}
if (pendingStore && pendingStore.pc !== OPENSBI_STORE) lastUbootStoreCount = pendingStore.count;
rmSync(dir, { recursive: true, force: true });
console.log(`shift=${shift}: OpenSBI's 321st UART store retires as instruction ${opensbi321} (gdb minstret check: 3222760 at shift 0)`);
console.log(`shift=${shift}: U-Boot's "=> " is complete after ${lastUbootStoreCount} instructions (virtual time ${lastUbootStoreCount * 2 ** shift} ns); ${count} counted when QEMU was killed; ${((Date.now() - t0) / 1000).toFixed(0)} s`);
