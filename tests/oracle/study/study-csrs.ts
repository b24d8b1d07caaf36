// Study: CSR presence and WARL behaviour under -cpu configurations (docs/ORACLE.md, -cpu).
// usage: run-ts study-csrs.ts [CPU...]
import { QemuSession } from '../lib/qemu-session.ts';
import { buildGuest, symbol } from '../lib/build-guest.ts';

const names = ['mhpmcounter3', 'mhpmevent3', 'mcountinhibit', 'menvcfg', 'senvcfg', 'stimecmp', 'hstatus', 'tselect',
  'mconfigptr', 'mseccfg', 'pmpcfg0', 'pmpaddr15', 'pmpaddr16', 'mcounteren', 'scounteren', 'mideleg', 'medeleg', 'misa',
  'mvendorid', 'marchid', 'mimpid', 'mip', 'mie', 'mstatus', 'satp'];
const g = buildGuest('tests/oracle/guests/csr-probe.S', { SAMPLES: '0x80100000' });
const cpus = process.argv.slice(2);
const results: string[][] = [];
for (const cpu of cpus.length ? cpus : ['rv64']) {
  const s = await QemuSession.start({ bios: g.bin, cpu });
  await s.gdb.insertBreakpoint(symbol(g, 'done'));
  await s.gdb.cont();
  const mem = Buffer.from(await s.gdb.readMemory(0x80100000n, names.length * 32));
  results.push(names.map((_, i) => {
    const [v, rc, wc, back] = [0, 1, 2, 3].map((k) => mem.readBigUInt64LE(i * 32 + k * 8));
    if (rc) return `trap ${rc}`;
    return `0x${v!.toString(16)}${wc ? ` (write: trap ${wc})` : ` -> 0x${back!.toString(16)}`}`;
  }));
  await s.close();
}
const cols = cpus.length ? cpus : ['rv64'];
console.log(['CSR', ...cols].join(' | '));
names.forEach((n, i) => console.log([n, ...results.map((r) => r[i])].join(' | ')));
