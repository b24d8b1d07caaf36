// Statistics over a trace: counts by kind and domain, icount range, size per event, and the
// breakdowns a hypervisor user asks for (exits by reason, SBI calls by extension, MMIO by
// device, interrupts by cause). Also a digest of the event stream, so two traces can be
// compared for identical behaviour without comparing files (paths and timing differ).
import { createHash } from 'node:crypto';
import type { TraceReader } from '../trace/reader.ts';

export interface TraceStats {
  format: string;
  complete: boolean;
  fileBytes: number;
  events: number;
  firstSeq: number;
  firstIcount: number;
  lastIcount: number;
  bytesPerEvent: number;
  bytesPerMInsn: number;
  byKind: Record<string, number>;
  byDomain: Record<string, number>;
  breakdown: Record<string, Record<string, number>>;
  eventsSha256: string;
}

const SBI_EXTENSIONS: Record<string, string> = {
  '0x10': 'BASE', '0x54494d45': 'TIME', '0x735049': 'IPI', '0x52464e43': 'RFENCE', '0x48534d': 'HSM',
  '0x53525354': 'SRST', '0x4442434e': 'DBCN', '0x0': 'legacy set_timer', '0x1': 'legacy console_putchar',
  '0x2': 'legacy console_getchar', '0x8': 'legacy shutdown',
};

/** PV hypercall numbers (docs/PV-ABI.md §2.1, Xen's numbering). */
const HYPERCALL_NAMES: Record<number, string> = {
  1: 'mmu_update', 3: 'stack_switch', 4: 'set_callbacks', 12: 'memory_op', 13: 'multicall',
  14: 'update_va_mapping', 15: 'set_timer_op', 17: 'xen_version', 18: 'console_io',
  20: 'grant_table_op', 23: 'iret', 24: 'vcpu_op', 26: 'mmuext_op', 29: 'sched_op',
  30: 'callback_op', 32: 'event_channel_op',
};

const INTERRUPT_NAMES: Record<number, string> = { 1: 'SSI', 2: 'VSSI', 3: 'MSI', 5: 'STI', 6: 'VSTI', 7: 'MTI', 9: 'SEI', 10: 'VSEI', 11: 'MEI', 12: 'SGEI' };

function bump(rec: Record<string, number>, key: string, by = 1): void {
  rec[key] = (rec[key] ?? 0) + by;
}

export function traceStats(reader: TraceReader, progress?: (done: number, total: number) => void): TraceStats {
  const byKind: Record<string, number> = {};
  const byDomain: Record<string, number> = {};
  const breakdown: Record<string, Record<string, number>> = {};
  const group = (name: string) => (breakdown[name] ??= {});
  const domainNames = domainNamesOf(reader);
  const deviceNames = deviceNamesOf(reader);
  const domainDevices = domainDevicesOf(reader);
  // a hypervisor trace lists every exit reason per domain, zeros included, so a category the
  // guest never hit reads as 0 rather than missing
  for (const [id, name] of Object.entries(domainNames)) {
    if (Number(id) === 0) continue;
    for (const r of ['ecall', 'mmio', 'guest-page-fault', 'virtual-instruction', 'wfi', 'illegal-instruction', 'page-fault', 'interrupt', 'internal-error']) {
      group('exits by reason')[`${name}: ${r}`] = 0;
    }
  }
  const hash = createHash('sha256');
  const cursor = reader.cursor(reader.firstSeq);
  let n = 0;
  while (!cursor.done) {
    const e = cursor.next();
    if (++n % 100_000 === 0) progress?.(n, reader.eventCount);
    bump(byKind, e.kind);
    const dom = domainNames[e.domain] ?? String(e.domain);
    bump(byDomain, dom);
    const p = e.payload;
    switch (e.kind) {
      case 'mmio': {
        const dev = (e.domain ? domainDevices[e.domain]?.[Number(p.dev)] : deviceNames[Number(p.dev)]) ?? `dev${String(p.dev)}`;
        bump(group('mmio by device'), `${dom}: ${dev} ${String(p.op)}`);
        break;
      }
      case 'interrupt':
        bump(group('interrupts by cause'), `${dom}: ${INTERRUPT_NAMES[Number(p.cause)] ?? `cause ${String(p.cause)}`}`);
        break;
      case 'exit':
        bump(group('exits by reason'), `${dom}: ${String(p.reason)}`);
        break;
      case 'sbi': {
        const ext = '0x' + Number(p.ext).toString(16);
        bump(group('sbi calls by extension'), `${dom}: ${SBI_EXTENSIONS[ext] ?? ext}`);
        break;
      }
      case 'hypercall':
        bump(group('hypercalls'), `${dom}: ${HYPERCALL_NAMES[Number(p.nr)] ?? `#${String(p.nr)}`}`);
        break;
      case 'lifecycle':
        bump(group('lifecycle'), `${dom}: ${String(p.action)}`);
        break;
    }
    hash.update(JSON.stringify([e.seq, e.icount, e.domain, e.vcpu, e.kind, e.payload], (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  }
  const span = Math.max(1, reader.lastIcount - reader.firstIcount);
  return {
    format: `chronovisor-trace ${reader.version.major}.${reader.version.minor}`,
    complete: reader.complete,
    fileBytes: reader.fileSize,
    events: reader.eventCount,
    firstSeq: reader.firstSeq,
    firstIcount: reader.firstIcount,
    lastIcount: reader.lastIcount,
    bytesPerEvent: reader.eventCount ? round(reader.fileSize / reader.eventCount) : 0,
    bytesPerMInsn: round((reader.fileSize / span) * 1e6),
    byKind: sortKeys(byKind),
    byDomain: sortKeys(byDomain),
    breakdown: Object.fromEntries(Object.entries(breakdown).sort().map(([k, v]) => [k, sortKeys(v)])),
    eventsSha256: hash.digest('hex'),
  };
}

function domainNamesOf(reader: TraceReader): Record<number, string> {
  const out: Record<number, string> = {};
  if ((reader.config.domains ?? []).length > 0) out[0] = 'hypervisor';
  (reader.config.domains ?? []).forEach((d, i) => {
    const name = (d as { name?: unknown })?.name;
    out[(d as { id?: number })?.id ?? i] = typeof name === 'string' ? name : String(i);
  });
  return out;
}

/** Device names per domain (hypervisor traces): the `dev` of a domain's mmio events. */
function domainDevicesOf(reader: TraceReader): Record<number, string[]> {
  const out: Record<number, string[]> = {};
  for (const d of (reader.config.domains ?? []) as Array<{ id?: number; devices?: unknown }>) {
    if (typeof d?.id === 'number' && Array.isArray(d.devices)) out[d.id] = d.devices.map(String);
  }
  return out;
}

function deviceNamesOf(reader: TraceReader): Record<number, string> {
  const devices = (reader.config.machine as { devices?: unknown })?.devices;
  return Array.isArray(devices) ? Object.fromEntries(devices.map((d, i) => [i, String(d)])) : {};
}

function sortKeys(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
