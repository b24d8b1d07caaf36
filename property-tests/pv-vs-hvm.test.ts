// PV vs HVM: one abstract operation sequence, run against three PV domains (hypercalls,
// validation of every page-table entry) and against three HVM domains (the hypervisor's p2m,
// enforced by the G-stage), must give the same isolation verdicts: which operations are
// refused, and what each domain reaches — measured on the real hart in both worlds.
//
// Abstract terms: slots k0..k7 and w0..w7 (PV: the kernel-window pages of pool pfns
// 4000..4007 and window pages; HVM: guest-physical RAM + pfn * 4096 and 0x90000000 + i * 4096),
// pool frames (d, i), foreign targets (another domain's pool frame, a hypervisor frame, a free
// frame). An HVM guest has no call to map a frame: "map own frame" is the hypervisor's p2m
// change, and "map a foreign frame" is the guest's attempt to reach it, by loading from its
// host address as guest-physical. The intended differences are written out in EXPECTED
// below, with the real state they depend on, never filtered:
//   page types  HVM has none: pinning always succeeds there and a pinned frame can still be
//               mapped writable; PV refuses what §4.1 rule 1 forbids. When only PV refuses,
//               the HVM change is undone so both worlds stay comparable.
//   grants      HVM domains have no grant tables (no hypercalls): sharing is refused there,
//               and the PV grantee's extra reach through the grant is the expected difference.
import fc from 'fast-check';
import { expect, vi } from 'vitest';
import type { Hypervisor } from '../src/hypervisor/hypervisor.ts';
import { GNTST, GTF, PTE } from '../src/hypervisor/pv/abi.ts';
import { frameInfo } from '../src/hypervisor/pv/state.ts';
import { propertyTest } from './harness/property.ts';
import { hvmAccess, hvmTranslate, hvmWorld, PAGE, probeValue, walkGStage, type Access } from './lib/hvm-world.ts';
import { pvSetup, type PvModel, WINDOW_VA } from './lib/pv-model.ts';
import * as ops from './lib/pv-ops.ts';
import { pvAccess, pvHost, pvTranslate } from './lib/pv-world.ts';
import { restoreWorld, snapshotWorld, type WorldSnapshot } from './lib/snapshot.ts';
import { rootsOf } from './lib/pv-invariant.ts';
import { walkSv39 } from './lib/pv-world.ts';
import { applyMutation } from './mutations.ts';

applyMutation();
vi.mock('../src/hypervisor/pv/grant-access.ts', async (importOriginal) => (await import('./pv-mutations.ts')).mutatedGrantAccess(await importOriginal()));
vi.mock('../src/hypervisor/pv/evtchn.ts', async (importOriginal) => (await import('./pv-mutations.ts')).mutatedEvtchn(await importOriginal()));

const DOMS = [1, 2, 3];
const POOL = 8;
const POOL_PFN = 4000;
const RAM = 0x80000000;
const HVM_WINDOW = 0x90000000;
const SLOTS = [...Array.from({ length: 8 }, (_, i) => `k${i}`), ...Array.from({ length: 8 }, (_, i) => `w${i}`)];

type Rights = { r: boolean; w: boolean; x: boolean };
const RIGHTS: Record<string, Rights> = { r: { r: true, w: false, x: false }, rw: { r: true, w: true, x: false }, rx: { r: true, w: false, x: true }, rwx: { r: true, w: true, x: true } };

// ---- the two worlds -----------------------------------------------------------------------

interface Worlds {
  hv: { hv: Hypervisor; pool: Map<number, number[]> };
  pv: { hv: Hypervisor; m: PvModel };
  /** Slots (per domain) holding a PV grant mapping: the expected difference. */
  shared: Map<number, Map<string, { granter: number; frame: number; ro: boolean; handle: number }>>;
  /** Next free grant ref per granter. */
  nextRef: Map<number, number>;
}

let hvmCache: { hv: Hypervisor; snap: WorldSnapshot } | null = null;

function hvmSide(): { hv: Hypervisor; pool: Map<number, number[]> } {
  if (!hvmCache) {
    const hv = hvmWorld(3);
    // as in the PV world: pool frames 4..7 start unmapped
    for (const d of hv.domains) for (let i = 4; i < POOL; i++) d.p2m.unmap4k(BigInt(RAM + (POOL_PFN + i) * PAGE));
    hvmCache = { hv, snap: snapshotWorld(hv) };
  } else restoreWorld(hvmCache.hv, hvmCache.snap);
  const hv = hvmCache.hv;
  return { hv, pool: new Map(hv.domains.map((d) => [d.id, Array.from({ length: POOL }, (_, i) => d.memory.hostBase + (POOL_PFN + i) * PAGE)])) };
}

function setup(): Worlds {
  const { model, real } = pvSetup();
  return { hv: hvmSide(), pv: { hv: real.hv, m: model }, shared: new Map(DOMS.map((d) => [d, new Map()])), nextRef: new Map(DOMS.map((d) => [d, 0])) };
}

const hvmGpa = (slot: string): number => (slot[0] === 'k' ? RAM + (POOL_PFN + Number(slot.slice(1))) * PAGE : HVM_WINDOW + Number(slot.slice(1)) * PAGE);
const pvSlot = (w: Worlds, d: number, slot: string) => w.pv.m.slotAddr.get(d)!.get(slot)!;
const pvFrame = (w: Worlds, d: number, i: number) => w.pv.m.frames.get(d)![i];

// ---- verdicts ---------------------------------------------------------------------------------

const LETTER: Record<Access, string> = { read: 'r', write: 'w', exec: 'x' };

/** What a domain reaches at every abstract slot, in abstract frame names, from the real hart. */
function reach(w: Worlds, mode: 'hvm' | 'pv', d: number): Map<string, string> {
  const out = new Map<string, string>();
  const name = (hpa: number): string => {
    const frames = mode === 'hvm' ? w.hv.pool : new Map(DOMS.map((e) => [e, w.pv.m.frames.get(e)!.map((f) => f * PAGE)]));
    for (const [e, fs] of frames) {
      const i = fs.indexOf(hpa - (hpa % PAGE));
      if (i >= 0) return `d${e}.${i}`;
    }
    return `other:${(hpa - (hpa % PAGE)).toString(16)}`;
  };
  for (const slot of SLOTS) {
    const rights: string[] = [];
    let hpa: number;
    if (mode === 'hvm') {
      const dom = w.hv.hv.domain(d);
      const g = BigInt(hvmGpa(slot));
      hpa = hvmTranslate(dom, g);
      for (const a of ['read', 'write', 'exec'] as Access[]) {
        const ok = hvmAccess(dom, g, a, a === 'write' ? probeValue(dom) : 0n);
        if (ok) rights.push(LETTER[a]);
      }
    } else {
      const dom = w.pv.hv.domain(d);
      const va = pvSlot(w, d, slot).va;
      hpa = pvTranslate(dom, va);
      for (const a of ['read', 'write', 'exec'] as Access[]) {
        const ok = pvAccess(dom, va, a, a === 'write' && hpa >= 0 ? pvHost(w.pv.hv).hm.u64(hpa) : 0n);
        if (ok) rights.push(LETTER[a]);
      }
    }
    out.set(slot, hpa < 0 || rights.length === 0 ? '-' : `${name(hpa)}:${rights.join('')}`);
  }
  return out;
}

/** Frames of other domains (and the hypervisor's) a domain reaches anywhere, by the tables in memory. */
function foreignReach(w: Worlds, mode: 'hvm' | 'pv', d: number): string[] {
  const out: string[] = [];
  if (mode === 'hvm') {
    const hv = w.hv.hv;
    for (const l of walkGStage(hv, hv.domain(d).p2m.root).leaves) {
      if (!l.r && !l.x) continue;
      for (let i = 0; i < l.pages; i++) {
        const o = hv.frames.ownerOf(l.hpa + i * PAGE);
        if (o !== d) out.push(`frame of ${o}`);
      }
    }
  } else {
    const hv = w.pv.hv;
    const pv = pvHost(hv);
    for (const root of rootsOf(hv, d)) {
      for (const l of walkSv39(hv, root)) {
        if (!l.r && !l.x) continue;
        const o = pv.hm.owner(l.mfn);
        if (o === d) continue;
        const info = frameInfo(pv.state, l.mfn);
        if (o === 0 && info.type === 'shared' && info.sharedWith === d) continue; // its own grant table
        out.push(`frame of ${o}`);
      }
    }
  }
  return [...new Set(out)].sort();
}

// ---- operations ---------------------------------------------------------------------------------

type Op =
  | { k: 'map'; d: number; slot: string; i: number; rights: string }
  | { k: 'map-foreign'; d: number; slot: string; target: number }
  | { k: 'unmap'; d: number; slot: string }
  | { k: 'pin'; d: number; i: number }
  | { k: 'unpin'; d: number; i: number }
  | { k: 'share'; d: number; to: number; i: number; slot: number; ro: boolean }
  | { k: 'unshare'; d: number; slot: number };

type Verdict = 'accepted' | 'refused';

/** Runs an op in the HVM world: the hypervisor's p2m for mapping, the guest's own access for foreign frames. */
function runHvm(w: Worlds, op: Op): Verdict {
  const hv = w.hv.hv;
  switch (op.k) {
    case 'map': {
      const d = hv.domain(op.d);
      const r = RIGHTS[op.rights];
      d.p2m.map(BigInt(hvmGpa(op.slot)), w.hv.pool.get(op.d)![op.i], PAGE, { read: r.r, write: r.w, exec: r.x });
      for (const v of d.vcpus) v.hart.flushTlb();
      return 'accepted';
    }
    case 'map-foreign': {
      // the guest's attempt: a load from the target's host address as if it were guest-physical.
      // It succeeds only if it reached that very frame (the same number may be one of its own pages).
      const t = foreignTargets(w, 'hvm', op.d);
      const target = t[op.target % t.length];
      const d = hv.domain(op.d);
      const loaded = hvmAccess(d, BigInt(target), 'read');
      return loaded && hvmTranslate(d, BigInt(target)) === target ? 'accepted' : 'refused';
    }
    case 'unmap': {
      const d = hv.domain(op.d);
      d.p2m.unmap4k(BigInt(hvmGpa(op.slot)));
      for (const v of d.vcpus) v.hart.flushTlb();
      return 'accepted';
    }
    case 'pin':
    case 'unpin':
      return 'accepted'; // no page types: the guest may use any frame as a VS-stage table
    case 'share':
    case 'unshare':
      return 'refused'; // no grant tables for HVM domains
  }
}

function foreignTargets(w: Worlds, mode: 'hvm' | 'pv', d: number): number[] {
  const others = DOMS.filter((e) => e !== d);
  if (mode === 'hvm') {
    const hv = w.hv.hv;
    return [...others.flatMap((e) => w.hv.pool.get(e)!), ...hv.domains.map((x) => x.p2m.root)];
  }
  const m = w.pv.m;
  return [...others.flatMap((e) => m.frames.get(e)!.slice(0, POOL).map((f) => f * PAGE)), ...m.hypervisorFrames.map((f) => f * PAGE).slice(0, 3)];
}

function runPv(w: Worlds, op: Op): Verdict {
  const hv = w.pv.hv;
  const ok = (rc: number): Verdict => (rc === 0 ? 'accepted' : 'refused');
  const pte = (mfn: number, r: Rights) => (BigInt(mfn) << 10n) | PTE.V | PTE.U | PTE.A | PTE.D | (r.r ? PTE.R : 0n) | (r.w ? PTE.W : 0n) | (r.x ? PTE.X : 0n);
  switch (op.k) {
    case 'map':
      return ok(ops.mmuUpdate(hv, op.d, pvSlot(w, op.d, op.slot).pte, pte(pvFrame(w, op.d, op.i), RIGHTS[op.rights])));
    case 'map-foreign': {
      const t = foreignTargets(w, 'pv', op.d);
      return ok(ops.mmuUpdate(hv, op.d, pvSlot(w, op.d, op.slot).pte, pte(t[op.target % t.length] / PAGE, RIGHTS.r)));
    }
    case 'unmap':
      return ok(ops.mmuUpdate(hv, op.d, pvSlot(w, op.d, op.slot).pte, 0n));
    case 'pin':
      return ok(ops.pinL1(hv, op.d, pvFrame(w, op.d, op.i)));
    case 'unpin':
      return ok(ops.unpin(hv, op.d, pvFrame(w, op.d, op.i)));
    case 'share': {
      // the granter writes a grant entry, the grantee maps it at window slot w<slot>
      const ref = w.nextRef.get(op.d)!;
      w.nextRef.set(op.d, ref + 1);
      const pv = pvHost(hv);
      const frame = pvFrame(w, op.d, op.i);
      pv.hm.setU64(w.pv.m.grantFrame.get(op.d)! * PAGE + ref * 8, BigInt(GTF.permit_access | (op.ro ? GTF.readonly : 0)) | (BigInt(op.to) << 16n) | (BigInt(frame) << 32n));
      const { status, handle } = ops.mapGrant(hv, op.to, op.d, ref, WINDOW_VA + BigInt(op.slot * PAGE), op.ro);
      if (status === GNTST.okay) w.shared.get(op.to)!.set(`w${op.slot}`, { granter: op.d, frame, ro: op.ro, handle });
      return status === GNTST.okay ? 'accepted' : 'refused';
    }
    case 'unshare': {
      const s = w.shared.get(op.d)!.get(`w${op.slot}`);
      if (!s) return 'refused';
      const st = ops.unmapGrant(hv, op.d, s.handle);
      if (st === GNTST.okay) w.shared.get(op.d)!.delete(`w${op.slot}`);
      return st === GNTST.okay ? 'accepted' : 'refused';
    }
  }
}

/**
 * The PV verdict expected from the HVM one: equal, except for the intended differences, each
 * decided by real PV state it can point to.
 */
function expectedPv(w: Worlds, op: Op, hvm: Verdict, before: { tableFrames: Set<number>; writableFrames: Set<number>; pvSlotIsGrant: boolean }): { verdict: Verdict | 'either'; why: string } {
  switch (op.k) {
    case 'map': {
      const f = pvFrame(w, op.d, op.i);
      if (before.pvSlotIsGrant) return { verdict: 'refused', why: 'the PV slot holds a grant mapping, changed only by unmap_grant_ref' };
      if (RIGHTS[op.rights].w && before.tableFrames.has(f)) return { verdict: 'refused', why: 'page types: the frame is a PV page table (rule 1); HVM has no page types' };
      return { verdict: hvm, why: 'same' };
    }
    case 'unmap':
      if (before.pvSlotIsGrant) return { verdict: 'refused', why: 'the PV slot holds a grant mapping' };
      return { verdict: hvm, why: 'same' };
    case 'pin': {
      const f = pvFrame(w, op.d, op.i);
      if (before.writableFrames.has(f)) return { verdict: 'refused', why: 'page types: mapped writable, cannot become a table (rule 1)' };
      return { verdict: 'either', why: 'page types: PV validates the contents and refuses a second pin; HVM has no pins' };
    }
    case 'unpin':
      return { verdict: 'either', why: 'page types: only a pinned frame can be unpinned in PV; HVM has no pins' };
    case 'share':
    case 'unshare':
      return { verdict: 'either', why: 'grants: PV has grant tables, HVM domains do not' };
    default:
      return { verdict: hvm, why: 'same' };
  }
}

function pvTypes(w: Worlds): { tableFrames: Set<number>; writableFrames: Set<number> } {
  const pv = pvHost(w.pv.hv);
  const tableFrames = new Set<number>();
  const writableFrames = new Set<number>();
  for (const c in pv.state.frames) {
    const chunk = pv.state.frames[c];
    for (const k in chunk) {
      if (['l1', 'l2', 'l3'].includes(chunk[k].type)) tableFrames.add(Number(k));
      if (chunk[k].type === 'writable') writableFrames.add(Number(k));
    }
  }
  return { tableFrames, writableFrames };
}

function compare(w: Worlds, ops: readonly Op[]): void {
  const log: string[] = [];
  for (const op of ops) {
    const d = op.d;
    const slot = op.k === 'map' || op.k === 'map-foreign' || op.k === 'unmap' ? op.slot : null;
    const before = { ...pvTypes(w), pvSlotIsGrant: !!slot && w.shared.get(d)!.has(slot) };
    const hvmBefore = slot ? reach(w, 'hvm', d).get(slot) : undefined;
    const h = runHvm(w, op);
    const p = runPv(w, op);
    const want = expectedPv(w, op, h, before);
    log.push(`${JSON.stringify(op)}: hvm ${h}, pv ${p}${want.why === 'same' ? '' : ` (${want.why})`}`);
    if (want.verdict !== 'either') expect(p, log.join('\n')).toBe(want.verdict);
    // keep the worlds comparable: undo an HVM change PV refused for an intended reason
    if (h === 'accepted' && p === 'refused' && slot && op.k !== 'map-foreign') {
      const hv = w.hv.hv.domain(d);
      const g = BigInt(hvmGpa(slot));
      const old = /^d(\d+)\.(\d+):(r?)(w?)(x?)$/.exec(hvmBefore ?? '-');
      if (old) hv.p2m.map(g, w.hv.pool.get(Number(old[1]))![Number(old[2])], PAGE, { read: !!old[3], write: !!old[4], exec: !!old[5] });
      else hv.p2m.unmap4k(g);
      for (const v of hv.vcpus) v.hart.flushTlb();
    }
    // what every domain reaches: the same in both worlds, but for PV grant mappings
    for (const e of DOMS) {
      const rh = reach(w, 'hvm', e);
      const rp = reach(w, 'pv', e);
      for (const [s, g] of w.shared.get(e)!) {
        expect(rp.get(s), `${log.join('\n')}\nd${e} ${s}: the PV grantee reaches the granted frame`).toMatch(new RegExp(`^d${g.granter}\\.\\d+:${g.ro ? 'r' : 'rw'}$`));
        expect(rh.get(s), `d${e} ${s}: nothing in HVM (no grants)`).toBe('-');
        rp.delete(s);
        rh.delete(s);
      }
      expect(Object.fromEntries(rp), `${log.join('\n')}\nwhat d${e} reaches, PV vs HVM`).toEqual(Object.fromEntries(rh));
      expect(foreignReach(w, 'hvm', e), `d${e} reaches foreign frames in HVM`).toEqual([]);
      const grants = [...w.shared.get(e)!.values()].filter((g) => g.granter !== e).map((g) => `frame of ${g.granter}`);
      expect(foreignReach(w, 'pv', e), `d${e} reaches foreign frames in PV beyond its grants`).toEqual([...new Set(grants)].sort());
    }
  }
}

const dom = fc.constantFrom(...DOMS);
const slotArb = fc.constantFrom(...SLOTS);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('map' as const), d: dom, slot: slotArb, i: fc.nat(POOL - 1), rights: fc.constantFrom('r', 'rw', 'rx', 'rwx') }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('map-foreign' as const), d: dom, slot: slotArb, target: fc.nat(40) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('unmap' as const), d: dom, slot: slotArb }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('pin' as const), d: dom, i: fc.nat(POOL - 1) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('unpin' as const), d: dom, i: fc.nat(POOL - 1) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('share' as const), d: dom, to: dom, i: fc.nat(POOL - 1), slot: fc.nat(7), ro: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('unshare' as const), d: dom, slot: fc.nat(7) }) },
);

propertyTest({
  name: 'isolation.pv-vs-hvm',
  quickRuns: 12,
  weight: 3,
  build: () => fc.property(fc.array(opArb, { minLength: 1, maxLength: 20 }), (seq) => compare(setup(), seq)),
});
