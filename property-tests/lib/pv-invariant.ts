// The isolation invariant of PV domains, checked after every command of pv-memory.test.ts.
// Reachability comes from the real page tables in host memory (walked as the hart walks
// them) and from the real hart (loads, stores, fetches); the model only says which pages
// the commands touched and what they should map.
import type { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { GTF, PAGE, SH } from '../../src/hypervisor/pv/abi.ts';
import { frameInfo } from '../../src/hypervisor/pv/state.ts';
import type { Access } from './hvm-world.ts';
import type { PvModel, Mapping } from './pv-model.ts';
import { REFS } from './pv-model.ts';
import { pvAccess, pvHost, pvTranslate, walkSv39, type SvLeaf } from './pv-world.ts';

const hex = (n: number | bigint) => `0x${n.toString(16)}`;
const TABLE = new Set(['l1', 'l2', 'l3']);

/** Frames whose PV type is a page table, by MFN. */
function tableFrames(hv: Hypervisor): Map<number, string> {
  const out = new Map<number, string>();
  const frames = pvHost(hv).state.frames;
  for (const c in frames) {
    const chunk = frames[c];
    for (const k in chunk) if (TABLE.has(chunk[k].type)) out.set(Number(k), chunk[k].type);
  }
  return out;
}

/** Every root a domain has loaded or could load (NEW_BASEPTR takes any pinned l3 it owns). */
export function rootsOf(hv: Hypervisor, d: number, tables = tableFrames(hv)): number[] {
  const pv = pvHost(hv);
  const roots = new Set<number>();
  for (const v of pv.dom(d).vcpus) {
    if (v.kernelRoot) roots.add(v.kernelRoot);
    if (v.userRoot) roots.add(v.userRoot);
  }
  for (const [m, t] of tables) if (t === 'l3' && pv.hm.owner(m) === d) roots.add(m);
  return [...roots];
}

function expectedAccess(m: Mapping | undefined, a: Access): boolean {
  if (!m) return false;
  return a === 'read' ? m.r : a === 'write' ? m.r && m.w : m.x;
}

export function checkPvInvariant(model: PvModel, hv: Hypervisor): void {
  const pv = pvHost(hv);
  const problems: string[] = [];
  const bad = (ok: boolean, what: () => string) => {
    if (!ok && problems.length < 20) problems.push(what());
  };
  const leavesBy = new Map<number, Map<number, SvLeaf>>();
  const tables = tableFrames(hv);
  for (const d of model.doms) {
    const pd = pv.dom(d);
    const held = Object.values(pd.maptrack);
    const bySlot = new Map<number, SvLeaf>();
    for (const root of rootsOf(hv, d, tables)) {
      for (const l of walkSv39(hv, root)) {
        bySlot.set(l.slot, l);
        if (!l.r && !l.w && !l.x) continue;
        const owner = pv.hm.owner(l.mfn);
        const info = frameInfo(pv.state, l.mfn);
        const where = () => `domain ${d} va ${hex(l.va)} (pte at ${hex(l.slot)}) -> frame ${hex(l.mfn)}`;
        bad(l.level === 0, () => `${where()}: a superpage leaf (§4.1 rule 2)`);
        if (owner === d) {
          bad(!(l.w && TABLE.has(info.type)), () => `${where()}: writable, but it is an ${info.type} page table (§4.1 rule 1)`);
          bad(!(l.w && l.mfn === pd.boot.startInfo), () => `${where()}: start_info mapped writable`);
        } else if (owner === 0) {
          bad(info.type === 'shared' && info.sharedWith === d, () => `${where()}: hypervisor frame (type ${info.type}) reachable`);
        } else {
          const g = held.find((h) => h.pteAddr === l.slot && h.mfn === l.mfn);
          bad(!!g, () => `${where()}: frame of ${owner < 0 ? 'nobody' : `domain ${owner}`} reachable without a grant mapping`);
          if (g) bad(!(g.readonly && l.w), () => `${where()}: a read-only grant mapped writable`);
        }
      }
    }
    leavesBy.set(d, bySlot);

    // the touched pages: exactly the model, and the hart agrees
    const want = model.slots.get(d)!;
    for (const [key, at] of model.slotAddr.get(d)!) {
      const m = want.get(key);
      const l = bySlot.get(at.pte);
      const real = l && (l.r || l.x) ? l : undefined;
      bad(real?.mfn === m?.mfn && !!real?.r === !!m?.r && !!real?.w === !!m?.w && !!real?.x === !!m?.x, () => `domain ${d} ${key}: tables map ${real ? `${hex(real.mfn)} r${+real.r}w${+real.w}x${+real.x}` : 'nothing'}, model ${m ? `${hex(m.mfn)} r${+m.r}w${+m.w}x${+m.x}` : 'nothing'}`);
      const dom = hv.domain(d);
      const hpa = pvTranslate(dom, at.va);
      bad(hpa === (m ? m.mfn * PAGE : -1), () => `domain ${d} ${key}: the hart translates ${hex(at.va)} to ${hpa < 0 ? 'nothing' : hex(hpa)}`);
      for (const a of ['read', 'write', 'exec'] as const) {
        const v = a === 'write' && m ? pv.hm.u64(m.mfn * PAGE) : 0n;
        const ok = pvAccess(dom, at.va, a, v);
        bad(ok === expectedAccess(m, a), () => `domain ${d} ${key}: ${a} of ${hex(at.va)} ${ok ? 'allowed' : 'refused'}, model ${m ? `r${+m.r}w${+m.w}x${+m.x}` : 'unmapped'}`);
      }
    }

    // grants: GTF_reading / GTF_writing say whether an entry is mapped
    const gt = model.grantFrame.get(d)! * PAGE;
    for (let ref = 0; ref < REFS; ref++) {
      const flags = pv.hm.u16(gt + ref * 8);
      const a = model.activeOf(d, ref);
      bad(!!(flags & GTF.reading) === a.readers + a.writers > 0 && !!(flags & GTF.writing) === a.writers > 0, () => `domain ${d} grant ref ${ref}: flags ${hex(flags)}, mappings held ${a.readers} ro / ${a.writers} rw`);
    }

    // event channels: bindings and the pending bits the guest sees
    const ports = pd.ports;
    const mp = model.ports.get(d)!;
    for (let p = 1; p < 16; p++) {
      const b = ports[p];
      const e = mp.get(p);
      bad((!b && !e) || (!!b && !!e && b.state === e.state && b.remoteDom === e.remoteDom && (e.state === 'unbound' || b.remotePort === e.remotePort)), () => `domain ${d} port ${p}: ${JSON.stringify(b ?? null)}, model ${JSON.stringify(e ?? null)}`);
    }
    const word = pv.hm.u64(pd.boot.sharedInfo * PAGE + SH.evtchn_pending);
    let want64 = 0n;
    for (const p of model.pending.get(d)!) want64 |= 1n << BigInt(p);
    bad(word === want64, () => `domain ${d}: pending ports ${hex(word)}, model ${hex(want64)}`);
  }

  // no frame is both a page table and writable, in any domain's tables
  const writable = new Map<number, SvLeaf & { d: number }>();
  for (const [d, leaves] of leavesBy) for (const [, l] of leaves) if (l.w) writable.set(l.mfn, { ...l, d });
  for (const [mfn, t] of tables) {
    const l = writable.get(mfn);
    if (l) bad(false, () => `domain ${l.d}: ${t} table ${hex(mfn)} writable at ${hex(l.va)}`);
  }
  for (const [hpa, v] of model.words) {
    const got = pv.hm.u64(hpa);
    bad(got === v, () => `word at ${hex(hpa)} is ${hex(got)}, the model expects ${hex(v)}`);
  }
  if (problems.length) throw new Error(`PV isolation invariant broken:\n  ${problems.join('\n  ')}`);
}
