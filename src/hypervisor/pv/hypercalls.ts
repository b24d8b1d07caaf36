// The hypercall table (docs/PV-ABI.md §2.1): number → handler, and multicall, which runs a
// batch of them as if each were called directly (every one logged as its own `hypercall`).
import { E, HC } from './abi.ts';
import { Call, type HcOutcome, type HcReturn } from './call.ts';
import { consoleIo } from './console.ts';
import { eventChannelOp } from './evtchn.ts';
import { grantTableOp } from './grant-table.ts';
import { memoryOp } from './memory-op.ts';
import { mmuextOp, mmuUpdate, updateVaMapping } from './mmu-ops.ts';
import { schedOp, setTimerOp, vcpuOp, xenVersion } from './sched.ts';
import { callbackOp, iret, setCallbacks, stackSwitch } from './traps.ts';

type Handler = (c: Call) => HcReturn;

const TABLE: Readonly<Record<number, Handler>> = {
  [HC.mmu_update]: mmuUpdate,
  [HC.stack_switch]: stackSwitch,
  [HC.set_callbacks]: setCallbacks,
  [HC.memory_op]: memoryOp,
  [HC.multicall]: multicall,
  [HC.update_va_mapping]: updateVaMapping,
  [HC.set_timer_op]: setTimerOp,
  [HC.xen_version]: xenVersion,
  [HC.console_io]: consoleIo,
  [HC.grant_table_op]: grantTableOp,
  [HC.iret]: iret,
  [HC.vcpu_op]: vcpuOp,
  [HC.mmuext_op]: mmuextOp,
  [HC.sched_op]: schedOp,
  [HC.callback_op]: callbackOp,
  [HC.event_channel_op]: eventChannelOp,
};

export function runHypercall(c: Call, nr: number): HcReturn {
  const h = TABLE[nr];
  return h ? h(c) : -E.ENOSYS;
}

/** Entry layout: { u64 op; u64 result; u64 args[6]; }. */
const ENTRY = 64;

/** multicall(calls, count) — nr 13. */
function multicall(c: Call): HcReturn {
  if (c.nested) return -E.EINVAL;
  const calls = c.a(0);
  const count = c.u32(1);
  if (!c.va.check(calls, count * ENTRY, true)) return -E.EFAULT;
  const pv = c.pv;
  let outcome: HcOutcome = 'continue';
  let yielded = false;
  let after: (() => HcOutcome) | undefined;
  for (let i = 0; i < count && outcome === 'continue' && !after; i++) {
    const at = calls + BigInt(i * ENTRY);
    const r = c.va.readView(at, ENTRY);
    if (!r) return -E.EFAULT;
    const op = r.getBigUint64(0, true);
    const args = [0, 1, 2, 3, 4, 5].map((k) => r.getBigUint64(16 + 8 * k, true));
    const nr = op < 0x100000000n ? Number(op) : -1;
    // a multicall inside a multicall, iret and blocking calls are refused (§11)
    const ret = runHypercall(new Call(pv, c.d, c.v, args, true), nr);
    const x = typeof ret === 'object' ? ret : { result: ret };
    const result = BigInt(x.result);
    if (!c.va.writeU64(at + 8n, result)) return -E.EFAULT;
    pv.hv.events.hypercall(c.id, c.v.id, nr < 0 ? 0xffffffff : nr, args, result);
    if ('outcome' in x && x.outcome === 'yield') yielded = true;
    else if ('outcome' in x && x.outcome && x.outcome !== 'continue') outcome = x.outcome;
    if ('then' in x && x.then) after = x.then;
  }
  if (after) return { result: 0, then: after };
  return { result: 0, outcome: outcome === 'continue' && yielded ? 'yield' : outcome };
}
