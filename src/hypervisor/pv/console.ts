// The PV console (docs/PV-ABI.md §9): console_io and the console ring (Xen's
// xencons_interface). Output from either goes to the domain's console and is logged as
// `console` events; input from the hypervisor's input path is one stream that fills the
// ring's `in` (with a notification and VIRQ_CONSOLE) and that CONSOLEIO_read also consumes.
import { CONS, CONSOLEIO, E, PAGE, PV_CONSOLE_DEV, VIRQ_CONSOLE } from './abi.ts';
import type { Call, HcReturn } from './call.ts';
import { notifyFrontend, raiseVirq } from './evtchn.ts';
import type { PvHost } from './pv-host.ts';

/** Largest console_io transfer per call. */
export const CONSOLE_IO_MAX = 65536;

export function consoleOutput(pv: PvHost, dom: number, bytes: Uint8Array): void {
  if (bytes.length === 0) return;
  pv.hv.events.console(dom, PV_CONSOLE_DEV, bytes);
  pv.hv.opts.onConsole?.(pv.domain(dom), bytes);
}

/** console_io(cmd, count, buffer) — nr 18. */
export function consoleIo(c: Call): HcReturn {
  const cmd = c.u32(0);
  const count = Math.min(c.u32(1), CONSOLE_IO_MAX);
  const buf = c.a(2);
  if (cmd === CONSOLEIO.write) {
    const bytes = c.va.read(buf, count);
    if (!bytes) return -E.EFAULT;
    consoleOutput(c.pv, c.id, bytes);
    return count;
  }
  if (cmd === CONSOLEIO.read) {
    const ring = c.dom.boot.console * PAGE;
    const hm = c.pv.hm;
    const cons = hm.u32(ring + CONS.in_cons);
    const prod = hm.u32(ring + CONS.in_prod);
    const avail = Math.min((prod - cons) >>> 0, CONS.IN_SIZE);
    const n = Math.min(avail, count);
    if (!c.va.check(buf, n, true)) return -E.EFAULT;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = hm.u8(ring + CONS.in + ((cons + i) & (CONS.IN_SIZE - 1)));
    c.va.write(buf, out);
    hm.setU32(ring + CONS.in_cons, (cons + n) >>> 0);
    fillInput(c.pv, c.id);
    return n;
  }
  return -E.ENOSYS;
}

/** Moves waiting input into the ring's `in`; notifies when any moved. */
function fillInput(pv: PvHost, dom: number): void {
  const pd = pv.dom(dom);
  if (pd.consoleIn.length === 0) return;
  const ring = pd.boot.console * PAGE;
  const cons = pv.hm.u32(ring + CONS.in_cons);
  const prod = pv.hm.u32(ring + CONS.in_prod);
  const used = (prod - cons) >>> 0;
  if (used >= CONS.IN_SIZE) return; // full, or indices the guest corrupted
  const n = Math.min(CONS.IN_SIZE - used, pd.consoleIn.length);
  for (let i = 0; i < n; i++) pv.hm.setU8(ring + CONS.in + ((prod + i) & (CONS.IN_SIZE - 1)), pd.consoleIn[i]);
  pv.hm.setU32(ring + CONS.in_prod, (prod + n) >>> 0);
  pv.plane.apply({ kind: 'console', dom, consoleIn: pd.consoleIn.slice(n) });
  notifyFrontend(pv, dom, pv.backendPort(dom, 'console'));
  raiseVirq(pv, dom, 0, VIRQ_CONSOLE);
}

/** Console input for the domain (Hypervisor.deliverInput, already logged as an input event). */
export function consoleInput(pv: PvHost, dom: number, bytes: Uint8Array): void {
  pv.plane.apply({ kind: 'console', dom, consoleIn: [...pv.dom(dom).consoleIn, ...bytes] });
  fillInput(pv, dom);
}

/** The guest notified its console port: print what it wrote, refill input. */
export function processConsole(pv: PvHost, dom: number): void {
  const ring = pv.dom(dom).boot.console * PAGE;
  const cons = pv.hm.u32(ring + CONS.out_cons);
  const prod = pv.hm.u32(ring + CONS.out_prod);
  const n = (prod - cons) >>> 0;
  if (n > CONS.OUT_SIZE) {
    pv.log.ring(dom, 'console', 0, 0, 0, n, -22, `output ring indices are corrupt (out_prod - out_cons = ${n}); output dropped`);
  } else if (n > 0) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = pv.hm.u8(ring + CONS.out + ((cons + i) & (CONS.OUT_SIZE - 1)));
    consoleOutput(pv, dom, out);
  }
  if (n > 0) pv.hm.setU32(ring + CONS.out_cons, prod);
  pv.plane.apply({ kind: 'console', dom, consoleKicked: false });
  fillInput(pv, dom);
}
